"""Annotated field types shared by the models: exact money and UTC timestamps.

Kept apart from ``models.py`` so that plugins and settings can reuse the same conversions
without pulling in every model.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainSerializer

__all__ = ["Money", "OptionalMoney", "UtcDatetime", "to_decimal", "to_utc", "utc_now"]


def to_decimal(value: Any) -> Decimal:
    """Convert a number or numeric string to ``Decimal`` exactly as written.

    Floats go through ``str`` so that ``0.1`` becomes ``Decimal("0.1")``, not the binary
    expansion. Booleans are refused: ``True`` is an int to Python but never an amount.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return Decimal(str(value))
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    raise ValueError(f"{type(value).__name__} is not a number")


def _finite(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("must be a finite number")
    return value


def to_utc(value: datetime) -> datetime:
    """Make a timestamp timezone-aware UTC.

    A naive timestamp is read as local time (what ``datetime.now()`` gives, as the seed's
    examples do) and converted; an aware one is converted to UTC.
    """
    return value.astimezone(UTC)


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def _serialize_decimal(value: Decimal) -> str:
    return str(value)


Money = Annotated[
    Decimal,
    BeforeValidator(to_decimal),
    AfterValidator(_finite),
    PlainSerializer(_serialize_decimal, return_type=str, when_used="json"),
]
"""A finite ``Decimal``; floats, ints and numeric strings are converted exactly."""

OptionalMoney = Annotated[
    Decimal | None,
    BeforeValidator(lambda v: None if v is None else to_decimal(v)),
    AfterValidator(lambda v: None if v is None else _finite(v)),
    PlainSerializer(lambda v: None if v is None else str(v), when_used="json"),
]
"""``Money`` or ``None``."""

UtcDatetime = Annotated[datetime, AfterValidator(to_utc)]
"""A timezone-aware UTC timestamp; naive input is read as local time."""
