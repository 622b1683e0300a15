"""What the exchange says is left, adopted by the bucket (``metering.py``), without a network:
Binance's used-weight header, a 429 with ``Retry-After``, and a refusal without one."""

from __future__ import annotations

import pytest
from powertrader_ccxt.budgets import BINANCE, KRAKEN
from powertrader_ccxt.metering import Meter

from powertrader_core.kit import MemoryStore, RateLimiter
from tests.fakes import FakeClock


def _meter(venue=BINANCE) -> tuple[Meter, FakeClock]:
    clock = FakeClock()
    limiter = RateLimiter(venue.budget, "k", store=MemoryStore(clock), sleep=clock.sleep,
                          clock=clock)
    return Meter(limiter, venue), clock


async def test_used_weight_header_is_adopted_case_blind() -> None:
    meter, _ = _meter()
    charges, waited = await meter.before("public", "GET", "exchangeInfo", {})
    assert (charges, waited) == ((("weight", 20),), 0.0)
    await meter.after({"X-MBX-USED-WEIGHT-1M": "5990", "Content-Type": "application/json"})
    _, waited = await meter.before("public", "GET", "exchangeInfo", {})
    assert waited > 50  # 10 weight left this minute: wait for the window


async def test_a_garbled_header_is_ignored() -> None:
    meter, _ = _meter()
    await meter.after({"x-mbx-used-weight-1m": "lots"})
    assert (await meter.before("public", "GET", "ping", {}))[1] == 0.0


async def test_a_429_with_retry_after_holds_the_charged_pools() -> None:
    meter, _ = _meter()
    charges, _ = await meter.before("private", "POST", "order", {})
    await meter.refused(charges, {"Retry-After": "30"})
    _, waited = await meter.before("public", "GET", "ping", {})
    assert waited == pytest.approx(30, abs=0.2)


async def test_kraken_rate_limit_exceeded_fills_the_counter() -> None:
    meter, _ = _meter(KRAKEN.for_tier("pro"))
    charges, _ = await meter.before("private", "POST", "Balance", {})
    await meter.refused(charges, {})
    _, waited = await meter.before("private", "POST", "Balance", {})
    assert waited == pytest.approx(2.0)  # full (20): down to 18 at 1/s
    _, waited = await meter.before("public", "GET", "Ticker", {})
    assert waited == 0.0  # the public budget is another pool
