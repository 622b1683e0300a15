"""The core's limiter on a fake clock (``kit/limiter.py``): pools, tiers, adoption, waits."""

from __future__ import annotations

import asyncio

import pytest

from powertrader_core.errors import ConfigurationError
from powertrader_core.kit import Budget, MemoryStore, Pool, RateLimiter, key_fingerprint
from tests.fakes import FakeClock

KRAKEN = Budget.of(
    "kraken",
    Pool("public", capacity=1, per_second=1.0, scope="ip"),
    Pool("private", capacity=15, per_second=0.33),
    tiers={"pro": (Pool("private", capacity=20, per_second=1.0),)},
    tier="starter",
)


def make(budget: Budget = KRAKEN, key: str | None = "key-1", store: MemoryStore | None = None):
    clock = FakeClock()
    store = store or MemoryStore(clock)
    return RateLimiter(budget, key, store=store, sleep=clock.sleep, clock=clock), clock, store


async def test_a_call_after_an_idle_pause_waits_nothing() -> None:
    limiter, clock, _ = make(KRAKEN.for_tier("pro"))
    for _ in range(19):
        assert await limiter.acquire("private") == 0.0
    assert await limiter.acquire("private") == pytest.approx(1.0)
    clock.now += 30  # idle: the counter decays to zero
    assert await limiter.acquire("private") == 0.0
    assert clock.sleeps == [pytest.approx(1.0)]


async def test_thirty_pro_reads_take_the_documented_floor() -> None:
    limiter, clock, _ = make(KRAKEN.for_tier("pro"))
    start = clock.now
    for _ in range(30):
        await limiter.acquire("private")
    # 20 at once (19 with our headroom), then 1 a second: floor 10 s, ours 11 s
    assert clock.now - start == pytest.approx(11.0)
    assert clock.now - start <= 1.25 * 10


async def test_tiers_are_configuration() -> None:
    starter, _, _ = make(KRAKEN.for_tier(None))
    assert starter.budget.pool("private").capacity == 15
    assert KRAKEN.for_tier("PRO").pool("private").per_second == 1.0
    with pytest.raises(ConfigurationError, match=r"unknown tier 'gold'.*pro, starter"):
        KRAKEN.for_tier("gold")


async def test_pools_are_separate_buckets_and_ip_pools_ignore_the_key() -> None:
    store = MemoryStore(FakeClock())
    one, _, _ = make(key="key-1", store=store)
    two, _, _ = make(key="key-2", store=store)
    assert one.bucket_key("private") != two.bucket_key("private")
    assert one.bucket_key("public") == two.bucket_key("public") == "kraken|ip|public"
    assert "key-1" not in one.bucket_key("private")
    assert key_fingerprint("key-1") in one.bucket_key("private")
    assert "key-1" not in repr(one)


async def test_two_limiters_on_one_key_share_the_bucket() -> None:
    clock = FakeClock()
    store = MemoryStore(clock)
    budget = KRAKEN.for_tier("pro")
    a = RateLimiter(budget, "k", store=store, sleep=clock.sleep, clock=clock)
    b = RateLimiter(budget, "k", store=store, sleep=clock.sleep, clock=clock)
    for i in range(19):
        await (a if i % 2 else b).acquire("private")
    assert await a.acquire("private") > 0


async def test_an_early_timer_never_lets_a_request_out_early() -> None:
    clock = FakeClock()

    async def early_sleep(seconds: float) -> None:  # wakes after half the time asked
        clock.sleeps.append(seconds)
        clock.now += seconds / 2
        await asyncio.sleep(0)

    limiter = RateLimiter(
        KRAKEN, "k", store=MemoryStore(clock), sleep=early_sleep, clock=clock
    )
    await limiter.acquire("public")
    before = clock.now
    await limiter.acquire("public")
    assert clock.now - before >= 1.0 - 1e-9
    assert len(clock.sleeps) > 1  # it looped


async def test_concurrent_callers_each_get_their_own_slot() -> None:
    """Real sleeps (a fake clock that moves on each sleep would serialise the callers); the
    store's clock stands still, so a loaded machine spreading the five calls over a few
    milliseconds cannot change the slots they are given."""
    fast = Budget.of("fast", Pool("p", capacity=1, per_second=100))
    limiter = RateLimiter(fast, "k", store=MemoryStore(clock=lambda: 1000.0))
    waits = await asyncio.gather(*(limiter.acquire("p") for _ in range(5)))
    assert sorted(waits) == pytest.approx([0.0, 0.01, 0.02, 0.03, 0.04], abs=0.003)


async def test_unknown_pool_is_a_clear_error() -> None:
    limiter, _, _ = make()
    with pytest.raises(ValueError, match="kraken has no rate-limit pool 'orders'"):
        await limiter.acquire("orders")


async def test_exhausted_fills_the_bucket_then_it_drains_at_the_documented_rate() -> None:
    limiter, _clock, _ = make(KRAKEN.for_tier("pro"))
    await limiter.acquire("private")
    await limiter.adopt_exhausted("private")
    # full at 20: the next unit fits once the level is down to 19 - 1 (headroom): 2 s
    assert await limiter.acquire("private") == pytest.approx(2.0)


async def test_retry_after_holds_every_request_of_the_pool_until_then() -> None:
    limiter, _clock, _ = make(KRAKEN.for_tier("pro"))
    await limiter.adopt_retry_after("private", 7.5)
    assert await limiter.acquire("private") == pytest.approx(7.5)
    assert await limiter.acquire("public") == 0.0  # another pool is not held


async def test_used_weight_from_the_exchange_is_adopted() -> None:
    binance = Budget.of("binance", Pool.window("weight", 6000, 60, scope="ip"))
    limiter, _clock, _ = make(binance)
    assert await limiter.acquire("weight", 20) == 0.0
    # Another program on this address spent 5,990 this minute: 10 left, so a cost-20
    # request waits until the window could have reset.
    await limiter.adopt_used("weight", 5990)
    waited = await limiter.acquire("weight", 20)
    assert waited > 50
    assert waited <= 61


async def test_acquire_all_charges_every_pool_and_waits_for_the_latest() -> None:
    binance = Budget.of(
        "binance",
        Pool.window("weight", 6000, 60, scope="ip"),
        Pool.window("orders", 50, 10),
    )
    limiter, _clock, _ = make(binance)
    waits = [await limiter.acquire_all([("weight", 1), ("orders", 1)]) for _ in range(10)]
    assert waits[:4] == [0.0] * 4  # burst: a tenth of 50, less the headroom
    assert max(waits) > 0
    assert limiter.stats.granted == 10


def test_budget_rows_are_checked() -> None:
    with pytest.raises(ValueError, match="capacity >= 1"):
        Pool("p", capacity=0.5, per_second=1)
    with pytest.raises(ValueError, match="scope"):
        Pool("p", capacity=1, per_second=1, scope="planet")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="two pools share a name"):
        Budget.of("x", Pool("p", 1, 1), Pool("p", 2, 1))
    with pytest.raises(ValueError, match="unknown pools"):
        Budget.of("x", Pool("p", 1, 1), tiers={"pro": (Pool("q", 1, 1),)}, tier="base")
