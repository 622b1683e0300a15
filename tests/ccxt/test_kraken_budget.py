"""Kraken's documented budget, against a simulator that enforces it (``kraken_limits.py``)
20 ms away: the counter per key, the public budget per address, the order path within it.

Issue 19's figures: 30 private reads on the Pro tier (max 20, decays 1/s: a documented floor
of 10 s) took 88 s with ccxt's spacing; they must now take at most 1.25 x the floor with none
refused, and so must two processes on one key.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from powertrader_ccxt import KrakenExchange

from powertrader_core.errors import ExchangeRateLimitError
from powertrader_core.models import OrderRequest
from tests.simulators.fixtures import kraken_config
from tests.simulators.kraken import KrakenSimulator

ROOT = Path(__file__).resolve().parents[2]
FAITHFUL: dict[str, Any] = {"latency": 0.02, "public_per_second": 1.0}


async def test_thirty_private_reads_on_pro_within_a_quarter_of_the_floor(
    kraken_sim_factory: Any, tmp_path: Path
) -> None:
    sim: KrakenSimulator = await kraken_sim_factory(tier="pro", **FAITHFUL)
    async with KrakenExchange(kraken_config(sim, tmp_path, tier="pro")) as exchange:
        await exchange.initialize()
        for _ in range(30):
            await exchange.get_balance()
    assert sim.refused == []
    assert sim.count("BalanceEx") == 30
    # The budget's schedule as the exchange saw it: first to last arrival of the 30 reads (our
    # own processing between grants, slow on a loaded machine, is not the budget's doing).
    arrivals = sim.times("BalanceEx")
    elapsed = arrivals[-1] - arrivals[0]
    floor = (30 - 20) / 1.0  # 20 at once, then one a second
    assert elapsed <= 1.25 * floor
    assert elapsed >= floor - 1.0  # and the counter was really run near its limit


async def test_two_processes_on_one_key_are_never_refused(
    kraken_sim_factory: Any, tmp_path: Path
) -> None:
    """Each process alone would send 19 at once; together on one counter of 20 they would be
    refused, unless they share the bucket (the cache folder, inherited by the children)."""
    sim: KrakenSimulator = await kraken_sim_factory(tier="pro", **FAITHFUL)
    markets = tmp_path / "markets"
    async with KrakenExchange(kraken_config(sim, markets, tier="pro")) as exchange:
        await exchange.initialize()  # markets cached for the children
    children = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.ccxt._budget_child", sim.base_url, str(markets), "14",
            cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = [await asyncio.wait_for(child.communicate(), 60) for child in children]
    assert [child.returncode for child in children] == [0, 0]
    assert [json.loads(out)["refused"] for out, _ in outputs] == [0, 0]
    assert sim.refused == []
    assert sim.count("BalanceEx") == 28


async def test_a_cold_start_waits_only_the_public_spacing_and_a_warm_one_not_at_all(
    kraken_sim_factory: Any, tmp_path: Path
) -> None:
    sim: KrakenSimulator = await kraken_sim_factory(**FAITHFUL)
    async with KrakenExchange(kraken_config(sim, tmp_path)) as cold:
        await cold.get_market_data("BTC-USD")
        assert cold.limiter is not None
        cold_wait = cold.limiter.stats.total_wait
    public = [r for r in sim.requests if "/public/" in r.path]
    assert len(public) == 3  # Assets, AssetPairs, Ticker
    assert cold_wait <= (len(public) - 1) * 1.0 + 0.05  # their spacing at 1/s, no more
    assert sim.refused == []

    await asyncio.sleep(1.0)  # the next start comes a second later (or more)
    sim.requests.clear()
    async with KrakenExchange(kraken_config(sim, tmp_path)) as warm:
        await warm.get_market_data("BTC-USD")
        assert warm.limiter is not None
        assert warm.limiter.stats.total_wait == 0.0
    assert [r.path.rsplit("/", 1)[-1] for r in sim.requests] == ["Ticker"]


async def test_a_refusal_fills_the_bucket_and_the_next_call_waits_instead(
    kraken_sim_factory: Any, tmp_path: Path
) -> None:
    """Another program (no limiter) spent the key's counter; ours, not knowing, is refused
    once, adopts 'full', and its next call waits for the decay rather than being refused.
    Starter tier: one unit takes 3 s to decay, so the refusal is certain on a slow machine."""
    sim: KrakenSimulator = await kraken_sim_factory(tier="starter", **FAITHFUL)
    rogue_config = kraken_config(sim, tmp_path, rate_limit=False)
    async with KrakenExchange(rogue_config) as rogue, KrakenExchange(
        kraken_config(sim, tmp_path)
    ) as ours:
        await rogue.initialize()
        await ours.initialize()  # markets from the cache: no request
        for _ in range(15):
            await rogue.get_balance()
        with pytest.raises(ExchangeRateLimitError, match="kraken get_balance"):
            await rogue.get_balance()  # the simulator enforces the documented counter
        with pytest.raises(ExchangeRateLimitError):
            await ours.get_balance()
        refused = len(sim.refused)
        await asyncio.wait_for(ours.get_balance(), 15)
        assert ours.limiter is not None
        assert ours.limiter.stats.total_wait >= 3.0  # waited for the decay
    assert len(sim.refused) == refused == 2


async def test_the_simulator_refuses_the_sixteenth_call_on_starter(
    kraken_sim_factory: Any, tmp_path: Path
) -> None:
    sim: KrakenSimulator = await kraken_sim_factory(tier="starter")
    async with KrakenExchange(kraken_config(sim, tmp_path, rate_limit=False)) as exchange:
        for _ in range(15):
            await exchange.get_balance()
        with pytest.raises(ExchangeRateLimitError):
            await exchange.get_balance()
    assert sim.refused == [("BalanceEx", "EAPI:Rate limit exceeded")]



async def _place_and_cancel(exchange: KrakenExchange, cycles: int) -> None:
    for _ in range(cycles):
        placed = await exchange.place_order(
            OrderRequest(symbol="BTC-USD", side="buy", order_type="limit", amount="0.001",
                         price="1000")
        )
        await exchange.cancel_order(placed.order_id, "BTC-USD")


async def test_quick_cancels_are_paced_by_the_trading_counter(
    kraken_sim_factory: Any, tmp_path: Path
) -> None:
    """[K2]: an add costs 1 and a cancel within 5 s 8 on the pair's counter (Starter: 60,
    decaying 1/s). Seven quick place-and-cancel cycles (63) are refused without a limiter;
    ours charges the same and waits instead."""
    rogue_sim: KrakenSimulator = await kraken_sim_factory(tier="starter")
    async with KrakenExchange(kraken_config(rogue_sim, tmp_path, rate_limit=False)) as rogue:
        with pytest.raises(ExchangeRateLimitError, match="kraken cancel_order"):
            await _place_and_cancel(rogue, 7)
    assert rogue_sim.refused == [("CancelOrder", "EOrder:Rate limit exceeded")]

    sim: KrakenSimulator = await kraken_sim_factory(tier="starter")
    async with KrakenExchange(kraken_config(sim, tmp_path)) as ours:
        await _place_and_cancel(ours, 7)
        assert ours.limiter is not None and ours.limiter.stats.total_wait >= 2.0
    assert sim.refused == []
    assert sim.count("CancelOrder") == 7
