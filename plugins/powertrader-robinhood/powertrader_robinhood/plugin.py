"""The pluggy entry point of powertrader-robinhood: its exchange and its commands.

Registered through the very hooks third-party plugins use (entry point group ``powertrader``).
The command line module (typer) is imported only when the command line asks for commands.
"""

from __future__ import annotations

from typing import Any

from powertrader_core import AbstractExchange, hookimpl
from powertrader_robinhood.exchange import RobinhoodExchange


@hookimpl
def powertrader_exchanges() -> list[type[AbstractExchange]]:
    return [RobinhoodExchange]


@hookimpl
def powertrader_register_commands(app: Any) -> None:
    from powertrader_robinhood.cli import register_commands

    register_commands(app)
