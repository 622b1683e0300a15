"""Every simulator fault arrives as the right exception, naming exchange and operation.

Table-driven: one row per knob of the Kraken simulator. Each row checks the exception type,
that the message starts with ``kraken <operation>:`` and says something useful, that no
configured secret appears in it, and what ``retry_after`` / ``request_sent`` say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from powertrader_ccxt import KrakenExchange

from powertrader_core import (
    ExchangeAuthenticationError,
    ExchangeConnectionError,
    ExchangeError,
    ExchangeRateLimitError,
    InsufficientFundsError,
    InvalidOrderError,
    OrderRequest,
)
from tests.cassette_support import TEST_SECRETS
from tests.simulators.fixtures import kraken_config
from tests.simulators.kraken import KrakenSimulator


@dataclass
class Row:
    fault: dict[str, Any]
    operation: str
    expected: type[ExchangeError]
    words: str
    checks: dict[str, Any] = field(default_factory=dict)


ORDER = OrderRequest("BTC-USD", "buy", "0.01", "limit", "60000")

ROWS = {
    "hang": Row({"kind": "hang", "path": "Ticker"}, "get_market_data",
                ExchangeConnectionError, "timed out", {"request_sent": None}),
    "status 500": Row({"kind": "status", "status": 500, "path": "Ticker"}, "get_market_data",
                      ExchangeConnectionError, "not available", {"request_sent": True}),
    "status 502": Row({"kind": "status", "status": 502, "path": "Ticker"}, "get_market_data",
                      ExchangeConnectionError, "502", {"request_sent": True}),
    "status 503": Row({"kind": "status", "status": 503, "path": "Ticker"}, "get_market_data",
                      ExchangeConnectionError, "503", {"request_sent": True}),
    "429 retry-after": Row({"kind": "rate_limit", "retry_after": 7, "path": "Ticker"},
                           "get_market_data", ExchangeRateLimitError, "retry after 7",
                           {"retry_after": 7.0}),
    "429 no header": Row({"kind": "rate_limit", "retry_after": None, "path": "Ticker"},
                         "get_market_data", ExchangeRateLimitError, "rate limit",
                         {"retry_after": None}),
    "html": Row({"kind": "html", "path": "Ticker"}, "get_market_data",
                ExchangeConnectionError, "HTML instead of JSON"),
    "truncated": Row({"kind": "truncated", "path": "Ticker"}, "get_market_data",
                     ExchangeConnectionError, "cut short"),
    "truncated json": Row({"kind": "truncated_json", "path": "Ticker"}, "get_market_data",
                          ExchangeConnectionError, "truncated JSON"),
    "empty": Row({"kind": "empty", "path": "Ticker"}, "get_market_data",
                 ExchangeConnectionError, "empty body"),
    "invalid key": Row({"kind": "error", "message": "EAPI:Invalid key", "path": "BalanceEx"},
                       "get_balance", ExchangeAuthenticationError, "EAPI:Invalid key"),
    "insufficient funds": Row(
        {"kind": "error", "message": "EOrder:Insufficient funds", "path": "AddOrder"},
        "place_order", InsufficientFundsError, "EOrder:Insufficient funds"),
    "invalid arguments (order)": Row(
        {"kind": "error", "message": "EGeneral:Invalid arguments", "path": "AddOrder"},
        "place_order", InvalidOrderError, "EGeneral:Invalid arguments"),
    "invalid arguments (read)": Row(
        {"kind": "error", "message": "EGeneral:Invalid arguments", "path": "Ticker"},
        "get_market_data", ExchangeError, "EGeneral:Invalid arguments"),
    "rate limit body": Row(
        {"kind": "error", "message": "EAPI:Rate limit exceeded", "path": "Ticker"},
        "get_market_data", ExchangeRateLimitError, "EAPI:Rate limit exceeded"),
    # aiohttp resends an idempotent GET once on a dropped keep-alive connection: drop twice
    "dropped": Row({"kind": "drop", "path": "Ticker", "times": 2}, "get_market_data",
                   ExchangeConnectionError, "not available"),
    "400 is a rejection": Row({"kind": "status", "status": 400, "path": "AddOrder"},
                              "place_order", InvalidOrderError, "HTTP 400"),
    "403 is not an outage": Row({"kind": "status", "status": 403, "path": "Ticker"},
                                "get_market_data", ExchangeAuthenticationError, "HTTP 403"),
    "404 is not an outage": Row({"kind": "status", "status": 404, "path": "Ticker"},
                                "get_market_data", ExchangeError, "HTTP 404"),
    "accept then 502": Row({"kind": "accept_then_502", "path": "AddOrder"}, "place_order",
                           ExchangeConnectionError, "502", {"request_sent": True}),
    "accept then drop": Row({"kind": "accept_then_drop", "path": "AddOrder"}, "place_order",
                            ExchangeConnectionError, "not available", {"request_sent": None}),
}


async def _run(exchange: KrakenExchange, operation: str) -> Any:
    if operation == "get_market_data":
        return await exchange.get_market_data("BTC-USD")
    if operation == "get_balance":
        return await exchange.get_balance()
    if operation == "place_order":
        return await exchange.place_order(ORDER)
    raise AssertionError(operation)


@pytest.mark.parametrize("name", list(ROWS))
async def test_fault_becomes_the_right_exception(
    name: str, kraken_sim: KrakenSimulator, tmp_path: Any
) -> None:
    row = ROWS[name]
    config = kraken_config(kraken_sim, tmp_path, rate_limit=False, timeout=0.5)
    async with KrakenExchange(config) as exchange:
        kraken_sim.fail(**row.fault)
        with pytest.raises(ExchangeError) as caught:
            await _run(exchange, row.operation)
    error = caught.value
    message = str(error)
    assert type(error) is row.expected, (name, type(error), message)
    assert message.startswith(f"kraken {row.operation}: "), message
    assert row.words in message, message
    assert (error.exchange, error.operation) == ("kraken", row.operation)
    for secret in TEST_SECRETS.values():
        assert secret not in message
    for attribute, value in row.checks.items():
        assert getattr(error, attribute) == value, (name, attribute)
    if row.fault["kind"].startswith("accept_then"):
        assert kraken_sim.orders_placed == 1  # the order exists though the answer was lost


async def test_connection_refused_is_provably_not_sent(tmp_path: Any) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = {**TEST_SECRETS, "base_url": f"http://127.0.0.1:{port}",
              "markets_cache_dir": str(tmp_path), "rate_limit": False, "timeout": 1}
    exchange = KrakenExchange(config)
    try:
        with pytest.raises(ExchangeConnectionError) as caught:
            await exchange.initialize()
    finally:
        await exchange.close()
    assert caught.value.request_sent is False
    assert str(caught.value).startswith("kraken initialize: ")


async def test_a_secret_echoed_by_the_exchange_is_scrubbed(
    kraken_sim: KrakenSimulator, tmp_path: Any
) -> None:
    echoed = f"EGeneral:Invalid arguments:key {TEST_SECRETS['api_key']} rejected"
    config = kraken_config(kraken_sim, tmp_path, rate_limit=False)
    async with KrakenExchange(config) as exchange:
        kraken_sim.fail("error", path="BalanceEx", message=echoed)
        with pytest.raises(ExchangeError) as caught:
            await exchange.get_balance()
    assert TEST_SECRETS["api_key"] not in str(caught.value)
    assert "***" in str(caught.value)
