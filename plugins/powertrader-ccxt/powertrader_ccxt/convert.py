"""ccxt's unified structures (tickers, books, orders, balances) into PowerTrader's models.

ccxt hands numbers over as floats; each goes through ``to_decimal`` (``Decimal(repr(x))``),
which keeps the number as ccxt parsed it from the exchange's text (``0.1`` stays ``0.1``).
Pure functions, no ccxt import: they read dicts.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from powertrader_core.kit import to_decimal, utc_now
from powertrader_core.models import (
    Balance,
    BookLevel,
    MarketData,
    OrderBook,
    OrderResult,
    OrderStatus,
    OrderType,
    Side,
)

__all__ = [
    "balances_from_ccxt",
    "book_from_ccxt",
    "canonical_from_ccxt",
    "client_id_from_ccxt",
    "dec",
    "market_data_from_ticker",
    "order_from_ccxt",
    "timestamp_from_ms",
]


def dec(value: Any) -> Decimal | None:
    """A ccxt number (float, int, str or None) as Decimal, or None."""
    if value is None:
        return None
    if value.__class__ is float:  # the common case, kept fast: a price on every quote
        if value != value or value in (_INF, -_INF):
            return None
        return Decimal(repr(value))
    try:
        result = to_decimal(value)
    except ValueError:
        return None
    return result if result.is_finite() else None


_INF = float("inf")


def _built(model: type[MarketData], values: dict[str, Any]) -> MarketData:
    """A model from values already checked, every field given: what ``model_construct`` does
    without its per-field default handling (a third of the cost of a quote)."""
    instance = model.__new__(model)
    object.__setattr__(instance, "__dict__", values)
    object.__setattr__(instance, "__pydantic_fields_set__", set(values))
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance


def timestamp_from_ms(value: Any) -> datetime:
    """ccxt's millisecond timestamps as aware UTC; now when missing."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    return utc_now()


def canonical_from_ccxt(ccxt_symbol: str) -> str:
    """``BTC/USD`` (or ``BTC/USD:USD``) as canonical ``BTC-USD``."""
    return ccxt_symbol.split(":", 1)[0].replace("/", "-").upper()


def market_data_from_ticker(
    ticker: Mapping[str, Any],
    *,
    symbol: str,
    quoted_symbol: str | None,
    exchange: str,
    latency_ms: float | None,
    source: str,
) -> MarketData:
    """A ccxt ticker as :class:`MarketData`; a missing last price falls back to the mid.

    This is the hot path of every price: the model's validators would only redo what is
    checked here (finite, not negative, exact Decimal, aware UTC timestamp), so the model is
    built directly after these checks (a test compares it with the validated model).
    """
    bid = dec(ticker.get("bid"))
    ask = dec(ticker.get("ask"))
    last = dec(ticker.get("last")) or dec(ticker.get("close"))
    if last is None and bid is not None and ask is not None:
        last = (bid + ask) / 2
    if last is None:
        raise ValueError("the ticker has no price")
    bid = bid if bid is not None else last
    ask = ask if ask is not None else last
    volume = dec(ticker.get("baseVolume")) or Decimal(0)
    if min(last, bid, ask, volume) < 0:
        raise ValueError("the ticker has a negative number")
    return _built(
        MarketData,
        {
            "symbol": symbol,
            "price": last,
            "bid": bid,
            "ask": ask,
            "volume": volume,
            "timestamp": timestamp_from_ms(ticker.get("timestamp")),
            "exchange": exchange,
            "quoted_symbol": quoted_symbol,
            "source": source,
            "latency_ms": latency_ms,
        },
    )


def book_from_ccxt(
    book: Mapping[str, Any],
    *,
    symbol: str,
    quoted_symbol: str | None,
    exchange: str,
    depth: int,
) -> OrderBook:
    def levels(rows: Any) -> tuple[BookLevel, ...]:
        out = []
        for row in list(rows or [])[:depth]:
            price, amount = dec(row[0]), dec(row[1])
            if price is not None and amount is not None:
                out.append(BookLevel(price=price, amount=amount))
        return tuple(out)

    return OrderBook(
        symbol=symbol,
        bids=levels(book.get("bids")),
        asks=levels(book.get("asks")),
        timestamp=timestamp_from_ms(book.get("timestamp")),
        exchange=exchange,
        quoted_symbol=quoted_symbol,
    )


def balances_from_ccxt(balance: Mapping[str, Any]) -> dict[str, Balance]:
    """ccxt's ``{'free': {...}, 'used': {...}, 'total': {...}}`` as one Balance per asset."""
    free = balance.get("free") or {}
    used = balance.get("used") or {}
    total = balance.get("total") or {}
    assets = set(free) | set(used) | set(total)
    result: dict[str, Balance] = {}
    for asset in sorted(assets):
        f, u, t = dec(free.get(asset)), dec(used.get(asset)), dec(total.get(asset))
        if f is None and u is None and t is None:
            continue
        if t is None:
            t = (f or Decimal(0)) + (u or Decimal(0))
        if f is None:
            f = t - (u or Decimal(0))
        result[asset.upper()] = Balance(asset=asset.upper(), free=f, used=u or Decimal(0), total=t)
    return result


_CCXT_STATUS = {
    "open": OrderStatus.OPEN,
    "closed": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELED,
    "cancelled": OrderStatus.CANCELED,
    "expired": OrderStatus.EXPIRED,
    "rejected": OrderStatus.REJECTED,
}


def _status(
    order: Mapping[str, Any],
    filled: Decimal,
    default: OrderStatus,
    canceled_states: Mapping[str, Collection[str]] | None = None,
) -> OrderStatus:
    status = _CCXT_STATUS.get(str(order.get("status") or "").lower())
    if status is None:
        return default
    if status is OrderStatus.OPEN and filled > 0:
        return OrderStatus.PARTIALLY_FILLED
    if status is OrderStatus.FILLED and canceled_states:
        # ccxt's "closed" also covers states that ended without a full fill on some exchanges
        # (Bybit's PartiallyFilledCanceled): the exchange's own state word decides.
        info = order.get("info")
        if isinstance(info, Mapping):
            for key, states in canceled_states.items():
                if str(info.get(key) or "") in states:
                    return OrderStatus.CANCELED
    return status


def _fees(order: Mapping[str, Any]) -> dict[str, Decimal]:
    entries = list(order.get("fees") or [])
    if not entries and order.get("fee"):
        entries = [order["fee"]]
    fees: dict[str, Decimal] = {}
    for fee in entries:
        if not isinstance(fee, Mapping):
            continue
        cost = dec(fee.get("cost"))
        currency = fee.get("currency")
        if cost is None or not currency:
            continue
        key = str(currency).upper()
        fees[key] = fees.get(key, Decimal(0)) + cost
    return fees


def _order_type(order: Mapping[str, Any]) -> OrderType | None:
    kind = str(order.get("type") or "").lower()
    trigger = order.get("triggerPrice") or order.get("stopPrice")
    if trigger or "stop" in kind:
        return OrderType.STOP_LIMIT if "limit" in kind else OrderType.STOP
    if kind in ("market", "limit"):
        return OrderType(kind)
    return None


def client_id_from_ccxt(
    order: Mapping[str, Any],
    keys: Sequence[str] = (),
    placeholders: Collection[str] = (),
) -> str | None:
    """The order's client id: the exchange's own ``keys`` first, then ccxt's ``clientOrderId``.

    ccxt reads the wrong field on some answers (Binance's cancel answer: the cancel request's
    new id; Kraken: the integer ``userref`` when ``cl_ord_id`` is missing). An empty value or
    one of ``placeholders`` (Kraken's ``userref`` 0) means there is none.
    """
    info = order.get("info")
    candidates = [info.get(key) for key in keys] if isinstance(info, Mapping) else []
    candidates.append(order.get("clientOrderId"))
    for value in candidates:
        if value is None:
            continue
        text = str(value).strip()
        if text and text not in placeholders:
            return text
    return None


def order_from_ccxt(
    order: Mapping[str, Any],
    *,
    exchange: str,
    client_order_id: str | None = None,
    default_status: OrderStatus = OrderStatus.PENDING,
    fallback: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    symbol: str | None = None,
    client_id_keys: Sequence[str] = (),
    client_id_placeholders: Collection[str] = (),
    canceled_states: Mapping[str, Collection[str]] | None = None,
) -> OrderResult:
    """A ccxt order as :class:`OrderResult`.

    ``fallback`` fills what the exchange's answer left out (Kraken's AddOrder answers with the
    id alone): the symbol, side, type, amount and price we sent. ``default_status`` is the
    state when ccxt could not tell one (``pending``: accepted, state unknown). ``symbol``, when
    given, is reported instead of the market's (the caller's name for a USD stand-in market).
    ``client_order_id``, when given, is ours and wins; else see :func:`client_id_from_ccxt`.
    ``canceled_states`` (field of the exchange's own answer -> its state words) names states
    ccxt reports as ``closed`` although the order ended without a full fill: those are
    ``CANCELED``, with what did fill in ``filled_amount`` (see ``ExchangeProfile``).
    """
    fallback = fallback or {}
    order_id = order.get("id")
    if order_id in (None, ""):
        raise ValueError("the exchange's answer carries no order id")
    filled = dec(order.get("filled")) or Decimal(0)
    amount = dec(order.get("amount")) or dec(fallback.get("amount"))
    remaining = dec(order.get("remaining"))
    if remaining is None:
        remaining = max((amount or Decimal(0)) - filled, Decimal(0))
    market_symbol = order.get("symbol")
    if symbol is None:
        symbol = canonical_from_ccxt(market_symbol) if market_symbol else fallback.get("symbol")
    side = order.get("side") or fallback.get("side")
    return OrderResult(
        order_id=str(order_id),
        status=_status(order, filled, default_status, canceled_states),
        filled_amount=filled,
        remaining_amount=remaining,
        average_price=dec(order.get("average")),
        fees=_fees(order),
        timestamp=timestamp_from_ms(order.get("timestamp")),
        client_order_id=client_order_id
        or client_id_from_ccxt(order, client_id_keys, client_id_placeholders),
        exchange=exchange,
        symbol=symbol,
        side=Side(str(side).lower()) if side in ("buy", "sell", Side.BUY, Side.SELL) else None,
        order_type=_order_type(order) or fallback.get("order_type"),
        amount=amount,
        price=dec(order.get("price")) or dec(fallback.get("price")),
        metadata=dict(metadata or {}),
    )
