"""Price streaming: dispatch from one stream to ten subscribers, against a bare asyncio.Queue.

The stream is an in-process exchange whose ``watch_market_data`` yields prepared quotes (no
network, no parsing: what is measured is our dispatch). Each quote is stamped with
``perf_counter`` as the stream hands it over ("receipt"); each of ten subscribers records the
time from receipt to its callback.

Two ways of running the same source, interleaved in one run:

- **PriceMonitor**: the real path (the feed task with its watchdog and status bookkeeping,
  ``publish`` to ten drop-oldest subscriber queues, one dispatch task per subscriber calling a
  plain-function callback);
- **baseline**: the bare minimum, the source read by one task that ``put_nowait``s each quote
  into ten ``asyncio.Queue``s, each drained by its own task calling the same callback.

Figures:

- throughput: quotes per second through to all ten subscribers, the source yielding to the
  loop every ``BURST`` quotes (as a socket delivers several frames per read);
- added latency, median and 99th percentile, with the source yielding after every quote so
  each is measured alone rather than behind a burst.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator, Callable, Sequence
from decimal import Decimal
from typing import Any, ClassVar

from _harness import Figure

from powertrader_core import AbstractExchange, MarketData, OrderRequest
from powertrader_core.streaming.monitor import MonitorConfig, PriceMonitor

SUBSCRIBERS = 10
THROUGHPUT_QUOTES = 40_000
LATENCY_QUOTES = 4_000
BURST = 50
REPEAT = 3


def _quotes(count: int) -> list[MarketData]:
    price = Decimal("65000.5")
    return [
        MarketData("BTC-USD", price, price - 1, price + 1, i, exchange="bench")
        for i in range(count)
    ]


class _Source(AbstractExchange):
    """Yields ``quotes``, stamping each; pauses every ``burst`` quotes (1: after each)."""

    name = "bench"
    streaming: ClassVar[bool] = True
    quotes: ClassVar[list[MarketData]] = []
    stamps: ClassVar[list[float]] = []
    burst: ClassVar[int] = BURST

    async def initialize(self) -> bool:
        return True

    async def get_market_data(self, symbol: str) -> MarketData:
        return self.quotes[0]

    async def place_order(self, order_request: OrderRequest) -> Any:
        raise self._unsupported("place_order")

    async def get_balance(self, asset: str | None = None) -> dict[str, Decimal]:
        return {}

    async def watch_market_data(  # type: ignore[override]
        self, symbols: Sequence[str]
    ) -> AsyncIterator[MarketData]:
        stamps, burst, clock = self.stamps, self.burst, time.perf_counter
        for i, quote in enumerate(self.quotes):
            stamps[i] = clock()
            yield quote
            if (i + 1) % burst == 0:
                await asyncio.sleep(0)
        await asyncio.Event().wait()  # the connection stays open


class _Sink:
    """Ten callbacks' shared record: latencies, and the moment all of them saw the last quote."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.latencies: list[float] = []
        self.done = asyncio.Event()
        self.finished_at = 0.0
        self._remaining = SUBSCRIBERS

    def callback(self) -> Callable[[str, str, MarketData], None]:
        stamps, latencies, clock = _Source.stamps, self.latencies, time.perf_counter
        last = self.total - 1

        def on_quote(exchange: str, symbol: str, quote: MarketData) -> None:
            i = int(quote.volume)
            latencies.append(clock() - stamps[i])
            if i == last:
                self._remaining -= 1
                if self._remaining == 0:
                    self.finished_at = clock()
                    self.done.set()

        return on_quote


def _prepare(count: int, burst: int) -> None:
    _Source.quotes = _quotes(count)
    _Source.stamps = [0.0] * count
    _Source.burst = burst


async def _through_monitor(count: int, burst: int) -> _Sink:
    _prepare(count, burst)
    sink = _Sink(count)
    source = _Source()

    async def acquire(name: str) -> AbstractExchange:
        return source

    async def poll(name: str, symbols: Sequence[str]) -> dict[str, MarketData]:
        raise AssertionError("the bench streams; it never polls")

    config = MonitorConfig(queue_size=count + 1)  # nothing dropped: every quote is timed
    monitor = PriceMonitor(acquire, poll, config=config)
    for _ in range(SUBSCRIBERS):
        monitor.subscribe_prices(sink.callback())
    await monitor.start(["BTC-USD"], ["bench"])
    await sink.done.wait()
    await monitor.close()
    return sink


async def _through_queues(count: int, burst: int) -> _Sink:
    _prepare(count, burst)
    sink = _Sink(count)
    Item = tuple[str, str, MarketData]
    queues: list[asyncio.Queue[Item]] = [asyncio.Queue() for _ in range(SUBSCRIBERS)]

    async def consume(
        queue: asyncio.Queue[Item], on_quote: Callable[[str, str, MarketData], None]
    ) -> None:
        while True:
            on_quote(*await queue.get())

    async def read() -> None:
        async for quote in _Source().watch_market_data(["BTC-USD"]):
            item = ("bench", quote.symbol, quote)
            for queue in queues:
                queue.put_nowait(item)

    tasks = [asyncio.ensure_future(consume(q, sink.callback())) for q in queues]
    tasks.append(asyncio.ensure_future(read()))
    await sink.done.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return sink


def _rate(sink: _Sink) -> float:
    return sink.total / (sink.finished_at - _Source.stamps[0])


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


async def _measure() -> dict[str, list[float]]:
    results: dict[str, list[float]] = {
        key: [] for key in ("rate", "rate0", "median", "median0", "p99", "p990")
    }
    await _through_monitor(2_000, BURST)  # warm up both paths
    await _through_queues(2_000, BURST)
    for _ in range(REPEAT):
        results["rate"].append(_rate(await _through_monitor(THROUGHPUT_QUOTES, BURST)))
        results["rate0"].append(_rate(await _through_queues(THROUGHPUT_QUOTES, BURST)))
        ours = (await _through_monitor(LATENCY_QUOTES, 1)).latencies
        bare = (await _through_queues(LATENCY_QUOTES, 1)).latencies
        results["median"].append(statistics.median(ours) * 1e6)
        results["median0"].append(statistics.median(bare) * 1e6)
        results["p99"].append(_p99(ours) * 1e6)
        results["p990"].append(_p99(bare) * 1e6)
    return results


def run() -> list[Figure]:
    r = asyncio.run(_measure())
    med = statistics.median
    queue = "bare asyncio.Queue hand-off, same run"
    return [
        Figure(
            f"stream -> {SUBSCRIBERS} subscribers, throughput (bursts of {BURST})",
            med(r["rate"]), med(r["rate0"]), "quotes/s", queue,
        ),
        Figure(
            "receipt -> callback latency, median", med(r["median"]), med(r["median0"]), "us",
            queue,
        ),
        Figure(
            "receipt -> callback latency, p99", med(r["p99"]), med(r["p990"]), "us", queue,
        ),
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
