"""The core's conformance suite, run on the paper exchange (simulated market, offline)."""

from __future__ import annotations

from powertrader_paper import PaperExchange

from powertrader_core import AbstractExchange, OrderRequest
from powertrader_core.testing import ExchangeConformance


class TestPaperConformance(ExchangeConformance):
    symbols = ("BTC-USD", "ETH-USD", "ETH-BTC")
    # Every well-formed BASE-QUOTE is simulated; an asset against itself is no market.
    unknown_symbol = "BTC-BTC"

    async def make_exchange(self) -> AbstractExchange:
        # The suite's own fixtures give each test a private data directory: the account
        # file lands there.
        return PaperExchange()

    def valid_order(self) -> OrderRequest:
        return OrderRequest(symbol="BTC-USD", side="buy", amount="0.01")
