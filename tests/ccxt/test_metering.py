"""What the exchange says is left, adopted by the bucket (``metering.py``), without a network:
Binance's used-weight header, KuCoin's and Bybit's left/reset headers, a 429 with
``Retry-After`` (capped when absurd), and a refusal without one."""

from __future__ import annotations

import pytest
from powertrader_ccxt.budgets import BINANCE, BYBIT, KRAKEN, KUCOIN
from powertrader_ccxt.metering import Meter

from powertrader_core.kit import MAX_RETRY_AFTER, MemoryStore, RateLimiter
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


# ---- what is left, and when it resets: KuCoin [KC1], Bybit [Y1] -------------------------------
# Headers as documented: KuCoin kucoin.com/docs-new/rate-limit ("gw-ratelimit-limit",
# "gw-ratelimit-remaining", "gw-ratelimit-reset": ms until the quota resets); Bybit
# bybit-exchange.github.io/docs/v5/rate-limit ("X-Bapi-Limit-Status": requests left,
# "X-Bapi-Limit": the limit, "X-Bapi-Limit-Reset-Timestamp": ms since the epoch).

WALL = 1_765_000_000.0  # the Unix time the tests' answers are "sent" at


def _wall_meter(venue) -> tuple[Meter, FakeClock]:
    clock = FakeClock()
    limiter = RateLimiter(venue.budget, "k", store=MemoryStore(clock), sleep=clock.sleep,
                          clock=clock)
    return Meter(limiter, venue, wall=lambda: WALL + clock.now - 1000.0), clock


def _kucoin(limit: int, remaining: int, reset_ms: int) -> dict[str, str]:
    return {"gw-ratelimit-limit": str(limit), "gw-ratelimit-remaining": str(remaining),
            "gw-ratelimit-reset": str(reset_ms), "Content-Type": "application/json"}


def _bybit(limit: int, status: int, reset_after_s: float) -> dict[str, str]:
    return {"X-Bapi-Limit": str(limit), "X-Bapi-Limit-Status": str(status),
            "X-Bapi-Limit-Reset-Timestamp": str(int((WALL + reset_after_s) * 1000)),
            "Content-Type": "application/json"}


async def test_kucoin_none_left_holds_the_pool_until_the_reset() -> None:
    meter, _ = _wall_meter(KUCOIN)
    charges, _ = await meter.before("private", "POST", "hf/orders", {})
    assert charges == (("spot", 1),)
    await meter.after(_kucoin(4000, 0, 7250), charges)
    _, waited = await meter.before("private", "POST", "hf/orders", {})
    assert waited == pytest.approx(7.25, abs=0.05)  # the reset, not the documented refill
    _, waited = await meter.before("public", "GET", "timestamp", {})
    assert waited == 0.0  # the public pool (per IP) is another pool


async def test_kucoin_a_few_left_go_at_once_then_the_bucket_waits() -> None:
    meter, _ = _wall_meter(KUCOIN)
    charges, _ = await meter.before("private", "POST", "hf/orders", {})
    await meter.after(_kucoin(4000, 3, 20_000), charges)
    waits = [(await meter.before("private", "POST", "hf/orders", {}))[1] for _ in range(4)]
    assert waits[:3] == [0.0, 0.0, 0.0]  # the three the exchange says are left
    assert waits[3] > 0  # a fourth would be over what KuCoin said


async def test_kucoin_plenty_left_changes_nothing() -> None:
    meter, _ = _wall_meter(KUCOIN)
    charges, _ = await meter.before("private", "POST", "hf/orders", {})
    await meter.after(_kucoin(4000, 3990, 29_000), charges)
    assert (await meter.before("private", "POST", "hf/orders", {}))[1] == 0.0


@pytest.mark.parametrize(
    "headers",
    [
        _kucoin(4000, -1, 1000),  # negative
        _kucoin(4000, 5000, 1000),  # more left than the quota
        {"gw-ratelimit-remaining": "lots", "gw-ratelimit-reset": "1000"},
        {"gw-ratelimit-remaining": "nan", "gw-ratelimit-reset": "1000"},
    ],
)
async def test_kucoin_garbled_headers_are_ignored(headers: dict[str, str]) -> None:
    meter, _ = _wall_meter(KUCOIN)
    charges, _ = await meter.before("private", "POST", "hf/orders", {})
    await meter.after(headers, charges)
    assert (await meter.before("private", "POST", "hf/orders", {}))[1] == 0.0


async def test_kucoin_429000_waits_for_the_reset_it_gives() -> None:
    # [KC1]: HTTP 429, code 429000, no Retry-After: the gw-ratelimit-reset says when
    meter, _ = _wall_meter(KUCOIN)
    charges, _ = await meter.before("public", "GET", "market/orderbook/level1", {})
    await meter.refused(charges, _kucoin(2000, 0, 12_000))
    _, waited = await meter.before("public", "GET", "market/orderbook/level1", {})
    assert waited == pytest.approx(12, abs=0.1)


async def test_bybit_none_left_holds_the_endpoint_pool_not_the_ip_pool() -> None:
    meter, _ = _wall_meter(BYBIT)
    charges, _ = await meter.before("private", "POST", "v5/order/create", {})
    assert dict(charges) == {"ip": 1, "create": 1}
    await meter.after(_bybit(20, 0, 0.8), charges)
    _, waited = await meter.before("private", "POST", "v5/order/create", {})
    assert waited == pytest.approx(0.8, abs=0.05)
    _, waited = await meter.before("public", "GET", "v5/market/tickers", {})
    assert waited == 0.0  # the per-IP pool: the headers do not describe it


async def test_bybit_10006_holds_until_the_reset_timestamp() -> None:
    meter, _ = _wall_meter(BYBIT)
    charges, _ = await meter.before("private", "POST", "v5/order/cancel", {})
    await meter.refused(charges, _bybit(20, 0, 0.6))
    _, waited = await meter.before("private", "POST", "v5/order/cancel", {})
    assert waited == pytest.approx(0.6, abs=0.05)


async def test_bybit_a_reset_in_the_past_means_now() -> None:
    meter, _ = _wall_meter(BYBIT)
    charges, _ = await meter.before("private", "POST", "v5/order/create", {})
    await meter.after(_bybit(20, 0, -5), charges)  # our clock is ahead of Bybit's
    assert (await meter.before("private", "POST", "v5/order/create", {}))[1] < 0.1  # no hold


# ---- a wait no one should honour: capped, logged -----------------------------------------------


async def test_a_huge_retry_after_is_capped_and_logged(caplog) -> None:
    caplog.set_level("WARNING")
    meter, _ = _meter()
    charges, _ = await meter.before("private", "POST", "order", {})
    await meter.refused(charges, {"Retry-After": "1000000000"})
    _, waited = await meter.before("public", "GET", "ping", {})
    assert waited == pytest.approx(MAX_RETRY_AFTER, abs=1)  # an hour, not 31 years
    assert "1000000000" in caplog.text and "3600" in caplog.text


async def test_a_huge_reset_timestamp_is_capped_too(caplog) -> None:
    caplog.set_level("WARNING")
    meter, _ = _wall_meter(BYBIT)
    charges, _ = await meter.before("private", "POST", "v5/order/create", {})
    await meter.after({"X-Bapi-Limit-Status": "0", "X-Bapi-Limit": "20",
                       "X-Bapi-Limit-Reset-Timestamp": "1e18"}, charges)
    _, waited = await meter.before("private", "POST", "v5/order/create", {})
    assert waited == pytest.approx(MAX_RETRY_AFTER, abs=1)
    assert "bybit create wait" in caplog.text


async def test_a_plugin_adopting_a_huge_wait_directly_is_capped() -> None:
    clock = FakeClock()
    limiter = RateLimiter(BINANCE.budget, "k", store=MemoryStore(clock), sleep=clock.sleep,
                          clock=clock)
    await limiter.adopt_retry_after("weight", float("inf"))
    assert await limiter.acquire("weight") == pytest.approx(MAX_RETRY_AFTER, abs=1)
