"""The behavioural checks of the conformance suite, as plain async functions.

Each takes a configured exchange (pointed at cassettes or a simulator by the plugin's tests)
and raises :class:`ConformanceError` with every problem it found. They do not import pytest:
the pytest base class in :mod:`powertrader_core.testing.conformance` only wires fixtures to
them, and anyone can run them from a script.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import partial
from typing import Any

from powertrader_core.errors import (
    ExchangeConnectionError,
    ExchangeError,
    InvalidOrderError,
    NotSupportedError,
    SymbolNotSupportedError,
)
from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import (
    MarketData,
    OrderRequest,
    OrderResult,
    OrderType,
)
from powertrader_core.testing._capability_checks import (
    check_balance,
    check_cancel_unknown_order,
    check_close,
    check_estimate_fill,
    check_lookup_unknown_order,
    check_open_orders,
    check_order_book,
    check_trading_fees,
    check_watch_declared,
)
from powertrader_core.testing._problems import (
    MISSING_ORDER_ID,
    RequestCounter,
    _attempt,
    _capability,
    _fail,
    _is_our_error,
    _money_problems,
    _utc_problems,
    order_result_problems,
)

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
    """The order is refused with one of ``expected`` and no request leaves the machine.

    An exchange without ``place_order`` refuses every order with NotSupportedError.
    """
    what = f"place_order({reason})"
    if not exchange.supports("place_order"):
        expected = (NotSupportedError,)
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


async def check_order_result(exchange: AbstractExchange, order: OrderRequest) -> None:
    """A valid order comes back as a well-formed result carrying our client order id."""
    kind, side = order.order_type.value, order.side.value
    where = f"place_order({kind} {side} {order.amount} {order.symbol})"
    if not exchange.supports("place_order"):
        _result, problems = await _capability(
            exchange, "place_order", where, lambda: exchange.place_order(order)
        )
        _fail(exchange, problems)
        return
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
