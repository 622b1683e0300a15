"""Robinhood's answers read into PowerTrader's models, defensively.

Robinhood sends numbers mostly as decimal strings and sometimes as JSON numbers (read exactly,
see ``_http.py``); timestamps in ISO 8601 with ``Z`` or an offset, and a quote's ``timestamp``
has been seen null. A missing or null time becomes the moment the answer was received, which
is the best bound we have; a missing price is an unusable answer, never a zero.

Robinhood's quote is not an exchange's top of book: ``price`` is the mid, and the bid and ask
are the prices a customer actually gets, Robinhood's spread included
(``bid_inclusive_of_sell_spread``, ``ask_inclusive_of_buy_spread``). Those are what
``MarketData.bid`` and ``ask`` carry, so comparing Robinhood with a fee-charging exchange
compares what each really costs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from powertrader_core import (
    ExchangeConnectionError,
    FillEstimate,
    MarketData,
    OrderResult,
    OrderStatus,
    OrderType,
    Side,
)
from powertrader_core.kit import to_decimal

__all__ = [
    "ORDER_TYPES",
    "TradingPair",
    "fill_estimate_from",
    "market_data_from",
    "order_result_from",
    "parse_decimal",
    "parse_timestamp",
]

log = logging.getLogger("powertrader_robinhood")

#: Robinhood's order types and ours.
ORDER_TYPES: Mapping[str, OrderType] = {
    "market": OrderType.MARKET,
    "limit": OrderType.LIMIT,
    "stop_loss": OrderType.STOP,
    "stop_limit": OrderType.STOP_LIMIT,
}

_STATES: Mapping[str, OrderStatus] = {
    "open": OrderStatus.OPEN,
    "partially_filled": OrderStatus.PARTIALLY_FILLED,
    "filled": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELED,
    "cancelled": OrderStatus.CANCELED,
    "failed": OrderStatus.REJECTED,
    "pending": OrderStatus.PENDING,
    "queued": OrderStatus.PENDING,
}


def parse_decimal(value: Any) -> Decimal | None:
    """A number from a string or a JSON number, exactly; ``None`` for null, empty or junk."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = to_decimal(value)
    except ValueError:
        return None
    return number if number.is_finite() else None


def parse_timestamp(value: Any, fallback: datetime) -> datetime:
    """An aware UTC time from ISO 8601 text (or Unix seconds); ``fallback`` when absent."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), UTC)
    if not isinstance(value, str) or not value.strip():
        return fallback
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        log.debug("unreadable Robinhood timestamp %r; using the receipt time", value)
        return fallback
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # Robinhood speaks UTC
    return moment.astimezone(UTC)


def _unusable(what: str, exchange: str, operation: str) -> ExchangeConnectionError:
    # A malformed answer is a failure of the exchange, and a fresh request may well be fine.
    return ExchangeConnectionError(
        f"Robinhood answered {what}", exchange=exchange, operation=operation, request_sent=True
    )


@dataclass(frozen=True)
class TradingPair:
    """One market's rules, applied before an order is sent."""

    symbol: str
    asset_code: str
    quote_code: str
    asset_increment: Decimal | None
    quote_increment: Decimal | None
    min_order_size: Decimal | None
    max_order_size: Decimal | None
    status: str

    @property
    def tradable(self) -> bool:
        return self.status.lower() == "tradable"

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> TradingPair:
        asset = str(item.get("asset_code") or "").upper()
        quote = str(item.get("quote_code") or "USD").upper()
        symbol = str(item.get("symbol") or f"{asset}-{quote}").upper()
        return cls(
            symbol=symbol,
            asset_code=asset or symbol.split("-", 1)[0],
            quote_code=quote,
            asset_increment=parse_decimal(item.get("asset_increment")),
            quote_increment=parse_decimal(item.get("quote_increment")),
            min_order_size=parse_decimal(item.get("min_order_size")),
            max_order_size=parse_decimal(item.get("max_order_size")),
            status=str(item.get("status") or "unknown"),
        )


def market_data_from(
    item: Mapping[str, Any], *, symbol: str, exchange: str, received_at: datetime
) -> MarketData:
    """A best bid and ask result as ``MarketData`` (bid and ask include the spread)."""
    bid = parse_decimal(item.get("bid_inclusive_of_sell_spread"))
    ask = parse_decimal(item.get("ask_inclusive_of_buy_spread"))
    if bid is None or ask is None or bid < 0 or ask < 0:
        raise _unusable(f"a quote for {symbol} without a usable bid and ask", exchange,
                        "get_market_data")
    if bid > ask:
        raise _unusable(f"a quote for {symbol} with its bid {bid} above its ask {ask}",
                        exchange, "get_market_data")
    mid = parse_decimal(item.get("price"))
    return MarketData(
        symbol=symbol,
        price=mid if mid is not None and mid >= 0 else (bid + ask) / 2,
        bid=bid,
        ask=ask,
        volume=Decimal(0),  # Robinhood publishes no volume
        timestamp=parse_timestamp(item.get("timestamp"), received_at),
        exchange=exchange,
        source="best_bid_ask",
    )


def fill_estimate_from(
    item: Mapping[str, Any], *, symbol: str, side: Side, amount: Decimal, exchange: str
) -> FillEstimate:
    """An estimated price result as a ``FillEstimate``.

    The price a buyer pays is ``ask_inclusive_of_buy_spread`` and a seller gets
    ``bid_inclusive_of_sell_spread`` (``price`` when those are absent). Robinhood's cost is its
    spread, already inside that price, so the fee is zero and ``total`` is amount times price.
    """
    key = "ask_inclusive_of_buy_spread" if side is Side.BUY else "bid_inclusive_of_sell_spread"
    price = parse_decimal(item.get(key))
    if price is None:
        price = parse_decimal(item.get("price"))
    if price is None or price <= 0:
        raise _unusable(f"an estimate for {symbol} without a price", exchange, "estimate_fill")
    return FillEstimate(
        symbol=symbol,
        side=side,
        amount=amount,
        filled_amount=amount,
        average_price=price,
        fee=Decimal(0),
        fee_rate=Decimal(0),
        total=amount * price,
        exchange=exchange,
        source="estimated_price",
    )


def _executions(item: Mapping[str, Any]) -> tuple[Decimal, Decimal]:
    """(quantity, cost) summed over an order's executions."""
    quantity = cost = Decimal(0)
    for execution in item.get("executions") or []:
        if not isinstance(execution, Mapping):
            continue
        q = parse_decimal(execution.get("quantity")) or Decimal(0)
        p = parse_decimal(execution.get("effective_price")) or Decimal(0)
        quantity += q
        cost += q * p
    return quantity, cost


def order_status(state: Any) -> OrderStatus:
    """Robinhood's ``state`` as an ``OrderStatus``; an unknown word is ``UNKNOWN``, not a guess."""
    word = str(state or "").strip().lower()
    status = _STATES.get(word)
    if status is None:
        log.warning("unknown Robinhood order state %r; reported as unknown", state)
        return OrderStatus.UNKNOWN
    return status


def order_result_from(item: Mapping[str, Any], *, exchange: str) -> OrderResult:
    """A Robinhood order object as an ``OrderResult``."""
    if not item.get("id"):
        raise _unusable("an order without an id", exchange, "order")
    kind = str(item.get("type") or "").lower()
    config = item.get(f"{kind}_order_config") or {}
    if not isinstance(config, Mapping):
        config = {}
    amount = parse_decimal(config.get("asset_quantity"))
    executed, cost = _executions(item)
    filled = parse_decimal(item.get("filled_asset_quantity"))
    if filled is None:
        filled = executed
    average = parse_decimal(item.get("average_price"))
    if average is None and executed > 0:
        average = cost / executed
    now = datetime.now(UTC)
    created = parse_timestamp(item.get("created_at"), now)
    updated = parse_timestamp(item.get("updated_at"), created)
    symbol = item.get("symbol")
    metadata: dict[str, Any] = {"state": item.get("state"), "created_at": created.isoformat()}
    for key in ("stop_price", "quote_amount", "time_in_force"):
        if config.get(key) is not None:
            metadata[key] = str(config[key])
    return OrderResult(
        order_id=str(item["id"]),
        status=order_status(item.get("state")),
        filled_amount=filled,
        remaining_amount=max(amount - filled, Decimal(0)) if amount is not None else Decimal(0),
        average_price=average,
        fees={},  # Robinhood charges its spread inside the price, not a fee
        timestamp=updated,
        client_order_id=item.get("client_order_id"),
        exchange=exchange,
        symbol=str(symbol).upper() if symbol else None,
        side=str(item["side"]).lower() if item.get("side") else None,
        order_type=ORDER_TYPES.get(kind),
        amount=amount,
        price=parse_decimal(config.get("limit_price")),
        metadata=metadata,
    )
