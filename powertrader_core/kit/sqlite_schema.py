"""The schema stamp of PowerTrader's SQLite files (the order journal, paper accounts).

Each file keeps its schema version in a ``meta`` table (``key = 'schema'``). A new file is
stamped with the version this code writes; a file stamped with another is refused, never
guessed at. The check runs under ``BEGIN IMMEDIATE`` so that two processes creating the same
file at once agree on one stamp. The connection must be in autocommit mode
(``isolation_level=None``): the transaction here is explicit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

__all__ = ["check_schema_version"]


def check_schema_version(
    connection: sqlite3.Connection, version: str, mismatch: Callable[[str], Exception]
) -> None:
    """Stamp a new file with ``version``, or raise ``mismatch(found)`` when it holds another."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None:
            connection.execute("INSERT INTO meta (key, value) VALUES ('schema', ?)", (version,))
        elif row[0] != version:
            raise mismatch(row[0])
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
