"""The behavioural checks of the conformance suite, as plain async functions.

Each takes a configured exchange (pointed at cassettes or a simulator by the plugin's tests)
and raises :class:`ConformanceError` with every problem it found. They do not import pytest:
the pytest base class in :mod:`powertrader_core.testing.conformance` only wires fixtures to
them, and anyone can run them from a script.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from powertrader_core.errors import (
    ExchangeConnectionError,
    ExchangeError,
    InvalidOrderError,
    NotSupportedError,
    OrderNotFoundError,
    SymbolNotSupportedError,
)
from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import (
    Balance,
    FillEstimate,
    MarketData,
    OrderBook,
    OrderRequest,
    OrderResult,
    OrderStatus,
    OrderType,
    TradingFees,
)
from powertrader_core.testing._static import ConformanceError

__all__ = [
    "MISSING_ORDER_ID",
    "check_balance",
    "check_cancel_unknown_order",
    "check_close",
    "check_estimate_fill",
    "check_lookup_unknown_order",
    "check_market_data",
    "check_market_data_batch",
    "check_open_orders",
    "check_order_book",
    "check_order_refused",
    "check_order_result",
    "check_server_error",
    "check_symbol_round_trip",
    "check_trading_fees",
    "check_unknown_symbol_quote",
    "check_watch_declared",
    "order_of_type",
]

#: The order id the lookups use: no exchange has an order by that id.
MISSING_ORDER_ID = "pt-conformance-no-such-order"

RequestCounter = Callable[[], int]


def _fail(exchange: AbstractExchange, problems: list[str]) -> None:
    if problems:
        raise ConformanceError(f"{type(exchange).__name__} ({exchange.name!r})", problems)


def _money_problems(
    where: str, model: object, fields: Sequence[str], *, positive: bool
) -> list[str]:
    problems = []
    for field in fields:
        value = getattr(model, field, None)
        if not isinstance(value, Decimal):
            problems.append(f"{where}.{field} is {type(value).__name__}, not Decimal")
        elif not value.is_finite():
            problems.append(f"{where}.{field} is {value}, not a finite number")
        elif positive and value <= 0:
            problems.append(f"{where}.{field} is {value}; a live market's price is positive")
        elif value < 0:
            problems.append(f"{where}.{field} is negative ({value})")
    return problems


def _utc_problems(where: str, value: object) -> list[str]:
    if not isinstance(value, datetime):
        return [f"{where} is {type(value).__name__}, not a datetime"]
    if value.tzinfo is None or value.utcoffset() != timedelta(0):
        return [f"{where} is {value.isoformat()}, not timezone-aware UTC"]
    return []


def _is_our_error(exchange: AbstractExchange, exc: BaseException, what: str) -> list[str]:
    """An error from a plugin must be one of ours and say which exchange raised it."""
    if not isinstance(exc, ExchangeError):
        return [
            f"{what} raised {type(exc).__module__}.{type(exc).__name__}: {exc} - map it to a "
            "powertrader_core exception (ExchangeError and its subclasses)"
        ]
    if exchange.name not in str(exc):
        return [f"{what} raised {type(exc).__name__}({exc!s}) whose message does not name "
                f"the exchange {exchange.name!r} (pass exchange=self.name)"]
    return []


_FAILED = object()


async def _attempt(
    exchange: AbstractExchange, what: str, call: Callable[[], Awaitable[object]]
) -> tuple[object, list[str]]:
    """Run a call the check needs to succeed; a failure becomes a problem naming the call."""
    try:
        return await call(), []
    except Exception as exc:  # noqa: BLE001 - reported, with its type, as a problem
        kind = "" if isinstance(exc, ExchangeError) else f"{type(exc).__module__}."
        return _FAILED, [f"{what} raised {kind}{type(exc).__name__}: {exc}"]


# ---- symbols and quotes ----------------------------------------------------------------


def check_symbol_round_trip(exchange: AbstractExchange, symbols: Sequence[str]) -> None:
    """``denormalize_symbol(normalize_symbol(s)) == s`` for each canonical symbol listed."""
    problems = []
    for symbol in symbols:
        try:
            native = exchange.normalize_symbol(symbol)
            back = exchange.denormalize_symbol(native)
        except Exception as exc:  # noqa: BLE001 - reported as a problem
            problems.append(f"normalize/denormalize {symbol!r} raised {type(exc).__name__}: {exc}")
            continue
        if not isinstance(native, str) or not native:
            problems.append(f"normalize_symbol({symbol!r}) returned {native!r}, not a string")
        elif back != symbol:
            problems.append(
                f"denormalize_symbol(normalize_symbol({symbol!r})) is {back!r} "
                f"(via {native!r}), not {symbol!r}"
            )
    _fail(exchange, problems)


def market_data_problems(exchange: AbstractExchange, symbol: str, quote: object) -> list[str]:
    """What is wrong with one quote (empty when nothing is)."""
    where = f"get_market_data({symbol!r})"
    if not isinstance(quote, MarketData):
        return [f"{where} returned {type(quote).__name__}, not MarketData"]
    problems = _money_problems(where, quote, ("price", "bid", "ask"), positive=True)
    problems += _money_problems(where, quote, ("volume",), positive=False)
    if not problems and quote.bid > quote.ask:
        problems.append(f"{where}: bid {quote.bid} is above ask {quote.ask}")
    problems += _utc_problems(f"{where}.timestamp", quote.timestamp)
    if quote.symbol != symbol:
        problems.append(f"{where}.symbol is {quote.symbol!r}; report the canonical symbol asked")
    if quote.exchange != exchange.name:
        problems.append(f"{where}.exchange is {quote.exchange!r}, not {exchange.name!r}")
    return problems


async def check_market_data(exchange: AbstractExchange, symbols: Sequence[str]) -> None:
    """Quotes: Decimal, positive, bid at most ask, UTC timestamp, symbol and exchange set."""
    problems = []
    for symbol in symbols:
        quote, failed = await _attempt(
            exchange, f"get_market_data({symbol!r})", partial(exchange.get_market_data, symbol)
        )
        problems += failed or market_data_problems(exchange, symbol, quote)
    _fail(exchange, problems)


async def check_market_data_batch(exchange: AbstractExchange, symbols: Sequence[str]) -> None:
    """The batch gives one good quote per symbol asked, keyed by that symbol."""
    what = f"get_market_data_batch({list(symbols)})"
    batch, problems = await _attempt(
        exchange, what, lambda: exchange.get_market_data_batch(list(symbols))
    )
    if not problems and (not isinstance(batch, dict) or set(batch) != set(symbols)):
        keys = sorted(batch) if isinstance(batch, dict) else batch
        problems.append(f"{what} returned keys {keys!r}")
    elif isinstance(batch, dict):
        for symbol, quote in batch.items():
            problems += market_data_problems(exchange, symbol, quote)
    _fail(exchange, problems)


async def check_unknown_symbol_quote(exchange: AbstractExchange, unknown_symbol: str) -> None:
    """A market the exchange does not list is refused with one of our (non-retryable) errors."""
    what = f"get_market_data({unknown_symbol!r})"
    try:
        result = await exchange.get_market_data(unknown_symbol)
    except Exception as exc:  # noqa: BLE001
        problems = _is_our_error(exchange, exc, what)
        if not problems and getattr(exc, "retryable", False):
            problems.append(
                f"{what} raised {type(exc).__name__}, which callers retry; an unlisted market "
                "is SymbolNotSupportedError"
            )
        _fail(exchange, problems)
        return
    _fail(exchange, [f"{what} returned {result!r} instead of raising SymbolNotSupportedError"])


async def check_server_error(exchange: AbstractExchange, symbol: str) -> None:
    """A server that fails (5xx, maintenance) is ExchangeConnectionError, never a raw error."""
    what = f"get_market_data({symbol!r}) while the server fails"
    try:
        result = await exchange.get_market_data(symbol)
    except Exception as exc:  # noqa: BLE001
        problems = _is_our_error(exchange, exc, what)
        if not problems and not isinstance(exc, ExchangeConnectionError):
            problems.append(
                f"{what} raised {type(exc).__name__}: {exc}; a server failure is "
                "ExchangeConnectionError (callers retry reads on it)"
            )
        _fail(exchange, problems)
        return
    _fail(exchange, [f"{what} returned {result!r}; the server was failing"])


# ---- orders ------------------------------------------------------------------------------


def order_of_type(
    symbol: str, order_type: OrderType | str, amount: Decimal | str, price: Decimal | str
) -> OrderRequest:
    """A valid request of any type: the price is used as limit and trigger where needed."""
    kind = OrderType(order_type)
    fields: dict[str, Any] = {"symbol": symbol, "side": "buy", "amount": amount, "order_type": kind}
    if kind in (OrderType.LIMIT, OrderType.STOP_LIMIT):
        fields["price"] = price
    if kind in (OrderType.STOP, OrderType.STOP_LIMIT):
        fields["stop_price"] = price
    return OrderRequest(**fields)


async def check_order_refused(
    exchange: AbstractExchange,
    order: OrderRequest,
    expected: tuple[type[ExchangeError], ...],
    requests_sent: RequestCounter,
    reason: str,
) -> None:
    """The order is refused with one of ``expected`` and no request leaves the machine."""
    what = f"place_order({reason})"
    before = requests_sent()
    try:
        result = await exchange.place_order(order)
    except Exception as exc:  # noqa: BLE001
        problems = _is_our_error(exchange, exc, what)
        if not problems and not isinstance(exc, expected):
            names = " or ".join(cls.__name__ for cls in expected)
            problems.append(f"{what} raised {type(exc).__name__}: {exc}; expected {names}")
    else:
        problems = [f"{what} was accepted ({result!r}); it must be refused"]
    sent = requests_sent() - before
    if sent:
        problems.append(f"{what} sent {sent} request(s); refuse it before sending anything")
    _fail(exchange, problems)


#: What each kind of invalid order must raise.
REFUSALS: dict[str, tuple[type[ExchangeError], ...]] = {
    "below_minimum": (InvalidOrderError,),
    "unsupported_type": (NotSupportedError, InvalidOrderError),
    "unknown_symbol": (SymbolNotSupportedError, InvalidOrderError),
}


def order_result_problems(exchange: AbstractExchange, where: str, result: object) -> list[str]:
    """What is wrong with an order result (empty when nothing is)."""
    if result is None:
        return [f"{where} returned None"]
    if not isinstance(result, OrderResult):
        return [f"{where} returned {type(result).__name__}, not OrderResult"]
    problems = []
    if not isinstance(result.order_id, str) or not result.order_id:
        problems.append(f"{where}.order_id is {result.order_id!r}")
    if not isinstance(result.status, OrderStatus):
        problems.append(f"{where}.status is {result.status!r}, not an OrderStatus")
    amounts = ("filled_amount", "remaining_amount")
    problems += _money_problems(where, result, amounts, positive=False)
    if result.average_price is not None:
        problems += _money_problems(where, result, ("average_price",), positive=True)
    for currency, fee in result.fees.items():
        if not isinstance(fee, Decimal):
            problems.append(f"{where}.fees[{currency!r}] is {type(fee).__name__}, not Decimal")
    problems += _utc_problems(f"{where}.timestamp", result.timestamp)
    if result.exchange != exchange.name:
        problems.append(f"{where}.exchange is {result.exchange!r}, not {exchange.name!r}")
    return problems


async def check_order_result(exchange: AbstractExchange, order: OrderRequest) -> None:
    """A valid order comes back as a well-formed result carrying our client order id."""
    kind, side = order.order_type.value, order.side.value
    where = f"place_order({kind} {side} {order.amount} {order.symbol})"
    result, problems = await _attempt(exchange, where, lambda: exchange.place_order(order))
    problems = problems or order_result_problems(exchange, where, result)
    if isinstance(result, OrderResult):
        if result.client_order_id not in (None, order.client_order_id):
            problems.append(
                f"{where}.client_order_id is {result.client_order_id!r}, not the request's "
                f"{order.client_order_id!r}"
            )
        if result.symbol not in (None, order.symbol):
            problems.append(f"{where}.symbol is {result.symbol!r}, not {order.symbol!r}")
    _fail(exchange, problems)


# ---- optional capabilities -----------------------------------------------------------------


async def _capability(
    exchange: AbstractExchange,
    operation: str,
    what: str,
    call: Callable[[], Awaitable[object]],
    allowed_errors: tuple[type[ExchangeError], ...] = (),
) -> tuple[object, list[str]]:
    """Run an optional operation: it works, or raises NotSupportedError, as ``supports`` says.

    Returns what it returned (``None`` when it raised as allowed) and the problems found.
    """
    advertised = exchange.supports(operation)
    try:
        result = await call()
    except NotSupportedError as exc:
        if advertised:
            return None, [f"supports({operation!r}) is True but {what} raised {exc}"]
        return None, _is_our_error(exchange, exc, what)
    except Exception as exc:  # noqa: BLE001
        problems = _is_our_error(exchange, exc, what)
        if not problems and not isinstance(exc, allowed_errors):
            problems.append(
                f"{what} raised {type(exc).__name__}: {exc}; an optional capability works or "
                "raises NotSupportedError (point the test at a cassette or simulator that "
                "answers it)"
            )
        return None, problems
    if result is None:
        return None, [f"{what} returned None; a missing capability raises NotSupportedError"]
    if not advertised:
        return result, [f"{what} works but supports({operation!r}) is False"]
    return result, []


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


async def check_lookup_unknown_order(exchange: AbstractExchange, symbol: str) -> None:
    """Looking up an order that does not exist is OrderNotFoundError, not None or a crash."""
    what = f"get_order({MISSING_ORDER_ID!r}, {symbol!r})"
    result, problems = await _capability(
        exchange,
        "get_order",
        what,
        lambda: exchange.get_order(MISSING_ORDER_ID, symbol),
        allowed_errors=(OrderNotFoundError,),
    )
    if result is not None:
        problems.append(f"{what} returned {result!r}; a missing order is OrderNotFoundError")
    _fail(exchange, problems)


async def check_cancel_unknown_order(exchange: AbstractExchange, symbol: str) -> None:
    """Cancelling an order that does not exist is OrderNotFoundError, not a silent success."""
    what = f"cancel_order({MISSING_ORDER_ID!r}, {symbol!r})"
    result, problems = await _capability(
        exchange,
        "cancel_order",
        what,
        lambda: exchange.cancel_order(MISSING_ORDER_ID, symbol),
        allowed_errors=(OrderNotFoundError,),
    )
    if result is not None:
        problems.append(f"{what} returned {result!r}; a missing order is OrderNotFoundError")
    _fail(exchange, problems)


async def check_balance(exchange: AbstractExchange) -> None:
    """Balances are Decimal per asset, never negative; details add up."""
    totals, problems = await _attempt(exchange, "get_balance()", exchange.get_balance)
    if not problems and not isinstance(totals, dict):
        problems.append(f"get_balance() returned {type(totals).__name__}, not a dict")
    elif isinstance(totals, dict):
        for asset, amount in totals.items():
            if not isinstance(asset, str) or not isinstance(amount, Decimal):
                problems.append(f"get_balance() has {asset!r}: {amount!r}; want str: Decimal")
            elif amount < 0:
                problems.append(f"get_balance() has a negative {asset} balance ({amount})")
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
