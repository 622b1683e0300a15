"""What people and scripts are shown, for every front end (the command line, the dashboard).

One place for the presentation rules both share, so the two never disagree:

- :func:`to_jsonable`: plain JSON data from models, ``Decimal``, datetimes, enums, dataclasses;
  money as exact strings (``"0.01"``), never a float;
- :func:`one_line`: an exception as one line (pydantic's field errors without their
  ``Value error,`` prefix; our errors already name the exchange and the operation);
- :func:`reason`: an error for a row that already names its exchange.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

__all__ = ["decimal_text", "one_line", "reason", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """Plain JSON data from models, Decimals, datetimes, enums, dataclasses and mappings.

    Decimals become strings (exact); datetimes ISO 8601 with their UTC offset; enums their
    value; pydantic models their fields (not their JSON mode, which may turn money into floats).
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "model_dump"):  # pydantic models, without importing pydantic here
        return to_jsonable(value.model_dump())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(item) for item in value]
    if isinstance(value, BaseException):
        return str(value)
    return str(value)


def decimal_text(value: Decimal) -> str:
    """``Decimal('60000.10')`` -> ``'60000.1'``, ``Decimal('6E+4')`` -> ``'60000'``: every
    digit that carries value, no trailing zeros (one amount reads the same whichever exchange
    or computation produced it), never exponent notation."""
    if not value.is_finite():
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def reason(exchange: str, error: str) -> str:
    """An error for a row that already names the exchange: ``kraken initialize: x`` reads
    ``initialize: x`` there (JSON keeps the whole message)."""
    return error.removeprefix(f"{exchange} ")


def one_line(exc: BaseException) -> str:
    """The error as one line: our errors' messages already name exchange and operation."""
    from powertrader_core.errors import ExchangeError

    errors = getattr(exc, "errors", None)
    if callable(errors) and type(exc).__name__ == "ValidationError":  # pydantic: field by field
        parts = []
        for item in errors(include_url=False, include_input=False):
            message = str(item.get("msg", "")).removeprefix("Value error, ")
            where = ".".join(str(part) for part in item.get("loc", ()))
            named = not where or message.startswith(where)
            parts.append(message if named else f"{where}: {message}")
        text = "invalid input: " + "; ".join(parts)
    elif isinstance(exc, ExchangeError):
        text = str(exc)
    elif isinstance(exc, ValueError):
        text = f"invalid input: {exc}"
    else:
        text = f"unexpected {type(exc).__name__}: {exc}"
    return " ".join(text.split())
