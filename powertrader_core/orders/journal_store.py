"""The order journal's SQLite file: schema, connection and transactions (blocking code).

:class:`~powertrader_core.orders.journal.OrderJournal` runs everything here through
``asyncio.to_thread``, so the event loop never waits on the disk. Why it is built this way:

- **Committed before it matters.** Every write is one ``BEGIN IMMEDIATE ... COMMIT`` that has
  returned before the caller goes on: an order's intent is on disk before its request leaves.
  Intents are committed ``synchronous = FULL`` (they survive a power cut, not only a killed
  process); other writes ``NORMAL`` (they survive a killed process): a later transition lost
  to a power cut leaves the entry in an earlier, unsettled state that ``reconcile()`` settles,
  so only the intent needs the fsync (about 4 ms here, measured in bench_order_safety).
- **WAL mode and a busy timeout**, so two processes share one journal: readers never block the
  writer, and a writer waits (up to ``busy_timeout``) for the other's short transaction
  instead of failing. ``BEGIN IMMEDIATE`` takes the write lock up front, so a read-then-write
  never deadlocks against another process doing the same.
- **One connection, one lock, group commit.** A ``threading.Lock`` keeps the connection to one
  thread at a time. Writes that arrive while another commits are committed together (each in
  its own savepoint), so concurrent orders share fsyncs: fifty orders at once cost a few
  commits, not fifty in a row.
- **Exact values.** Decimals are stored as text, timestamps as ISO-8601 text with their offset.
- **Private file.** Created 0600: it lists the user's orders (never a secret, but private).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

from powertrader_core.errors import JournalError
from powertrader_core.kit.files import private_file
from powertrader_core.kit.sqlite_schema import check_schema_version

__all__ = ["SCHEMA_VERSION", "JournalError", "JournalStore"]

T = TypeVar("T")

#: Bumped when the tables change; a file of another version is refused, never guessed at.
SCHEMA_VERSION = "1"

#: Milliseconds a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
    client_order_id   TEXT NOT NULL,
    exchange          TEXT NOT NULL,
    symbol            TEXT NOT NULL,
    side              TEXT NOT NULL,
    amount            TEXT NOT NULL,
    request           TEXT NOT NULL,
    state             TEXT NOT NULL,
    attempts          INTEGER NOT NULL,
    exchange_order_id TEXT,
    status            TEXT,
    filled_amount     TEXT,
    average_price     TEXT,
    fees              TEXT,
    result            TEXT,
    error             TEXT,
    owner             TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    intent_at         TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    deadline          TEXT,
    PRIMARY KEY (client_order_id, exchange)
);
CREATE INDEX IF NOT EXISTS orders_by_state ON orders (state);
CREATE INDEX IF NOT EXISTS orders_by_exchange_id ON orders (exchange_order_id);
CREATE TABLE IF NOT EXISTS events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    client_order_id TEXT NOT NULL,
    exchange        TEXT NOT NULL,
    at              TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempt         INTEGER NOT NULL,
    detail          TEXT
);
CREATE INDEX IF NOT EXISTS events_by_order ON events (client_order_id, exchange, id);
"""


#: Columns added since schema 1 was stamped: (name, type). A file written before them gains
#: them (NULL in old rows, which every reader takes as "not recorded"); old code reading a
#: newer file ignores them, so the stamp stays "1".
_ADDED_COLUMNS = (
    # The intent's order deadline (ISO-8601): absence is provable only after it.
    ("deadline", "TEXT"),
)


def _add_missing_columns(connection: sqlite3.Connection) -> None:
    """Bring a file written by an earlier version up to the columns this one reads."""
    present = {row[1] for row in connection.execute("PRAGMA table_info(orders)")}
    for name, kind in _ADDED_COLUMNS:
        if name in present:
            continue
        try:
            connection.execute(f"ALTER TABLE orders ADD COLUMN {name} {kind}")
        except sqlite3.OperationalError as exc:
            if "duplicate column" not in str(exc):  # another process added it first
                raise


class _Job(Generic[T]):
    """One caller's write, waiting for the committer (group commit)."""

    def __init__(self, work: Callable[[sqlite3.Connection], T], durable: bool) -> None:
        self.work = work
        self.durable = durable
        self.result: T | None = None
        self.error: BaseException | None = None
        self.finished = False

    def fail(self, error: BaseException) -> None:
        self.result, self.error, self.finished = None, error, True


class JournalStore:
    """The journal's file and its one connection (blocking; see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()  # the connection, and the one committer
        self._queue_lock = threading.Lock()
        self._queue: list[_Job[Any]] = []
        self._connection: sqlite3.Connection | None = None
        self._durable = True  # the connection's synchronous setting is FULL

    def _error(self, action: str, exc: BaseException) -> JournalError:
        return JournalError(f"{action} {self.path}: {exc}", operation="order journal")

    def _connect(self) -> sqlite3.Connection:
        """The open connection (opened, and the file created, on first use). Holds the lock."""
        if self._connection is not None:
            return self._connection
        try:
            private_file(self.path)  # orders: 0600 in a 0700 folder
            # Autocommit mode (isolation_level=None): transactions are explicit, below.
            connection = sqlite3.connect(
                self.path,
                isolation_level=None,
                check_same_thread=False,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
        except (OSError, sqlite3.Error) as exc:
            raise self._error("cannot open the order journal at", exc) from exc
        try:
            connection.row_factory = sqlite3.Row
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            self._durable = True
            connection.executescript(_SCHEMA)
            self._check_schema(connection)
            _add_missing_columns(connection)
        except (sqlite3.Error, JournalError) as exc:
            connection.close()
            if isinstance(exc, JournalError):
                raise
            raise self._error("not a usable order journal:", exc) from exc
        self._connection = connection
        return connection

    def _check_schema(self, connection: sqlite3.Connection) -> None:
        def mismatch(found: str) -> JournalError:
            return JournalError(
                f"{self.path} has journal schema version {found}; this version reads "
                f"{SCHEMA_VERSION}",
                operation="order journal",
            )

        check_schema_version(connection, SCHEMA_VERSION, mismatch)

    def open(self) -> None:
        with self._lock:
            self._connect()

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Rows of one read (no transaction needed: WAL readers see the last commit)."""
        with self._lock:
            connection = self._connect()
            try:
                return connection.execute(sql, tuple(params)).fetchall()
            except sqlite3.Error as exc:
                raise self._error("cannot read the order journal at", exc) from exc

    def transact(self, work: Callable[[sqlite3.Connection], T], *, durable: bool = False) -> T:
        """``work(connection)`` inside a write transaction, committed before returning;
        ``durable``: with an fsync (``synchronous = FULL``), so it survives a power cut.

        Group commit: works queued by other threads meanwhile are committed together, each in
        its own savepoint, so fifty concurrent orders share a few fsyncs instead of queueing
        for fifty. A work that raises is rolled back alone (its savepoint), and its exception
        re-raised to its caller: a transition happens completely or not at all.
        """
        job = _Job(work, durable)
        with self._queue_lock:
            self._queue.append(job)
        with self._lock:
            if not job.finished:  # nobody committed it yet: commit everything queued
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._commit(batch)
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]

    def _commit(self, batch: list[_Job[Any]]) -> None:
        """Run ``batch`` in one transaction (lock held); every job ends finished."""
        try:
            connection = self._connect()
            durable = any(job.durable for job in batch)
            if durable != self._durable:  # set outside a transaction; applies to its commit
                connection.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
                self._durable = durable
            connection.execute("BEGIN IMMEDIATE")
        except (sqlite3.Error, JournalError) as exc:
            error = exc if isinstance(exc, JournalError) else self._error(
                "cannot write the order journal at", exc
            )
            for job in batch:
                job.fail(error)
            return
        for job in batch:
            connection.execute("SAVEPOINT job")
            try:
                job.result = job.work(connection)
            except BaseException as exc:  # noqa: BLE001 - handed to the job's own caller
                connection.execute("ROLLBACK TO job")
                job.error = (
                    self._error("cannot write the order journal at", exc)
                    if isinstance(exc, sqlite3.Error) else exc
                )
            connection.execute("RELEASE job")
        try:
            connection.execute("COMMIT")
        except sqlite3.Error as exc:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            error = self._error("cannot write the order journal at", exc)
            for job in batch:
                job.fail(error)
            return
        for job in batch:
            job.finished = True

    def close(self) -> None:
        """Close the connection; safe to call more than once (it reopens on next use)."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
