"""The pluggy entry point of powertrader-ccxt: the exchange classes it provides."""

from __future__ import annotations

from powertrader_core import AbstractExchange, hookimpl


@hookimpl
def powertrader_exchanges() -> list[type[AbstractExchange]]:
    return []
