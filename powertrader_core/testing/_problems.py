"""What the conformance checks share: collecting problems, attempting calls, capabilities.

Split from the checks themselves so each module keeps one job; nothing here imports pytest.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from powertrader_core.errors import (
    ExchangeError,
    NotSupportedError,
)
from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import OrderResult, OrderStatus
from powertrader_core.testing._static import ConformanceError

__all__ = ["MISSING_ORDER_ID", "RequestCounter", "order_result_problems"]

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
