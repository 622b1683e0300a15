"""Many orders in few requests: what reconciling a journal of many entries asks the exchange.

Looking up fifty orders one by one costs fifty lookup chains (Kraken: an OpenOrders and a
ClosedOrders request each, twice for the absence check). Where the exchange allows it, the
plugin asks once for all of them:

- **by client id** (:func:`find_by_client_ids`): the open orders in one request, then the
  finished ones page by page from the oldest send (Kraken's ClosedOrders: 50 a page, the next
  asked with ``ofs``), matching every client id we look for; it stops as soon as all are found.
  A list cut off by ``ExchangePaging.max_pages`` with ids still missing raises
  :class:`~powertrader_ccxt.lookup.IncompleteSearchError` (unknown, never absent). Only for
  profiles whose finished-order list pages by offset (``ExchangePaging.offset_param``).
- **by the exchange's ids** (:func:`fetch_by_ids`): ``ExchangeProfile.orders_per_query`` ids a
  request (Kraken's QueryOrders: 50).

The finished-order methods are those of :func:`~powertrader_ccxt.lookup.finished_order_methods`
(no status filter: a cancelled order counts as much as a filled one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from powertrader_ccxt.convert import client_id_from_ccxt
from powertrader_ccxt.lookup import Caller, IncompleteSearchError, finished_order_methods
from powertrader_ccxt.profile_types import ExchangeProfile

__all__ = ["fetch_by_ids", "find_by_client_ids"]


async def find_by_client_ids(
    client: Any,
    profile: ExchangeProfile,
    call: Caller,
    sent_ids: Mapping[str, str],
    since_ms: int | None,
    *,
    exchange: str,
) -> dict[str, Mapping[str, Any]]:
    """``{our client id: ccxt order}`` for the orders the exchange holds among ``sent_ids``
    (the id the exchange sees -> ours); a missing id is not at the exchange."""
    operation = "find_orders"
    paging = profile.paging
    assert paging.offset_param is not None  # checked by the caller
    found: dict[str, Mapping[str, Any]] = {}

    def take(orders: Sequence[Mapping[str, Any]]) -> bool:
        for order in orders:
            held = client_id_from_ccxt(order, profile.client_id_keys,
                                       profile.client_id_placeholders)
            ours = sent_ids.get(held) if held is not None else None
            if ours is not None and ours not in found:
                found[ours] = order
        return len(found) == len(sent_ids)

    # Every open order at once (no limit: ccxt would cut the list to it).
    if take(list(await call(operation, client.fetch_open_orders, None, None, None, {}) or [])):
        return found
    for name in finished_order_methods(profile, client.has):
        method = getattr(client, name)
        offset = 0
        for _ in range(max(1, paging.max_pages)):
            page = list(await call(operation, method, None, since_ms, None,
                                   {paging.offset_param: offset}) or [])
            if take(page):
                return found
            if len(page) < paging.page_size:
                break  # a short page is the last one
            offset += len(page)
        else:
            raise IncompleteSearchError(
                f"{len(sent_ids) - len(found)} client order id(s) not among the "
                f"{paging.max_pages} page(s) of {paging.page_size} orders listed by {name}, and "
                "the list goes on: whether those orders exist is unknown (not proof of absence)",
                exchange=exchange,
                operation=operation,
                request_sent=True,
            )
    return found


async def fetch_by_ids(
    client: Any, profile: ExchangeProfile, call: Caller, order_ids: Sequence[str]
) -> list[Mapping[str, Any]]:
    """The ccxt orders of ``order_ids`` (the exchange's ids), ``orders_per_query`` a request;
    an id the exchange does not know is left out."""
    size = max(1, profile.orders_per_query)
    orders: list[Mapping[str, Any]] = []
    for start in range(0, len(order_ids), size):
        chunk = list(order_ids[start:start + size])
        orders += list(await call("get_orders_by_id", client.fetch_orders_by_ids, chunk) or [])
    return orders
