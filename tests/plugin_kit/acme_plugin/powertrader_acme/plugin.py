"""What powertrader-acme adds to PowerTrader: its exchange and an ``acme`` command group."""

from __future__ import annotations

from typing import Any

from powertrader_core import AbstractExchange, hookimpl

from .exchange import PRICES, AcmeExchange

# The hookspec version this plugin was written for; another version is refused at load.
POWERTRADER_HOOKSPEC_VERSION = 1


@hookimpl
def powertrader_exchanges() -> list[type[AbstractExchange]]:
    return [AcmeExchange]


@hookimpl
def powertrader_register_commands(app: Any) -> None:
    import typer  # imported here: loading the plugin stays cheap

    acme = typer.Typer(help="Tools for the Acme exchange.", no_args_is_help=True)

    @acme.command("markets")
    def markets() -> None:
        """List the markets Acme trades."""
        for symbol in sorted(PRICES):
            typer.echo(symbol)

    app.add_typer(acme, name="acme")
