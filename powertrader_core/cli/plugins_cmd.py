"""``powertrader plugins``: what is installed, what each gives, and why a broken one failed."""

from __future__ import annotations

import json
from dataclasses import asdict

import typer


def plugins_command(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output only."),
) -> None:
    """List installed plugins with their version, exchanges and load errors."""
    from powertrader_core.plugins import get_registry

    infos = sorted(get_registry().plugins.values(), key=lambda info: info.name)
    if as_json:
        typer.echo(json.dumps([asdict(info) for info in infos], indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("plugin", "version", "exchanges", "error")
    for info in infos:
        table.add_row(info.name, info.version or "", ", ".join(info.exchanges), info.error or "")
    Console().print(table)
