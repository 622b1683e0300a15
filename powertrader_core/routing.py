"""Pure functions for choosing where to trade: best quote, and the cost of a size.

No I/O and no state: the manager gathers quotes and books, these functions decide. Keeping them
pure makes them easy to test exhaustively and cheap to call on every update.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from powertrader_core.models import BookLevel, FillEstimate, MarketData, OrderBook, Side

__all__ = [
    "best_quote",
    "estimate_from_book",
    "estimate_from_quote",
    "funds_shortfall",
    "rank_estimates",
    "rank_for_amount",
    "walk_book",
]


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


def estimate_from_quote(
    quote: MarketData, side: Side | str, amount: Decimal, fee_rate: Decimal
) -> FillEstimate:
    """A top-of-book estimate, for exchanges without an order book.

    Assumes the whole amount fills at the quoted ask (buy) or bid (sell): optimistic for a
    large amount, which is why ``source`` says ``top_of_book`` and callers can tell.
    """
    side = Side(side)
    price = quote.ask if side is Side.BUY else quote.bid
    filled = amount if price > 0 else Decimal(0)
    cost = filled * price
    fee = cost * fee_rate
    return FillEstimate(
        symbol=quote.symbol,
        side=side,
        amount=amount,
        filled_amount=filled,
        average_price=price if filled else Decimal(0),
        fee=fee,
        fee_rate=fee_rate,
        total=cost + fee if side is Side.BUY else cost - fee,
        exchange=quote.exchange,
        source="top_of_book",
    )


def rank_for_amount(estimates: Iterable[FillEstimate]) -> list[FillEstimate]:
    """Where to trade an amount: complete fills by all-in cost, then partial fills by size.

    Unlike :func:`rank_estimates`, partial fills are ordered by how much they fill (then by
    average price), since the cheapest partial total is simply the smallest fill. The sort is
    stable: among equal costs the caller's order (its preference) stands.
    """
    items = list(estimates)

    def key(estimate: FillEstimate) -> tuple[bool, Decimal, Decimal]:
        buy = estimate.side is Side.BUY
        if estimate.complete:
            return (False, Decimal(0), estimate.total if buy else -estimate.total)
        price = estimate.average_price if buy else -estimate.average_price
        return (True, -estimate.filled_amount, price)

    return sorted(items, key=key)


def funds_shortfall(
    estimate: FillEstimate,
    free: Mapping[str, Decimal],
    *,
    base: str,
    quote_assets: Sequence[str],
    limit_price: Decimal | None = None,
) -> str | None:
    """Why the account cannot pay for ``estimate``'s order, or None when it can.

    A buy needs the all-in total in the quote currency (any of ``quote_assets``: an exchange
    that quotes USDT for USD takes either); a limit buy needs at least ``amount * limit_price``
    plus the fee. A partial estimate is scaled up to the whole amount at its average price.
    A sell needs the amount of the base asset. Missing assets count as zero.
    """
    if estimate.side is Side.SELL:
        have = free.get(base, Decimal(0))
        if have < estimate.amount:
            return f"needs {estimate.amount} {base}, has {have}"
        return None
    if estimate.complete:
        needed = estimate.total
    else:
        needed = estimate.amount * estimate.average_price * (1 + estimate.fee_rate)
    if limit_price is not None:
        needed = max(needed, estimate.amount * limit_price * (1 + estimate.fee_rate))
    assets = list(quote_assets) or ["?"]
    holdings = {asset: free.get(asset, Decimal(0)) for asset in assets}
    best_asset = max(assets, key=lambda asset: holdings[asset])
    if holdings[best_asset] < needed:
        return f"needs {needed:f} {'/'.join(assets)}, has {holdings[best_asset]:f} {best_asset}"
    return None
