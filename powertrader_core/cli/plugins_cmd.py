"""``powertrader plugins``: what is installed, what each gives, and why a broken one failed.

Every plugin the ``powertrader`` entry point group names is listed, loaded or not: its
distribution and version, the exchanges it registered and, for a broken one, its error (an
import that raised, a hook that returned something that is not an exchange class, another
hookspec version). ``--json`` prints only JSON on stdout, one object per plugin, so scripts and
tests can read it; warnings go to stderr.
"""

from __future__ import annotations

import json

import typer

from powertrader_core.cli._context import regionless

__all__ = ["plugins_command"]


@regionless
def plugins_command(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output only."),
) -> None:
    """List installed plugins with their version, exchanges and load errors."""
    from powertrader_core.plugins.registry import plugin_records

    records = plugin_records()
    if as_json:
        typer.echo(json.dumps(records, indent=2))
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from powertrader_core.plugins.hookspecs import HOOKSPEC_VERSION

    console = Console()
    if not records:
        console.print("No plugins installed (entry point group 'powertrader').")
        return
    table = Table("plugin", "distribution", "version", "exchanges", "status")
    for record in records:
        table.add_row(
            escape(record["name"]),
            escape(record["distribution"] or ""),
            escape(record["version"] or ""),
            escape(", ".join(record["exchanges"])),
            "[green]ok[/green]" if record["ok"] else "[red]broken[/red]",
        )
    console.print(table)
    broken = [record for record in records if not record["ok"]]
    for record in broken:  # in full, outside the table, where a long message is not cut
        console.print(f"[red]{escape(record['name'])}[/red]: {escape(record['error'])}",
                      soft_wrap=True)
    console.print(
        f"hookspec version {HOOKSPEC_VERSION}; {len(records) - len(broken)} loaded, "
        f"{len(broken)} broken"
        + ("; POWERTRADER_TRACE_PLUGINS=1 logs each load and hook call" if broken else ""),
        soft_wrap=True,
    )
