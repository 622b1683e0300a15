"""The hooks a PowerTrader plugin may implement, and the markers that name them.

Kept short on purpose (as llm keeps its hookspecs): three hooks, their version, and the
pluggy markers. The registry (:mod:`powertrader_core.plugins.registry`) loads plugins against
them; a plugin imports only ``hookimpl`` (``from powertrader_core import hookimpl``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pluggy

from powertrader_core.exchange import AbstractExchange

__all__ = [
    "ENTRY_POINT_GROUP",
    "HOOKSPEC_VERSION",
    "PROJECT_NAME",
    "ExchangeClasses",
    "HookSpecs",
    "hookimpl",
    "hookspec",
]

PROJECT_NAME = "powertrader"
ENTRY_POINT_GROUP = "powertrader"
#: The version of the hookspecs below. A plugin module may declare
#: ``POWERTRADER_HOOKSPEC_VERSION``; one written for another version is refused.
HOOKSPEC_VERSION = 1

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

ExchangeClasses = Sequence[type[AbstractExchange]] | Mapping[str, type[AbstractExchange]]


class HookSpecs:
    """The hooks a plugin may implement. Kept tiny on purpose."""

    @hookspec
    def powertrader_exchanges(self) -> ExchangeClasses:  # type: ignore[empty-body]
        """Return the exchange classes this plugin provides.

        A sequence of classes (each registered under its ``name``) or a mapping of name to
        class.
        """

    @hookspec
    def powertrader_register_commands(self, app: Any) -> None:
        """Add command groups to the ``powertrader`` command line (``app`` is a typer.Typer)."""

    @hookspec(firstresult=True)
    def powertrader_resolve_exchange(self, name: str) -> type[AbstractExchange] | None:
        """Return a class for a name no plugin listed (``ccxt:<id>``), or None."""
