"""The core limiter with its buckets in a real Redis: one budget per key across machines.

- the Lua script is the GCRA arithmetic of ``gcra.py`` (same answers for the same inputs);
- two processes with separate homes (separate cache folders, as two machines would have) on
  one Kraken key, against the simulator that enforces Kraken's documented counter: none
  refused, together within 1.3 x the documented floor;
- Redis killed: grants fall back to this process's share of the budget, the log says so once,
  and they are shared again when it is back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from powertrader_core.kit import Budget, Pool, RateLimiter
from powertrader_core.kit.gcra import MAX_QUEUE_SECONDS, Rule, grant, raise_floor, sane_tat
from powertrader_core.kit.redis_store import RedisStore
from tests.simulators.redis_server import RedisServer

pytest.importorskip("redis")
ROOT = Path(__file__).resolve().parents[2]


async def test_the_script_is_the_gcra_arithmetic(redis_server: RedisServer) -> None:
    store = RedisStore(redis_server.url)
    rng = random.Random(19)
    try:
        for case in range(300):
            rule = Rule(
                interval=rng.choice([0.01, 0.5, 1.0, 3.0]),
                tolerance=rng.choice([0.0, 1.0, 14.0, 20.0]),
                full=rng.choice([1.0, 15.0, 20.0]),
            )
            key = f"case{case}"
            now = 1_800_000_000.0 + rng.uniform(0, 100)
            tat = None
            expected_tat = now
            for step in range(6):
                now += rng.choice([0.0, 0.1, 2.0, 30.0])
                expected_tat = sane_tat(expected_tat, now, rule)
                if rng.random() < 0.8:
                    cost = rng.choice([0.0, 1.0, 2.0, 50.0, -1.0])
                    expected_tat, start = grant(expected_tat, now, cost, rule)
                    wait, tat = await store._run(key, rule, cost, 0.0, now=now)
                    assert wait == pytest.approx(start - now, abs=2e-6), (case, step)
                else:
                    busy = rng.choice([0.0, 5.0, 20.0])
                    expected_tat = raise_floor(expected_tat, now, busy)
                    _wait, tat = await store._run(key, rule, None, busy, now=now)
                assert tat == pytest.approx(expected_tat, abs=2e-6), (case, step)
        # a planted absurd value (a hostile writer, a clock far off) is clamped, as in gcra.py
        client = store._client
        await client.set("powertrader:ratelimit:planted", "1e300")
        rule = Rule(1.0, 10.0, 10.0)
        wait, tat = await store._run("planted", rule, 1.0, 0.0, now=1000.0)
        assert tat == pytest.approx(1000.0 + 10.0 + 1.0)
        assert 1000.0 + 10.0 + MAX_QUEUE_SECONDS > tat
    finally:
        await store.aclose()


async def test_two_machines_on_one_kraken_key_are_never_refused(
    kraken_sim_factory: Any, redis_server: RedisServer, tmp_path: Path
) -> None:
    """Each child alone would send 19 private calls at once (Pro: counter 20, decays 1/s);
    their files are in separate homes, so only Redis can make them share one counter."""
    from powertrader_ccxt import KrakenExchange

    from tests.simulators.fixtures import kraken_config

    sim = await kraken_sim_factory(tier="pro", latency=0.02, public_per_second=1.0)
    children = []
    for machine in ("one", "two"):
        home = tmp_path / machine
        markets = home / "markets"
        env = {**os.environ, "POWERTRADER_CACHE_DIR": str(home / "cache"),
               "POWERTRADER_DATA_DIR": str(home / "data"),
               "POWERTRADER_REDIS_URL": redis_server.url}
        async with KrakenExchange(kraken_config(sim, markets, tier="pro")) as exchange:
            await exchange.initialize()  # each machine's own markets cache
        children.append(
            await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.ccxt._budget_child", sim.base_url, str(markets),
                "19", "--barrier", cwd=ROOT, env=env, stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
        )
    # Both interpreters up and their exchanges ready (however long a busy machine takes),
    # then both released together: what follows is the budget's doing.
    for child in children:
        assert child.stdout is not None
        ready = await asyncio.wait_for(child.stdout.readline(), 120)
        assert ready == b"ready\n", ready
    for child in children:
        assert child.stdin is not None
        child.stdin.write(b"go\n")
        await child.stdin.drain()
    outputs = [await asyncio.wait_for(child.communicate(), 120) for child in children]
    assert [child.returncode for child in children] == [0, 0], outputs
    assert [json.loads(out)["refused"] for out, _ in outputs] == [0, 0]
    assert not any(err for _out, err in outputs), outputs  # no fallback, no warning
    assert sim.refused == []
    assert sim.count("BalanceEx") == 38
    # The budget's schedule, as the exchange saw it: first to last arrival of the 38 reads
    # (each child's own processing after its last grant is not the budget's doing).
    arrivals = sorted(r.at for r in sim.requests if r.path.endswith("BalanceEx"))
    elapsed = arrivals[-1] - arrivals[0]
    floor = (38 - 20) / 1.0  # the counter's 20 at once, then one a second
    assert elapsed <= 1.3 * floor
    assert elapsed >= floor - 1.0  # and the shared counter was really run near its limit


async def test_redis_down_each_process_keeps_its_share_and_says_so_once(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    budget = Budget.of("redis-test", Pool("private", capacity=4, per_second=20))
    store = RedisStore(redis_server.url)
    limiter = RateLimiter(budget, "one-key", store=store)
    other = RedisStore(redis_server.url)  # a second process on the same key
    try:
        await RateLimiter(budget, "one-key", store=other).acquire("private")
        for _ in range(4):
            await limiter.acquire("private")  # both seen on the bucket: two sharers
        redis_server.kill()
        caplog.set_level(logging.WARNING, logger="powertrader.ratelimit")
        started = time.monotonic()
        for _ in range(4 + 10):  # 4 of burst, then 10 at this process's share: 10 a second
            await limiter.acquire("private")
        elapsed = time.monotonic() - started
        assert elapsed >= 0.9 * 10 / 10  # half the rate: not the whole budget
        assert store.down is True
        assert caplog.text.count("unreachable") == 1
        redis_server.start()
        await asyncio.sleep(1.1)  # tried again at most once a second
        await limiter.acquire("private")
        assert store.down is False
        assert "is back" in caplog.text
    finally:
        await store.aclose()
        await other.aclose()


async def test_settings_redis_url_puts_every_new_limiters_buckets_in_redis(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from powertrader_core import MultiExchangeManager, Settings
    from powertrader_core.kit import default_store
    from powertrader_core.kit.store_choice import close_default_stores, use_redis

    monkeypatch.delenv("POWERTRADER_REDIS_URL", raising=False)
    assert not isinstance(default_store(), RedisStore)
    try:
        async with MultiExchangeManager(settings=Settings(redis_url=redis_server.url)):
            store = default_store()
            assert isinstance(store, RedisStore)
            budget = Budget.of("settings-test", Pool("p", capacity=2, per_second=1))
            await RateLimiter(budget, "a-key").acquire("p")
            keys = await store._client.keys("powertrader:ratelimit:settings-test|*")
            assert keys and all("a-key" not in key for key in keys)  # a hash, never the key
            await store.aclose()
    finally:
        use_redis(None)
        close_default_stores()
