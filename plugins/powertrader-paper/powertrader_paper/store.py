"""SQLite persistence of one paper account: balances, orders and fills.

One file per account (``<data dir>/paper/<account>.sqlite3``), so a paper portfolio outlives the
process: the command line places an order in one run and lists it in the next.

Why it is built this way:

- **Transactions that take the write lock first.** Every call runs inside ``BEGIN IMMEDIATE``:
  checking the funds and spending them happen under one lock, so two processes (or twenty
  coroutines) placing orders at once can never spend the same dollar twice. A failure rolls the
  whole call back: an order either happened completely or not at all.
- **WAL mode**, so that a second process reading balances is not blocked by a writer, and a
  crash mid-write leaves the file consistent.
- **One connection, one lock, no event loop.** This module is plain blocking code; the exchange
  calls :meth:`PaperStore.run` through ``asyncio.to_thread``, so the event loop never waits on
  the disk. The ``threading.Lock`` keeps the single connection to one thread at a time.
- **Exact money.** Decimals are stored as text (SQLite's REAL is a float); timestamps as
  ISO-8601 text with their UTC offset.

"Used" funds are not stored: they are the sum of what open orders hold (``reserved``), so they
can never drift from the orders that explain them. Balances store only totals.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from powertrader_core.errors import ConfigurationError, ExchangeConnectionError
from powertrader_core.kit import check_schema_version, private_file
from powertrader_core.models import OrderStatus, OrderType, Side, TimeInForce
from powertrader_paper.records import OPEN_STATUSES, FillRecord, PaperOrder

__all__ = ["SCHEMA_VERSION", "Ledger", "PaperStore"]

P = ParamSpec("P")
T = TypeVar("T")

#: Bumped when the tables change; a file of another version is refused, never guessed at.
SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS balances (
    asset TEXT PRIMARY KEY,
    total TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
    order_id        TEXT PRIMARY KEY,
    client_order_id TEXT NOT NULL UNIQUE,
    symbol          TEXT NOT NULL,
    side            TEXT NOT NULL,
    order_type      TEXT NOT NULL,
    time_in_force   TEXT NOT NULL,
    amount          TEXT NOT NULL,
    price           TEXT,
    stop_price      TEXT,
    status          TEXT NOT NULL,
    filled          TEXT NOT NULL,
    cost            TEXT NOT NULL,
    fee             TEXT NOT NULL,
    reserved        TEXT NOT NULL,
    reserved_asset  TEXT NOT NULL,
    triggered       INTEGER NOT NULL,
    reason          TEXT,
    source          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status, symbol);
CREATE TABLE IF NOT EXISTS fills (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id  TEXT NOT NULL REFERENCES orders (order_id),
    symbol    TEXT NOT NULL,
    side      TEXT NOT NULL,
    price     TEXT NOT NULL,
    amount    TEXT NOT NULL,
    fee       TEXT NOT NULL,
    fee_asset TEXT NOT NULL,
    liquidity TEXT NOT NULL,
    timestamp TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fills_by_order ON fills (order_id);
"""

_ORDER_COLUMNS = (
    "order_id, client_order_id, symbol, side, order_type, time_in_force, amount, price, "
    "stop_price, status, filled, cost, fee, reserved, reserved_asset, triggered, reason, "
    "source, created_at, updated_at"
)
_OPEN = tuple(status.value for status in OPEN_STATUSES)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


class Ledger:
    """The account's rows, read and written inside one transaction (see :meth:`PaperStore.run`).

    The engine only ever sees this class: it never opens a transaction or a connection itself.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    # ---- meta ----------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # ---- balances ------------------------------------------------------------------------

    def totals(self) -> dict[str, Decimal]:
        """Every asset the account has held, with its total (free plus used)."""
        rows = self._db.execute("SELECT asset, total FROM balances ORDER BY asset").fetchall()
        return {asset: Decimal(total) for asset, total in rows}

    def total(self, asset: str) -> Decimal:
        row = self._db.execute("SELECT total FROM balances WHERE asset = ?", (asset,)).fetchone()
        return Decimal(0) if row is None else Decimal(row[0])

    def add(self, asset: str, delta: Decimal) -> None:
        """Change ``asset``'s total by ``delta`` (negative to spend)."""
        self.set_total(asset, self.total(asset) + delta)

    def set_total(self, asset: str, total: Decimal) -> None:
        self._db.execute(
            "INSERT INTO balances (asset, total) VALUES (?, ?) "
            "ON CONFLICT (asset) DO UPDATE SET total = excluded.total",
            (asset, str(total)),
        )

    def used(self) -> dict[str, Decimal]:
        """What open orders hold, per asset."""
        rows = self._db.execute(
            "SELECT reserved_asset, reserved FROM orders WHERE status IN (?, ?)", _OPEN
        ).fetchall()
        result: dict[str, Decimal] = {}
        for asset, reserved in rows:
            result[asset] = result.get(asset, Decimal(0)) + Decimal(reserved)
        return result

    def free(self, asset: str) -> Decimal:
        """What can still be spent: the total less what open orders hold."""
        return self.total(asset) - self.used().get(asset, Decimal(0))

    # ---- orders --------------------------------------------------------------------------

    def insert_order(self, order: PaperOrder) -> None:
        self._db.execute(
            f"INSERT INTO orders ({_ORDER_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self._order_row(order),
        )

    def save_order(self, order: PaperOrder) -> None:
        """Write back an order that is already stored (its id never changes)."""
        row = self._order_row(order)
        columns = [name.strip() for name in _ORDER_COLUMNS.split(",")]
        assignments = ", ".join(f"{name} = ?" for name in columns[1:])
        self._db.execute(
            f"UPDATE orders SET {assignments} WHERE order_id = ?", (*row[1:], row[0])
        )

    def order(self, order_id: str) -> PaperOrder | None:
        return self._one("order_id = ?", order_id)

    def order_by_client_id(self, client_order_id: str) -> PaperOrder | None:
        return self._one("client_order_id = ?", client_order_id)

    def orders(self, symbol: str | None = None, *, open_only: bool = False) -> list[PaperOrder]:
        """Orders in the order they were placed; optionally one symbol's, or only open ones."""
        clauses: list[str] = []
        params: list[str] = []
        if open_only:
            clauses.append("status IN (?, ?)")
            params.extend(_OPEN)
        if symbol is not None:
            clauses.append("symbol = ?")
            params.append(symbol)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._db.execute(
            f"SELECT {_ORDER_COLUMNS} FROM orders {where} ORDER BY rowid", params
        ).fetchall()
        return [self._order_from_row(row) for row in rows]

    # ---- fills ---------------------------------------------------------------------------

    def add_fill(self, fill: FillRecord) -> None:
        self._db.execute(
            "INSERT INTO fills (order_id, symbol, side, price, amount, fee, fee_asset, "
            "liquidity, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                fill.order_id,
                fill.symbol,
                fill.side.value,
                str(fill.price),
                str(fill.amount),
                str(fill.fee),
                fill.fee_asset,
                fill.liquidity,
                fill.timestamp.isoformat(),
            ),
        )

    def fills(self, order_id: str | None = None) -> list[FillRecord]:
        """Fills in the order they happened; optionally one order's."""
        sql = (
            "SELECT order_id, symbol, side, price, amount, fee, fee_asset, liquidity, timestamp "
            "FROM fills"
        )
        params: tuple[str, ...] = ()
        if order_id is not None:
            sql += " WHERE order_id = ?"
            params = (order_id,)
        rows = self._db.execute(sql + " ORDER BY id", params).fetchall()
        return [
            FillRecord(
                order_id=row["order_id"],
                symbol=row["symbol"],
                side=Side(row["side"]),
                price=Decimal(row["price"]),
                amount=Decimal(row["amount"]),
                fee=Decimal(row["fee"]),
                fee_asset=row["fee_asset"],
                liquidity=row["liquidity"],
                timestamp=datetime.fromisoformat(row["timestamp"]),
            )
            for row in rows
        ]

    def wipe(self) -> None:
        """Delete every balance, order and fill (the account's metadata stays)."""
        self._db.execute("DELETE FROM fills")
        self._db.execute("DELETE FROM orders")
        self._db.execute("DELETE FROM balances")

    # ---- rows <-> records ----------------------------------------------------------------

    def _one(self, where: str, value: str) -> PaperOrder | None:
        row = self._db.execute(
            f"SELECT {_ORDER_COLUMNS} FROM orders WHERE {where}", (value,)
        ).fetchone()
        return None if row is None else self._order_from_row(row)

    @staticmethod
    def _order_row(order: PaperOrder) -> tuple[str | int | None, ...]:
        return (
            order.order_id,
            order.client_order_id,
            order.symbol,
            order.side.value,
            order.order_type.value,
            order.time_in_force.value,
            str(order.amount),
            _text(order.price),
            _text(order.stop_price),
            order.status.value,
            str(order.filled),
            str(order.cost),
            str(order.fee),
            str(order.reserved),
            order.reserved_asset,
            int(order.triggered),
            order.reason,
            order.source,
            order.created_at.isoformat(),
            order.updated_at.isoformat(),
        )

    @staticmethod
    def _order_from_row(row: sqlite3.Row) -> PaperOrder:
        return PaperOrder(
            order_id=row["order_id"],
            client_order_id=row["client_order_id"],
            symbol=row["symbol"],
            side=Side(row["side"]),
            order_type=OrderType(row["order_type"]),
            time_in_force=TimeInForce(row["time_in_force"]),
            amount=Decimal(row["amount"]),
            price=_decimal(row["price"]),
            stop_price=_decimal(row["stop_price"]),
            status=OrderStatus(row["status"]),
            filled=Decimal(row["filled"]),
            cost=Decimal(row["cost"]),
            fee=Decimal(row["fee"]),
            reserved=Decimal(row["reserved"]),
            triggered=bool(row["triggered"]),
            reason=row["reason"],
            source=row["source"],
            created_at=datetime.fromisoformat(row["created_at"]),
            updated_at=datetime.fromisoformat(row["updated_at"]),
        )


class PaperStore:
    """The SQLite file of one account: open it, run transactions on it, close it."""

    def __init__(self, path: Path, exchange: str = "paper") -> None:
        self.path = path
        self._exchange = exchange
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    @property
    def is_open(self) -> bool:
        return self._connection is not None

    def open(self) -> None:
        """Create the folder, the file and the tables if needed; refuse another schema."""
        with self._lock:
            if self._connection is not None:
                return
            try:
                private_file(self.path)  # balances and orders: 0600 in a 0700 folder
                # Autocommit mode (isolation_level=None): transactions are explicit, below.
                connection = sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=False, timeout=10
                )
                connection.row_factory = sqlite3.Row
            except (OSError, sqlite3.Error) as exc:
                raise ConfigurationError(
                    f"cannot open the paper account at {self.path}: {exc}",
                    exchange=self._exchange,
                    operation="initialize",
                ) from exc
            try:
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("PRAGMA synchronous = NORMAL")  # safe with WAL
                connection.executescript(_SCHEMA)
                self._check_schema(connection)
            except (sqlite3.Error, ConfigurationError) as exc:
                connection.close()
                if isinstance(exc, ConfigurationError):
                    raise
                raise ConfigurationError(
                    f"{self.path} is not a usable paper account: {exc}",
                    exchange=self._exchange,
                    operation="initialize",
                ) from exc
            self._connection = connection

    def _check_schema(self, connection: sqlite3.Connection) -> None:
        def mismatch(found: str) -> ConfigurationError:
            return ConfigurationError(
                f"{self.path} has schema version {found}, this version reads {SCHEMA_VERSION}",
                exchange=self._exchange,
                operation="initialize",
            )

        check_schema_version(connection, SCHEMA_VERSION, mismatch)

    def run(
        self, work: Callable[Concatenate[Ledger, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Call ``work(ledger, ...)`` inside one write transaction; roll back if it raises.

        Blocking: call it through ``asyncio.to_thread``. Database failures (a file locked by
        another process for too long, a full disk) become :class:`ExchangeConnectionError`
        with ``request_sent=False``: the rollback guarantees nothing changed.
        """
        with self._lock:
            if self._connection is None:
                raise ExchangeConnectionError(
                    "the paper account is closed",
                    exchange=self._exchange,
                    operation="storage",
                    request_sent=False,
                )
            connection = self._connection
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._storage_error(exc) from exc
            try:
                result = work(Ledger(connection), *args, **kwargs)
                connection.execute("COMMIT")
            except BaseException as exc:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self._storage_error(exc) from exc
                raise
            return result

    def close(self) -> None:
        """Close the connection; safe to call more than once."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _storage_error(self, exc: sqlite3.Error) -> ExchangeConnectionError:
        return ExchangeConnectionError(
            f"the paper account's database failed: {exc}",
            exchange=self._exchange,
            operation="storage",
            request_sent=False,
        )
