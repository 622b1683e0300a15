"""Fixtures for the Robinhood plugin's tests: keys, an exchange, the cassettes, a fake server.

The API key is ``TEST_SECRETS["api_key"]`` (the hygiene test checks it never reaches a
cassette); the private key is made fresh for the session, so no real or shared key exists
anywhere in the tests. Every exchange gets its own token bucket, so tests never wait on one
another.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import vcr
from powertrader_robinhood import RobinhoodExchange, generate_keypair

from tests.cassette_support import TEST_SECRETS, make_vcr

_KEYS = generate_keypair()


@pytest.fixture(scope="session")
def keypair() -> Any:
    return _KEYS


@pytest.fixture
def config() -> dict[str, str]:
    """The configuration as the credentials manager loads it."""
    return {"api_key": TEST_SECRETS["api_key"], "private_key": _KEYS.private_key}


@pytest.fixture
def rh_vcr() -> vcr.VCR:
    return make_vcr("robinhood", match_body=True)


@pytest.fixture
async def exchange(config: dict[str, str]) -> AsyncIterator[RobinhoodExchange]:
    rh = RobinhoodExchange(config)
    try:
        yield rh
    finally:
        await rh.close()


class FakeRobinhood:
    """An ``httpx.MockTransport`` handler: answers by path, records every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], Callable[[httpx.Request], httpx.Response]] = {}

    def json(self, method: str, path: str, body: Any, status: int = 200) -> None:
        self.routes[(method, path)] = lambda _request: httpx.Response(status, json=body)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        route = self.routes.get((request.method, request.url.path))
        if route is None:
            return httpx.Response(404, json={"type": "client_error",
                                             "errors": [{"attr": None, "detail": "Not found."}]})
        return route(request)

    @property
    def posts(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "POST"]

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


BTC_PAIR = {
    "asset_code": "BTC", "quote_code": "USD", "quote_increment": "0.01",
    "asset_increment": "0.00000001", "max_order_size": "20", "min_order_size": "0.000001",
    "status": "tradable", "symbol": "BTC-USD",
}


@pytest.fixture
def fake() -> FakeRobinhood:
    server = FakeRobinhood()
    server.json("GET", "/api/v1/crypto/trading/trading_pairs/",
                {"next": None, "previous": None, "results": [BTC_PAIR]})
    return server


@pytest.fixture
async def fake_exchange(
    config: dict[str, str], fake: FakeRobinhood
) -> AsyncIterator[RobinhoodExchange]:
    rh = RobinhoodExchange(config, transport=httpx.MockTransport(fake))
    try:
        yield rh
    finally:
        await rh.close()
