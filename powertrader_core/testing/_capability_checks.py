"""The conformance checks of optional capabilities and account state.

Order books, fees, fill estimates, open orders, unknown-order lookups and cancels, balances,
websocket declaration and closing: each works, or refuses with NotSupportedError as
``supports()`` says. Plain async functions; :mod:`._checks` re-exports them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal

from powertrader_core.errors import (
    NotSupportedError,
    OrderNotFoundError,
)
from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import (
    Balance,
    FillEstimate,
    OrderBook,
    TradingFees,
)
from powertrader_core.testing._problems import (
    MISSING_ORDER_ID,
    _attempt,
    _capability,
    _fail,
    _is_our_error,
    _money_problems,
    _utc_problems,
    order_result_problems,
)

__all__ = [
    "check_balance",
    "check_cancel_unknown_order",
    "check_close",
    "check_estimate_fill",
    "check_lookup_unknown_order",
    "check_open_orders",
    "check_order_book",
    "check_trading_fees",
    "check_watch_declared",
]


async def check_order_book(exchange: AbstractExchange, symbol: str, depth: int = 5) -> None:
    """A book is sorted best first, within the depth asked, never crossed, all Decimal."""
    what = f"get_order_book({symbol!r}, depth={depth})"
    book, problems = await _capability(
        exchange, "get_order_book", what, lambda: exchange.get_order_book(symbol, depth=depth)
    )
    if book is not None:
        if not isinstance(book, OrderBook):
            problems.append(f"{what} returned {type(book).__name__}, not OrderBook")
        else:
            for side in ("bids", "asks"):
                levels = getattr(book, side)
                if len(levels) > depth:
                    problems.append(f"{what} has {len(levels)} {side}, more than {depth}")
                for level in levels:
                    problems += _money_problems(f"{what}.{side}", level, ("price", "amount"),
                                                positive=True)
            if not book.bids or not book.asks:
                problems.append(f"{what} has an empty side: test against a live-like market")
            elif book.bids[0].price > book.asks[0].price:
                problems.append(f"{what} is crossed: best bid above best ask")
            problems += _utc_problems(f"{what}.timestamp", book.timestamp)
            if book.exchange != exchange.name:
                problems.append(f"{what}.exchange is {book.exchange!r}, not {exchange.name!r}")
    _fail(exchange, problems)


async def check_trading_fees(exchange: AbstractExchange, symbol: str) -> None:
    """Fee rates are Decimal fractions (0.0026 is 0.26 %), not percentages."""
    what = f"get_trading_fees({symbol!r})"
    fees, problems = await _capability(
        exchange, "get_trading_fees", what, lambda: exchange.get_trading_fees(symbol)
    )
    if fees is not None:
        if not isinstance(fees, TradingFees):
            problems.append(f"{what} returned {type(fees).__name__}, not TradingFees")
        else:
            for field in ("maker", "taker"):
                rate = getattr(fees, field)
                if not isinstance(rate, Decimal) or not Decimal("-0.01") <= rate < Decimal("0.1"):
                    problems.append(
                        f"{what}.{field} is {rate!r}; a rate is a Decimal fraction "
                        "(0.0026 for 0.26 %)"
                    )
    _fail(exchange, problems)


async def check_estimate_fill(
    exchange: AbstractExchange, symbol: str, amount: Decimal | str
) -> None:
    """An estimate works (or is NotSupportedError) and its numbers hold together."""
    what = f"estimate_fill({symbol!r}, 'buy', {amount})"
    can = exchange.supports("estimate_fill") or (
        exchange.supports("get_order_book") and exchange.supports("get_trading_fees")
    )
    try:
        estimate: object = await exchange.estimate_fill(symbol, "buy", amount)
    except NotSupportedError as exc:
        _fail(exchange, _is_our_error(exchange, exc, what) + (
            [f"{what} raised {exc} although the book and fees it needs are supported"]
            if can else []
        ))
        return
    except Exception as exc:  # noqa: BLE001
        _fail(exchange, _is_our_error(exchange, exc, what) or [
            f"{what} raised {type(exc).__name__}: {exc}"
        ])
        return
    problems = []
    if not isinstance(estimate, FillEstimate):
        problems.append(f"{what} returned {type(estimate).__name__}, not FillEstimate")
    else:
        problems += _money_problems(what, estimate, ("average_price", "total"), positive=True)
        problems += _money_problems(what, estimate, ("fee", "filled_amount"), positive=False)
        if estimate.exchange != exchange.name:
            problems.append(f"{what}.exchange is {estimate.exchange!r}, not {exchange.name!r}")
    _fail(exchange, problems)


async def check_open_orders(exchange: AbstractExchange, symbol: str | None) -> None:
    """Open orders are a list of order results (possibly empty), or NotSupportedError."""
    what = f"get_open_orders({symbol!r})" if symbol else "get_open_orders()"
    orders, problems = await _capability(
        exchange, "get_open_orders", what, lambda: exchange.get_open_orders(symbol)
    )
    if orders is not None:
        if not isinstance(orders, list):
            problems.append(f"{what} returned {type(orders).__name__}, not a list")
        else:
            for index, order in enumerate(orders):
                problems += order_result_problems(exchange, f"{what}[{index}]", order)
    _fail(exchange, problems)


async def _check_missing_order(
    exchange: AbstractExchange, operation: str, call: Callable[[], Awaitable[object]], what: str
) -> None:
    result, problems = await _capability(
        exchange, operation, what, call, allowed_errors=(OrderNotFoundError,)
    )
    if result is not None:
        problems.append(f"{what} returned {result!r}; a missing order is OrderNotFoundError")
    _fail(exchange, problems)


async def check_lookup_unknown_order(
    exchange: AbstractExchange, symbol: str, order_id: str = MISSING_ORDER_ID
) -> None:
    """Looking up an order that does not exist is OrderNotFoundError, not None or a crash.

    ``order_id``: an id in the exchange's own format that no order has (Binance's are
    numbers, Kraken's ``OXXXXX-XXXXX-XXXXXX``): an exchange answers a malformed id as
    invalid, which is another error, rightly not "not found"."""
    await _check_missing_order(
        exchange,
        "get_order",
        lambda: exchange.get_order(order_id, symbol),
        f"get_order({order_id!r}, {symbol!r})",
    )


async def check_cancel_unknown_order(
    exchange: AbstractExchange, symbol: str, order_id: str = MISSING_ORDER_ID
) -> None:
    """Cancelling an order that does not exist is OrderNotFoundError, not a silent success
    (``order_id`` as for :func:`check_lookup_unknown_order`)."""
    await _check_missing_order(
        exchange,
        "cancel_order",
        lambda: exchange.cancel_order(order_id, symbol),
        f"cancel_order({order_id!r}, {symbol!r})",
    )


async def check_balance(exchange: AbstractExchange) -> None:
    """Balances are Decimal per asset, never negative; details add up.

    An exchange without ``get_balance`` refuses both with NotSupportedError naming itself.
    """
    totals, problems = await _capability(
        exchange, "get_balance", "get_balance()", exchange.get_balance
    )
    if totals is None and not problems:
        _details, problems = await _capability(
            exchange, "get_balance", "get_balance_details()", exchange.get_balance_details
        )
        _fail(exchange, problems)
        return
    if isinstance(totals, dict):
        for asset, amount in totals.items():
            if not isinstance(asset, str) or not isinstance(amount, Decimal):
                problems.append(f"get_balance() has {asset!r}: {amount!r}; want str: Decimal")
            elif amount < 0:
                problems.append(f"get_balance() has a negative {asset} balance ({amount})")
    elif totals is not None:
        problems.append(f"get_balance() returned {type(totals).__name__}, not a dict")
    details, failed = await _attempt(
        exchange, "get_balance_details()", exchange.get_balance_details
    )
    if failed:
        problems += failed
    elif not isinstance(details, dict) or not all(
        isinstance(b, Balance) for b in details.values()
    ):
        problems.append("get_balance_details() is not a dict of Balance")
    _fail(exchange, problems)


async def check_watch_declared(exchange: AbstractExchange, symbols: Sequence[str]) -> None:
    """Without ``streaming``, ``watch_market_data`` refuses at once with NotSupportedError."""
    if exchange.streaming:
        return
    what = f"watch_market_data({list(symbols)})"
    try:
        result = exchange.watch_market_data(list(symbols))
    except NotSupportedError as exc:
        _fail(exchange, _is_our_error(exchange, exc, what))
        return
    except Exception as exc:  # noqa: BLE001
        _fail(exchange, _is_our_error(exchange, exc, what) or [
            f"{what} raised {type(exc).__name__}; without streaming it is NotSupportedError"
        ])
        return
    aclose = getattr(result, "aclose", None)
    if aclose is not None:  # an async generator never started: close it, leave nothing pending
        await aclose()
    _fail(exchange, [f"streaming is False but {what} returned {result!r}"])


# ---- closing -------------------------------------------------------------------------------


async def check_close(
    exchange: AbstractExchange,
    open_sessions: Callable[[], Sequence[str]],
    use: Callable[[AbstractExchange], Awaitable[object]] | None = None,
) -> None:
    """``close()`` twice is fine, and afterwards no session it opened is left open.

    With ``use``, the exchange is used first (initialised, a quote fetched), so that the
    sessions opened on first use are there to be closed.
    """
    problems = []
    if use is not None:
        await use(exchange)
    for attempt in ("first", "second"):
        try:
            await exchange.close()
        except Exception as exc:  # noqa: BLE001
            problems.append(f"the {attempt} close() raised {type(exc).__name__}: {exc}")
    left = list(open_sessions())
    if left:
        problems.append(f"after close() sessions are still open: {', '.join(left)}")
    _fail(exchange, problems)
