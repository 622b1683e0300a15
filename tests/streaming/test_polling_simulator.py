"""Polling through the ccxt plugin against the Kraken REST simulator (its own request log).

Ten symbols cost one ``Ticker`` request per cycle (ccxt's ``fetch_tickers``), never ten; and the
plugin's rate limiter sets the pace when it is slower than the poll interval.
"""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from powertrader_core.streaming.monitor import MonitorConfig
from tests.simulators.fixtures import kraken_config
from tests.streaming.fakes import until

pytest.importorskip("powertrader_ccxt")

TEN = [f"SYN{i:04d}-USD" for i in range(10)]
POLL = MonitorConfig(poll_interval=0.05, prefer_streaming=False, backoff_base=0.01,
                     backoff_max=0.05)


async def test_ten_symbols_one_request_per_cycle(kraken_sim_factory, make_manager, tmp_path):
    sim = await kraken_sim_factory(extra_pairs=10)
    config = kraken_config(sim, tmp_path / "cache", rate_limit_ms=5)
    manager = make_manager(["kraken"], {"kraken": config}, exchange_timeout=10)
    got: Counter[str] = Counter()
    manager.subscribe_to_price_updates(lambda e, s, d: got.update([s]))
    await manager.start_price_monitoring(TEN, config=POLL)
    status = manager.get_exchange_status
    await until(lambda: status()["kraken"]["price_feed"]["polls"] >= 4, 10)
    await manager.stop_price_monitoring()
    polls = status()["kraken"]["price_feed"]["polls"]
    tickers = [r for r in sim.requests if r.path.endswith("public/Ticker")]
    assert len(tickers) == polls  # one request per cycle
    assert all(len(r.params["pair"].split(",")) == 10 for r in tickers)  # for all ten
    assert sim.count("public/Depth") == 0
    assert set(got) == set(TEN) and status()["kraken"]["price_feed"]["mode"] == "polling"


async def test_the_rate_limiter_sets_the_pace(kraken_sim_factory, make_manager, tmp_path):
    sim = await kraken_sim_factory()
    config = kraken_config(sim, tmp_path / "cache", rate_limit_ms=120)
    manager = make_manager(["kraken"], {"kraken": config}, exchange_timeout=10)
    fast = MonitorConfig(poll_interval=0.001, prefer_streaming=False)
    await manager.start_price_monitoring(["BTC-USD", "ETH-USD"], config=fast)
    await until(lambda: sim.count("public/Ticker") >= 4, 10)
    await manager.stop_price_monitoring()
    times = sim.times("public/Ticker")
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.1  # the limiter's 120 ms, not the 1 ms asked for
