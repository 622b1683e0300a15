"""ccxt structures into our models: exact Decimals, statuses, and the fast quote path."""

from __future__ import annotations

from decimal import Decimal

import pytest
from powertrader_ccxt.convert import (
    balances_from_ccxt,
    client_id_from_ccxt,
    dec,
    market_data_from_ticker,
    order_from_ccxt,
)
from powertrader_ccxt.profiles import profile_for

from powertrader_core.models import MarketData, OrderStatus, OrderType


def test_the_fast_quote_equals_the_validated_model() -> None:
    ticker = {"timestamp": 1700000000000, "bid": 0.1, "ask": 0.30000000000000004,
              "last": 0.2, "baseVolume": 12.5}
    quote = market_data_from_ticker(
        ticker, symbol="ETH-BTC", quoted_symbol=None, exchange="kraken", latency_ms=1.5,
        source="ccxt:kraken",
    )
    assert quote == MarketData(**quote.model_dump())
    assert quote.bid == Decimal("0.1") and quote.ask == Decimal("0.30000000000000004")
    assert quote.timestamp.tzinfo is not None
    assert quote.model_dump_json()  # serialises like any model
    with pytest.raises(ValueError):
        quote.price = Decimal(1)  # type: ignore[misc]


def test_a_ticker_without_price_or_with_a_negative_one_is_refused() -> None:
    kwargs = {"symbol": "X-Y", "quoted_symbol": None, "exchange": "e", "latency_ms": None,
              "source": "s"}
    with pytest.raises(ValueError, match="no price"):
        market_data_from_ticker({}, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="negative"):
        market_data_from_ticker({"last": -1.0}, **kwargs)  # type: ignore[arg-type]
    mid = market_data_from_ticker({"bid": 1.0, "ask": 3.0}, **kwargs)  # type: ignore[arg-type]
    assert mid.price == Decimal("2")


def test_dec_is_exact_and_refuses_non_numbers() -> None:
    assert dec(0.1) == Decimal("0.1")
    assert dec("1e-8") == Decimal("1E-8")
    assert dec(float("nan")) is None and dec(float("inf")) is None
    assert dec(None) is None and dec("abc") is None


def test_balances_keep_free_used_and_total() -> None:
    details = balances_from_ccxt(
        {"free": {"BTC": 1.5, "USD": None}, "used": {"BTC": 0.5, "USD": 10.0},
         "total": {"BTC": 2.0, "USD": 110.0}}
    )
    assert details["BTC"].free == Decimal("1.5") and details["BTC"].used == Decimal("0.5")
    assert details["USD"].free == Decimal("100.0") and details["USD"].total == Decimal("110.0")


@pytest.mark.parametrize(
    ("ccxt_status", "filled", "expected"),
    [
        ("open", 0, OrderStatus.OPEN),
        ("open", 0.5, OrderStatus.PARTIALLY_FILLED),
        ("closed", 1, OrderStatus.FILLED),
        ("canceled", 0, OrderStatus.CANCELED),
        ("expired", 0, OrderStatus.EXPIRED),
        ("rejected", 0, OrderStatus.REJECTED),
        (None, 0, OrderStatus.PENDING),
    ],
)
def test_order_statuses(ccxt_status: str | None, filled: float, expected: OrderStatus) -> None:
    order = {"id": "O1", "status": ccxt_status, "filled": filled, "amount": 1.0,
             "symbol": "BTC/USD", "side": "buy", "type": "limit", "price": 100.0,
             "fee": {"cost": 0.1, "currency": "USD"}}
    result = order_from_ccxt(order, exchange="kraken", client_order_id="mine")
    assert result.status is expected
    assert result.symbol == "BTC-USD" and result.order_type is OrderType.LIMIT
    assert result.client_order_id == "mine" and result.fees == {"USD": Decimal("0.1")}


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("PartiallyFilledCanceled", OrderStatus.CANCELED),  # Bybit v5
        ("PARTIALLY_FILLED_CANCELLED", OrderStatus.CANCELED),  # Bybit v3 spot
        ("Filled", OrderStatus.FILLED),
        (None, OrderStatus.FILLED),
    ],
)
def test_closed_states_that_did_not_fill_are_canceled(
    state: str | None, expected: OrderStatus
) -> None:
    """ccxt files Bybit's PartiallyFilledCanceled under "closed"; the profile's state words
    make it CANCELED with the partial fill, and leave a real fill (or no word) FILLED."""
    profile = profile_for("bybit")
    order = {"id": "O1", "status": "closed", "filled": 0.000299, "amount": 10.0,
             "info": {} if state is None else {"orderStatus": state}}
    result = order_from_ccxt(order, exchange="bybit", canceled_states=profile.canceled_states)
    assert result.status is expected and result.filled_amount == Decimal("0.000299")
    # Other exchanges' "closed" stays a fill whatever filled says (no such state words).
    kraken = order_from_ccxt(
        order, exchange="kraken", canceled_states=profile_for("kraken").canceled_states
    )
    assert kraken.status is OrderStatus.FILLED


def test_an_order_without_id_is_refused() -> None:
    with pytest.raises(ValueError, match="no order id"):
        order_from_ccxt({"status": "open"}, exchange="kraken")


@pytest.mark.parametrize(
    ("info", "ccxt_id", "keys", "placeholders", "expected"),
    [
        # Kraken: ccxt falls back to the integer userref; 0 is "none", cl_ord_id wins.
        ({"userref": 0}, "0", ("cl_ord_id",), ("0",), None),
        ({"userref": 0, "cl_ord_id": ""}, "0", ("cl_ord_id",), ("0",), None),
        ({"userref": 7, "cl_ord_id": "pt-1"}, "pt-1", ("cl_ord_id",), ("0",), "pt-1"),
        ({"userref": 42}, "42", ("cl_ord_id",), ("0",), "42"),
        # Binance cancel: clientOrderId is the cancel's own id, origClientOrderId the order's.
        ({"origClientOrderId": "orig", "clientOrderId": "cxl"}, "cxl", ("origClientOrderId",),
         (), "orig"),
        ({"clientOrderId": "mine"}, "mine", ("origClientOrderId",), (), "mine"),
        ({}, "", (), (), None),
    ],
)
def test_client_id_read_from_the_right_field(
    info: dict[str, object], ccxt_id: str, keys: tuple[str, ...],
    placeholders: tuple[str, ...], expected: str | None,
) -> None:
    order = {"id": "O1", "info": info, "clientOrderId": ccxt_id}
    assert client_id_from_ccxt(order, keys, placeholders) == expected
    result = order_from_ccxt(
        order, exchange="x", client_id_keys=keys, client_id_placeholders=placeholders
    )
    assert result.client_order_id == expected


def test_the_symbol_asked_overrides_the_market_traded() -> None:
    order = {"id": "O1", "symbol": "BTC/USDT", "status": "open"}
    assert order_from_ccxt(order, exchange="binance").symbol == "BTC-USDT"
    assert order_from_ccxt(order, exchange="binance", symbol="BTC-USD").symbol == "BTC-USD"
