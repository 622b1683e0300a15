"""Orders: each type mapped onto its config, lookups, open orders, cancel; refusals sent nowhere."""

from __future__ import annotations

from decimal import Decimal

import pytest
import vcr
from powertrader_robinhood import RobinhoodExchange

from powertrader_core import (
    InvalidOrderError,
    OrderNotFoundError,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    SymbolNotSupportedError,
)
from tests.robinhood import build_cassettes as c
from tests.robinhood.conftest import FakeRobinhood


async def test_market_order_is_sent_at_the_pairs_increment(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    request = OrderRequest("BTC-USD", "buy", "0.001", client_order_id=c.MARKET_CLIENT_ID)
    with rh_vcr.use_cassette("place_market_order.yaml") as cassette:
        result = await exchange.place_order(request)
    assert cassette.all_played  # the body matched byte for byte
    assert result.order_id == c.MARKET_ORDER_ID
    assert result.client_order_id == c.MARKET_CLIENT_ID
    assert result.status is OrderStatus.FILLED
    assert result.filled_amount == Decimal("0.001") and result.remaining_amount == 0
    assert result.average_price == Decimal("66998.92")
    assert (result.side, result.order_type, result.symbol) == (Side.BUY, OrderType.MARKET,
                                                               "BTC-USD")
    assert result.fees == {}
    assert result.timestamp.tzinfo is not None


async def test_limit_order(exchange: RobinhoodExchange, rh_vcr: vcr.VCR) -> None:
    request = OrderRequest("BTC-USD", "BUY", "0.005", "limit", "60000",
                           client_order_id=c.LIMIT_CLIENT_ID)
    with rh_vcr.use_cassette("place_limit_order.yaml") as cassette:
        result = await exchange.place_order(request)
    assert cassette.all_played
    assert result.status is OrderStatus.OPEN
    assert result.price == Decimal("60000.00") and result.amount == Decimal("0.005")
    assert result.remaining_amount == Decimal("0.005")


async def test_stop_order_becomes_stop_loss(exchange: RobinhoodExchange, rh_vcr: vcr.VCR) -> None:
    # The seed's form: order_type "stop" with the trigger as `price`.
    request = OrderRequest("BTC-USD", "sell", "0.01", "stop", 58000,
                           client_order_id=c.STOP_CLIENT_ID)
    with rh_vcr.use_cassette("place_stop_loss_order.yaml") as cassette:
        result = await exchange.place_order(request)
    assert cassette.all_played
    assert result.order_type is OrderType.STOP
    assert result.metadata["stop_price"] == "58000.00"


async def test_stop_limit_order_with_numbers_as_json_numbers(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    request = OrderRequest(symbol="ETH-USD", side="buy", amount=2, order_type="stop_limit",
                           price="3150", stop_price="3100",
                           client_order_id=c.STOP_LIMIT_CLIENT_ID)
    with rh_vcr.use_cassette("place_stop_limit_order.yaml") as cassette:
        result = await exchange.place_order(request)
    assert cassette.all_played
    assert result.status is OrderStatus.PARTIALLY_FILLED
    assert result.filled_amount == Decimal("0.5") and result.remaining_amount == Decimal("1.5")
    assert result.average_price == Decimal("3149.5")


async def test_get_order_by_id(exchange: RobinhoodExchange, rh_vcr: vcr.VCR) -> None:
    with rh_vcr.use_cassette("get_order.yaml"):
        result = await exchange.get_order(c.MARKET_ORDER_ID, "BTC-USD")
    assert result.status is OrderStatus.FILLED and result.order_id == c.MARKET_ORDER_ID


async def test_get_order_by_client_id_pages_through_recent_orders(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    with rh_vcr.use_cassette("get_order_by_client_id.yaml") as cassette:
        result = await exchange.get_order(client_order_id=c.MARKET_CLIENT_ID.upper())
    assert cassette.all_played  # found on the second page
    assert result.order_id == c.MARKET_ORDER_ID


async def test_get_order_by_client_id_not_found_after_all_pages(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    with rh_vcr.use_cassette("get_order_by_client_id.yaml"), pytest.raises(
        OrderNotFoundError, match="client_order_id"
    ):
        await exchange.get_order(client_order_id=c.REFUSED_CLIENT_ID)


async def test_open_orders_include_partially_filled(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    with rh_vcr.use_cassette("open_orders.yaml") as cassette:
        orders = await exchange.get_open_orders()
    assert cassette.all_played
    assert [o.order_id for o in orders] == [c.LIMIT_ORDER_ID, c.STOP_ORDER_ID,
                                            c.STOP_LIMIT_ORDER_ID]
    assert {o.status for o in orders} == {OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED}


async def test_cancel_reads_the_text_answer_then_the_order(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    with rh_vcr.use_cassette("cancel_order.yaml") as cassette:
        result = await exchange.cancel_order(c.LIMIT_ORDER_ID, "BTC-USD")
    assert cassette.all_played
    assert result.status is OrderStatus.CANCELED
    assert result.metadata["cancel_requested"] is True
    assert result.metadata["cancel_answer"].startswith("Cancel request was submitted")


# ---- refused before any request ------------------------------------------------------------

REFUSALS = [
    (OrderRequest("BTC-USD", "buy", "0.123456789"), "asset increment 0.00000001",
     "0.12345678"),
    (OrderRequest("BTC-USD", "buy", "0.0000005"), "minimum order size", "0.000001"),
    (OrderRequest("BTC-USD", "buy", "21"), "maximum order size", "20"),
    (OrderRequest("BTC-USD", "buy", "0.01", "limit", "60000.005"), "price increment 0.01",
     "60000.00"),
    (OrderRequest("BTC-USD", "sell", "0.01", "stop", "58000.001"), "stop price", "58000.00"),
    (OrderRequest("BTC-USD", "buy", "0.01", "limit", "60000", "IOC"), "only GTC", "IOC"),
    (OrderRequest("BTC-USD", "buy", "0.01", time_in_force="FOK"), "only GTC", "FOK"),
    (OrderRequest("BTC-USD", "buy", "0.01", client_order_id="my-order-1"), "not a UUID",
     "my-order-1"),
    (OrderRequest("BTC-USD", "buy", "0.01",
                  client_order_id="0F3A9C2E-5B7D-4E81-A6C4-2D9E8B1F7A01"), "canonical form",
     "0f3a9c2e"),
]


@pytest.mark.parametrize(("request_", "reason", "named"), REFUSALS)
async def test_invalid_orders_are_refused_before_anything_is_sent(
    fake_exchange: RobinhoodExchange, fake: FakeRobinhood, request_: OrderRequest, reason: str,
    named: str,
) -> None:
    with pytest.raises(InvalidOrderError) as info:
        await fake_exchange.place_order(request_)
    message = str(info.value)
    assert message.startswith("robinhood place_order:")
    assert reason in message and named in message
    assert fake.posts == []


async def test_untradable_pair_is_refused(fake_exchange: RobinhoodExchange,
                                          fake: FakeRobinhood) -> None:
    fake.json("GET", "/api/v1/crypto/trading/trading_pairs/", {"next": None, "results": [
        {"symbol": "LUNA-USD", "asset_code": "LUNA", "quote_code": "USD",
         "asset_increment": "0.01", "status": "untradable"}]})
    with pytest.raises(InvalidOrderError, match="not tradable"):
        await fake_exchange.place_order(OrderRequest("LUNA-USD", "buy", "1"))
    assert fake.posts == []


async def test_order_ids_that_are_not_uuids_are_not_found_without_a_request(
    fake_exchange: RobinhoodExchange, fake: FakeRobinhood
) -> None:
    with pytest.raises(OrderNotFoundError):
        await fake_exchange.get_order("../accounts")
    with pytest.raises(OrderNotFoundError):
        await fake_exchange.cancel_order("12345")
    with pytest.raises(InvalidOrderError):
        await fake_exchange.get_order()
    assert fake.requests == []


async def test_after_initialize_an_unlisted_market_is_refused_without_a_request(
    fake_exchange: RobinhoodExchange, fake: FakeRobinhood
) -> None:
    await fake_exchange.initialize()
    before = len(fake.requests)
    with pytest.raises(SymbolNotSupportedError, match="does not list ETH-USD"):
        await fake_exchange.place_order(OrderRequest("ETH-USD", "buy", "0.01"))
    assert len(fake.requests) == before


async def test_without_initialize_an_unknown_market_is_looked_up_once(
    fake_exchange: RobinhoodExchange, fake: FakeRobinhood
) -> None:
    with pytest.raises(SymbolNotSupportedError):
        await fake_exchange.place_order(OrderRequest("ETH-USD", "buy", "0.01"))
    assert [r.url.params.get("symbol") for r in fake.requests] == ["ETH-USD"]
    assert fake.posts == []
