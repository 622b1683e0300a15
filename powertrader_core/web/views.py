"""What the page is sent: plain JSON records built from the library's objects (no I/O).

Money travels as strings (exact Decimals, as ``--json`` prints them); the page turns them into
numbers only to draw the chart. Times are ISO 8601 UTC, except ``t``: the server's clock in
milliseconds when the monitor handed the quote over, which the page compares with its own
clock to measure quote-to-screen latency (same machine, same clock).

Nothing secret is in these records: an exchange's credentials show as configured yes or no,
and error messages are the library's, which never carry a key (see ``errors.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from powertrader_core.present import reason, to_jsonable

if TYPE_CHECKING:
    from powertrader_core.models import MarketData
    from powertrader_core.orders import JournalEntry

__all__ = [
    "account_record",
    "health_record",
    "order_entry_record",
    "quote_record",
]


def quote_record(
    exchange: str, symbol: str, data: MarketData, received_ms: float, mode: str | None
) -> dict[str, Any]:
    """One quote as a row of the quotes table (``mode``: websocket or polling, when known)."""
    spread = data.ask - data.bid
    mid = (data.ask + data.bid) / 2
    return {
        "type": "quote",
        "exchange": exchange,
        "symbol": symbol,
        "bid": to_jsonable(data.bid),
        "ask": to_jsonable(data.ask),
        "last": to_jsonable(data.price),
        "spread": to_jsonable(spread),
        "spread_bps": None if mid <= 0 else round(float(spread / mid * 10_000), 2),
        "latency_ms": None if data.latency_ms is None else round(data.latency_ms, 1),
        "quoted_at": data.timestamp.isoformat(),
        "quoted_symbol": data.quoted_symbol,
        "source": data.source,
        "mode": mode,
        "t": received_ms,
    }


def _configured(required: Iterable[str], has_credentials: bool | None) -> str:
    if not list(required):
        return "not needed"
    if has_credentials is None:
        return "not checked yet"
    return "yes" if has_credentials else "no"


def health_record(
    name: str, status: Mapping[str, Any], required: Iterable[str]
) -> dict[str, Any]:
    """One exchange's health for the page: status, reason, circuit, feed, configured.

    The status is the health tracker's, except that a price feed which lost its exchange (its
    last attempt failed and no quote came since) reads ``down`` with the feed's error: the page
    is about prices now, and an exchange whose prices stopped is down for it, even before the
    circuit breaker has counted enough failures to open.
    """
    feed = status.get("price_feed") or {}
    state = str(status.get("status", "unknown"))
    error = status.get("last_error")
    if feed.get("connected") is False and state != "down":
        state = "down"
        error = feed.get("last_error") or error
    record: dict[str, Any] = to_jsonable({
        "exchange": name,
        "status": state,
        "reason": reason(name, str(error)) if error and state != "connected" else None,
        "last_error": status.get("last_error"),
        "last_error_at": status.get("last_error_at"),
        "circuit": status.get("circuit"),
        "retry_in": status.get("retry_in"),
        "consecutive_failures": status.get("consecutive_failures"),
        "latency_ms": status.get("latency"),
        "configured": _configured(required, status.get("has_credentials")),
        "feed": feed.get("mode"),
        "feed_updates": feed.get("updates"),
        "last_update": feed.get("last_update"),
        "dropped_updates": feed.get("dropped_updates"),
        "unsupported_symbols": feed.get("unsupported_symbols", []),
    })
    return record


def order_entry_record(entry: JournalEntry) -> dict[str, Any]:
    """One journal entry as a row of the recent orders table."""
    request = entry.request
    record: dict[str, Any] = to_jsonable({
        "client_order_id": entry.client_order_id,
        "exchange": entry.exchange,
        "symbol": request.symbol,
        "side": request.side,
        "order_type": request.order_type,
        "amount": request.amount,
        "price": request.price,
        "state": entry.state,
        "status": entry.status,
        "filled": entry.filled_amount,
        "average_price": entry.average_price,
        "error": entry.error,
        "order_id": entry.exchange_order_id,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
    })
    return record


def account_record(
    balances: Mapping[str, Mapping[str, Decimal]],
    failures: Mapping[str, str],
    orders: Iterable[JournalEntry],
) -> dict[str, Any]:
    """Balances per exchange (non-zero assets), the reasons some gave none, recent orders."""
    return {
        "type": "account",
        "balances": {
            name: {asset: to_jsonable(amount) for asset, amount in sorted(assets.items()) if amount}
            for name, assets in sorted(balances.items())
        },
        "balance_errors": {name: reason(name, text) for name, text in sorted(failures.items())},
        "orders": [order_entry_record(entry) for entry in orders],
    }
