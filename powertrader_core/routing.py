"""Pure functions for choosing where to trade: best quote, and the cost of a size.

No I/O and no state: the manager gathers quotes and books, these functions decide. Keeping them
pure makes them easy to test exhaustively and cheap to call on every update.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from powertrader_core.models import BookLevel, FillEstimate, MarketData, OrderBook, Side

__all__ = ["best_quote", "estimate_from_book", "rank_estimates", "walk_book"]


def walk_book(levels: Sequence[BookLevel], amount: Decimal) -> tuple[Decimal, Decimal]:
    """Take ``amount`` from ``levels`` best first; return ``(filled, cost in quote currency)``."""
    remaining = amount
    cost = Decimal(0)
    for level in levels:
        if remaining <= 0:
            break
        take = min(remaining, level.amount)
        cost += take * level.price
        remaining -= take
    return amount - remaining, cost


def estimate_from_book(
    book: OrderBook, side: Side | str, amount: Decimal, fee_rate: Decimal
) -> FillEstimate:
    """The average price, fee and all-in total of filling ``amount`` against ``book`` now."""
    side = Side(side)
    levels = book.asks if side is Side.BUY else book.bids
    filled, cost = walk_book(levels, amount)
    average = cost / filled if filled else Decimal(0)
    fee = cost * fee_rate
    total = cost + fee if side is Side.BUY else cost - fee
    return FillEstimate(
        symbol=book.symbol,
        side=side,
        amount=amount,
        filled_amount=filled,
        average_price=average,
        fee=fee,
        fee_rate=fee_rate,
        total=total,
        exchange=book.exchange,
    )


def best_quote(quotes: Mapping[str, MarketData], side: Side | str) -> MarketData | None:
    """The quote a taker of ``side`` does best with: lowest ask to buy, highest bid to sell.

    Quotes with a zero price on the side that matters (no liquidity) are passed over.
    """
    side = Side(side)
    if side is Side.BUY:
        usable = [q for q in quotes.values() if q.ask > 0]
        return min(usable, key=lambda q: q.ask, default=None)
    usable = [q for q in quotes.values() if q.bid > 0]
    return max(usable, key=lambda q: q.bid, default=None)


def rank_estimates(estimates: Iterable[FillEstimate]) -> list[FillEstimate]:
    """Complete fills first, then by all-in cost: cheapest total to buy, largest to sell."""
    items = list(estimates)

    def key(estimate: FillEstimate) -> tuple[bool, Decimal]:
        total = estimate.total if estimate.side is Side.BUY else -estimate.total
        return (not estimate.complete, total)

    return sorted(items, key=key)
