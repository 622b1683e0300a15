"""Reading one journal row, and what a damaged one is.

A row can be damaged (a disk error, a hand edit, a tool writing the file): its request is no
longer JSON, a date no longer a date. Such a row must not stop all trading: it is reported
with the journal's path and the row's client order id, orders that do not touch it go on,
and an operation on that very order fails with :class:`DamagedJournalRow` (exit 1 on the
command line, as any journal error), never a validation error mistaken for bad input.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from powertrader_core.errors import JournalError
from powertrader_core.orders.journal_model import JournalEntry

__all__ = ["DamagedJournalRow", "read_row"]


class DamagedJournalRow(JournalError):
    """Journal rows that cannot be read: ``rows`` maps ``client_order_id@exchange`` to why."""

    def __init__(self, path: Path | str, rows: Mapping[str, str]) -> None:
        self.path = str(path)
        self.rows = dict(rows)
        listed = "; ".join(f"client order id {label}: {why}" for label, why in self.rows.items())
        plural = "rows are" if len(self.rows) > 1 else "row is"
        super().__init__(
            f"order journal {self.path}: damaged {plural} not read ({listed}); orders that do "
            "not touch it go on. Check that order at its exchange, then delete the row "
            f"(sqlite3 {self.path} \"DELETE FROM orders WHERE client_order_id = '...'\")",
            operation="order journal",
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.rows))


def _label(row: sqlite3.Row) -> str:
    try:
        return f"{row['client_order_id']}@{row['exchange']}"
    except (IndexError, KeyError):
        return "?"


def _why(exc: Exception) -> str:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        errors = exc.errors()
        if not errors:
            return "invalid"
        where = ".".join(str(part) for part in errors[0]["loc"]) or exc.title
        return f"{where}: {errors[0]['msg']}"
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:120]}"


def read_row(row: sqlite3.Row, path: Path | str) -> JournalEntry:
    """The entry a row holds, or :class:`DamagedJournalRow` naming the row and the file."""
    try:
        return JournalEntry.from_row(row)
    except (ValueError, TypeError, KeyError, IndexError, json.JSONDecodeError) as exc:
        raise DamagedJournalRow(path, {_label(row): _why(exc)}) from None
