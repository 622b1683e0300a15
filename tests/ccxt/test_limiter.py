"""The idle-crediting limiter, on a fake clock: no real time passes in these tests."""

from __future__ import annotations

import asyncio

import pytest
from powertrader_ccxt.limiter import RateLimiter, key_fingerprint, shared_limiter

from tests.fakes import FakeClock


def make(interval: float = 1.0, burst: float = 1.0) -> tuple[RateLimiter, FakeClock]:
    clock = FakeClock()
    return RateLimiter(interval, burst=burst, clock=clock, sleep=clock.sleep), clock


async def test_first_request_and_requests_after_idle_do_not_wait() -> None:
    limiter, clock = make(1.0)
    assert await limiter.acquire() == 0.0
    clock.now += 1.2  # idle longer than rateLimit
    assert await limiter.acquire() == 0.0
    clock.now += 4.0
    assert await limiter.acquire() == 0.0
    assert clock.sleeps == []


async def test_idle_shorter_than_the_interval_waits_only_the_rest() -> None:
    limiter, clock = make(1.0)
    await limiter.acquire()
    clock.now += 0.7
    waited = await limiter.acquire()
    assert waited == pytest.approx(0.3)


async def test_back_to_back_requests_are_spaced_by_their_cost() -> None:
    limiter, clock = make(0.5)
    start = clock.now
    grants = []
    for cost in (1, 3, 1, 1.2):
        await limiter.acquire(cost)
        grants.append(clock.now - start)
    # each request waits for the previous one's cost x interval
    assert grants == pytest.approx([0.0, 0.5, 2.0, 2.5])


async def test_concurrent_waiters_are_served_in_order_and_never_faster() -> None:
    limiter, clock = make(0.1)
    order: list[int] = []

    async def one(i: int) -> None:
        await limiter.acquire()
        order.append(i)

    await asyncio.gather(*(one(i) for i in range(10)))
    assert order == list(range(10))
    # the tenth went 0.9 s after the first: nine intervals, no more, no less
    assert clock.now - 1000.0 == pytest.approx(0.9)


async def test_idle_credit_is_capped_at_the_burst() -> None:
    limiter, clock = make(1.0, burst=1)
    clock.now += 100  # a long pause earns one request, not a hundred
    assert await limiter.acquire() == 0.0
    assert await limiter.acquire() == pytest.approx(1.0)

    burst, clock2 = make(1.0, burst=3)
    clock2.now += 100
    waits = [await burst.acquire() for _ in range(4)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(1.0)


async def test_a_sleep_that_wakes_early_is_continued() -> None:
    clock = FakeClock()

    async def early_sleep(seconds: float) -> None:
        clock.sleeps.append(seconds)
        clock.now += seconds * 0.5  # wakes halfway

    limiter = RateLimiter(1.0, clock=clock, sleep=early_sleep)
    await limiter.acquire()
    before = clock.now
    await limiter.acquire()
    assert clock.now - before >= 1.0 - 1e-9
    assert len(clock.sleeps) > 1


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        RateLimiter(-1)
    with pytest.raises(ValueError):
        RateLimiter(1, burst=0.5)


def test_shared_registry_one_limiter_per_exchange_and_key() -> None:
    a = shared_limiter("kraken", "key-1", 1.0)
    b = shared_limiter("kraken", "key-1", 1.0)
    c = shared_limiter("kraken", "key-2", 1.0)
    d = shared_limiter("binance", "key-1", 0.05)
    public = shared_limiter("kraken", None, 1.0)
    assert a is b
    assert len({id(a), id(c), id(d), id(public)}) == 4
    # a second user of the key that knows a stricter rate makes it stricter, never looser
    assert shared_limiter("kraken", "key-1", 2.0).interval == 2.0
    assert shared_limiter("kraken", "key-1", 0.5).interval == 2.0


def test_the_registry_keeps_no_key_in_clear() -> None:
    fingerprint = key_fingerprint("my-secret-api-key")
    assert "my-secret-api-key" not in fingerprint
    assert key_fingerprint(None) == key_fingerprint("") == "public"
