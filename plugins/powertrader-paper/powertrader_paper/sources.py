"""Where the paper exchange gets its prices: the simulated market or a real exchange.

Both sources have the same three coroutines, so the exchange never asks which one it holds.
The choice is made once, from the configuration, and never changes behind the caller's back:
if the configured exchange cannot be built or does not answer, its error is raised as it is
(a Kraken outage is a :class:`ExchangeConnectionError` naming kraken). Quietly falling back to
the simulation would put made-up prices where the user expected real ones.

Every quote says who priced it: ``MarketData.source`` is ``"paper:sim"`` or ``"paper:kraken"``,
while ``MarketData.exchange`` is the paper exchange's own name (the venue the order would go
to).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import MarketData, OrderBook
from powertrader_paper.config import SIM_SOURCE, PaperConfig
from powertrader_paper.sim import SimulatedMarket

__all__ = ["ExchangeSource", "PriceSource", "SimSource", "make_source"]


class PriceSource(Protocol):
    """Quotes and books for canonical symbols, labelled with the paper exchange's name."""

    label: str

    async def start(self) -> None:
        """Get ready (a real exchange loads its markets); raises when it cannot."""

    async def market_data(self, symbols: Sequence[str], exchange: str) -> dict[str, MarketData]:
        """One quote per symbol."""

    async def order_book(self, symbol: str, depth: int, exchange: str) -> OrderBook:
        """Bids and asks, best first."""

    async def close(self) -> None:
        """Release connections; safe to call twice."""


class SimSource:
    """The offline simulated market of :mod:`powertrader_paper.sim`."""

    def __init__(self, config: PaperConfig) -> None:
        self.label = config.source_label
        self.market = SimulatedMarket(config)

    async def start(self) -> None:
        """Nothing to connect to."""

    async def market_data(self, symbols: Sequence[str], exchange: str) -> dict[str, MarketData]:
        return {symbol: self.market.market_data(symbol, exchange) for symbol in symbols}

    async def order_book(self, symbol: str, depth: int, exchange: str) -> OrderBook:
        return self.market.order_book(symbol, depth, exchange)

    async def close(self) -> None:
        """Nothing to release."""


class ExchangeSource:
    """A real exchange's public quotes and books, relabelled as the paper exchange's.

    The exchange is built at once, so that an unknown name fails when the paper exchange is
    created; after ``close`` a new one is built on the next ``start`` (a closed exchange's
    sessions are gone).
    """

    def __init__(self, config: PaperConfig) -> None:
        self.label = config.source_label
        self._config = config
        self.exchange: AbstractExchange | None = self._build()

    def _build(self) -> AbstractExchange:
        from powertrader_core.factory import ExchangeFactory

        # Raises ConfigurationError for an unknown name: a typo is never a silent simulation.
        return ExchangeFactory.create_exchange(self._config.source, self._config.source_config)

    async def start(self) -> None:
        if self.exchange is None:
            self.exchange = self._build()
        await self.exchange.ensure_initialized()

    def _started(self) -> AbstractExchange:
        assert self.exchange is not None, "start() the source first"
        return self.exchange

    async def market_data(self, symbols: Sequence[str], exchange: str) -> dict[str, MarketData]:
        quotes = await self._started().get_market_data_batch(list(symbols))
        return {
            symbol: quote.model_copy(update={"exchange": exchange, "source": self.label})
            for symbol, quote in quotes.items()
        }

    async def order_book(self, symbol: str, depth: int, exchange: str) -> OrderBook:
        book = await self._started().get_order_book(symbol, depth)
        return book.model_copy(update={"exchange": exchange})

    async def close(self) -> None:
        built, self.exchange = self.exchange, None
        if built is not None:
            await built.close()


def make_source(config: PaperConfig) -> PriceSource:
    """The source the configuration names: ``sim`` or an exchange known to the factory."""
    if config.source == SIM_SOURCE:
        return SimSource(config)
    return ExchangeSource(config)
