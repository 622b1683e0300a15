"""The matching rules, as pure functions: no I/O, no state, no clock.

Everything that decides *whether* and *at what price* a paper order fills is here, so that it
can be read in one sitting and tested without a database:

- an order that arrives (a market order, a limit order, a stop once triggered) takes liquidity
  from the book, best level first, never past its limit price: :func:`take_liquidity`;
- a resting limit order fills when the market crosses it (a buy when the best ask is at or
  below its price, a sell when the best bid is at or above it): :func:`limit_crossed`;
- a stop order triggers when the last price reaches its trigger (a buy stop when the price
  rises to it, a sell stop, the usual stop-loss, when it falls to it), as most exchanges do by
  default: :func:`stop_triggered`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from powertrader_core.models import MarketData, OrderBook, Side

__all__ = ["Fill", "filled_amount", "limit_crossed", "notional", "stop_triggered", "take_liquidity"]


@dataclass(frozen=True)
class Fill:
    """One part of an order, filled at one price."""

    price: Decimal
    amount: Decimal


def take_liquidity(
    book: OrderBook, side: Side, amount: Decimal, limit: Decimal | None = None
) -> list[Fill]:
    """Fill up to ``amount`` from ``book``: a buy takes asks, a sell takes bids.

    Levels are walked best first and the walk stops at the first level beyond ``limit`` (a buy
    pays at most ``limit``, a sell receives at least ``limit``). The fills may add up to less
    than ``amount`` when the visible book is too thin or the limit is reached.
    """
    levels = book.asks if side is Side.BUY else book.bids
    fills: list[Fill] = []
    remaining = amount
    for level in levels:
        if remaining <= 0:
            break
        if limit is not None and not _within_limit(side, level.price, limit):
            break
        size = min(remaining, level.amount)
        if size > 0:
            fills.append(Fill(price=level.price, amount=size))
            remaining -= size
    return fills


def _within_limit(side: Side, price: Decimal, limit: Decimal) -> bool:
    return price <= limit if side is Side.BUY else price >= limit


def filled_amount(fills: Sequence[Fill]) -> Decimal:
    """The base amount of all fills."""
    return sum((fill.amount for fill in fills), Decimal(0))


def notional(fills: Sequence[Fill]) -> Decimal:
    """The quote amount of all fills (price times amount), before fees."""
    return sum((fill.price * fill.amount for fill in fills), Decimal(0))


def limit_crossed(side: Side, limit: Decimal, quote: MarketData) -> bool:
    """True when a resting limit order at ``limit`` would be hit by the market in ``quote``."""
    if side is Side.BUY:
        return Decimal(0) < quote.ask <= limit
    return quote.bid >= limit


def stop_triggered(side: Side, stop: Decimal, quote: MarketData) -> bool:
    """True when the last price in ``quote`` has reached the trigger ``stop``."""
    if quote.price <= 0:
        return False
    return quote.price >= stop if side is Side.BUY else quote.price <= stop
