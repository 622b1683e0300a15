"""Finding an order again by the client id we sent, whatever state it ended in.

This lookup is what reconciliation trusts when an order's answer was lost: "not found" is read
as "never reached the exchange", and the order may be sent again. A lookup that skips some
states therefore risks a double order. ccxt's ``fetch_closed_orders`` filters on status on
some exchanges (Bybit ``orderStatus=Filled``, Coinbase ``order_status=FILLED``), so an order
cancelled after a partial fill would be missed; the finished orders are listed with the ccxt
methods the profile names (``ExchangeProfile.finished_orders``), which carry no status filter,
or, for ``ccxt:<id>`` exchanges, with the first of these ccxt has:
``fetch_canceled_and_closed_orders``, ``fetch_orders``, else closed and cancelled orders both.

**An incomplete search is not proof of absence.** Where the exchange cannot filter its lists
by client id (``"scan"`` lookups: Coinbase, ``ccxt:<id>``), a list comes a page at a time, and
an order beyond the pages read would be "not found" on a busy account: reconciliation would
resend it. So scans follow the exchange's cursor (``ExchangePaging``) for at most
``max_pages`` pages of ``page_size`` orders, from ``since`` when the plugin knows when the
order was sent (orders older than that cannot be it); if the bound runs out with pages left
(a cursor still given, or, without a cursor rule, a full page), the lookup raises
:class:`IncompleteSearchError`, which reconciliation reads as "unknown", never "absent".
Lookups the exchange filters by client id (``"open_closed"``: Kraken's ``cl_ord_id``, Bybit's
``orderLinkId``; ``"fetch_order"``) answer with that order alone and need no paging.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from contextlib import aclosing
from typing import Any

from powertrader_ccxt.convert import client_id_from_ccxt
from powertrader_ccxt.profiles import ExchangePaging, ExchangeProfile
from powertrader_core.errors import ExchangeConnectionError, OrderNotFoundError

__all__ = [
    "SENT_SKEW",
    "IncompleteSearchError",
    "find_by_client_id",
    "finished_order_methods",
]

#: ``call(operation, coroutine function, *args)``: the exchange's translating ``_call``.
Caller = Callable[..., Awaitable[Any]]

#: Seconds before our own send time a scan starts listing from (clocks differ).
SENT_SKEW = 60.0


class IncompleteSearchError(ExchangeConnectionError):
    """The exchange's order list goes on past the pages a lookup may read: whether the order
    exists is unknown. Not retried (the same search would stop at the same bound)."""

    retryable = False


def finished_order_methods(profile: ExchangeProfile, has: Mapping[str, Any]) -> tuple[str, ...]:
    """The ccxt methods that list finished orders of every status for ``profile``."""
    if profile.finished_orders is not None:
        return profile.finished_orders
    if has.get("fetchCanceledAndClosedOrders"):
        return ("fetch_canceled_and_closed_orders",)
    if has.get("fetchOrders"):
        return ("fetch_orders",)
    methods = ["fetch_closed_orders"]
    if has.get("fetchCanceledOrders"):
        methods.append("fetch_canceled_orders")
    return tuple(methods)


async def find_by_client_id(
    client: Any,
    profile: ExchangeProfile,
    call: Caller,
    sent_id: str,
    ccxt_symbol: str | None,
    *,
    since_ms: int | None = None,
    exchange: str | None = None,
) -> Mapping[str, Any] | None:
    """The ccxt order whose client id is ``sent_id`` (as the exchange holds it), or None when
    the exchange provably has none; :class:`IncompleteSearchError` when a scan ran out of
    pages first. ``since_ms``: no order with this id is older (a scan lists from there)."""
    operation = "get_order"
    fmt = profile.client_id
    param = {fmt.lookup_param or fmt.param: sent_id}
    if profile.client_id_lookup == "fetch_order":
        try:
            order: Mapping[str, Any] = await call(
                operation, client.fetch_order, None, ccxt_symbol, param
            )
        except OrderNotFoundError:
            return None
        return order
    names = ("fetch_open_orders", *finished_order_methods(profile, client.has))
    for name in names:
        method = getattr(client, name)
        if profile.client_id_lookup == "open_closed":  # filtered by the exchange: one answer
            pages = _one_page(call, operation, method, ccxt_symbol, param)
        else:
            pages = _pages(call, operation, method, ccxt_symbol, profile.paging, since_ms,
                           exchange=exchange or profile.name, method_name=name,
                           sent_id=sent_id)
        async with aclosing(pages) as listed:
            async for orders in listed:
                found = _match(orders, sent_id, profile)
                if found is not None:
                    return found
    return None


def _match(
    orders: Sequence[Mapping[str, Any]], sent_id: str, profile: ExchangeProfile
) -> Mapping[str, Any] | None:
    for candidate in orders:
        held = client_id_from_ccxt(
            candidate, profile.client_id_keys, profile.client_id_placeholders
        )
        if held == sent_id:
            return candidate
    return None


async def _one_page(
    call: Caller, operation: str, method: Any, ccxt_symbol: str | None, params: dict[str, Any]
) -> AsyncGenerator[Sequence[Mapping[str, Any]], None]:
    orders = await call(operation, method, ccxt_symbol, None, None, dict(params))
    yield list(orders or [])


async def _pages(
    call: Caller,
    operation: str,
    method: Any,
    ccxt_symbol: str | None,
    paging: ExchangePaging,
    since_ms: int | None,
    *,
    exchange: str,
    method_name: str,
    sent_id: str,
) -> AsyncGenerator[Sequence[Mapping[str, Any]], None]:
    """Pages of an unfiltered order list, newest first where the exchange sorts so; raises
    :class:`IncompleteSearchError` after the last page allowed when more remain (the caller
    stops early, having found its order)."""
    cursor: str | None = None
    for _ in range(max(1, paging.max_pages)):
        params: dict[str, Any] = {}
        if cursor is not None and paging.cursor_param is not None:
            params[paging.cursor_param] = cursor
        orders = list(await call(operation, method, ccxt_symbol, since_ms, paging.page_size,
                                 params) or [])
        yield orders
        if paging.cursor_param is None:
            if len(orders) < paging.page_size:
                return  # a short page is the last one
            break  # a full page and no way to ask for the next: more may exist
        cursor = _next_cursor(orders, paging)
        if not cursor:
            return
    raise IncompleteSearchError(
        f"client order id {sent_id} not among the {paging.max_pages} page(s) of "
        f"{paging.page_size} orders listed by {method_name}, and the list goes on: whether "
        "the order exists is unknown (not proof of absence)",
        exchange=exchange,
        operation=operation,
        request_sent=True,
    )


def _next_cursor(orders: Sequence[Mapping[str, Any]], paging: ExchangePaging) -> str | None:
    """The cursor of the next page, where ccxt left it: in one order's raw ``info`` (Coinbase:
    ccxt copies the answer's ``cursor`` into the first raw order, before sorting them)."""
    key = paging.cursor_key or paging.cursor_param
    for order in orders:
        info = order.get("info")
        if isinstance(info, Mapping) and info.get(key):
            return str(info[key])
    return None
