"""The manager's fan-out: ``compare_prices`` over eight venues, against what it must beat.

Eight in-process venues answer after 20, 40, ..., 160 ms (``asyncio.sleep``: the cost of a
network round trip without the network's noise). In the same run, interleaved:

- ``compare_prices`` over the eight, against the slowest venue's single ``get_market_data``
  through the same manager: concurrency done right costs about the slowest answer (goal <= 1.15);
- the same comparison, against a sequential loop of ``get_market_data`` over the eight
  (goal: at least 4 times faster, a ratio <= 0.25).

Also, when the ccxt plugin is installed: the peak memory (max RSS) of a process that builds a
manager over the seven ccxt exchanges and compares prices, against a process that only runs
``import ccxt.async_support``. Offline, every exchange is pointed at a closed local port, so
the comparison fails fast after ccxt and the seven exchanges are loaded; what is measured is
the footprint of loading them through the manager, not of market lists.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from _harness import Figure

from powertrader_core import AbstractExchange, ExchangeFactory, MarketData, OrderRequest
from powertrader_core.manager.facade import MultiExchangeManager
from powertrader_core.settings import Settings

LATENCIES_MS = [20, 40, 60, 80, 100, 120, 140, 160]
REPEAT = 9


class _Venue(AbstractExchange):
    latency: ClassVar[float] = 0.0
    regions: ClassVar[Sequence[str]] = ("us", "eu", "global")

    async def initialize(self) -> bool:
        return True

    async def get_market_data(self, symbol: str) -> MarketData:
        await asyncio.sleep(self.latency)
        return MarketData(symbol, 100, 99, 101, 1, exchange=self.name)

    async def place_order(self, order_request: OrderRequest) -> Any:
        raise self._unsupported("place_order")

    async def get_balance(self, asset: str | None = None) -> dict[str, Decimal]:
        return {}


class _NoConfig:
    def load_exchange_config(self, exchange_name: str) -> dict[str, Any]:
        return {}


async def _timed(coro: Any) -> float:
    start = time.perf_counter()
    await coro
    return (time.perf_counter() - start) * 1000


async def _measure() -> tuple[float, float, float]:
    names = [f"bench_{ms}ms" for ms in LATENCIES_MS]
    for name, ms in zip(names, LATENCIES_MS, strict=True):
        cls = type(name, (_Venue,), {"name": name, "latency": ms / 1000})
        ExchangeFactory.register_exchange(name, cls)
    try:
        settings = Settings(region="us", exchange_timeout=5)
        async with MultiExchangeManager(_NoConfig(), settings, names) as manager:
            await manager.compare_prices("BTC-USD")  # build and initialise every venue
            compare, slowest, loop = [], [], []
            for _ in range(REPEAT):
                compare.append(await _timed(manager.compare_prices("BTC-USD")))
                slowest.append(await _timed(manager.get_market_data("BTC-USD", names[-1])))

                async def sequential() -> None:
                    for name in names:
                        await manager.get_market_data("BTC-USD", name)

                loop.append(await _timed(sequential()))
    finally:
        for name in names:
            ExchangeFactory.unregister_exchange(name)
    return statistics.median(compare), statistics.median(slowest), statistics.median(loop)


_MEMORY_PROBE = textwrap.dedent(
    """
    import asyncio, resource, sys
    from powertrader_core import ExchangeError, ExchangeFactory
    from powertrader_core.manager.facade import MultiExchangeManager
    from powertrader_core.settings import Settings

    NAMES = ["kraken", "binance", "coinbase", "kucoin", "bitstamp", "bybit", "okx"]

    class Config:
        def load_exchange_config(self, name):
            return {"base_url": "http://127.0.0.1:9"}

    async def main():
        settings = Settings(region="global", exchange_timeout=5)
        async with MultiExchangeManager(Config(), settings, NAMES) as manager:
            try:
                await manager.compare_prices("BTC-USD")
            except ExchangeError:
                pass
            assert len(manager._pool.built()) == 7

    asyncio.run(main())
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    """
)


def _max_rss_kb(code: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return int(out.strip().splitlines()[-1])


def _memory_figure() -> Figure | None:
    try:
        ExchangeFactory.get_exchange_class("okx")
        import ccxt  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - the figure needs the ccxt plugin
        print(f"manager memory: skipped, ccxt plugin not usable ({exc})")
        return None
    import_only = "import resource, ccxt.async_support\n" + (
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    managers, baselines = [], []
    for _ in range(3):
        managers.append(_max_rss_kb(_MEMORY_PROBE))
        baselines.append(_max_rss_kb(import_only))
    return Figure(
        name="peak RSS, manager comparing 7 ccxt exchanges",
        value=statistics.median(managers) / 1024,
        baseline=statistics.median(baselines) / 1024,
        unit="MiB",
        baseline_name="python -c 'import ccxt.async_support'",
        goal="report",
    )


def run() -> list[Figure]:
    compare, slowest, sequential = asyncio.run(_measure())
    figures = [
        Figure(
            name="compare_prices over 8 venues (20..160 ms)",
            value=compare,
            baseline=slowest,
            unit="ms",
            baseline_name="slowest venue's get_market_data alone",
            goal="<= 1.15",
        ),
        Figure(
            name="compare_prices over 8 venues (20..160 ms)",
            value=compare,
            baseline=sequential,
            unit="ms",
            baseline_name="sequential get_market_data over the 8",
            goal="<= 0.25 (4x faster)",
        ),
    ]
    memory = _memory_figure()
    if memory is not None:
        figures.append(memory)
    return figures


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
