"""The ccxt plugin's figures, each beside a baseline measured in the same run.

1. Limiter wait after an idle pause longer than ``rateLimit`` (Kraken's 1000 ms): ours, read
   from our limiter during ``get_market_data``, against raw ccxt's throttler timed around its
   ``throttle`` during ``fetch_ticker`` (ccxt issue #25556). Goal: ours <= 5 ms.
2. ``get_market_data`` against raw ``fetch_ticker`` on the same simulator, 300 calls each,
   interleaved, rate limiting off in both: ratio of medians. Goal <= 1.10.
3. Process start to first price, warm markets cache against cold, the simulator serving
   2,000 pairs; default configuration (our limiter on, as a user runs it). Goal <= 0.5.

Everything talks to the Kraken simulator of ``tests/simulators`` on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _harness import Figure, wall_time_of

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.cassette_support import TEST_SECRETS  # noqa: E402
from tests.simulators.kraken import KrakenSimulator  # noqa: E402

IDLE_SAMPLES = 3
CALLS = 300
PAIRS = 2000
STARTS = 3


def _config(sim: KrakenSimulator, cache: str, **extra: Any) -> dict[str, Any]:
    return {**TEST_SECRETS, "base_url": sim.base_url, "markets_cache_dir": cache, **extra}


def _raw_kraken(sim: KrakenSimulator, *, rate_limit: bool) -> Any:
    import ccxt.async_support as ccxt_async

    client = ccxt_async.kraken({"enableRateLimit": rate_limit})
    client.urls["api"] = {"public": sim.base_url, "private": sim.base_url}
    client.timeout_on_exit = 0
    return client


async def _idle_waits() -> Figure:
    from powertrader_ccxt import KrakenExchange

    async with KrakenSimulator() as sim:
        cache = tempfile.mkdtemp(prefix="bench-ccxt-")
        os.environ["POWERTRADER_CACHE_DIR"] = cache  # fresh buckets, not the user's
        ours = KrakenExchange(_config(sim, cache))
        raw = _raw_kraken(sim, rate_limit=True)
        raw_waits: list[float] = []
        original = raw.throttle

        async def timed_throttle(cost: Any = None) -> Any:
            started = time.perf_counter()
            result = await original(cost)
            raw_waits.append(time.perf_counter() - started)
            return result

        raw.throttle = timed_throttle
        pause = raw.rateLimit / 1000 * 1.2
        try:
            await asyncio.gather(ours.initialize(), raw.load_markets())
            await asyncio.gather(ours.get_market_data("BTC-USD"), raw.fetch_ticker("BTC/USD"))
            ours_waits: list[float] = []

            async def ours_after_idle() -> None:
                for _ in range(IDLE_SAMPLES):
                    await asyncio.sleep(pause)
                    assert ours.limiter is not None
                    before = ours.limiter.stats.total_wait
                    await ours.get_market_data("BTC-USD")
                    ours_waits.append(ours.limiter.stats.total_wait - before)

            async def raw_after_idle() -> None:
                for _ in range(IDLE_SAMPLES):
                    await asyncio.sleep(pause)
                    raw_waits.clear()
                    await raw.fetch_ticker("BTC/USD")
                    raw_samples.append(sum(raw_waits))

            raw_samples: list[float] = []
            await asyncio.gather(ours_after_idle(), raw_after_idle())
        finally:
            await ours.close()
            await raw.close()
    return Figure(
        name=f"limiter wait after a {pause:.1f} s idle pause (kraken, rateLimit "
        f"{raw.rateLimit:g} ms), median of {IDLE_SAMPLES}",
        value=statistics.median(ours_waits) * 1000,
        baseline=statistics.median(raw_samples) * 1000,
        unit="ms",
        baseline_name="raw ccxt throttler",
        goal="ours <= 5 ms",
    )


async def _market_data_overhead() -> Figure:
    from powertrader_ccxt import KrakenExchange

    async with KrakenSimulator() as sim:
        cache = tempfile.mkdtemp(prefix="bench-ccxt-")
        ours = KrakenExchange(_config(sim, cache, rate_limit=False))
        raw = _raw_kraken(sim, rate_limit=False)
        try:
            await ours.initialize()
            await raw.load_markets()
            for _ in range(20):  # warm both paths (pydantic, aiohttp connections)
                await ours.get_market_data("BTC-USD")
                await raw.fetch_ticker("BTC/USD")
            ours_times: list[float] = []
            raw_times: list[float] = []
            for _ in range(CALLS):
                started = time.perf_counter()
                await ours.get_market_data("BTC-USD")
                ours_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                await raw.fetch_ticker("BTC/USD")
                raw_times.append(time.perf_counter() - started)
        finally:
            await ours.close()
            await raw.close()
    return Figure(
        name=f"get_market_data on the simulator, median of {CALLS} (limiter off)",
        value=statistics.median(ours_times) * 1000,
        baseline=statistics.median(raw_times) * 1000,
        unit="ms",
        baseline_name="raw ccxt fetch_ticker",
        goal="ratio <= 1.10",
    )


_FIRST_PRICE = (
    "import asyncio\n"
    "from powertrader_ccxt import KrakenExchange\n"
    "async def main():\n"
    "    async with KrakenExchange({config!r}) as exchange:\n"
    "        await exchange.get_market_data('BTC-USD')\n"
    "asyncio.run(main())\n"
)


def _in_thread(start: Callable[[], Any]) -> tuple[KrakenSimulator, Callable[[], None]]:
    """Run a simulator on its own loop in a thread, so blocking subprocess calls can use it."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, KrakenSimulator] = {}

    def serve() -> None:
        asyncio.set_event_loop(loop)
        holder["sim"] = loop.run_until_complete(start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(30)
    sim = holder["sim"]

    def stop() -> None:
        asyncio.run_coroutine_threadsafe(sim.stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()

    return sim, stop


def _first_price() -> Figure:
    sim, stop = _in_thread(lambda: KrakenSimulator(extra_pairs=PAIRS).start())
    try:
        config = {**TEST_SECRETS, "base_url": sim.base_url}
        colds = []
        argv: list[str] = []
        for _ in range(STARTS):  # each cold start in an empty cache folder, which it fills
            cache = tempfile.mkdtemp(prefix="bench-ccxt-")
            argv = [sys.executable, "-c", _FIRST_PRICE.format(
                config={**config, "markets_cache_dir": cache}
            )]
            colds.append(wall_time_of(argv, repeat=1))
        cold = statistics.median(colds)
        warm = wall_time_of(argv, repeat=STARTS)  # the last cold start's cache, now warm
    finally:
        stop()
    return Figure(
        name=f"process start to first price, {PAIRS} pairs, warm markets cache "
        f"(median of {STARTS})",
        value=warm,
        baseline=cold,
        unit="s",
        baseline_name="cold cache",
        goal="ratio <= 0.5",
    )


def run() -> list[Figure]:
    figures = [asyncio.run(_idle_waits()), asyncio.run(_market_data_overhead())]
    figures.append(_first_price())
    return figures


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
