"""The token bucket on a fake clock: bursts to 300, 100 a minute after, idle time credited."""

from __future__ import annotations

import asyncio

import httpx
from powertrader_robinhood import RobinhoodExchange, TokenBucket
from powertrader_robinhood.ratelimit import shared_bucket

from tests.fakes import FakeClock
from tests.robinhood.conftest import BTC_PAIR


def _bucket(clock: FakeClock) -> TokenBucket:
    return TokenBucket.per_minute(100, 300, clock=clock, sleep=clock.sleep)


async def test_burst_of_300_then_one_request_every_0_6_seconds() -> None:
    clock = FakeClock()
    bucket = _bucket(clock)
    for _ in range(300):
        assert await bucket.acquire() == 0.0
    assert clock.sleeps == []
    waited = await bucket.acquire()
    assert abs(waited - 0.6) < 1e-9
    assert abs(await bucket.acquire() - 0.6) < 1e-9


async def test_never_more_than_100_a_minute_once_the_burst_is_spent() -> None:
    clock = FakeClock()
    bucket = _bucket(clock)
    sent_at = []
    for _ in range(1000):
        await bucket.acquire()
        sent_at.append(clock.now)
    start = sent_at[0]
    # 700 requests beyond the burst at 100 a minute take at least 7 minutes.
    assert sent_at[-1] - start >= 7 * 60 - 1e-6
    # In any minute after the burst, at most 100 (and one at the boundary).
    for minute in range(1, 7):
        window = [t for t in sent_at if start + 60 * minute <= t < start + 60 * (minute + 1)]
        assert len(window) <= 101, (minute, len(window))


async def test_idle_time_is_credited_up_to_the_burst() -> None:
    clock = FakeClock()
    bucket = _bucket(clock)
    for _ in range(300):
        await bucket.acquire()
    clock.now += 30  # idle half a minute: 50 tokens back
    assert 49.9 < bucket.available < 50.1
    clock.now += 3600  # idle an hour: full, never more than the burst
    assert bucket.available == 300


async def test_concurrent_callers_are_served_in_order_without_blocking_the_loop() -> None:
    clock = FakeClock()
    slept: list[float] = []

    async def yielding_sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(0)  # gives the loop to the others, as a real sleep would

    bucket = TokenBucket.per_minute(60, 2, clock=clock, sleep=yielding_sleep)
    waits = await asyncio.gather(*(bucket.acquire() for _ in range(5)))
    # Each caller reserved its own slot at once: queued one second apart, none skipped.
    assert waits == [0.0, 0.0, 1.0, 2.0, 3.0]
    assert slept == [1.0, 2.0, 3.0]


def test_the_shared_bucket_is_per_api_key() -> None:
    assert shared_bucket("key-a") is shared_bucket("key-a")
    assert shared_bucket("key-a") is not shared_bucket("key-b")


async def test_the_exchange_waits_for_the_bucket_before_each_request(
    config: dict[str, str]
) -> None:
    clock = FakeClock()
    bucket = TokenBucket.per_minute(100, 2, clock=clock, sleep=clock.sleep)
    sent_at: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent_at.append(clock.now)
        return httpx.Response(200, json={"next": None, "results": [BTC_PAIR]})

    exchange = RobinhoodExchange(config, transport=httpx.MockTransport(handler), limiter=bucket)
    try:
        for _ in range(4):
            await exchange.initialize()
    finally:
        await exchange.close()
    assert len(sent_at) == 4
    assert [round(t - sent_at[0], 6) for t in sent_at] == [0.0, 0.0, 0.6, 1.2]
