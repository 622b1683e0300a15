"""The core's limiter in front of ccxt, against the simulator: the rate is never exceeded.

These use ``rate_limit_ms`` (one request per interval, replacing the documented budget) so
the rules show in milliseconds; the documented budgets themselves are exercised against a
simulator that enforces them in ``test_kraken_budget.py``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
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
    # at most one request per interval, plus the one a window may start with, plus one for
    # arrival jitter: a grant whose task wakes late on a loaded machine arrives beside the next
    assert _max_in_window(times, window) <= int(window / INTERVAL) + 2
    # all the public requests together (markets too) took their full spacing
    every = sorted(r.at for r in kraken_sim.requests)
    assert every[-1] - every[0] >= (len(every) - 1) * INTERVAL * 0.95


async def test_two_instances_on_one_key_share_one_budget(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    config = kraken_config(kraken_sim, tmp_path, rate_limit_ms=INTERVAL * 1000)
    async with KrakenExchange(config) as one, KrakenExchange(config) as two:
        assert one.limiter is not None and two.limiter is not None
        assert one.limiter.bucket_key("override") == two.limiter.bucket_key("override")
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
        assert one.limiter is not None and two.limiter is not None
        assert one.limiter.bucket_key("override") != two.limiter.bucket_key("override")


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


async def test_requests_are_charged_as_kraken_documents(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    """No ``rate_limit_ms``: Kraken's budget. A balance costs 1 on the private counter, a
    ledger read 4 (the conservative reading), an order 1 on the trading counter, a cancel 8,
    a ticker 1 on the public per-address budget. The balance did not wait; the markets'
    two public requests before it were spaced by the public budget (1 s)."""
    config: dict[str, Any] = kraken_config(kraken_sim, tmp_path)
    async with KrakenExchange(config) as exchange:
        meter_budget = exchange.session.limiter
        assert meter_budget is not None and meter_budget.budget.tier == "starter"
        await exchange.get_balance()
        assert exchange.limiter is not None
        assert exchange.limiter.stats.waited == 1  # the second markets request
        assert exchange.limiter.stats.total_wait <= 1.0
    from powertrader_ccxt.budgets import KRAKEN

    assert KRAKEN.charges("private", "POST", "BalanceEx", {}) == (("private", 1),)
    assert KRAKEN.charges("private", "POST", "Ledgers", {}) == (("private", 4),)
    assert KRAKEN.charges("private", "POST", "AddOrder", {}) == (("trading", 1),)
    assert KRAKEN.charges("private", "POST", "CancelOrder", {}) == (("trading", 8),)
    assert KRAKEN.charges("public", "GET", "Ticker", {}) == (("public", 1),)


async def test_tier_is_configuration_and_an_unknown_one_is_refused(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    from powertrader_core.errors import ConfigurationError

    async with KrakenExchange(kraken_config(kraken_sim, tmp_path, tier="Pro")) as exchange:
        assert exchange.limiter is not None
        assert exchange.limiter.budget.pool("private").per_second == 1.0
    with pytest.raises(ConfigurationError, match="kraken configure: unknown tier 'gold'"):
        KrakenExchange(kraken_config(kraken_sim, tmp_path, tier="gold"))
    assert "tier" in " ".join(KrakenExchange.check_config({"tier": "no way!"}))
