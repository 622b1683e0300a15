"""Robinhood's error answers mapped onto PowerTrader's exceptions, in one table.

Robinhood answers a failure with ``{"type": ..., "errors": [{"attr": field or null, "detail":
text}]}``: ``validation_error`` with 400, ``client_error`` with any other 4xx, ``server_error``
with 5xx. The mapping, by HTTP status first (the body's ``type`` only confirms it):

=============================  ===============================================================
401, 403                        ExchangeAuthenticationError
429                             ExchangeRateLimitError (``retry_after`` from ``Retry-After``)
404 on one order                OrderNotFoundError
400 placing an order            InsufficientFundsError when Robinhood speaks of buying power or
                                insufficient funds, else InvalidOrderError ("too much precision
                                ... nearest X" names the increment X)
other 4xx on orders             ExchangeOrderError
400 on ``symbol`` elsewhere     SymbolNotSupportedError
other 4xx                       ExchangeError
5xx                             ExchangeConnectionError (the request reached Robinhood)
=============================  ===============================================================

Every message keeps Robinhood's own ``detail`` (it says what to fix) and names the exchange and
the operation; the API key is scrubbed from it (:func:`powertrader_core.kit.scrub`) should an
answer ever echo it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from enum import Enum
from typing import Any

from powertrader_core import (
    ExchangeAuthenticationError,
    ExchangeConnectionError,
    ExchangeError,
    ExchangeOrderError,
    ExchangeRateLimitError,
    InsufficientFundsError,
    InvalidOrderError,
    OrderNotFoundError,
    SymbolNotSupportedError,
)
from powertrader_core.kit import parse_retry_after, scrub

__all__ = ["Call", "error_details", "error_from_response"]

_NEAREST = re.compile(r"nearest\s+(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)", re.IGNORECASE)
_FUNDS_WORDS = ("insufficient", "buying power", "not enough")
_SNIPPET = 300


class Call(Enum):
    """What kind of call failed: the same status means different things for each."""

    READ = "read"
    PLACE_ORDER = "place_order"
    ONE_ORDER = "one_order"  # get or cancel one order by id


def error_details(body: str) -> tuple[str | None, list[tuple[str | None, str]]]:
    """The body's ``type`` and its ``(attr, detail)`` pairs; a non-JSON body is one detail."""
    try:
        data: Any = json.loads(body)
    except (ValueError, TypeError):
        text = " ".join(str(body or "").split())[:_SNIPPET]
        return None, [(None, text)] if text else []
    if not isinstance(data, Mapping):
        return None, [(None, " ".join(str(data).split())[:_SNIPPET])]
    kind = data.get("type") if isinstance(data.get("type"), str) else None
    pairs: list[tuple[str | None, str]] = []
    errors = data.get("errors")
    if isinstance(errors, list):
        for item in errors:
            if isinstance(item, Mapping):
                attr = item.get("attr")
                detail = item.get("detail")
                pairs.append((str(attr) if attr else None, str(detail or "").strip()))
            else:
                pairs.append((None, str(item)))
    for key in ("detail", "message", "error"):
        if not pairs and isinstance(data.get(key), str):
            pairs.append((None, data[key]))
    return kind, pairs


def _describe(pairs: list[tuple[str | None, str]], status: int) -> str:
    parts = [f"{attr}: {detail}" if attr else detail for attr, detail in pairs if detail]
    return "; ".join(parts) or f"HTTP {status} without details"


def error_from_response(
    status: int,
    body: str,
    headers: Mapping[str, str],
    *,
    call: Call,
    exchange: str,
    operation: str,
    secrets: tuple[str | None, ...] = (),
) -> ExchangeError:
    """The exception for one failed answer (``status`` >= 400)."""
    kind, pairs = error_details(body)
    detail = scrub(_describe(pairs, status), secrets)
    where = {"exchange": exchange, "operation": operation}
    text = " ".join(d for _, d in pairs).lower()
    if status in (401, 403):
        return ExchangeAuthenticationError(
            f"Robinhood refused the credentials (HTTP {status}): {detail}", **where
        )
    if status == 429:
        retry_after = parse_retry_after(headers)
        return ExchangeRateLimitError(
            f"rate limit reached (HTTP 429): {detail}", retry_after=retry_after, **where
        )
    if status >= 500:
        return ExchangeConnectionError(
            f"Robinhood failed (HTTP {status}): {detail}", request_sent=True, **where
        )
    if call is Call.ONE_ORDER and status == 404:
        return OrderNotFoundError(f"no such order (HTTP 404): {detail}", **where)
    if call is Call.PLACE_ORDER and status == 400:
        if any(word in text for word in _FUNDS_WORDS):
            return InsufficientFundsError(detail, **where)
        match = _NEAREST.search(text)
        if match:
            return InvalidOrderError(
                f"{detail} (Robinhood's increment: {match.group(1)}; the order was not resent "
                "with another amount: round it to that increment and place it again)",
                **where,
            )
        return InvalidOrderError(detail, **where)
    if call is not Call.READ:
        return ExchangeOrderError(f"HTTP {status} ({kind or 'client_error'}): {detail}", **where)
    if status == 400 and any(attr == "symbol" for attr, _ in pairs):
        return SymbolNotSupportedError(detail, **where)
    return ExchangeError(f"HTTP {status} ({kind or 'client_error'}): {detail}", **where)
