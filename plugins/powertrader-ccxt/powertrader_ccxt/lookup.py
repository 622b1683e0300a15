"""Finding an order again by the client id we sent, whatever state it ended in.

This lookup is what reconciliation trusts when an order's answer was lost: "not found" is read
as "never reached the exchange", and the order may be sent again. A lookup that skips some
states therefore risks a double order. ccxt's ``fetch_closed_orders`` filters on status on
some exchanges (Bybit ``orderStatus=Filled``, Coinbase ``order_status=FILLED``), so an order
cancelled after a partial fill would be missed; the finished orders are listed with the ccxt
methods the profile names (``ExchangeProfile.finished_orders``), which carry no status filter,
or, for ``ccxt:<id>`` exchanges, with the first of these ccxt has:
``fetch_canceled_and_closed_orders``, ``fetch_orders``, else closed and cancelled orders both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from powertrader_ccxt.convert import client_id_from_ccxt
from powertrader_ccxt.profiles import ExchangeProfile
from powertrader_core.errors import OrderNotFoundError

__all__ = ["find_by_client_id", "finished_order_methods"]

#: ``call(operation, coroutine function, *args)``: the exchange's translating ``_call``.
Caller = Callable[..., Awaitable[Any]]


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
) -> Mapping[str, Any] | None:
    """The ccxt order whose client id is ``sent_id`` (as the exchange holds it), or None."""
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
    params = param if profile.client_id_lookup == "open_closed" else {}
    names = ("fetch_open_orders", *finished_order_methods(profile, client.has))
    for name in names:
        orders = await call(operation, getattr(client, name), ccxt_symbol, None, None, dict(params))
        for candidate in orders or []:
            held = client_id_from_ccxt(
                candidate, profile.client_id_keys, profile.client_id_placeholders
            )
            if held == sent_id:
                found: Mapping[str, Any] = candidate
                return found
    return None

