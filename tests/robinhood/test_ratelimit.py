"""Robinhood on the core's limiter: its documented budget (100 a minute, bursts to 300), on a
fake clock, through the exchange's own requests; a 429 fills the bucket."""

from __future__ import annotations

import httpx
import pytest
from powertrader_robinhood import BUDGET, RobinhoodExchange
from powertrader_robinhood.budget import budget_from_config

from powertrader_core.errors import ExchangeRateLimitError
from powertrader_core.kit import MemoryStore, RateLimiter
from tests.fakes import FakeClock
from tests.robinhood.conftest import BTC_PAIR


def test_the_budget_is_the_documented_one() -> None:
    pool = BUDGET.pool("account")
    assert (pool.capacity, pool.per_second * 60, pool.scope) == (300, 100, "key")
    assert "Rate-Limiting" in pool.source
    faster = budget_from_config({"rate_limit_per_minute": "200", "rate_limit_burst": 50})
    assert faster.pool("account").capacity == 50
    assert budget_from_config({}) is BUDGET


async def test_burst_of_300_then_one_request_every_0_6_seconds() -> None:
    clock = FakeClock()
    limiter = RateLimiter(BUDGET, "k", store=MemoryStore(clock), sleep=clock.sleep, clock=clock)
    for _ in range(299):  # 300 less the headroom of one
        assert await limiter.acquire("account") == 0.0
    assert await limiter.acquire("account") == pytest.approx(0.6)
    assert await limiter.acquire("account") == pytest.approx(0.6)


async def test_the_exchange_waits_for_the_bucket_before_each_request(
    config: dict[str, str]
) -> None:
    clock = FakeClock()
    budget = budget_from_config({"rate_limit_per_minute": 100, "rate_limit_burst": 3})
    limiter = RateLimiter(budget, "k", store=MemoryStore(clock), sleep=clock.sleep, clock=clock)
    sent_at: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent_at.append(clock.now)
        return httpx.Response(200, json={"next": None, "results": [BTC_PAIR]})

    exchange = RobinhoodExchange(config, transport=httpx.MockTransport(handler), limiter=limiter)
    try:
        for _ in range(4):
            await exchange.initialize()
    finally:
        await exchange.close()
    assert len(sent_at) == 4
    # a burst of 3 less 5 % headroom (2.85): two at once, the third once 0.15 has drained
    # (0.09 s), then 0.6 s apart
    assert [round(t - sent_at[0], 6) for t in sent_at] == [0.0, 0.0, 0.09, 0.69]


async def test_a_429_fills_the_bucket(config: dict[str, str]) -> None:
    clock = FakeClock()
    limiter = RateLimiter(BUDGET, "k", store=MemoryStore(clock), sleep=clock.sleep, clock=clock)
    answers = iter([httpx.Response(429, json={"detail": "Too many requests"})])

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers, httpx.Response(200, json={"next": None, "results": [BTC_PAIR]}))

    exchange = RobinhoodExchange(config, transport=httpx.MockTransport(handler), limiter=limiter)
    try:
        with pytest.raises(ExchangeRateLimitError):
            await exchange.initialize()
        before = clock.now
        await exchange.initialize()
        assert clock.now - before >= 0.6  # waited for the bucket to drain, not sent at once
    finally:
        await exchange.close()


async def test_by_default_the_bucket_is_shared_under_the_cache_folder(
    config: dict[str, str]
) -> None:
    exchange = RobinhoodExchange(config)
    try:
        http = exchange._client()
        assert http.limiter.bucket_key("account").startswith("robinhood|")
        assert config["api_key"] not in http.limiter.bucket_key("account")
    finally:
        await exchange.close()
