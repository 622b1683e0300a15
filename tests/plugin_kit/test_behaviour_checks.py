"""The behavioural checks catch what they promise: requests before a refusal, raw errors,
None for a capability, wrong quotes, sessions left open. And the spy counts what it should."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from powertrader_core import (
    AbstractExchange,
    ExchangeConnectionError,
    InvalidOrderError,
    MarketData,
    OrderBook,
    OrderRequest,
    OrderResult,
)
from powertrader_core.testing import (
    ConformanceError,
    TransportSpy,
    check_close,
    check_lookup_unknown_order,
    check_market_data,
    check_order_book,
    check_order_refused,
    check_symbol_round_trip,
    check_unknown_symbol_quote,
    check_watch_declared,
)
from powertrader_core.testing._checks import REFUSALS
from tests.plugin_kit.acme_plugin.powertrader_acme.exchange import AcmeExchange


def _mock_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(400, json={"error": "x"}))
    )


class HttpExchange(AbstractExchange):
    """Asks its server before checking anything: the mistake the suite exists to catch."""

    name = "http_ex"

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        super().__init__(config)
        self.client: httpx.AsyncClient | None = None

    async def initialize(self) -> bool:
        self.client = _mock_client()
        return True

    async def get_market_data(self, symbol: str) -> MarketData:
        if symbol == "NOPE-USD":
            raise KeyError(symbol)  # a raw error escaping the plugin
        if symbol == "SLOW-USD":
            raise ExchangeConnectionError("timed out", exchange=self.name, operation="quote")
        return MarketData(
            symbol="BTC-USD" if symbol == "ETH-USD" else symbol,
            price=100,
            bid=101,
            ask=100,
            timestamp=datetime.now(UTC),
            exchange="" if symbol == "ETH-USD" else self.name,
        )

    async def place_order(self, order_request: OrderRequest) -> OrderResult:
        assert self.client is not None
        await self.client.post("https://api.example/orders")
        raise InvalidOrderError("too small", exchange=self.name, operation="place_order")

    async def get_balance(self, asset: str | None = None) -> dict[str, Decimal]:
        return {}

    async def get_order_book(self, symbol: str, depth: int = 20) -> OrderBook:
        return None  # type: ignore[return-value]

    async def get_order(
        self,
        order_id: str | None = None,
        symbol: str | None = None,
        *,
        client_order_id: str | None = None,
    ) -> OrderResult:
        raise ValueError("no such order")

    def normalize_symbol(self, symbol: str) -> str:
        return symbol.replace("-", "")

    def denormalize_symbol(self, exchange_symbol: str) -> str:
        return exchange_symbol  # forgets the dash: no round trip

    async def close(self) -> None:
        pass  # forgets the client


@pytest.fixture
async def http_exchange() -> AsyncIterator[HttpExchange]:
    exchange = HttpExchange()
    with TransportSpy() as spy:
        exchange.spy = spy  # type: ignore[attr-defined]
        await exchange.ensure_initialized()
        yield exchange
    assert exchange.client is not None
    await exchange.client.aclose()


async def test_a_request_before_refusing_an_order_is_caught(http_exchange: HttpExchange) -> None:
    spy: TransportSpy = http_exchange.spy  # type: ignore[attr-defined]
    order = OrderRequest(symbol="BTC-USD", side="buy", amount="0.000001")
    with pytest.raises(ConformanceError, match=r"sent 1 request\(s\); refuse it before"):
        await check_order_refused(
            http_exchange, order, REFUSALS["below_minimum"], lambda: spy.requests, "too small"
        )
    assert spy.requests == 1


async def test_the_wrong_error_type_for_a_refusal_is_caught() -> None:
    order = OrderRequest(symbol="BTC-USD", side="buy", amount="1", order_type="stop",
                         stop_price="1")
    with pytest.raises(ConformanceError, match=r"raised NotSupportedError.*expected InvalidOrder"):
        # Acme refuses this order for its type; a check expecting a refusal for its size
        # reports the mismatch instead of passing on any ExchangeError.
        await check_order_refused(
            AcmeExchange({"api_key": "k"}), order, REFUSALS["below_minimum"], lambda: 0, "x"
        )


async def test_quotes_with_wrong_fields_and_raw_errors_are_caught(
    http_exchange: HttpExchange,
) -> None:
    with pytest.raises(ConformanceError) as info:
        await check_market_data(http_exchange, ["BTC-USD", "ETH-USD"])
    text = str(info.value)
    assert "bid 101 is above ask 100" in text
    assert "get_market_data('ETH-USD').symbol is 'BTC-USD'" in text
    assert "get_market_data('ETH-USD').exchange is ''" in text

    with pytest.raises(ConformanceError, match=r"raised builtins.KeyError.*map it to a"):
        await check_unknown_symbol_quote(http_exchange, "NOPE-USD")
    with pytest.raises(ConformanceError, match="ExchangeConnectionError, which callers retry"):
        await check_unknown_symbol_quote(http_exchange, "SLOW-USD")
    with pytest.raises(ConformanceError, match=r"denormalize_symbol.*is 'BTCUSD'"):
        check_symbol_round_trip(http_exchange, ["BTC-USD"])


async def test_capabilities_returning_none_or_raw_errors_are_caught(
    http_exchange: HttpExchange,
) -> None:
    with pytest.raises(ConformanceError, match="returned None; a missing capability raises"):
        await check_order_book(http_exchange, "BTC-USD")
    with pytest.raises(ConformanceError, match=r"raised builtins\.ValueError"):
        await check_lookup_unknown_order(http_exchange, "BTC-USD")


async def test_session_left_open_after_close_is_caught(http_exchange: HttpExchange) -> None:
    spy: TransportSpy = http_exchange.spy  # type: ignore[attr-defined]
    with pytest.raises(ConformanceError, match="after close\\(\\) sessions are still open: httpx"):
        await check_close(http_exchange, spy.open_sessions)


async def test_an_async_generator_watch_without_streaming_is_caught() -> None:
    class Pushy(AcmeExchange):
        name = "pushy"

        async def watch_market_data(  # type: ignore[override]
            self, symbols: Any
        ) -> AsyncIterator[MarketData]:
            yield await self.get_market_data("BTC-USD")

    with pytest.raises(ConformanceError, match="streaming is False but watch_market_data"):
        await check_watch_declared(Pushy(), ["BTC-USD"])
    await check_watch_declared(AcmeExchange(), ["BTC-USD"])


async def test_spy_counts_aiohttp_requests_and_open_sessions() -> None:
    app = web.Application()

    async def ticker(request: web.Request) -> web.Response:
        return web.json_response({"price": "1"})

    app.router.add_get("/ticker", ticker)
    async with TestServer(app, host="127.0.0.1") as server:
        with TransportSpy() as spy:
            session = aiohttp.ClientSession()
            async with session.get(server.make_url("/ticker")) as response:
                assert (await response.json()) == {"price": "1"}
            assert spy.requests == 1
            assert spy.open_sessions() == [
                f"aiohttp.client.ClientSession at {id(session):#x}"
            ]
            await session.close()
            assert spy.open_sessions() == []
        # Outside the block nothing is watched any more: the classes are restored.
        async with aiohttp.ClientSession() as later:
            await (await later.get(server.make_url("/ticker"))).release()
        assert spy.requests == 1 and len(spy.sessions) == 1


async def test_spy_counts_httpx_requests() -> None:
    with TransportSpy() as spy:
        async with _mock_client() as client:
            await client.get("https://api.example/a")
            await client.get("https://api.example/b")
        assert spy.requests == 2 and spy.open_sessions() == []
