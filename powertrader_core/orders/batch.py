"""Looking many journal entries of one exchange up at once, for ``reconcile()``.

Fifty unsettled entries looked up one by one cost fifty lookup chains (on Kraken, an
OpenOrders and a ClosedOrders request per look, two looks each for the absence check: 200
requests, each waiting for the rate limit). Where the exchange can list many orders at once
(:meth:`AbstractExchange.find_orders`, by client id; :meth:`AbstractExchange.get_orders_by_id`, by
its own ids: Kraken's QueryOrders takes 50), the entries of one exchange are looked up
together:

- :func:`find_many`: every unsettled entry by client id, in one batched look per check. The
  rules of :mod:`.locate` hold for each entry: absence needs ``absence_checks`` looks that
  found nothing, the last begun after the entry's journaled deadline (one wait, for the
  latest deadline within ``deadline_wait``); without a deadline, never.
- :func:`get_many`: the current state of accepted entries by their exchange ids.

Both return None where the exchange cannot batch (``NotSupportedError``): the entries are
then looked up one by one. A batched look that fails leaves every entry in it unknown, as a
failed single lookup would.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from powertrader_core._types import utc_now
from powertrader_core.errors import ExchangeError, NotSupportedError
from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import OrderResult
from powertrader_core.orders.journal import JournalEntry
from powertrader_core.orders.locate import Lookup, OrderLocator, no_deadline

__all__ = ["find_many", "get_many"]


async def _find(
    locator: OrderLocator, venue: AbstractExchange, entries: Sequence[JournalEntry]
) -> dict[str, OrderResult]:
    since = min(entry.intent_at for entry in entries)
    ids = [entry.client_order_id for entry in entries]
    return await locator.read(venue.name, "find_orders", lambda: venue.find_orders(ids, since))


async def find_many(
    locator: OrderLocator, venue: AbstractExchange, entries: Sequence[JournalEntry]
) -> dict[str, Lookup] | None:
    """``{client_order_id: Lookup}`` for unsettled ``entries`` of ``venue`` (see the module
    docstring); None when the exchange cannot look many up at once."""
    pending = {entry.client_order_id: entry for entry in entries}
    lookups: dict[str, Lookup] = {}
    began = utc_now()

    async def look(how: str) -> bool:
        """One batched look at what is pending; False when it failed (recorded)."""
        try:
            found = await _find(locator, venue, list(pending.values()))
        except NotSupportedError:
            raise
        except ExchangeError as error:
            for cid in pending:
                lookups[cid] = Lookup(how=f"batched lookup failed: {error}")
            pending.clear()
            return False
        for cid, result in found.items():
            entry = pending.pop(cid, None)
            if entry is not None:
                lookups[cid] = Lookup(result=locator.ours(result, venue, entry), how=how)
        return True

    for check in range(locator.absence_checks):
        if check:
            await locator.sleep(locator.absence_delay)
        began = utc_now()
        try:
            if not await look("found by client order id (batched lookup)"):
                return lookups
        except NotSupportedError:
            return None
        if not pending:
            return lookups
    margin = timedelta(seconds=locator.deadline_margin)
    waiting: dict[str, JournalEntry] = {}
    for cid, entry in list(pending.items()):
        if entry.deadline is None:
            lookups[cid] = no_deadline(venue.name, "not found (batched lookup)")
        elif began >= entry.deadline + margin:
            lookups[cid] = Lookup(absent=True, how="not found (batched lookup), after the "
                                  "order's deadline")
        elif (entry.deadline + margin - utc_now()).total_seconds() > locator.deadline_wait:
            lookups[cid] = Lookup(how="not found, but the exchange may accept the request "
                                  "until its deadline: absence not provable yet")
        else:
            waiting[cid] = entry
    if not waiting:
        return lookups
    pending = waiting
    latest = max(entry.deadline for entry in waiting.values() if entry.deadline is not None)
    await locator.sleep(max(0.0, (latest + margin - utc_now()).total_seconds()))
    if await look("found by client order id (batched lookup, after the order's deadline)"):
        for cid in pending:
            lookups[cid] = Lookup(absent=True, how="not found (batched lookup), after the "
                                  "order's deadline")
    return lookups


async def get_many(
    locator: OrderLocator, venue: AbstractExchange, entries: Sequence[JournalEntry]
) -> dict[str, Lookup] | None:
    """``{client_order_id: Lookup}`` of accepted ``entries`` by their exchange ids (an
    entry whose order the answer lacks is left out); None when the exchange cannot batch."""
    by_id = {e.exchange_order_id: e for e in entries if e.exchange_order_id is not None}
    try:
        found = await locator.read(venue.name, "get_orders_by_id",
                                   lambda: venue.get_orders_by_id(list(by_id)))
    except NotSupportedError:
        return None
    except ExchangeError as error:
        return {e.client_order_id: Lookup(how=f"batched lookup failed: {error}")
                for e in by_id.values()}
    return {
        by_id[order_id].client_order_id: Lookup(
            result=locator.ours(result, venue, by_id[order_id]), how="get_orders_by_id (batched)"
        )
        for order_id, result in found.items()
        if order_id in by_id
    }
