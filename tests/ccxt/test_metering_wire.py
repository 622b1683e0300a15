"""The left/reset headers and the rate-limit refusals of KuCoin and Bybit, through ccxt itself.

A server on 127.0.0.1 answers as the documentation says the venue does (KuCoin
kucoin.com/docs-new/rate-limit [KC1]: HTTP 429, code ``429000``, headers
``gw-ratelimit-limit/-remaining/-reset``; Bybit bybit-exchange.github.io/docs/v5/rate-limit
and /v5/error [Y1][Y4]: ``retCode 10006`` "Too many visits!" with HTTP 200, headers
``X-Bapi-Limit-Status``, ``X-Bapi-Limit``, ``X-Bapi-Limit-Reset-Timestamp``). What is checked:
ccxt's answer reaches the meter with the request's charges (``client.py``), ccxt raises its
rate-limit error for the refusal, and the next request of that pool waits for the reset.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from powertrader_ccxt.client import build_client
from powertrader_ccxt.metering import Meter
from powertrader_ccxt.profiles import PROFILES
from powertrader_ccxt.settings import CcxtSettings

from powertrader_core.kit import MemoryStore, RateLimiter
from tests.fakes import FakeClock
from tests.timing import wall_budget

Answer = tuple[int, dict[str, object], dict[str, str]]


@pytest.fixture
async def venue() -> AsyncIterator[tuple[str, list[Answer]]]:
    """Answers queued in ``answers`` (status, JSON body, headers), one per request."""
    answers: list[Answer] = []

    async def answer(request: web.Request) -> web.Response:
        status, body, headers = answers.pop(0)
        return web.Response(status=status, text=json.dumps(body), headers=headers,
                            content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}", answers
    finally:
        await runner.cleanup()


def _client(name: str, url: str, **keys: str) -> tuple[object, Meter]:
    profile = PROFILES[name]
    clock = FakeClock()
    assert profile.budget is not None
    limiter = RateLimiter(profile.budget.budget, "k", store=MemoryStore(clock),
                          sleep=clock.sleep, clock=clock)
    meter = Meter(limiter, profile.budget)
    settings = CcxtSettings(base_url=url, timeout=5, **keys)  # type: ignore[arg-type]
    return build_client(profile, settings, lambda _ms: meter), meter


async def test_kucoin_headers_and_429000_through_ccxt(venue) -> None:
    import ccxt.async_support as ccxt_async

    url, answers = venue
    client, meter = _client("kucoin", url)
    try:
        answers.append((200, {"code": "200000", "data": 1765000000000},
                        {"gw-ratelimit-limit": "2000", "gw-ratelimit-remaining": "0",
                         "gw-ratelimit-reset": "3000"}))
        await client.publicGetTimestamp()  # type: ignore[attr-defined]
        _, waited = await meter.before("public", "GET", "timestamp", {})
        assert waited == pytest.approx(3.0, abs=0.05)  # none left: until the reset
        answers.append((429, {"code": "429000", "msg": "Too Many Requests"},
                        {"gw-ratelimit-limit": "2000", "gw-ratelimit-remaining": "0",
                         "gw-ratelimit-reset": "9000"}))
        with pytest.raises(ccxt_async.RateLimitExceeded):
            await client.publicGetTimestamp()  # type: ignore[attr-defined]
        _, waited = await meter.before("public", "GET", "timestamp", {})
        assert waited == pytest.approx(9.0, abs=0.1)
    finally:
        await client.close()  # type: ignore[attr-defined]


async def test_bybit_10006_through_ccxt_holds_the_endpoint_until_its_reset(venue) -> None:
    import ccxt.async_support as ccxt_async

    url, answers = venue
    client, meter = _client("bybit", url, api_key="test-key", api_secret="test-secret")
    try:
        reset = str(int((time.time() + 2.0) * 1000))
        answers.append((200, {"retCode": 10006, "retMsg": "Too many visits!", "result": {},
                              "retExtInfo": {}, "time": int(time.time() * 1000)},
                        {"X-Bapi-Limit-Status": "0", "X-Bapi-Limit": "20",
                         "X-Bapi-Limit-Reset-Timestamp": reset}))
        with pytest.raises(ccxt_async.RateLimitExceeded):
            await client.privatePostV5OrderCreate(  # type: ignore[attr-defined]
                {"category": "spot", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit",
                 "qty": "0.001", "price": "19000"}
            )
        asked = time.time()
        _, waited = await meter.before("private", "POST", "v5/order/create", {})
        # Held until the reset timestamp, on the wall clock: not sooner, and not much later
        # (only the sleep's own lateness on a loaded machine). Measured from when it was asked,
        # not from before the refused request, whose round trip a busy machine stretches.
        assert waited > 0
        assert asked + waited >= int(reset) / 1000 - 0.01
        assert asked + waited <= int(reset) / 1000 + wall_budget(0.05)
        _, waited = await meter.before("public", "GET", "v5/market/tickers", {})
        assert waited == 0.0
    finally:
        await client.close()  # type: ignore[attr-defined]
