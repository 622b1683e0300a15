"""Order results name the symbol asked; lookups by client id see every order state; what ccxt's
``create_order`` is given for a market buy.

The markets come from the exchanges' cassettes; the order calls are ccxt methods replaced by
scripted ones (recording their arguments), so these tests pin what the plugin hands to ccxt and
how it reads ccxt's answers, without a network.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from powertrader_ccxt import PROFILES
from powertrader_ccxt.lookup import finished_order_methods
from powertrader_ccxt.order_arguments import quote_sized_buys
from powertrader_ccxt.profiles import generic_profile

from powertrader_core import ExchangeFactory
from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import OrderRequest, OrderStatus
from tests.cassette_support import make_vcr
from tests.ccxt.cassette_exchange import KEY_PAIR, coinbase_cdp_keys, replayed_exchange


@pytest.fixture
def loaded(tmp_path: Path) -> Callable[..., Any]:
    """An exchange with its markets replayed from ``cassettes/<name>/markets.yaml``."""
    async def make(name: str, config: dict[str, Any] | None = None) -> AbstractExchange:
        exchange = replayed_exchange(
            name, {"markets_cache_dir": str(tmp_path), **(config or KEY_PAIR)}
        )
        with make_vcr(name).use_cassette("markets"):
            await exchange.ensure_initialized()
        return exchange

    return make


def _order(symbol: str, **extra: Any) -> dict[str, Any]:
    return {"id": "1", "symbol": symbol, "status": "open", "side": "buy", "type": "limit",
            "amount": 0.001, "price": 20000.0, "info": {}, **extra}


def _script(client: Any, name: str, answer: Any, calls: list[tuple[str, tuple[Any, ...]]]) -> None:
    async def method(*args: Any) -> Any:
        calls.append((name, args))
        return answer

    setattr(client, name, method)


async def test_orders_without_a_symbol_map_the_stand_in_market_back(loaded: Any) -> None:
    """Binance has no BTC/USD: its BTC/USDT orders are BTC-USD, quoted on BTC-USDT, as a
    MarketData for BTC-USD would say; a market with no USD stand-in role keeps its name."""
    exchange = await loaded("binance")
    try:
        calls: list[tuple[str, tuple[Any, ...]]] = []
        answer = [_order("BTC/USDT"), _order("ETH/USDT", id="2")]
        _script(exchange.client, "fetch_open_orders", answer, calls)
        listed = await exchange.get_open_orders()
        assert [(o.symbol, o.metadata.get("quoted_symbol")) for o in listed] == [
            ("BTC-USD", "BTC-USDT"), ("ETH-USD", "ETH-USDT")
        ]
        # Asked by its USDT name, an order keeps that name (nothing stood in).
        asked = await exchange.get_open_orders("BTC-USDT")
        assert (asked[0].symbol, asked[0].metadata.get("quoted_symbol")) == ("BTC-USDT", None)
        assert calls[-1][1][0] == "BTC/USDT"

        _script(exchange.client, "cancel_order", _order("BTC/USDT", status="canceled"), calls)
        canceled = await exchange.cancel_order("1")
        assert (canceled.symbol, canceled.metadata["quoted_symbol"]) == ("BTC-USD", "BTC-USDT")
        assert canceled.status is OrderStatus.CANCELED

        _script(exchange.client, "fetch_order", _order("BTC/USDT"), calls)
        fetched = await exchange.get_order("1", "BTC-USD")
        assert (fetched.symbol, fetched.metadata["quoted_symbol"]) == ("BTC-USD", "BTC-USDT")
        assert calls[-1] == ("fetch_order", ("1", "BTC/USDT"))
    finally:
        await exchange.close()


async def test_a_market_without_a_stand_in_keeps_its_name(loaded: Any) -> None:
    exchange = await loaded("coinbase", coinbase_cdp_keys())
    try:
        calls: list[tuple[str, tuple[Any, ...]]] = []
        _script(exchange.client, "fetch_open_orders", [_order("BTC/USDT")], calls)
        (order,) = await exchange.get_open_orders()
        assert (order.symbol, order.metadata.get("quoted_symbol")) == ("BTC-USDT", None)
    finally:
        await exchange.close()


async def test_coinbase_market_buy_passes_the_checked_price_other_orders_none(
    loaded: Any,
) -> None:
    """Coinbase spends a quote amount on market BUYs: ccxt gets the price the minimum-value
    check used (here a quote seen moments ago, so no ticker request). Sells and other
    exchanges get no price for a market order (Binance would turn one into quoteOrderQty)."""
    coinbase = await loaded("coinbase", coinbase_cdp_keys())
    binance = await loaded("binance")
    try:
        for exchange in (coinbase, binance):
            exchange._last_price["BTC-USD"] = (Decimal("64000.5"), exchange._now())  # type: ignore[attr-defined]
        calls: list[tuple[str, tuple[Any, ...]]] = []
        _script(coinbase.client, "create_order", {"id": "c1"}, calls)
        _script(binance.client, "create_order", {"id": "b1"}, calls)

        def market(side: str) -> OrderRequest:
            return OrderRequest(symbol="BTC-USD", side=side, amount="0.001", order_type="market")

        await coinbase.place_order(market("buy"))
        assert calls[-1][1][:5] == ("BTC/USD", "market", "buy", 0.001, 64000.5)
        assert calls[-1][1][5]["client_order_id"]  # Coinbase's own field, not clientOrderId
        await coinbase.place_order(market("sell"))
        assert calls[-1][1][4] is None  # a market sell is base_size: no price needed
        await binance.place_order(market("buy"))
        assert calls[-1][1][:5] == ("BTC/USDT", "market", "buy", 0.001, None)
    finally:
        await coinbase.close()
        await binance.close()


def test_finished_order_methods_never_filter_on_status() -> None:
    """Which ccxt methods list finished orders for lookups by client id (see profiles.py)."""
    assert PROFILES["bybit"].finished_orders == ("fetch_canceled_and_closed_orders",)
    assert PROFILES["coinbase"].finished_orders == ("fetch_orders",)
    assert PROFILES["kraken"].finished_orders == ("fetch_closed_orders",)  # incl. cancelled
    lookups = {p.client_id_lookup for n, p in PROFILES.items() if p.finished_orders is None}
    assert lookups == {"fetch_order"}  # the others ask the exchange for the id directly
    generic = generic_profile("someexchange")
    assert finished_order_methods(generic, {"fetchCanceledAndClosedOrders": True}) == (
        "fetch_canceled_and_closed_orders",
    )
    assert finished_order_methods(generic, {"fetchOrders": True}) == ("fetch_orders",)
    assert finished_order_methods(generic, {"fetchCanceledOrders": True}) == (
        "fetch_closed_orders", "fetch_canceled_orders"
    )


async def test_a_coinbase_scan_finds_a_cancelled_order(loaded: Any) -> None:
    """Open orders, then the all-status list: a cancelled order is found (a FILLED-only list
    would have missed it)."""
    exchange = await loaded("coinbase", coinbase_cdp_keys())
    try:
        calls: list[tuple[str, tuple[Any, ...]]] = []
        mine = exchange.exchange_client_id("a1b2c3d4-0000-4000-8000-000000000001")  # type: ignore[attr-defined]
        _script(exchange.client, "fetch_open_orders", [], calls)
        _script(exchange.client, "fetch_orders",
                [_order("BTC/USD", status="canceled", clientOrderId=mine, filled=0.0004)], calls)
        result = await exchange.get_order(client_order_id="a1b2c3d4-0000-4000-8000-000000000001")
        assert [name for name, _ in calls] == ["fetch_open_orders", "fetch_orders"]
        assert result.status is OrderStatus.CANCELED
        assert result.filled_amount == Decimal("0.0004")
    finally:
        await exchange.close()


async def test_a_coinbase_scan_after_a_send_lists_from_the_send_time(loaded: Any) -> None:
    """An order this instance sent cannot be older than its send: the scan asks from then
    (less a minute for clocks) rather than from the start of the account's history, 100 a
    page, so an account busy before the order does not push it past the page bound."""
    import time

    exchange = await loaded("coinbase", coinbase_cdp_keys())
    try:
        exchange._last_price["BTC-USD"] = (Decimal("64000.5"), exchange._now())  # type: ignore[attr-defined]
        calls: list[tuple[str, tuple[Any, ...]]] = []
        _script(exchange.client, "create_order", {"id": "c1"}, calls)
        request = OrderRequest(symbol="BTC-USD", side="sell", amount="0.001")
        before = time.time()
        await exchange.place_order(request)
        mine = exchange.exchange_client_id(request.client_order_id)  # type: ignore[attr-defined]
        _script(exchange.client, "fetch_open_orders", [], calls)
        _script(exchange.client, "fetch_orders",
                [_order("BTC/USD", status="closed", clientOrderId=mine)], calls)
        found = await exchange.get_order(client_order_id=request.client_order_id)
        (_, open_args), (_, all_args) = calls[1:]
        for symbol, since, limit, _params in (open_args, all_args):
            assert symbol is None and limit == 100
            assert (before - 61) * 1000 <= since <= (time.time() - 59) * 1000
        assert found.client_order_id == request.client_order_id
    finally:
        await exchange.close()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("coinbase", True),  # the profile says so
        ("binance", False),  # a price would turn the order into quoteOrderQty
        ("ccxt:bitget", True),  # ccxt's createMarketBuyOrderRequiresPrice
        ("ccxt:gemini", False),
    ],
)
async def test_which_exchanges_size_market_buys_in_quote(name: str, expected: bool) -> None:
    exchange = ExchangeFactory.create_exchange(name)
    try:
        assert quote_sized_buys(exchange.session) is expected  # type: ignore[attr-defined]
    finally:
        await exchange.close()
