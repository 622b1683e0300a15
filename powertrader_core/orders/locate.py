"""Finding an order again at its exchange, and proving it is not there.

Used after a send whose answer was lost (:mod:`._order_safety`) and for journal entries left
unsettled by a crash (:mod:`._reconcile`). A lookup ends in one of three
ways (:class:`Lookup`):

- **found**: the exchange has the order (its current state comes back);
- **absent**: the exchange provably has no such order;
- **failed**: neither could be shown (the lookup failed, or the exchange offers no way to tell).

How, best evidence first:

1. ``get_order(client_order_id=...)``: exact. ``OrderNotFoundError`` is proof of absence.
2. Where the exchange cannot look up by client id (``NotSupportedError``): its open orders,
   and its recent closed orders where the plugin offers ``get_closed_orders(symbol)``. An order
   matches when it carries our client id (as sent: plugins may convert it, see
   ``exchange_client_id``), or, carrying none, when symbol, side and amount agree, it is no
   older than the intent (less ``match_skew``) and no other journal entry owns its id. Two such
   orders are ambiguous: failed. Absence is proven only when both open and closed orders were
   listed; open orders alone cannot show a market order that filled at once.

Absence must hold ``absence_checks`` times, ``absence_delay`` seconds apart, and it proves
nothing until the request can no longer become an order: a request that timed out may still be
in the network or the exchange's queue. Only a deadline the exchange's matching engine enforces
(Kraken's AddOrder ``deadline``; :meth:`AbstractExchange.engine_deadline`) ends that; it is
journaled with the intent (``JournalEntry.deadline``), so a process that starts after a crash
knows it. Absence then counts only from a look begun after the deadline (plus
``SafetyPolicy.deadline_margin`` for the exchange's clock), and the locator waits for that
moment (at most ``SafetyPolicy.deadline_wait``; a deadline further off leaves the order
unknown). Without a journaled deadline (Binance's and Bybit's ``recvWindow`` is checked only on
arrival; Coinbase, Bitstamp and Robinhood have none) an order not found is never absent: it
stays ``unknown`` until a lookup finds it or the user settles it.
Reads here are bounded by the exchange timeout and retried like any read, but not refused by an
open circuit: settling an order matters more than sparing a struggling exchange one request.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

from powertrader_core._types import utc_now
from powertrader_core.errors import (
    ExchangeError,
    NotSupportedError,
    OrderNotFoundError,
)
from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import OrderResult
from powertrader_core.orders.journal import JournalEntry
from powertrader_core.retry import RetryPolicy, bounded_read

__all__ = ["Lookup", "OrderLocator", "SafetyPolicy", "no_deadline", "owner_alive"]

T = TypeVar("T")


@dataclass(frozen=True)
class Lookup:
    """What looking an order up showed: ``result`` (found), ``absent``, or neither (failed)."""

    result: OrderResult | None = None
    absent: bool = False
    how: str = ""

    @property
    def found(self) -> bool:
        return self.result is not None


@dataclass(frozen=True)
class SafetyPolicy:
    """How patiently orders are reconciled. Defaults suit real exchanges; tests shrink them."""

    #: Resends after reconciliation proved an order absent (same client order id).
    resends: int = 1
    #: Lookups that must all find nothing before an order counts as absent.
    absence_checks: int = 2
    #: Seconds between those lookups (a request stuck in the exchange's queue lands).
    absence_delay: float = 0.5
    #: Seconds a match without client id may predate the intent (clock skew).
    match_skew: float = 60.0
    #: Seconds after which an order still in flight (``intent``, ``in_doubt``) counts as
    #: abandoned although its process seems alive (a reused pid, another host, a hung process).
    stale_after: float = 600.0
    #: Orders ``reconcile()`` looks up at once.
    concurrency: int = 8
    #: Seconds the locator may wait for an order's deadline to pass before the look that
    #: proves absence (Kraken's longest deadline is 60 s).
    deadline_wait: float = 75.0
    #: Seconds added to an order's deadline before a look counts: the exchange judges the
    #: deadline by its own clock, which may run behind ours.
    deadline_margin: float = 1.0


def no_deadline(exchange: str, how: str) -> Lookup:
    """An order not found where its request carried no engine deadline: not absent."""
    return Lookup(how=f"{how}; {exchange} enforces no deadline on order requests, so the order "
                  "may still reach it: unknown until a lookup finds it or the user settles it")


def owner_alive(owner: str) -> bool:
    """Whether the process that wrote an entry (``host:pid``) may still be running.

    On this host the system is asked for the pid (a killed process must have been reaped by
    its parent, or it still counts as alive). Another host cannot be asked: True, and the
    caller bounds how long that is believed (``SafetyPolicy.stale_after``). This process:
    False, since its orders in flight are claimed in the journal instead.
    """
    host, _, pid_text = owner.rpartition(":")
    if host != socket.gethostname():
        return True
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to someone else
    except OSError:
        return False
    return True


def _amount_matches(found: Decimal | None, wanted: Decimal) -> bool:
    # The plugin may have rounded the amount to the market's precision.
    return found is not None and abs(found - wanted) <= max(wanted * Decimal("0.001"), Decimal(0))


class OrderLocator:
    """Looks orders up at their exchange (see the module docstring)."""

    def __init__(
        self,
        retry: RetryPolicy,
        timeout: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        policy: SafetyPolicy,
    ) -> None:
        self.retry = retry
        self.timeout = timeout
        self.sleep = sleep
        self.absence_checks = max(1, policy.absence_checks)
        self.absence_delay = policy.absence_delay
        self.match_skew = policy.match_skew
        self.deadline_wait = policy.deadline_wait
        self.deadline_margin = policy.deadline_margin

    async def read(self, name: str, operation: str, fn: Callable[[], Awaitable[T]]) -> T:
        """One read: bounded by the exchange timeout, retried, mapped onto our errors."""
        return await bounded_read(
            name, operation, fn, self.retry, seconds=self.timeout(), sleep=self.sleep
        )

    async def locate(
        self, exchange: AbstractExchange, entry: JournalEntry, known_ids: set[str]
    ) -> Lookup:
        """Find ``entry``'s order at ``exchange``; absence must hold ``absence_checks`` times,
        the last look begun after the order's deadline (see the module docstring)."""
        lookup, began = Lookup(), utc_now()
        for check in range(self.absence_checks):
            if check:
                await self.sleep(self.absence_delay)
            began = utc_now()
            lookup = await self._look_once(exchange, entry, known_ids)
            if not lookup.absent:
                return lookup
        if entry.deadline is None:
            return no_deadline(exchange.name, lookup.how)
        after = entry.deadline + timedelta(seconds=self.deadline_margin)
        if began >= after:
            return Lookup(absent=True, how=f"{lookup.how}, after the order's deadline")
        pending = (after - utc_now()).total_seconds()
        if pending > self.deadline_wait:
            return Lookup(how=f"not found, but the exchange may accept the request for another "
                          f"{pending:.0f} s (its deadline): absence not provable yet")
        await self.sleep(max(0.0, pending))
        lookup = await self._look_once(exchange, entry, known_ids)
        if lookup.absent:
            return Lookup(absent=True, how=f"{lookup.how}, after the order's deadline")
        return lookup

    async def by_order_id(self, exchange: AbstractExchange, entry: JournalEntry) -> Lookup:
        """An accepted order's current state, by the exchange's own id."""
        order_id = entry.exchange_order_id
        if order_id is None:
            return Lookup(how="no exchange order id recorded")
        try:
            result = await self.read(
                exchange.name,
                "get_order",
                lambda: exchange.get_order(
                    order_id, entry.request.symbol, client_order_id=entry.client_order_id
                ),
            )
        except ExchangeError as error:
            return Lookup(how=f"lookup by order id failed: {error}")
        return Lookup(result=self.ours(result, exchange, entry), how="get_order by order id")

    @staticmethod
    def ours(result: OrderResult, exchange: AbstractExchange, entry: JournalEntry) -> OrderResult:
        updates: dict[str, Any] = {}
        if result.exchange != exchange.name:
            updates["exchange"] = exchange.name
        if result.client_order_id != entry.client_order_id:
            updates["client_order_id"] = entry.client_order_id
        return result.model_copy(update=updates) if updates else result

    async def _look_once(
        self, exchange: AbstractExchange, entry: JournalEntry, known_ids: set[str]
    ) -> Lookup:
        cid, symbol = entry.client_order_id, entry.request.symbol
        try:
            result = await self.read(
                exchange.name,
                "get_order",
                lambda: exchange.get_order(None, symbol, client_order_id=cid),
            )
        except OrderNotFoundError:
            return Lookup(absent=True, how="no order with this client order id")
        except NotSupportedError:
            return await self._scan(exchange, entry, known_ids)
        except ExchangeError as error:
            return Lookup(how=f"lookup by client order id failed: {error}")
        return Lookup(result=self.ours(result, exchange, entry), how="found by client order id")

    async def _scan(
        self, exchange: AbstractExchange, entry: JournalEntry, known_ids: set[str]
    ) -> Lookup:
        symbol = entry.request.symbol
        try:
            open_orders = await self.read(
                exchange.name, "get_open_orders", lambda: exchange.get_open_orders(symbol)
            )
        except NotSupportedError:
            return Lookup(
                how="the exchange can look orders up neither by client order id nor by listing "
                "open orders"
            )
        except ExchangeError as error:
            return Lookup(how=f"listing open orders failed: {error}")
        lookup = self._match(open_orders, exchange, entry, known_ids, "open")
        if lookup.found or lookup.how:
            return lookup
        closed_orders_of = getattr(exchange, "get_closed_orders", None)
        if closed_orders_of is None:
            return Lookup(
                how="not among the open orders, and recent closed orders cannot be listed: "
                "absence not provable"
            )
        try:
            closed = await self.read(
                exchange.name, "get_closed_orders", lambda: closed_orders_of(symbol)
            )
        except ExchangeError as error:
            return Lookup(how=f"listing closed orders failed: {error}")
        lookup = self._match(closed, exchange, entry, known_ids, "recently closed")
        if lookup.found or lookup.how:
            return lookup
        return Lookup(absent=True, how="neither among the open nor the recently closed orders")

    def _match(
        self,
        orders: Sequence[OrderResult],
        exchange: AbstractExchange,
        entry: JournalEntry,
        known_ids: set[str],
        where: str,
    ) -> Lookup:
        """The one order in ``orders`` that is ours, or a failed lookup if several may be."""
        request = entry.request
        sent_ids = {entry.client_order_id}
        convert = getattr(exchange, "exchange_client_id", None)
        if callable(convert):
            sent_ids.add(str(convert(entry.client_order_id)))
        for order in orders:
            theirs = {order.client_order_id, order.metadata.get("exchange_client_order_id")}
            if sent_ids & theirs:
                return Lookup(
                    result=self.ours(order, exchange, entry),
                    how=f"found among the {where} orders by client order id",
                )
        earliest = entry.intent_at - timedelta(seconds=self.match_skew)
        loose = [
            order
            for order in orders
            if order.client_order_id is None
            and order.order_id not in known_ids
            and order.symbol == request.symbol
            and order.side == request.side
            and _amount_matches(order.amount, request.amount)
            and order.timestamp >= earliest
        ]
        if len(loose) == 1:
            return Lookup(
                result=self.ours(loose[0], exchange, entry),
                how=f"matched among the {where} orders by symbol, side, amount and time",
            )
        if len(loose) > 1:
            return Lookup(
                how=f"{len(loose)} {where} orders match symbol, side, amount and time: ambiguous"
            )
        return Lookup()
