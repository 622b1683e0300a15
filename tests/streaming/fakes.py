"""In-process exchanges for the streaming tests: a pushed stream the test drives, and a poller.

:class:`StreamVenue` streams whatever the test pushes on its :class:`StreamControl` (a queue per
connection), can refuse connections, drop the current one, or stay silent; it counts
connections and how many of its iterators were closed, so a test sees that every stream it
opened was closed again. :class:`PollVenue` answers ``get_market_data_batch`` in one call and
counts the calls.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from powertrader_core import (
    AbstractExchange,
    ExchangeConnectionError,
    MarketData,
    OrderRequest,
    OrderResult,
    SymbolNotSupportedError,
)

ALL_REGIONS = ("us", "eu", "global")


def quote(symbol: str, price: Any, exchange: str = "") -> MarketData:
    p = Decimal(str(price))
    return MarketData(symbol, p, p - 1, p + 1, 10, exchange=exchange)


@dataclass
class StreamControl:
    """What a :class:`StreamVenue` class does; changed by the test at any time."""

    refuse: int = 0  # the next N connections fail at once
    connects: int = 0  # connections opened (iterators started)
    closed: int = 0  # iterators finished (closed, failed or cancelled)
    symbols: list[list[str]] = field(default_factory=list)  # asked per connection
    polls: Counter[str] = field(default_factory=Counter)
    listed: set[str] | None = None
    _current: asyncio.Queue[Any] | None = None

    def push(self, symbol: str, price: Any, exchange: str = "") -> None:
        assert self._current is not None, "no connection is open"
        self._current.put_nowait(quote(symbol, price, exchange))

    def drop(self, reason: str = "connection reset by peer") -> None:
        assert self._current is not None, "no connection is open"
        self._current.put_nowait(ExchangeConnectionError(reason, operation="watch_market_data"))

    @property
    def open(self) -> bool:
        return self._current is not None


class StreamVenue(AbstractExchange):
    """Pushes what the test gives its control; polls answer from ``poll_price``."""

    control: ClassVar[StreamControl]
    streaming: ClassVar[bool] = True
    regions: ClassVar[Sequence[str]] = ALL_REGIONS
    poll_price: ClassVar[Decimal] = Decimal("100")

    async def initialize(self) -> bool:
        return True

    def _check(self, symbol: str) -> None:
        listed = self.control.listed
        if listed is not None and symbol not in listed:
            raise SymbolNotSupportedError(f"{symbol} is not listed", exchange=self.name,
                                          operation="get_market_data")

    async def get_market_data(self, symbol: str) -> MarketData:
        self._check(symbol)
        self.control.polls[symbol] += 1
        return quote(symbol, self.poll_price, self.name)

    async def get_market_data_batch(self, symbols: Sequence[str]) -> dict[str, MarketData]:
        for symbol in symbols:
            self._check(symbol)
        self.control.polls["batch"] += 1
        return {s: quote(s, self.poll_price, self.name) for s in symbols}

    async def watch_market_data(  # type: ignore[override]
        self, symbols: Sequence[str]
    ) -> AsyncIterator[MarketData]:
        control = self.control
        control.connects += 1
        control.symbols.append(list(symbols))
        try:
            if control.refuse > 0:
                control.refuse -= 1
                raise ExchangeConnectionError("connection refused", exchange=self.name,
                                              operation="watch_market_data", request_sent=False)
            queue: asyncio.Queue[Any] = asyncio.Queue()
            control._current = queue
            while True:
                item = await queue.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            control._current = None
            control.closed += 1

    async def place_order(self, order_request: OrderRequest) -> OrderResult:
        raise self._unsupported("place_order")

    async def get_balance(self, asset: str | None = None) -> dict[str, Decimal]:
        return {}


def stream_venue(name: str, **knobs: Any) -> type[StreamVenue]:
    return type(f"Stream_{name}", (StreamVenue,), {"name": name, "control": StreamControl(**knobs)})


class TickingVenue(StreamVenue):
    """Streams by itself: one quote per symbol every ``tick`` seconds (for the seed example)."""

    tick: ClassVar[float] = 0.01

    async def watch_market_data(  # type: ignore[override]
        self, symbols: Sequence[str]
    ) -> AsyncIterator[MarketData]:
        price = Decimal("100")
        while True:
            await asyncio.sleep(self.tick)
            price += 1
            for symbol in symbols:
                yield quote(symbol, price, self.name)


class PollVenue(StreamVenue):
    """No stream: polling only (the default ``watch_market_data`` refuses)."""

    streaming: ClassVar[bool] = False
    watch_market_data = AbstractExchange.watch_market_data  # type: ignore[assignment]


def poll_venue(name: str, **knobs: Any) -> type[PollVenue]:
    return type(f"Poll_{name}", (PollVenue,), {"name": name, "control": StreamControl(**knobs)})


async def until(condition: Any, within: float = 3.0, what: str = "condition") -> None:
    """Wait (polling every few ms) until ``condition()`` is true; fail after ``within`` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.002)
