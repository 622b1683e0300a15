"""A ccxt order as our :class:`OrderResult`, named as the caller asked.

Every order result names the symbol the caller asked for (``BTC-USD``), with the market really
traded in ``metadata["quoted_symbol"]`` where a stable coin stood in (``BTC-USDT``), as
:class:`MarketData` and :class:`OrderBook` do. Where no symbol was asked (an open-orders list
of every market), the names follow from the market ccxt reports: a stand-in market maps back to
its USD name. The exchange's own answer fields the profile names (client ids ccxt misreads,
states ccxt files wrongly) are read here too, through ``convert.order_from_ccxt``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from powertrader_ccxt.convert import order_from_ccxt
from powertrader_ccxt.session import CcxtSession
from powertrader_core.models import OrderResult, OrderStatus

__all__ = ["order_result"]


def order_result(
    session: CcxtSession,
    order: Mapping[str, Any],
    *,
    names: tuple[str, str | None] | None = None,
    client_order_id: str | None = None,
    default_status: OrderStatus = OrderStatus.PENDING,
    fallback: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> OrderResult:
    """``order`` (ccxt's) as our result. ``names`` is ``(canonical, quoted)`` from the
    caller's symbol; without one, the names follow from the market ccxt reports."""
    canonical: str | None = None
    quoted: str | None = None
    if names is not None:
        canonical, quoted = names
    elif order.get("symbol"):
        canonical, quoted = session.names_of(str(order["symbol"]))
    extra: dict[str, Any] = dict(metadata or {})
    if quoted:
        extra["quoted_symbol"] = quoted
    profile = session.profile
    return order_from_ccxt(
        order,
        exchange=session.name,
        client_order_id=client_order_id,
        default_status=default_status,
        fallback=fallback,
        metadata=extra,
        symbol=canonical,
        client_id_keys=profile.client_id_keys,
        client_id_placeholders=profile.client_id_placeholders,
        canceled_states=profile.canceled_states,
    )
