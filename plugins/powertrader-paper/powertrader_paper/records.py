"""The paper account's records: an order as the paper exchange keeps it, and a fill.

They are plain frozen dataclasses rather than the core's pydantic models because they hold the
exchange's own bookkeeping (funds held, fees paid so far, whether a stop has triggered) that
callers never see. :meth:`PaperOrder.to_result` turns one into the :class:`OrderResult` the
contract promises.

Fees are always charged in the quote currency (USD for ``BTC-USD``), on buys and sells alike:
a buy pays price times amount plus the fee, a sell receives price times amount less the fee.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from powertrader_core.models import (
    OrderRequest,
    OrderResult,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)

__all__ = ["OPEN_STATUSES", "FillRecord", "PaperOrder"]

#: Statuses of an order that can still fill (and so holds funds).
OPEN_STATUSES = (OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED)


@dataclass(frozen=True)
class PaperOrder:
    """One order of the paper account, with the bookkeeping behind it.

    ``cost`` is the quote amount filled so far before fees and ``fee`` the fees paid (quote
    currency). ``reserved`` is what the order holds while it rests: quote currency for a buy,
    the base asset for a sell. Balances count it as *used*, so it cannot be spent twice.
    """

    order_id: str
    client_order_id: str
    symbol: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    amount: Decimal
    price: Decimal | None
    stop_price: Decimal | None
    status: OrderStatus
    source: str
    created_at: datetime
    updated_at: datetime
    filled: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    fee: Decimal = Decimal(0)
    reserved: Decimal = Decimal(0)
    triggered: bool = False
    reason: str | None = None

    @classmethod
    def from_request(
        cls, request: OrderRequest, order_id: str, source: str, now: datetime
    ) -> PaperOrder:
        """A new order, not yet checked against funds or the book."""
        return cls(
            order_id=order_id,
            client_order_id=request.client_order_id,
            symbol=request.symbol,
            side=request.side,
            order_type=request.order_type,
            time_in_force=request.time_in_force,
            amount=request.amount,
            price=request.price,
            stop_price=request.stop_price,
            status=OrderStatus.OPEN,
            source=source,
            created_at=now,
            updated_at=now,
        )

    @property
    def base(self) -> str:
        return self.symbol.split("-", 1)[0]

    @property
    def quote(self) -> str:
        return self.symbol.split("-", 1)[1]

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.filled

    @property
    def reserved_asset(self) -> str:
        """The asset a resting order holds: quote currency to buy, the base asset to sell."""
        return self.quote if self.side is Side.BUY else self.base

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_stop(self) -> bool:
        return self.order_type in (OrderType.STOP, OrderType.STOP_LIMIT)

    def replace(self, **changes: object) -> PaperOrder:
        """A copy with ``changes`` applied (records are never changed in place)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def matches(self, request: OrderRequest) -> bool:
        """True when ``request`` asks for this very order (a retry with the same client id)."""
        return (
            self.symbol == request.symbol
            and self.side is request.side
            and self.order_type is request.order_type
            and self.time_in_force is request.time_in_force
            and self.amount == request.amount
            and self.price == request.price
            and self.stop_price == request.stop_price
        )

    def to_result(self, exchange: str) -> OrderResult:
        """The contract's view of this order."""
        metadata: dict[str, object] = {
            "price_source": self.source,
            "updated_at": self.updated_at.isoformat(),
        }
        if self.is_stop:
            metadata["stop_price"] = self.stop_price
            metadata["triggered"] = self.triggered
        if self.reason:
            metadata["reason"] = self.reason
        return OrderResult(
            order_id=self.order_id,
            status=self.status,
            filled_amount=self.filled,
            remaining_amount=self.remaining,
            average_price=self.cost / self.filled if self.filled else None,
            fees={self.quote: self.fee} if self.filled else {},
            timestamp=self.created_at,
            client_order_id=self.client_order_id,
            exchange=exchange,
            symbol=self.symbol,
            side=self.side,
            order_type=self.order_type,
            amount=self.amount,
            price=self.price,
            metadata=metadata,
        )


@dataclass(frozen=True)
class FillRecord:
    """One fill of an order: ``liquidity`` is ``"taker"`` on arrival, ``"maker"`` when resting."""

    order_id: str
    symbol: str
    side: Side
    price: Decimal
    amount: Decimal
    fee: Decimal
    fee_asset: str
    liquidity: str
    timestamp: datetime
