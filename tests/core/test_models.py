"""The models: the seed's calls, exact money, UTC time, and validation before sending."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from powertrader_core import (
    Balance,
    MarketData,
    OrderBook,
    OrderRequest,
    OrderResult,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)


def test_market_data_positional_like_the_seed() -> None:
    ts = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    data = MarketData("BTC-USD", 50000.1, 49999.9, 50000.3, 12.5, ts, "kraken")
    assert data.price == Decimal("50000.1")
    assert data.bid == Decimal("49999.9")
    assert data.volume == Decimal("12.5")
    assert data.exchange == "kraken"
    assert data.spread == Decimal("0.4")
    assert data.timestamp.tzinfo is UTC


def test_market_data_keywords_and_quoted_market() -> None:
    data = MarketData(
        symbol="BTC-USD", price="1.10", bid="1.0", ask="1.2", volume=0, timestamp=datetime.now(),
        exchange="binance", quoted_symbol="BTC-USDT",
    )
    assert data.quoted_symbol == "BTC-USDT"
    assert data.price == Decimal("1.10")
    assert data.timestamp.utcoffset() == timedelta(0)


def test_floats_convert_exactly() -> None:
    data = MarketData("ETH-USD", 0.1, 0.1, 0.1, 0.3, datetime.now(UTC), "x")
    assert data.price == Decimal("0.1")
    assert data.volume == Decimal("0.3")


def test_aware_timestamp_is_converted_to_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    data = MarketData("ETH-USD", 1, 1, 1, 1, datetime(2026, 1, 1, 12, tzinfo=plus_two), "x")
    assert data.timestamp == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert data.timestamp.tzinfo == UTC


def test_results_are_frozen() -> None:
    data = MarketData("ETH-USD", 1, 1, 1, 1, datetime.now(UTC), "x")
    with pytest.raises(ValidationError):
        data.price = Decimal(2)  # type: ignore[misc]


def test_order_request_seed_call_and_case_insensitive_strings() -> None:
    order = OrderRequest(symbol="BTC-USD", side="BUY", amount=0.001, order_type="Market")
    assert order.side is Side.BUY
    assert order.order_type is OrderType.MARKET
    assert order.amount == Decimal("0.001")
    assert order.time_in_force is TimeInForce.GTC
    assert order.client_order_id and len(order.client_order_id) == 36
    limit = OrderRequest("eth-usd", "sell", "2", "LIMIT", 3000.5, "ioc")
    assert limit.symbol == "ETH-USD"
    assert limit.price == Decimal("3000.5")
    assert limit.time_in_force is TimeInForce.IOC


def test_client_order_ids_are_unique_and_kept() -> None:
    a = OrderRequest(symbol="BTC-USD", side="buy", amount=1, order_type="market")
    b = OrderRequest(symbol="BTC-USD", side="buy", amount=1, order_type="market")
    assert a.client_order_id != b.client_order_id
    c = OrderRequest(symbol="BTC-USD", side="buy", amount=1, client_order_id="my-id-1")
    assert c.client_order_id == "my-id-1"


def test_seed_stop_order_takes_price_as_trigger() -> None:
    order = OrderRequest("BTC-USD", "sell", 1, "stop", 40000)
    assert order.stop_price == Decimal(40000)
    assert order.price is None
    stop_limit = OrderRequest(
        symbol="BTC-USD", side="sell", amount=1, order_type="stop_limit", price=39900,
        stop_price=40000,
    )
    assert stop_limit.order_type is OrderType.STOP_LIMIT


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"side": "hold"}, "side"),
        ({"amount": 0}, "amount"),
        ({"amount": -1}, "amount"),
        ({"amount": float("nan")}, "amount"),
        ({"amount": float("inf")}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"amount": True}, "amount"),
        ({"order_type": "limit"}, "price"),
        ({"order_type": "stop"}, "stop_price"),
        ({"order_type": "stop_limit", "price": 1}, "stop_price"),
        ({"order_type": "market", "price": 100}, "price"),
        ({"order_type": "iceberg"}, "order_type"),
        ({"time_in_force": "forever"}, "time_in_force"),
        ({"symbol": "BTCUSD"}, "symbol"),
        ({"symbol": "BTC-"}, "symbol"),
        ({"symbol": 42}, "symbol"),
        ({"order_type": "limit", "price": -5}, "price"),
        ({"client_order_id": "has spaces in it"}, "client_order_id"),
    ],
)
def test_order_request_refusals_name_the_field(kwargs: dict[str, object], field: str) -> None:
    base: dict[str, object] = {"symbol": "BTC-USD", "side": "buy", "amount": 1}
    with pytest.raises(ValidationError) as info:
        OrderRequest(**{**base, **kwargs})
    assert field in str(info.value)


_any_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["buy", "SELL", "Market", "limit", "stop", "stop_limit", "gtc", "IOC",
                     "fok", "BTC-USD", "eth-usdt", "0.5", "-1", "1e3", "nan"]),
)


@given(
    symbol=_any_value, side=_any_value, amount=_any_value, order_type=_any_value,
    price=_any_value, time_in_force=_any_value, stop_price=_any_value,
)
def test_every_input_is_a_valid_request_or_a_validation_error(
    symbol: object, side: object, amount: object, order_type: object, price: object,
    time_in_force: object, stop_price: object,
) -> None:
    try:
        order = OrderRequest(
            symbol=symbol, side=side, amount=amount, order_type=order_type, price=price,
            time_in_force=time_in_force, stop_price=stop_price,
        )
    except ValidationError:
        return
    assert order.amount > 0 and order.amount.is_finite()
    assert isinstance(order.amount, Decimal)
    assert order.side in (Side.BUY, Side.SELL)
    if order.order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT):
        assert order.price is not None and order.price > 0
    if order.order_type in (OrderType.STOP, OrderType.STOP_LIMIT):
        assert order.stop_price is not None and order.stop_price > 0
    if order.order_type is OrderType.MARKET:
        assert order.price is None
    assert "-" in order.symbol


def test_order_result_seed_call_and_status_synonyms() -> None:
    result = OrderResult("abc", "filled", 0.5, 0, 100.25, {"USD": 0.1}, datetime.now(UTC))
    assert result.status is OrderStatus.FILLED
    assert result.fees == {"USD": Decimal("0.1")}
    assert result.is_final
    assert OrderResult(order_id=7, status="NEW").status is OrderStatus.OPEN
    assert OrderResult(order_id="x", status="cancelled").status is OrderStatus.CANCELED
    with pytest.raises(ValidationError):
        OrderResult(order_id="x", status="vanished")


def test_order_book_sorts_levels_and_reads_pairs() -> None:
    book = OrderBook(symbol="BTC-USD", bids=[[99, 1], [100, 2]], asks=[["102", "1"], [101, 3]])
    assert book.best_bid == Decimal(100)
    assert book.best_ask == Decimal(101)


def test_balance_fills_total() -> None:
    assert Balance(asset="BTC", free=1.5, used="0.5").total == Decimal("2.0")


def test_json_keeps_money_exact() -> None:
    data = MarketData("BTC-USD", "50000.12345678", 1, 2, 3, datetime.now(UTC), "x")
    assert '"50000.12345678"' in data.model_dump_json()
    assert not math.isnan(float(data.price))
