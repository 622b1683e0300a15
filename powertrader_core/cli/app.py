"""The root ``powertrader`` app: global options, the command groups, plugin commands."""

from __future__ import annotations

import typer

from powertrader_core.cli.config_cmd import config_app
from powertrader_core.cli.plugins_cmd import plugins_command

app = typer.Typer(
    name="powertrader",
    help="Trade crypto on many exchanges through one API.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("plugins")(plugins_command)
app.add_typer(config_app, name="config")


@app.callback()
def _root() -> None:
    """Trade crypto on many exchanges through one API."""


def _register_plugin_commands() -> None:
    """Let plugins add command groups (``powertrader robinhood ...``); a failure is reported."""
    from powertrader_core.plugins import get_registry

    registry = get_registry()
    try:
        registry.pm.hook.powertrader_register_commands(app=app)
    except Exception as exc:  # noqa: BLE001 - a plugin's commands must not break the CLI
        typer.echo(f"powertrader: a plugin failed to add its commands: {exc}", err=True)


def main() -> None:
    """Entry point of the ``powertrader`` console script."""
    _register_plugin_commands()
    app()
