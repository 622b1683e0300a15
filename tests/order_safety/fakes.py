"""In-process exchanges for what the Kraken simulator cannot express.

Kraken (and so its simulator) finds orders by client order id; these fakes also model the
exchanges that cannot: ``ScanVenue`` lists open orders only, ``ClosedScanVenue`` also recent
closed ones (``get_closed_orders``), and neither returns our client id on its orders
(``echo_client_id=False``), so reconciliation must match by symbol, side, amount and time.

A venue's behaviour for each ``place_order`` comes from its class's ``script`` (consumed in
order; ``"ok"`` once it is empty):

- ``ok``: store the order, answer it;
- ``lost``: store it, then fail as if the answer was lost (``request_sent=None``);
- ``unsent``: fail as if the connection was refused (``request_sent=False``), store nothing;
- ``dropped``: fail with ``request_sent=None`` and store nothing (lost before processing);
- ``reject``: refuse it (``InvalidOrderError``).

Other knobs on the class: ``mid`` (its quote: routing prefers the cheaper venue), ``delay``
(seconds ``place_order`` takes), ``lookups_fail`` (every lookup fails with a connection error),
``started`` (an ``asyncio.Event`` set when ``place_order`` begins), ``terse_cancel`` (the
cancel answer carries the order id alone, as Kraken's does), ``engine_deadlines`` (True: an
order request cannot land after its ``place_order`` call ended, told to the manager as an
engine deadline of "now", so absence is provable; False: the venue enforces none, like
Binance, and an order not found stays unknown). ``cancels`` records every
``cancel_order`` call.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

from powertrader_core import (
    AbstractExchange,
    ExchangeConnectionError,
    InvalidOrderError,
    MarketData,
    NotSupportedError,
    OrderNotFoundError,
    OrderRequest,
    OrderResult,
    OrderStatus,
)

_ids = itertools.count(1)


class LedgerVenue(AbstractExchange):
    """Keeps its orders in the class's ``orders`` (see the module docstring)."""

    regions: ClassVar[Sequence[str]] = ("us", "eu", "global")
    required_credentials: ClassVar[Sequence[str]] = ("api_key",)
    by_client_id: ClassVar[bool] = True
    echo_client_id: ClassVar[bool] = True
    script: ClassVar[list[str]]
    orders: ClassVar[dict[str, OrderResult]]
    sent: ClassVar[list[str]]  # client order id of every place_order call
    cancels: ClassVar[list[str]]  # order id of every cancel_order call
    terse_cancel: ClassVar[bool] = False
    lookups: ClassVar[int]
    mid: ClassVar[int] = 100
    delay: ClassVar[float] = 0.0
    lookups_fail: ClassVar[bool] = False
    started: ClassVar[asyncio.Event | None] = None  # set when a place_order begins
    engine_deadlines: ClassVar[bool] = True

    def engine_deadline(self, seconds: float) -> datetime | None:
        # In process: once place_order returned or was cancelled, nothing is in flight.
        return datetime.now(UTC) if self.engine_deadlines else None

    async def initialize(self) -> bool:
        return True

    async def get_market_data(self, symbol: str) -> MarketData:
        mid = self.mid
        return MarketData(symbol, mid, mid - 1, mid + 1, 10, exchange=self.name)

    def _lookup(self) -> None:
        type(self).lookups += 1
        if self.lookups_fail:
            raise ExchangeConnectionError("lookup failed", exchange=self.name)

    async def get_balance(self, asset: str | None = None) -> dict[str, Decimal]:
        return {"USD": Decimal(10**6)}

    def _store(self, order: OrderRequest) -> OrderResult:
        result = OrderResult(
            order_id=f"{self.name}-{next(_ids)}",
            status="open",
            remaining_amount=order.amount,
            client_order_id=order.client_order_id if self.echo_client_id else None,
            exchange=self.name,
            symbol=order.symbol,
            side=order.side,
            amount=order.amount,
        )
        type(self).orders[result.order_id] = result
        return result

    async def place_order(self, order_request: OrderRequest) -> OrderResult:
        cls = type(self)
        cls.sent.append(order_request.client_order_id)
        if cls.started is not None:
            cls.started.set()
        step = cls.script.pop(0) if cls.script else "ok"
        if cls.delay:
            await asyncio.sleep(cls.delay)
        name = self.name
        if step == "reject":
            raise InvalidOrderError("order refused", exchange=name, operation="place_order")
        if step == "unsent":
            raise ExchangeConnectionError(
                "connection refused", exchange=name, operation="place_order", request_sent=False
            )
        if step == "dropped":
            raise ExchangeConnectionError("reset", exchange=name, operation="place_order")
        result = self._store(order_request)
        if step == "lost":
            raise ExchangeConnectionError("answer lost", exchange=name, operation="place_order")
        return result

    async def get_order(
        self,
        order_id: str | None = None,
        symbol: str | None = None,
        *,
        client_order_id: str | None = None,
    ) -> OrderResult:
        self._lookup()
        if order_id is not None:
            if order_id in self.orders:
                return self.orders[order_id]
            raise OrderNotFoundError(order_id, exchange=self.name, operation="get_order")
        if not self.by_client_id:
            raise NotSupportedError("no lookup by client id", exchange=self.name)
        for order in self.orders.values():
            if order.client_order_id == client_order_id:
                return order
        raise OrderNotFoundError("no such order", exchange=self.name, operation="get_order")

    async def cancel_order(self, order_id: str, symbol: str | None = None) -> OrderResult:
        """Cancel by the venue's own id; answers with the id alone when ``terse_cancel``
        (as Kraken does), else with the whole order."""
        cls = type(self)
        cls.cancels.append(order_id)
        order = cls.orders.get(order_id)
        if order is None or order.status != "open":
            raise OrderNotFoundError(
                f"no open order {order_id}", exchange=self.name, operation="cancel_order"
            )
        cls.orders[order_id] = order.model_copy(update={"status": OrderStatus.CANCELED})
        if cls.terse_cancel:
            return OrderResult(order_id=order_id, status="canceled", exchange=self.name)
        return cls.orders[order_id]


class ScanVenue(LedgerVenue):
    """No lookup by client id and no client id on its orders: open orders only."""

    by_client_id = False
    echo_client_id = False

    async def get_open_orders(self, symbol: str | None = None) -> list[OrderResult]:
        self._lookup()
        return [o for o in self.orders.values() if o.status == "open"]


class ClosedScanVenue(ScanVenue):
    """Like ``ScanVenue``, and recent closed orders can be listed as well."""

    async def get_closed_orders(self, symbol: str | None = None) -> list[OrderResult]:
        self._lookup()
        return [o for o in self.orders.values() if o.status != "open"]


def make_venue(name: str, base: type[LedgerVenue] = LedgerVenue, **attrs: Any) -> type[LedgerVenue]:
    """A new venue class named ``name`` with its own ledger."""
    fields: dict[str, Any] = {
        "name": name, "script": [], "orders": {}, "sent": [], "cancels": [], "lookups": 0
    }
    fields.update(attrs)
    return type(f"Venue_{name}", (base,), fields)


