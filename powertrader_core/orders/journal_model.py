"""The order journal's data: its states and transitions, entries and events (no I/O).

See :mod:`powertrader_core.orders.journal` for the state machine and why it is built this way; the
names here are re-exported from there.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from powertrader_core.errors import JournalConflict
from powertrader_core.models import OrderRequest, OrderResult, OrderStatus

__all__ = [
    "ALLOWED_FROM",
    "EXISTS",
    "FINAL_AT_EXCHANGE",
    "NO_ORDER",
    "UNSETTLED",
    "JournalConflict",
    "JournalEntry",
    "JournalEvent",
    "JournalState",
    "iso",
    "result_json",
    "state_for_status",
    "text",
]


class JournalState(StrEnum):
    INTENT = "intent"
    IN_DOUBT = "in_doubt"
    UNKNOWN = "unknown"
    ACCEPTED = "accepted"
    FILLED = "filled"
    CANCELED = "canceled"
    REJECTED = "rejected"
    NOT_SENT = "not_sent"


#: May or may not exist at the exchange: what ``reconcile()`` settles.
UNSETTLED = frozenset({JournalState.INTENT, JournalState.IN_DOUBT, JournalState.UNKNOWN})
#: The exchange has (or had) the order.
EXISTS = frozenset({JournalState.ACCEPTED, JournalState.FILLED, JournalState.CANCELED})
#: Provably no order at the exchange.
NO_ORDER = frozenset({JournalState.REJECTED, JournalState.NOT_SENT})
FINAL_AT_EXCHANGE = frozenset({JournalState.FILLED, JournalState.CANCELED})

#: Transitions without evidence from the exchange: new state -> the states it may follow.
ALLOWED_FROM: dict[JournalState, frozenset[JournalState]] = {
    JournalState.IN_DOUBT: frozenset({JournalState.INTENT}),
    JournalState.REJECTED: frozenset({JournalState.INTENT}),
    JournalState.NOT_SENT: UNSETTLED | {JournalState.NOT_SENT},
    JournalState.UNKNOWN: UNSETTLED,
}


def state_for_status(status: OrderStatus) -> JournalState:
    """The journal state of an order the exchange reports in ``status``."""
    if status is OrderStatus.FILLED:
        return JournalState.FILLED
    if status in (OrderStatus.CANCELED, OrderStatus.EXPIRED):
        return JournalState.CANCELED
    if status is OrderStatus.REJECTED:
        return JournalState.REJECTED
    return JournalState.ACCEPTED  # open, pending, partially filled, or a state not yet known


def iso(moment: datetime) -> str:
    return moment.isoformat()


def text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def result_json(result: OrderResult) -> str:
    try:
        return result.model_dump_json()
    except ValueError:  # metadata a plugin filled with something JSON cannot hold
        return result.model_copy(update={"metadata": {}}).model_dump_json()


@dataclass(frozen=True)
class JournalEntry:
    """One order attempt as the journal knows it (one row)."""

    client_order_id: str
    exchange: str
    state: JournalState
    attempts: int
    request: OrderRequest
    exchange_order_id: str | None
    status: OrderStatus | None
    filled_amount: Decimal | None
    average_price: Decimal | None
    fees: dict[str, Decimal]
    result: OrderResult | None
    error: str | None
    owner: str
    created_at: datetime
    intent_at: datetime
    updated_at: datetime
    #: The moment after which the exchange's matching engine refuses the request of this
    #: attempt (``OrderRequest.deadline`` as sent); None: the exchange enforces none, so a
    #: lookup that finds nothing never proves the order absent.
    deadline: datetime | None = None

    @property
    def settled(self) -> bool:
        """True when it is known whether the exchange has the order."""
        return self.state not in UNSETTLED

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> JournalEntry:
        fees = json.loads(row["fees"]) if row["fees"] else {}
        return cls(
            client_order_id=row["client_order_id"],
            exchange=row["exchange"],
            state=JournalState(row["state"]),
            attempts=int(row["attempts"]),
            request=OrderRequest.model_validate_json(row["request"]),
            exchange_order_id=row["exchange_order_id"],
            status=OrderStatus(row["status"]) if row["status"] else None,
            filled_amount=_decimal(row["filled_amount"]),
            average_price=_decimal(row["average_price"]),
            fees={asset: Decimal(amount) for asset, amount in fees.items()},
            result=OrderResult.model_validate_json(row["result"]) if row["result"] else None,
            error=row["error"],
            owner=row["owner"],
            created_at=datetime.fromisoformat(row["created_at"]),
            intent_at=datetime.fromisoformat(row["intent_at"]),
            updated_at=datetime.fromisoformat(row["updated_at"]),
            deadline=datetime.fromisoformat(row["deadline"]) if row["deadline"] else None,
        )


@dataclass(frozen=True)
class JournalEvent:
    """One transition of one order attempt, in the order they happened."""

    client_order_id: str
    exchange: str
    at: datetime
    state: JournalState
    attempt: int
    detail: str | None

