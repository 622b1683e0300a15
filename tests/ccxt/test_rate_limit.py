"""Our limiter in front of ccxt, against the simulator: the exchange's rate is never exceeded.

The interval is shortened with ``rate_limit_ms`` (Kraken's real 1 s would make the test
slow); the rules are the same at any interval.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from powertrader_ccxt import KrakenExchange

from tests.simulators.fixtures import kraken_config
from tests.simulators.kraken import KrakenSimulator

INTERVAL = 0.05  # seconds per unit of cost (rate_limit_ms=50)


def _max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best = 0
    for i, start in enumerate(times):
        best = max(best, sum(1 for t in times[i:] if t < start + window))
    return best


async def test_a_burst_of_30_never_exceeds_the_rate(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    config = kraken_config(kraken_sim, tmp_path, rate_limit_ms=INTERVAL * 1000)
    async with KrakenExchange(config) as exchange:
        await asyncio.gather(*(exchange.get_market_data("BTC-USD") for _ in range(30)))
    times = kraken_sim.times("Ticker")
    assert len(times) == 30
    window = 0.5
    # at most one request per interval, plus the one a window may start with
    assert _max_in_window(times, window) <= int(window / INTERVAL) + 1
    # all the public requests together (markets too) took their full spacing
    every = sorted(r.at for r in kraken_sim.requests)
    assert every[-1] - every[0] >= (len(every) - 1) * INTERVAL * 0.95


async def test_two_instances_on_one_key_share_one_budget(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    config = kraken_config(kraken_sim, tmp_path, rate_limit_ms=INTERVAL * 1000)
    async with KrakenExchange(config) as one, KrakenExchange(config) as two:
        assert one.limiter is two.limiter
        kraken_sim.requests.clear()
        await asyncio.gather(
            *(one.get_market_data("BTC-USD") for _ in range(8)),
            *(two.get_market_data("ETH-USD") for _ in range(8)),
        )
    times = sorted(kraken_sim.times("Ticker"))
    assert len(times) == 16
    assert times[-1] - times[0] >= 15 * INTERVAL * 0.95


async def test_different_keys_have_their_own_budgets(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    base = kraken_config(kraken_sim, tmp_path, rate_limit_ms=INTERVAL * 1000)
    async with KrakenExchange(base) as one, KrakenExchange({**base, "api_key": "other"}) as two:
        assert one.limiter is not two.limiter


async def test_after_an_idle_pause_the_limiter_does_not_wait(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    config = kraken_config(kraken_sim, tmp_path, rate_limit_ms=INTERVAL * 1000)
    async with KrakenExchange(config) as exchange:
        await exchange.get_market_data("BTC-USD")
        assert exchange.limiter is not None
        for _ in range(3):
            await asyncio.sleep(INTERVAL * 1.5)  # idle longer than rateLimit
            before = exchange.limiter.stats.total_wait
            await exchange.get_market_data("BTC-USD")
            assert exchange.limiter.stats.total_wait - before <= 0.005


async def test_private_calls_are_charged_their_ccxt_cost(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    config: dict[str, Any] = kraken_config(kraken_sim, tmp_path, rate_limit_ms=50)
    async with KrakenExchange(config) as exchange:
        await exchange.get_balance()  # BalanceEx costs 3 in ccxt's Kraken table
        await exchange.get_balance()
    first, second = kraken_sim.times("BalanceEx")
    # Arrival times jitter by a few ms on a loaded machine; a 50 ms rate keeps cost 3 (150 ms)
    # clearly apart from cost 2 (100 ms) while tolerating that jitter.
    assert second - first >= 3 * 0.050 * 0.8
