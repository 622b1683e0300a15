"""The order journal: every order's intent written before it is sent, its outcome after.

Why: an order that times out may or may not exist at the exchange, and a process killed
mid-order forgets it sent anything. The journal is what survives both: a row per order
attempt in an SQLite file (WAL mode, shared safely by several processes), by default
``<data dir>/journal.sqlite3`` (``Settings.journal_path`` or the constructor's ``path``
chooses another). The manager writes it; :meth:`MultiExchangeManager.reconcile` reads it back.

One row per ``(client_order_id, exchange)``: placing the same request on the same exchange
again is the same order (never a second one); the seed's examples place one request on two
exchanges, and those are two orders, two rows. Every transition is also appended to an event
log (:meth:`OrderJournal.events`), so the journal says what happened, not only where it ended.

The state machine (``JournalState``)::

    (none) ──> intent ──> accepted ──> filled | canceled       the exchange answered
                 │  └───> filled | canceled | rejected         (accepted: open, pending)
                 ├──────> rejected        refused: by the exchange, or the plugin before sending
                 ├──────> not_sent        provably never reached the exchange
                 └──────> in_doubt ──> accepted | filled | canceled   found by client order id
                 │           ├───────> not_sent   the exchange provably has no such order
                 │           └───────> unknown    the lookup failed too
                 └──────> unknown (cancelled mid-send) ──> found | not_sent (by reconcile())
    not_sent | rejected ──> intent       a new attempt: a resend, or the caller's retry

- ``intent``: committed before the request leaves. If the process dies here, the order may
  or may not exist: ``reconcile()`` looks it up (it is "unsettled").
- ``in_doubt``: the request may have reached the exchange but no clear answer came back
  (timeout, reset, 5xx); the manager is looking it up by client order id now.
- ``unknown``: that lookup failed as well; the caller was told the order may exist, and
  ``reconcile()`` settles it later.
- ``accepted`` / ``filled`` / ``canceled``: the exchange has the order (``exchange_order_id``),
  open or pending / completely filled / closed without a full fill (canceled, expired).
- ``rejected``: refused (invalid, insufficient funds, authentication, rate limit): no order.
- ``not_sent``: provably no order: the request never left (connection refused, circuit open,
  no credentials), or the exchange proved to have none after an in-doubt send.

Evidence from the exchange (an answer, or an order found) is recorded from any state, since
the exchange is the truth; it never moves a final ``filled``/``canceled`` back to ``accepted``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import socket
import sqlite3
import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from powertrader_core._types import utc_now
from powertrader_core.models import OrderRequest, OrderResult
from powertrader_core.orders.journal_model import (
    ALLOWED_FROM,
    EXISTS,
    FINAL_AT_EXCHANGE,
    NO_ORDER,
    UNSETTLED,
    JournalConflict,
    JournalEntry,
    JournalEvent,
    JournalState,
    iso,
    result_json,
    state_for_status,
    text,
)
from powertrader_core.orders.journal_rows import DamagedJournalRow, read_row
from powertrader_core.orders.journal_store import JournalError, JournalStore

log = logging.getLogger(__name__)

__all__ = [
    "EXISTS",
    "NO_ORDER",
    "UNSETTLED",
    "DamagedJournalRow",
    "JournalConflict",
    "JournalEntry",
    "JournalError",
    "JournalEvent",
    "JournalState",
    "OrderJournal",
    "default_journal_path",
    "process_owner",
    "state_for_status",
]


def process_owner() -> str:
    """``host:pid`` of this process: who wrote an intent, so others know whether it is live."""
    return f"{socket.gethostname()}:{os.getpid()}"


def default_journal_path() -> Path:
    from powertrader_core.kit.paths import data_dir

    return data_dir() / "journal.sqlite3"


_ROW = "SELECT * FROM orders WHERE client_order_id = ? AND exchange = ?"

# Orders being placed right now by this process, across every journal object and manager:
# (journal file, client order id). Another process's live intents are told apart by owner.
_CLAIMS: set[tuple[str, str]] = set()
_CLAIMS_LOCK = threading.Lock()


def _event(
    connection: sqlite3.Connection, row: sqlite3.Row, state: JournalState, detail: str | None
) -> None:
    connection.execute(
        "INSERT INTO events (client_order_id, exchange, at, state, attempt, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (row["client_order_id"], row["exchange"], iso(utc_now()), state.value,
         row["attempts"], detail),
    )


def _current(connection: sqlite3.Connection, cid: str, exchange: str) -> sqlite3.Row:
    row: sqlite3.Row | None = connection.execute(_ROW, (cid, exchange)).fetchone()
    if row is None:
        raise JournalConflict(f"no journal entry for {cid} at {exchange}", None)
    return row


class OrderJournal:
    """The order journal (see the module docstring). Async; the disk work runs in a thread.

    Nothing touches the disk until the first call; ``close()`` (or ``async with``) releases the
    file, and a later call opens it again.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_journal_path()
        self._store = JournalStore(self.path)
        self._key = os.path.abspath(self.path)

    def __repr__(self) -> str:
        return f"<OrderJournal {str(self.path)!r}>"

    async def open(self) -> None:
        await asyncio.to_thread(self._store.open)

    async def close(self) -> None:
        await asyncio.to_thread(self._store.close)

    async def __aenter__(self) -> OrderJournal:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # ---- in-flight claims (this process) -----------------------------------------------------

    def claim(self, client_order_id: str) -> bool:
        """Mark an order as being placed by this process; False if it already is."""
        key = (self._key, client_order_id)
        with _CLAIMS_LOCK:
            if key in _CLAIMS:
                return False
            _CLAIMS.add(key)
            return True

    def release(self, client_order_id: str) -> None:
        with _CLAIMS_LOCK:
            _CLAIMS.discard((self._key, client_order_id))

    def is_claimed(self, client_order_id: str) -> bool:
        with _CLAIMS_LOCK:
            return (self._key, client_order_id) in _CLAIMS

    # ---- reading -----------------------------------------------------------------------------

    async def _rows(
        self, sql: str, params: Iterable[Any] = (), *, damaged: dict[str, str] | None = None
    ) -> list[JournalEntry]:
        """Entries of the rows ``sql`` selects. A damaged row raises ``DamagedJournalRow``;
        with ``damaged`` (a listing), it is left out, logged, and noted there instead."""
        rows = await asyncio.to_thread(self._store.fetch, sql, list(params))
        entries: list[JournalEntry] = []
        for row in rows:
            try:
                entries.append(read_row(row, self.path))
            except DamagedJournalRow as error:
                if damaged is None:
                    raise
                damaged.update(error.rows)
                log.error("%s", error)
        return entries

    async def get(self, client_order_id: str, exchange: str | None = None) -> JournalEntry | None:
        """The entry of ``client_order_id`` at ``exchange``; without an exchange, the entry
        most recently written under that client order id."""
        if exchange is not None:
            found = await self._rows(_ROW, (client_order_id, exchange))
        else:
            found = await self._rows(
                "SELECT * FROM orders WHERE client_order_id = ? ORDER BY updated_at DESC LIMIT 1",
                (client_order_id,),
            )
        return found[0] if found else None

    async def entries_for(self, client_order_id: str) -> list[JournalEntry]:
        """Every exchange's entry under ``client_order_id``, oldest first."""
        return await self._rows(
            "SELECT * FROM orders WHERE client_order_id = ? ORDER BY created_at",
            (client_order_id,),
        )

    async def find(self, order_id: str, exchange: str | None = None) -> JournalEntry | None:
        """The entry whose exchange order id is ``order_id`` (at ``exchange`` if given)."""
        sql = "SELECT * FROM orders WHERE exchange_order_id = ?"
        params: list[Any] = [order_id]
        if exchange is not None:
            sql += " AND exchange = ?"
            params.append(exchange)
        found = await self._rows(sql + " ORDER BY updated_at DESC LIMIT 1", params)
        return found[0] if found else None

    async def entries(
        self,
        states: Iterable[JournalState | str] | None = None,
        exchange: str | None = None,
        *,
        damaged: dict[str, str] | None = None,
    ) -> list[JournalEntry]:
        """Entries, oldest first; only those in ``states`` / at ``exchange`` when given.

        A damaged row never hides the others: it is left out and logged (with the journal's
        path and its client order id), and noted in ``damaged`` when given."""
        sql, params = "SELECT * FROM orders WHERE 1 = 1", []
        if states is not None:
            wanted = [JournalState(s).value for s in states]
            sql += f" AND state IN ({', '.join('?' * len(wanted))})"
            params += wanted
        if exchange is not None:
            sql += " AND exchange = ?"
            params.append(exchange)
        return await self._rows(
            sql + " ORDER BY created_at", params, damaged={} if damaged is None else damaged
        )

    async def unsettled(self) -> list[JournalEntry]:
        """Entries that may or may not exist at their exchange (``intent``, ``in_doubt``,
        ``unknown``): what ``reconcile()`` settles. One indexed query: cheap when none."""
        return await self.entries(UNSETTLED)

    async def known_order_ids(self, exchange: str) -> set[str]:
        """Exchange order ids recorded at ``exchange`` (a loose match never claims these)."""
        rows = await asyncio.to_thread(
            self._store.fetch,
            "SELECT exchange_order_id FROM orders WHERE exchange = ? "
            "AND exchange_order_id IS NOT NULL",
            [exchange],
        )
        return {str(row[0]) for row in rows}

    async def counts(self) -> dict[str, int]:
        """``{state: number of entries}``."""
        rows = await asyncio.to_thread(
            self._store.fetch, "SELECT state, COUNT(*) FROM orders GROUP BY state"
        )
        return {str(row[0]): int(row[1]) for row in rows}

    async def events(self, client_order_id: str, exchange: str | None = None) -> list[JournalEvent]:
        """The transitions of an order, oldest first (every exchange's unless one is named)."""
        sql = "SELECT * FROM events WHERE client_order_id = ?"
        params: list[Any] = [client_order_id]
        if exchange is not None:
            sql += " AND exchange = ?"
            params.append(exchange)
        rows = await asyncio.to_thread(self._store.fetch, sql + " ORDER BY id", params)
        return [
            JournalEvent(
                client_order_id=row["client_order_id"],
                exchange=row["exchange"],
                at=datetime.fromisoformat(row["at"]),
                state=JournalState(row["state"]),
                attempt=int(row["attempt"]),
                detail=row["detail"],
            )
            for row in rows
        ]

    # ---- writing -----------------------------------------------------------------------------

    async def record_intent(self, order: OrderRequest, exchange: str) -> JournalEntry:
        """Write (and commit) the intent to send ``order`` to ``exchange``; call before sending.

        A first attempt creates the entry; after ``not_sent`` or ``rejected`` the entry is
        re-armed for another attempt (``attempts`` counts them). Anything else raises
        :class:`JournalConflict`: that order exists or may exist, and must not be sent again.
        ``order.deadline`` (the exchange's engine deadline for this attempt) is written with
        it: a process that starts after a crash reads it before concluding anything.
        """
        request = order.model_dump_json()
        owner = process_owner()
        deadline = iso(order.deadline) if order.deadline is not None else None

        def work(connection: sqlite3.Connection) -> JournalEntry:
            now = iso(utc_now())
            cid = order.client_order_id
            row = connection.execute(_ROW, (cid, exchange)).fetchone()
            if row is None:
                connection.execute(
                    "INSERT INTO orders (client_order_id, exchange, symbol, side, amount, "
                    "request, state, attempts, owner, created_at, intent_at, updated_at, "
                    "deadline) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)",
                    (cid, exchange, order.symbol, order.side.value, str(order.amount), request,
                     JournalState.INTENT.value, owner, now, now, now, deadline),
                )
            elif JournalState(row["state"]) in NO_ORDER:
                connection.execute(
                    "UPDATE orders SET state = ?, attempts = attempts + 1, request = ?, "
                    "symbol = ?, side = ?, amount = ?, owner = ?, intent_at = ?, "
                    "updated_at = ?, deadline = ?, error = NULL, exchange_order_id = NULL, "
                    "status = NULL, filled_amount = NULL, average_price = NULL, fees = NULL, "
                    "result = NULL WHERE client_order_id = ? AND exchange = ?",
                    (JournalState.INTENT.value, request, order.symbol, order.side.value,
                     str(order.amount), owner, now, now, deadline, cid, exchange),
                )
            else:
                entry = read_row(row, self.path)
                raise JournalConflict(
                    f"{cid} at {exchange} is {entry.state.value}: it exists or may exist",
                    entry,
                )
            fresh = _current(connection, cid, exchange)
            _event(connection, fresh, JournalState.INTENT, f"{order.side.value} "
                   f"{order.amount} {order.symbol} {order.order_type.value}")
            return read_row(fresh, self.path)

        return await asyncio.to_thread(functools.partial(self._store.transact, work, durable=True))

    async def _mark(
        self, client_order_id: str, exchange: str, state: JournalState, detail: str
    ) -> JournalEntry:
        allowed = ALLOWED_FROM[state]

        def work(connection: sqlite3.Connection) -> JournalEntry:
            row = _current(connection, client_order_id, exchange)
            current = JournalState(row["state"])
            if current not in allowed:
                raise JournalConflict(
                    f"{client_order_id} at {exchange} is {current.value}, not "
                    f"{' or '.join(sorted(s.value for s in allowed))}: cannot become "
                    f"{state.value}",
                    read_row(row, self.path),
                )
            connection.execute(
                "UPDATE orders SET state = ?, error = ?, updated_at = ? "
                "WHERE client_order_id = ? AND exchange = ?",
                (state.value, detail, iso(utc_now()), client_order_id, exchange),
            )
            _event(connection, row, state, detail)
            return read_row(_current(connection, client_order_id, exchange), self.path)

        return await asyncio.to_thread(self._store.transact, work)

    async def mark_in_doubt(self, client_order_id: str, exchange: str, error: str) -> JournalEntry:
        """The send failed in a way that may have reached the exchange; looking it up now."""
        return await self._mark(client_order_id, exchange, JournalState.IN_DOUBT, error)

    async def mark_rejected(self, client_order_id: str, exchange: str, error: str) -> JournalEntry:
        """Refused (by the exchange, or by the plugin before sending): final, no order."""
        return await self._mark(client_order_id, exchange, JournalState.REJECTED, error)

    async def mark_not_sent(self, client_order_id: str, exchange: str, reason: str) -> JournalEntry:
        """Provably no order: never sent, or the exchange proved to have none."""
        return await self._mark(client_order_id, exchange, JournalState.NOT_SENT, reason)

    async def mark_unknown(self, client_order_id: str, exchange: str, reason: str) -> JournalEntry:
        """May exist, could not be settled now: ``reconcile()`` will."""
        return await self._mark(client_order_id, exchange, JournalState.UNKNOWN, reason)

    async def record_result(
        self, client_order_id: str, exchange: str, result: OrderResult, how: str
    ) -> JournalEntry | None:
        """Record what the exchange says of the order (evidence: allowed from any state).

        ``how`` says where the evidence came from (the answer, a lookup, ``reconcile()``).
        Returns None when the journal has no such entry (an order placed elsewhere).
        """
        new = state_for_status(result.status)
        stored = result_json(result)
        fees = json.dumps({asset: str(amount) for asset, amount in result.fees.items()})

        def work(connection: sqlite3.Connection) -> JournalEntry | None:
            row = connection.execute(_ROW, (client_order_id, exchange)).fetchone()
            if row is None:
                return None
            current = JournalState(row["state"])
            if current in FINAL_AT_EXCHANGE and new is JournalState.ACCEPTED:
                return read_row(row, self.path)  # a stale report: final stays final
            connection.execute(
                "UPDATE orders SET state = ?, exchange_order_id = ?, status = ?, "
                "filled_amount = ?, average_price = ?, fees = ?, result = ?, error = NULL, "
                "updated_at = ? WHERE client_order_id = ? AND exchange = ?",
                (new.value, result.order_id, result.status.value,
                 text(result.filled_amount), text(result.average_price), fees, stored,
                 iso(utc_now()), client_order_id, exchange),
            )
            if current is not new or row["exchange_order_id"] != result.order_id:
                _event(connection, row, new,
                       f"{how}: order {result.order_id} {result.status.value}")
            return read_row(_current(connection, client_order_id, exchange), self.path)

        return await asyncio.to_thread(self._store.transact, work)
