"""Cancelling an order through the manager: exchange and market from the order journal, the
outcome recorded in it.

Why through the manager: a cancel sent straight to the exchange leaves the journal saying
``accepted`` until the next ``reconcile()``, and a process that placed the order and then
cancelled it would, after a crash, still believe the order open. Here the journal learns of
the cancel when it happens.

1. The order is named by the exchange's id, our client order id, or both. The journal finds
   the entry (and so the exchange and market) when the caller leaves them out; a client id
   journaled at several exchanges must be given with one.
2. The live-trading rule of ``place_order`` applies: with ``settings.live_trading`` off only
   simulated exchanges (the paper exchange) are asked; a real one is refused, unsent.
3. An order whose exchange id is unknown (journaled in doubt, or named by client id) is looked
   up by its client id first: exchanges cancel by their own id.
4. One cancel request, bounded by the exchange timeout and never retried (like an order: a
   timed-out cancel is settled by reading the order, not by sending another blindly).
5. The state after the cancel: the answer, where it describes the order; where the exchange
   answers with the id alone (Kraken answers a count), the order is read back. Fills the
   journal already knew are kept when neither says more.
6. Recorded as evidence from the exchange (``canceled``, or ``filled`` when the order filled
   first), unless this process is placing that very order right now: the placement records.
"""

from __future__ import annotations

import logging
from typing import Any

from powertrader_core.errors import ExchangeError, InvalidOrderError, OrderNotFoundError
from powertrader_core.exchange import AbstractExchange
from powertrader_core.manager.calls import Caller
from powertrader_core.manager.venues import LiveGate
from powertrader_core.models import OrderResult
from powertrader_core.orders.journal import NO_ORDER, JournalEntry, JournalError, OrderJournal
from powertrader_core.orders.reconcile import Settler

__all__ = ["Canceller"]

log = logging.getLogger("powertrader_core.manager")

_OPERATION = "cancel_order"


class Canceller:
    """The manager's ``cancel_order`` (see the module docstring)."""

    def __init__(
        self,
        journal: OrderJournal,
        caller: Caller,
        settler: Settler,
        live: LiveGate,
    ) -> None:
        self.journal = journal
        self.caller = caller
        self.settler = settler
        self.live = live

    async def cancel(
        self,
        order_id: str | None,
        exchange: str | None,
        symbol: str | None,
        client_order_id: str | None,
    ) -> OrderResult:
        if order_id is None and client_order_id is None:
            raise InvalidOrderError(
                "give an order_id or a client_order_id", operation=_OPERATION
            )
        entry = await self.settler.entry_for(order_id, exchange, client_order_id, _OPERATION)
        if exchange is None:
            if entry is None:
                what = order_id if order_id is not None else client_order_id
                raise OrderNotFoundError(
                    f"order {what} is not in the order journal; name its exchange. "
                    "Nothing was sent",
                    operation=_OPERATION,
                )
            exchange = entry.exchange
        name = self.caller.pool.resolve(exchange, _OPERATION)
        if entry is not None and entry.exchange != name:
            entry = None
        self.live.check(name, _OPERATION)
        if entry is not None:
            symbol = symbol or entry.request.symbol
            client_order_id = client_order_id or entry.client_order_id
            order_id = order_id or entry.exchange_order_id
            if order_id is None and entry.state in NO_ORDER:
                raise OrderNotFoundError(
                    f"client_order_id {entry.client_order_id} never became an order at "
                    f"{name} (journal: {entry.state.value}); nothing to cancel. "
                    "Nothing was sent",
                    exchange=name,
                    operation=_OPERATION,
                )
        venue = await self.caller.ready(name, _OPERATION)
        target = order_id or await self._order_id_of(name, symbol, client_order_id)
        answer = await self.caller.send(
            venue, _OPERATION, lambda: venue.cancel_order(target, symbol)
        )
        result = await self._state_after(venue, answer, target, symbol, client_order_id, entry)
        if entry is None and result.client_order_id is not None:
            # The exchange's id was given, or a client id in its place (the paper exchange
            # cancels by either): the answer names the client id the journal files it under.
            entry = await self.journal.get(result.client_order_id, name)
        await self._record(entry, name, result)
        return result

    async def _order_id_of(
        self, name: str, symbol: str | None, client_order_id: str | None
    ) -> str:
        """The exchange's id of an order known here by its client id only."""

        async def lookup(venue: AbstractExchange) -> OrderResult:
            return await venue.get_order(None, symbol, client_order_id=client_order_id)

        found = await self.caller.read(name, "get_order", lookup, private=True)
        return found.order_id

    async def _state_after(
        self,
        venue: AbstractExchange,
        answer: OrderResult,
        order_id: str,
        symbol: str | None,
        client_order_id: str | None,
        entry: JournalEntry | None,
    ) -> OrderResult:
        """The order as the cancel left it (see step 5 of the module docstring)."""
        name = venue.name
        result = answer
        if answer.amount is None:  # the answer carries the id alone: read the order back

            async def read(exchange: AbstractExchange) -> OrderResult:
                return await exchange.get_order(
                    order_id, symbol, client_order_id=client_order_id
                )

            try:
                result = await self.caller.read(name, "get_order", read, private=True)
            except ExchangeError as error:
                log.info("cancel_order %s at %s: state not read back: %s", order_id, name, error)
        updates: dict[str, Any] = {}
        if result.exchange != name:
            updates["exchange"] = name
        if result.client_order_id is None and client_order_id is not None:
            updates["client_order_id"] = client_order_id
        if result.symbol is None and symbol is not None:
            updates["symbol"] = symbol
        known = entry.result if entry is not None else None
        if known is not None and known.filled_amount > result.filled_amount:
            updates["filled_amount"] = known.filled_amount
            if result.average_price is None:
                updates["average_price"] = known.average_price
        return result.model_copy(update=updates) if updates else result

    async def _record(self, entry: JournalEntry | None, name: str, result: OrderResult) -> None:
        if entry is None:
            return  # an order placed elsewhere (another tool, another journal)
        cid = entry.client_order_id
        if self.journal.is_claimed(cid):
            return  # being placed by this process right now: the placement records it
        try:
            await self.journal.record_result(cid, name, result, _OPERATION)
        except JournalError as error:
            # The cancel happened; the caller gets it. reconcile() refreshes the entry later.
            log.error("order %s cancelled at %s but not journaled: %s", cid, name, error)
