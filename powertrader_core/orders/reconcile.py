"""Settling the order journal against the exchanges: ``reconcile()``, and orders by either id.

An entry is *unsettled* while its order may or may not exist (``intent``, ``in_doubt``,
``unknown``: a crash between intent and outcome, a lost answer, a failed lookup). Settling one
looks it up (:mod:`._locate`) and records what that showed: found (the order's state),
provably absent (``not_sent``: it never arrived), or still ``unknown``.

An entry is left alone, and named in the summary, when a live process is placing it right now
(this process's in-flight orders are claimed in the journal; another process's ``intent`` or
``in_doubt`` entry counts as live while its ``host:pid`` runs, for at most
``SafetyPolicy.stale_after``), or when its exchange is not one this manager may use.
Entries of one exchange are looked up together where it can list many orders in one request
(:mod:`.batch`: Kraken's ClosedOrders pages and QueryOrders of 50); the rest one by one.
``reconcile()`` looks up at most ``SafetyPolicy.concurrency`` orders at once; with
``refresh_open`` it also reads the current state of ``accepted`` orders (open or pending when
last seen) by their exchange id.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from powertrader_core._types import utc_now
from powertrader_core.errors import ExchangeError, InvalidOrderError, OrderNotFoundError
from powertrader_core.exchange import AbstractExchange
from powertrader_core.kit.names import exchange_key
from powertrader_core.manager.calls import Caller
from powertrader_core.models import OrderResult
from powertrader_core.orders.batch import find_many, get_many
from powertrader_core.orders.journal import (
    NO_ORDER,
    UNSETTLED,
    JournalEntry,
    JournalError,
    JournalState,
    OrderJournal,
)
from powertrader_core.orders.journal_rows import DamagedJournalRow
from powertrader_core.orders.locate import Lookup, OrderLocator, SafetyPolicy, owner_alive

__all__ = ["ReconcileSummary", "Settler"]

#: Being placed right now by whoever wrote them.
IN_FLIGHT = frozenset({JournalState.INTENT, JournalState.IN_DOUBT})


@dataclass
class ReconcileSummary:
    """What ``reconcile()`` did, by client order id (``id@exchange`` when it names several)."""

    checked: int = 0
    found: list[str] = field(default_factory=list)  # was unsettled, is at the exchange
    absent: list[str] = field(default_factory=list)  # was unsettled, provably never arrived
    refreshed: list[str] = field(default_factory=list)  # accepted orders whose state was read
    unknown: dict[str, str] = field(default_factory=dict)  # still unsettled: why
    skipped: dict[str, str] = field(default_factory=dict)  # not looked at: why

    @property
    def settled(self) -> bool:
        """True when nothing this run looked at is left in doubt."""
        return not self.unknown

    def as_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "found": list(self.found),
            "absent": list(self.absent),
            "refreshed": list(self.refreshed),
            "unknown": dict(self.unknown),
            "skipped": dict(self.skipped),
        }

    def __str__(self) -> str:
        return (
            f"checked {self.checked}: {len(self.found)} found, {len(self.absent)} never "
            f"arrived, {len(self.refreshed)} refreshed, {len(self.unknown)} still unknown, "
            f"{len(self.skipped)} skipped"
        )


#: An entry as a batched look saw it: same order, same attempt, same state.
_BatchKey = tuple[str, str, int, JournalState]


def _batch_key(entry: JournalEntry) -> _BatchKey:
    return (entry.client_order_id, entry.exchange, entry.attempts, entry.state)


class Settler:
    """Looks journal entries up at their exchanges and records what that showed."""

    def __init__(self, journal: OrderJournal, caller: Caller, policy: SafetyPolicy) -> None:
        self.journal = journal
        self.caller = caller
        self.policy = policy
        self.locator = OrderLocator(caller.retry, caller.timeout, caller.sleep, policy)

    def live_elsewhere(self, entry: JournalEntry) -> bool:
        """An entry another live process is placing right now: in flight (``intent``,
        ``in_doubt``; an ``unknown`` one was given up on, anyone may settle it), recently
        written, by a process that still runs."""
        if entry.state not in IN_FLIGHT:
            return False
        age = (utc_now() - entry.updated_at).total_seconds()
        return age < self.policy.stale_after and owner_alive(entry.owner)

    async def venue(self, name: str) -> AbstractExchange:
        """The exchange, built and initialised, for a lookup (an open circuit does not stop
        it: settling an order matters more than sparing a struggling exchange a request)."""
        name = self.caller.pool.resolve(name, "reconcile")
        self.caller.prepare(name, "reconcile", private=True)
        return await self.locator.read(name, "initialize", lambda: self.caller.pool.acquire(name))

    async def locate(self, venue: AbstractExchange, entry: JournalEntry) -> Lookup:
        known = await self.journal.known_order_ids(entry.exchange)
        return await self.locator.locate(venue, entry, known)

    async def save(self, entry: JournalEntry, lookup: Lookup, how: str) -> JournalState | None:
        """Record a lookup of an unsettled entry; the state it is in now."""
        cid, name = entry.client_order_id, entry.exchange
        if lookup.result is not None:
            saved = await self.journal.record_result(
                cid, name, lookup.result, f"{how}: {lookup.how}"
            )
            return saved.state if saved else None
        if lookup.absent:
            await self.journal.mark_not_sent(cid, name, f"{how}: {lookup.how}: never arrived")
            return JournalState.NOT_SENT
        await self.journal.mark_unknown(cid, name, f"{how}: {lookup.how}")
        return JournalState.UNKNOWN

    async def settle(self, entry: JournalEntry, how: str = "reconciled") -> Lookup:
        """Look an unsettled entry up at its exchange and record what that showed."""
        try:
            venue = await self.venue(entry.exchange)
        except ExchangeError as error:
            lookup = Lookup(how=f"exchange not usable: {error}")
        else:
            lookup = await self.locate(venue, entry)
        await self.save(entry, lookup, how)
        return lookup

    # ---- reconcile ------------------------------------------------------------------------------

    async def reconcile(self, *, refresh_open: bool = True) -> ReconcileSummary:
        states = set(UNSETTLED) | ({JournalState.ACCEPTED} if refresh_open else set())
        damaged: dict[str, str] = {}
        entries = await self.journal.entries(states, damaged=damaged)
        summary = ReconcileSummary(checked=len(entries))
        per_id = Counter(e.client_order_id for e in entries)
        several = {cid for cid, count in per_id.items() if count > 1}
        limit = asyncio.Semaphore(max(1, self.policy.concurrency))
        batched = await self._batched(entries)

        async def one(entry: JournalEntry) -> None:
            cid = entry.client_order_id
            label = f"{cid}@{entry.exchange}" if cid in several else cid
            async with limit:
                await self._reconcile_one(entry, label, summary, batched.get(_batch_key(entry)))

        await asyncio.gather(*(one(entry) for entry in entries))
        if damaged:
            # The others are settled; the damaged rows are the caller's to see (exit 1).
            raise DamagedJournalRow(self.journal.path, damaged)
        return summary

    async def _batched(self, entries: list[JournalEntry]) -> dict[_BatchKey, Lookup]:
        """Lookups of many entries of one exchange at once (:mod:`.batch`), by entry as it
        was read; what cannot be batched is looked up one by one afterwards."""
        groups: dict[tuple[str, bool], list[JournalEntry]] = {}
        for entry in entries:
            if self.live_elsewhere(entry) or self.journal.is_claimed(entry.client_order_id):
                continue
            try:
                name = self.caller.pool.resolve(entry.exchange, "reconcile")
            except ExchangeError:
                continue
            accepted = entry.state is JournalState.ACCEPTED
            groups.setdefault((name, accepted), []).append(entry)
        found: dict[_BatchKey, Lookup] = {}

        async def group(name: str, accepted: bool, members: list[JournalEntry]) -> None:
            try:
                venue = await self.venue(name)
            except ExchangeError:
                return  # each entry reports it on its own
            look = get_many if accepted else find_many
            lookups = await look(self.locator, venue, members)
            for entry in members:
                if lookups is not None and entry.client_order_id in lookups:
                    found[_batch_key(entry)] = lookups[entry.client_order_id]

        await asyncio.gather(*(
            group(name, accepted, members)
            for (name, accepted), members in groups.items() if len(members) > 1
        ))
        return found

    async def _reconcile_one(
        self,
        entry: JournalEntry,
        label: str,
        summary: ReconcileSummary,
        batched: Lookup | None = None,
    ) -> None:
        cid = entry.client_order_id
        if self.live_elsewhere(entry):
            summary.skipped[label] = f"being placed by a live process ({entry.owner})"
            return
        try:
            name = self.caller.pool.resolve(entry.exchange, "reconcile")
        except ExchangeError as error:
            summary.skipped[label] = f"exchange not usable by this manager: {error}"
            return
        if not self.journal.claim(cid):
            summary.skipped[label] = "being placed by this process right now"
            return
        try:
            fresh = await self.journal.get(cid, name)
            if fresh is not None and _batch_key(fresh) != _batch_key(entry):
                batched = None  # the entry moved on since the batched look: look again
            if fresh is None or fresh.state not in UNSETTLED | {JournalState.ACCEPTED}:
                summary.skipped[label] = "settled meanwhile"
            elif fresh.state is JournalState.ACCEPTED:
                if batched is not None and batched.result is not None:
                    await self.journal.record_result(
                        cid, fresh.exchange, batched.result, "reconcile: refreshed"
                    )
                    summary.refreshed.append(label)
                else:
                    await self._refresh(fresh, label, summary)
            else:
                if batched is not None:
                    await self.save(fresh, batched, "reconciled")
                    lookup = batched
                else:
                    lookup = await self.settle(fresh)
                if lookup.found:
                    summary.found.append(label)
                elif lookup.absent:
                    summary.absent.append(label)
                else:
                    summary.unknown[label] = lookup.how
        except (JournalError, ExchangeError) as error:
            summary.unknown[label] = str(error)
        finally:
            self.journal.release(cid)

    async def _refresh(self, entry: JournalEntry, label: str, summary: ReconcileSummary) -> None:
        try:
            venue = await self.venue(entry.exchange)
        except ExchangeError as error:
            summary.skipped[label] = f"state not refreshed: {error}"
            return
        lookup = await self.locator.by_order_id(venue, entry)
        if lookup.result is None:
            summary.skipped[label] = f"state not refreshed: {lookup.how}"
            return
        await self.journal.record_result(
            entry.client_order_id, entry.exchange, lookup.result, "reconcile: refreshed"
        )
        summary.refreshed.append(label)

    # ---- orders by either id --------------------------------------------------------------------

    async def get_order(
        self,
        order_id: str | None,
        exchange: str | None,
        client_order_id: str | None,
        symbol: str | None,
    ) -> OrderResult:
        """An order by either id; the journal names the exchange when the caller does not."""
        if order_id is None and client_order_id is None:
            raise InvalidOrderError("give an order_id or a client_order_id", operation="get_order")
        entry = await self.entry_for(order_id, exchange, client_order_id)
        if exchange is None:
            if entry is None:
                what = order_id if order_id is not None else client_order_id
                raise OrderNotFoundError(
                    f"order {what} is not in the order journal; name its exchange",
                    operation="get_order",
                )
            exchange = entry.exchange
        name = self.caller.pool.resolve(exchange, "get_order")
        if entry is not None and entry.exchange == name:
            symbol = symbol or entry.request.symbol
            order_id = order_id or entry.exchange_order_id
            client_order_id = client_order_id or entry.client_order_id
        else:
            entry = None

        async def fetch(venue: AbstractExchange) -> OrderResult:
            return await venue.get_order(order_id, symbol, client_order_id=client_order_id)

        result = await self.caller.read(name, "get_order", fetch, private=True)
        updates: dict[str, Any] = {}
        if result.exchange != name:
            updates["exchange"] = name
        if result.client_order_id is None and client_order_id is not None:
            updates["client_order_id"] = client_order_id
        result = result.model_copy(update=updates) if updates else result
        if entry is not None and not self.journal.is_claimed(entry.client_order_id):
            await self.journal.record_result(entry.client_order_id, name, result, "get_order")
        return result

    async def entry_for(
        self,
        order_id: str | None,
        exchange: str | None,
        client_order_id: str | None,
        operation: str = "get_order",
    ) -> JournalEntry | None:
        """The journal entry of an order named by either id (None when it has none); a client
        id journaled at several exchanges needs ``exchange``."""
        if client_order_id is None:
            assert order_id is not None
            return await self.journal.find(order_id, exchange_key(exchange) if exchange else None)
        if exchange is not None:
            return await self.journal.get(client_order_id, exchange_key(exchange))
        entries = await self.journal.entries_for(client_order_id)
        live = [e for e in entries if e.state not in NO_ORDER] or entries
        places = sorted({e.exchange for e in live})
        if len(places) > 1:
            raise InvalidOrderError(
                f"client_order_id {client_order_id} names orders at {', '.join(places)}; "
                "name the exchange",
                operation=operation,
            )
        return live[-1] if live else None
