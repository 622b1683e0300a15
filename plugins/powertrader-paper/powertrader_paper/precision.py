"""What the paper account can keep exactly, and the orders it refuses for it.

Amounts and prices are Decimals computed in a 28-digit context and stored as exact text. A
40-digit amount used to be rounded to 28 digits silently (the order then ended ``expired``
with a 1e-29 remainder), and a 1e-400 BTC order was taken. A real exchange refuses both: a
step for amounts (Kraken's ``lot_decimals``, Binance's ``LOT_SIZE``), a minimum order, and
prices within a tick. The paper exchange does the same, with its own rules:

- amounts in steps of :data:`AMOUNT_STEP` (1e-8: a satoshi for BTC, the simulated book's unit),
  at least :data:`MIN_AMOUNT`;
- prices (limit and trigger) with at most :data:`PRICE_DECIMALS` decimals;
- any value within :data:`SIGNIFICANT_DIGITS` digits, so that every sum and product the
  account makes of it stays exact.

:func:`check_request` is pure: the engine calls it before it writes anything.
"""

from __future__ import annotations

from decimal import Decimal

from powertrader_core.errors import InvalidOrderError
from powertrader_core.models import OrderRequest

__all__ = [
    "AMOUNT_STEP",
    "MIN_AMOUNT",
    "PRICE_DECIMALS",
    "SIGNIFICANT_DIGITS",
    "check_request",
]

AMOUNT_STEP = Decimal("0.00000001")
MIN_AMOUNT = AMOUNT_STEP
PRICE_DECIMALS = 12
#: Digits the account's arithmetic keeps (Python's default decimal context).
SIGNIFICANT_DIGITS = 28


def _digits(value: Decimal) -> tuple[int, int]:
    """(digits before the point, digits after it) of ``value``, trailing zeros ignored.

    Read from the value's own digits: ``normalize()`` would round to the context's 28 digits
    first, hiding exactly what is checked here."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite: OrderRequest refuses NaN and infinities
    kept = list(digits)
    while len(kept) > 1 and kept[-1] == 0 and exponent < 0:
        kept.pop()
        exponent += 1
    decimals = max(0, -exponent)
    whole = max(0, len(kept) + exponent) if any(kept) else 0
    return whole, decimals


def _problem(what: str, value: Decimal, max_decimals: int) -> str | None:
    whole, decimals = _digits(value)
    if whole + decimals > SIGNIFICANT_DIGITS:
        return (
            f"{what} {value} has {whole + decimals} digits; the paper exchange keeps "
            f"{SIGNIFICANT_DIGITS}"
        )
    if decimals > max_decimals:
        return (
            f"{what} {value} has {decimals} decimals; the paper exchange keeps "
            f"{max_decimals}"
        )
    return None


def check_request(request: OrderRequest, exchange: str) -> None:
    """``InvalidOrderError`` for an amount or price the account could not keep exactly."""
    problems: list[str] = []
    if request.amount < MIN_AMOUNT:
        problems.append(
            f"amount {request.amount} is below the paper exchange's minimum of {MIN_AMOUNT}"
        )
    else:
        amount_decimals = -AMOUNT_STEP.as_tuple().exponent  # type: ignore[operator]
        problem = _problem("amount", request.amount, amount_decimals)
        if problem:
            problems.append(problem)
    for what, value in (("price", request.price), ("stop price", request.stop_price)):
        if value is not None:
            problem = _problem(what, value, PRICE_DECIMALS)
            if problem:
                problems.append(problem)
    if problems:
        raise InvalidOrderError("; ".join(problems), exchange=exchange, operation="place_order")
