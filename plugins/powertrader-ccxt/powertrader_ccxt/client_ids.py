"""Fitting our client order ids to each exchange's rule, deterministically.

``OrderRequest.client_order_id`` is a UUID by default (any 1-64 of ``[A-Za-z0-9_-:.]`` when the
caller chose one). Exchanges are stricter: OKX takes 1-32 letters and digits, Bybit 36
characters without ``:`` or ``.``. The conversion must be a pure function of the id, because
an order whose outcome is unknown is found again by converting the same id again.
"""

from __future__ import annotations

import uuid

from powertrader_ccxt.profiles import ClientIdFormat

__all__ = ["to_exchange_client_id"]

#: Namespace for ids that are not UUIDs: uuid5(namespace, id) gives a stable UUID for them.
_NAMESPACE = uuid.UUID("5f0c2d4e-8a51-4c3e-9f6b-3e2a7c1d9b40")


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return None
    # uuid.UUID accepts braces and urn: prefixes; only the two plain spellings count.
    if value.lower() in (str(parsed), parsed.hex):
        return parsed
    return None


def _write(value: uuid.UUID, fmt: ClientIdFormat) -> str:
    return value.hex if fmt.uuid_form == "hex32" else str(value)


def to_exchange_client_id(client_order_id: str, fmt: ClientIdFormat) -> str:
    """The id to send for ``client_order_id`` under ``fmt``; unchanged when it already fits.

    A UUID that does not fit is written in the exchange's UUID form (OKX: 32 hex digits);
    anything else that does not fit becomes UUID5(namespace, id) in that form.
    """
    if fmt.accepts(client_order_id):
        return client_order_id
    parsed = _as_uuid(client_order_id)
    if parsed is None:
        parsed = uuid.uuid5(_NAMESPACE, client_order_id)
    converted = _write(parsed, fmt)
    if not fmt.accepts(converted):  # pragma: no cover - a profile whose rule fits no UUID
        raise ValueError(f"client id rule {fmt.pattern!r} accepts no UUID form")
    return converted
