"""Order safety for the manager: one request is at most one order, and no order is lost.

Every order goes through :meth:`OrderSafety.place`, which sends it itself (``_send``: the one
place an order leaves, one bounded attempt) through the journal
(:mod:`powertrader_core.orders.journal`). It asks nothing of the manager but where an order
naming no exchange goes (``route``, the manager's public ``route_order``); the live-trading
gate is :class:`~powertrader_core.manager.venues.LiveGate`, reconciliation the
:class:`~powertrader_core.orders.reconcile.Settler` both share:

1. the intent is committed to the journal; then the exchange is made ready and the order sent;
2. an answer is recorded (``accepted``/``filled``/...; an answer without the outcome is
   completed by looking the order up first, :mod:`.outcome`); a refusal (``ExchangeOrderError``,
   authentication, rate limit, unsupported) is recorded ``rejected``, raised, never retried;
3. a failure that provably sent nothing (``request_sent`` False: refused connection, open
   circuit, no credentials) is ``not_sent``;
4. any other failure (timeout, reset after sending, 5xx, an unreadable answer) may have
   reached the exchange: it is **not resent blindly**. The order is looked up (by client order
   id, or open and closed orders; :mod:`._reconcile`). Found: recorded and returned. Provably
   absent: resent once with the same client order id. Neither: journaled ``unknown``, and the
   caller gets an ``ExchangeConnectionError`` saying the order may exist and that
   ``reconcile()`` will settle it.

Automatic fallback applies only to orders the manager routed by best execution (no exchange
named, and not the primary-only rule): once, to the route's runner-up, and only when the order
provably never reached the first exchange (``not_sent``, or absent after the resend). An order
naming its exchange is never moved: the caller chose the venue.

The same request again (same ``client_order_id``): at an exchange where the journal knows the
order exists, the recorded result is returned (nothing sent, ``metadata["journal"]["replayed"]``);
where it is unsettled, it is looked up first and resent only if absent. A routed retry goes
back to the exchange where the order may exist. On another exchange the request is a new order
(the seed's examples place one request twice), except while an earlier attempt elsewhere is
unsettled: that is settled first, and the request goes nowhere while it may exist.

``start()`` runs before a manager's first order: it settles what an earlier run left unsettled
(one indexed query when nothing is; orders placed by a live process are left alone).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from powertrader_core.errors import (
    ConfigurationError,
    ExchangeConnectionError,
    ExchangeError,
    InvalidOrderError,
)
from powertrader_core.exchange import AbstractExchange
from powertrader_core.manager.calls import Caller, combine_errors
from powertrader_core.manager.venues import LiveGate
from powertrader_core.models import OrderRequest, OrderResult
from powertrader_core.orders.journal import (
    EXISTS,
    NO_ORDER,
    UNSETTLED,
    JournalConflict,
    JournalEntry,
    JournalError,
    JournalState,
    OrderJournal,
)
from powertrader_core.orders.journal_rows import DamagedJournalRow
from powertrader_core.orders.locate import SafetyPolicy
from powertrader_core.orders.outcome import complete_answer
from powertrader_core.orders.reconcile import Settler

__all__ = ["OrderSafety", "SafetyPolicy"]

log = logging.getLogger("powertrader_core.manager")

Route = Callable[[OrderRequest], Awaitable[tuple[str, dict[str, Any]]]]

_FALLBACK_RULES = frozenset({"best_execution", "paper"})


class _NotPlaced(Exception):
    """Internal: the order provably is not at this exchange (``error`` says why)."""

    def __init__(self, error: ExchangeError) -> None:
        super().__init__(str(error))
        self.error = error


def _provably_unsent(error: ExchangeError) -> bool:
    # A ConfigurationError is raised before a request is built or sent (a key that does not
    # sign, a missing setting): nothing left, so nothing to look up.
    if isinstance(error, ConfigurationError):
        return True
    return isinstance(error, ExchangeConnectionError) and error.request_sent is False


def _same_order(a: OrderRequest, b: OrderRequest) -> bool:
    keys = ("symbol", "side", "amount", "order_type", "price", "stop_price", "time_in_force")
    return all(getattr(a, k) == getattr(b, k) for k in keys)


def _annotate(result: OrderResult, routing: Mapping[str, Any], **journal: Any) -> OrderResult:
    return result.model_copy(
        update={"metadata": {**result.metadata, "routing": dict(routing), "journal": journal}}
    )


class OrderSafety:
    """The manager's order path (see the module docstring)."""

    def __init__(
        self,
        journal: OrderJournal,
        caller: Caller,
        settler: Settler,
        live: LiveGate,
        policy: SafetyPolicy,
    ) -> None:
        self.journal = journal
        self.caller = caller
        self.settler = settler
        self.live = live
        self.policy = policy
        self._started = False
        self._start_lock = asyncio.Lock()

    # ---- start-up -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Before the first order: settle what an earlier run left unsettled (once)."""
        if self._started:
            return
        async with self._start_lock:
            if self._started:
                return
            if await self.journal.unsettled():
                try:
                    summary = await self.settler.reconcile(refresh_open=False)
                except DamagedJournalRow as damaged:
                    # Logged already; orders that do not touch those rows go on.
                    log.warning("order journal: reconciled on start, except: %s", damaged)
                else:
                    log.warning(
                        "order journal %s: reconciled on start: %s", self.journal.path, summary
                    )
            self._started = True

    # ---- placing --------------------------------------------------------------------------------

    async def place(self, order: OrderRequest, exchange: str | None, route: Route) -> OrderResult:
        cid = order.client_order_id
        if not self.journal.claim(cid):
            raise JournalConflict(
                f"client_order_id {cid} is being placed right now; nothing was sent",
                operation="place_order",
            )
        try:
            await self.start()
            priors = await self.journal.entries_for(cid)
            unsettled = [e for e in priors if e.state in UNSETTLED]
            if exchange is not None:
                name = self.caller.pool.resolve(exchange, "place_order")
                routing: dict[str, Any] = {"rule": "explicit", "exchange": name}
            elif unsettled:  # a retry: back where the order may exist
                name = self._reachable(unsettled[0])
                routing = {"rule": "journal", "exchange": name}
            else:
                name, routing = await route(order)
            self.live.check(name)
            for other in priors:
                if other.exchange != name and other.state in UNSETTLED:
                    await self._settle_elsewhere(other, name)
            prior = next((p for p in priors if p.exchange == name), None)
            if prior is not None:
                done = await self._settle_prior(prior, order, name, routing)
                if done is not None:
                    return done
            fallbacks = self._fallbacks(routing) if exchange is None else []
            return await self._place_with_fallback(order, name, routing, fallbacks)
        finally:
            self.journal.release(cid)

    def _reachable(self, prior: JournalEntry) -> str:
        try:
            return self.caller.pool.resolve(prior.exchange, "place_order")
        except ExchangeError as error:
            raise JournalConflict(
                f"client_order_id {prior.client_order_id} may be an order at {prior.exchange}, "
                f"which this manager cannot use ({error}). Nothing was sent",
                prior,
                operation="place_order",
            ) from error

    @staticmethod
    def _fallbacks(routing: Mapping[str, Any]) -> list[str]:
        runner_up = routing.get("runner_up")
        if routing.get("rule") in _FALLBACK_RULES and isinstance(runner_up, Mapping):
            return [str(runner_up["exchange"])]
        return []

    async def _settle_elsewhere(self, prior: JournalEntry, name: str) -> None:
        """The request is asked for at ``name`` while it may exist at ``prior.exchange``."""
        cid, where = prior.client_order_id, prior.exchange
        if self.settler.live_elsewhere(prior):
            raise JournalConflict(
                f"client_order_id {cid} is being placed at {where} by another process; "
                f"not sending it to {name}. Nothing was sent",
                prior,
                operation="place_order",
            )
        lookup = await self.settler.settle(prior)
        if lookup.found:
            raise JournalConflict(
                f"client_order_id {cid} is an order at {where} after all ({lookup.how}); not "
                f"sending it to {name} too: use a new OrderRequest for another order. "
                "Nothing was sent",
                prior,
                operation="place_order",
            )
        if not lookup.absent:
            raise JournalConflict(
                f"client_order_id {cid} may be an order at {where} ({lookup.how}); not sending "
                f"it to {name} until reconcile() settles it. Nothing was sent",
                prior,
                operation="place_order",
            )

    async def _settle_prior(
        self, prior: JournalEntry, order: OrderRequest, name: str, routing: dict[str, Any]
    ) -> OrderResult | None:
        """A journaled attempt at this exchange: its result, or None to send (again)."""
        if prior.state in NO_ORDER:
            return None
        cid = prior.client_order_id
        if not _same_order(prior.request, order):
            raise InvalidOrderError(
                f"client_order_id {cid} already names a different order at {name} "
                f"({prior.state.value}); use a new client_order_id. Nothing was sent",
                exchange=name,
                operation="place_order",
            )
        if prior.state in EXISTS:
            return self._replay(prior, routing)
        if self.settler.live_elsewhere(prior):
            raise JournalConflict(
                f"client_order_id {cid} is being placed at {name} by another process "
                f"({prior.owner}). Nothing was sent",
                prior,
                exchange=name,
                operation="place_order",
            )
        lookup = await self.settler.settle(prior)
        if lookup.found:
            assert lookup.result is not None
            entry = await self.journal.get(cid, name)
            return _annotate(
                lookup.result, routing, state=entry.state.value if entry else "",
                attempts=prior.attempts, replayed=False, reconciled=True,
            )
        if lookup.absent:
            return None
        raise self._may_exist(prior, lookup.how, None)

    @staticmethod
    def _replay(prior: JournalEntry, routing: dict[str, Any]) -> OrderResult:
        if prior.result is None:  # every entry in EXISTS has its result; a foreign writer?
            raise JournalError(
                f"{prior.client_order_id} at {prior.exchange} is {prior.state.value} without "
                "a recorded result. Nothing was sent",
                operation="place_order",
            )
        return _annotate(prior.result, routing, state=prior.state.value,
                         attempts=prior.attempts, replayed=True, reconciled=False)

    async def _place_with_fallback(
        self, order: OrderRequest, name: str, routing: dict[str, Any], fallbacks: list[str]
    ) -> OrderResult:
        errors: dict[str, ExchangeError] = {}
        while True:
            try:
                return await self._place_at(order, name, routing)
            except _NotPlaced as not_placed:
                errors[name] = not_placed.error
            if not fallbacks:
                break
            following = fallbacks.pop(0)
            try:
                self.live.check(following)
            except ExchangeError as error:
                errors[following] = error
                break
            log.warning(
                "place_order %s: never reached %s (%s); falling back to %s",
                order.client_order_id, name, errors[name], following,
            )
            routing = {**routing, "exchange": following, "fell_back_from": name,
                       "fallback_reason": str(errors[name])}
            name = following
        if len(errors) == 1:
            raise next(iter(errors.values()))
        subject = f"{order.side.value} {order.amount} {order.symbol}"
        raise combine_errors(errors, "place_order", subject)

    async def _place_at(
        self, order: OrderRequest, name: str, routing: dict[str, Any]
    ) -> OrderResult:
        """Send ``order`` to ``name`` (resending once if proven absent); _NotPlaced if the
        order provably is not there."""
        cid = order.client_order_id
        resends = max(0, self.policy.resends)
        while True:
            try:
                venue = await self.caller.ready(name, "place_order")
            except ExchangeError as error:
                noted = await self._journal_intent(order, name, routing)
                if isinstance(noted, OrderResult):
                    return noted
                await self.journal.mark_not_sent(cid, name, f"not sent: {error}")
                raise _NotPlaced(error) from error
            # The exchange's engine deadline for this attempt, journaled with the intent:
            # after it, an order not found can no longer appear (see locate.py).
            attempt = order.model_copy(
                update={"deadline": venue.engine_deadline(self.caller.timeout())}
            )
            entry_or_replay = await self._journal_intent(attempt, name, routing)
            if isinstance(entry_or_replay, OrderResult):
                return entry_or_replay
            entry = entry_or_replay
            sent_at = asyncio.get_running_loop().time()
            try:
                result = await self._send(venue, attempt)
            except asyncio.CancelledError:
                await asyncio.shield(self._mark_quietly(
                    entry, "canceled while sending: may have reached the exchange"))
                raise
            except ExchangeError as error:
                # The send left its failure to us (the facade's send): a failure for health
                # unless the order turns out to be there.
                health = self.caller.health
                if _provably_unsent(error):
                    health.record_failure(name, error)
                    await self.journal.mark_not_sent(cid, name, f"not sent: {error}")
                    raise _NotPlaced(error) from error
                if error.final_for_order:  # refused: never resent (errors.py)
                    health.record_failure(name, error)
                    await self.journal.mark_rejected(cid, name, str(error))
                    raise
                try:
                    found = await self._reconcile_send(venue, entry, error)
                except ExchangeError:
                    health.record_failure(name, error)
                    raise
                if found is not None:
                    health.record_success(name)  # the exchange took the order: it works
                    return _annotate(found[0], routing, state=found[1], attempts=entry.attempts,
                                     replayed=False, reconciled=True)
                health.record_failure(name, error)
                if resends > 0:
                    resends -= 1
                    log.warning("place_order %s: %s has no such order after %s; resending "
                                "once, same client order id", cid, name, error)
                    continue
                raise _NotPlaced(ExchangeConnectionError(
                    f"{error.message}; the exchange provably has no such order after "
                    f"{entry.attempts} attempts: not placed",
                    exchange=name, operation="place_order", request_sent=False,
                )) from error
            # An answer without the outcome (Kraken's AddOrder: the id alone) is completed by
            # looking the order up, within what is left of the call's time (outcome.py).
            result = await complete_answer(
                venue, attempt, result, sent_at + self.caller.timeout(), self.caller.sleep
            )
            return await self._record_answer(entry, result, routing)

    async def _send(self, venue: AbstractExchange, order: OrderRequest) -> OrderResult:
        """The one place an order leaves: one attempt, bounded, never retried. Its failure
        is left for the order path to record: only the lookup that follows says whether the
        exchange failed or the order is there."""
        result = await self.caller.send(
            venue, "place_order", lambda: venue.place_order(order), judge_failures=False
        )
        updates: dict[str, Any] = {}
        if result.exchange != venue.name:
            updates["exchange"] = venue.name
        if result.client_order_id is None:
            updates["client_order_id"] = order.client_order_id
        return result.model_copy(update=updates) if updates else result

    async def _journal_intent(
        self, order: OrderRequest, name: str, routing: dict[str, Any]
    ) -> JournalEntry | OrderResult:
        """Commit the intent; the recorded result when ``name`` already has the order (a
        fallback venue that already has it)."""
        try:
            return await self.journal.record_intent(order, name)
        except JournalConflict as conflict:
            if conflict.entry is not None and conflict.entry.state in EXISTS:
                return self._replay(conflict.entry, routing)
            raise
        except JournalError as error:  # no intent on disk: the order must not leave
            raise JournalError(
                f"{error.message}; nothing was sent", exchange=name, operation="place_order"
            ) from error

    async def _record_answer(
        self, entry: JournalEntry, result: OrderResult, routing: dict[str, Any]
    ) -> OrderResult:
        try:
            saved = await self.journal.record_result(
                entry.client_order_id, entry.exchange, result, "answered"
            )
            state = saved.state.value if saved else ""
        except JournalError as error:
            # The order exists: the caller gets it. The entry stays 'intent', so
            # reconcile() records it later.
            log.error("order %s placed but not journaled: %s", result.order_id, error)
            state = JournalState.INTENT.value
        return _annotate(result, routing, state=state, attempts=entry.attempts,
                         replayed=False, reconciled=False)

    async def _mark_quietly(self, entry: JournalEntry, reason: str) -> None:
        try:
            await self.journal.mark_unknown(entry.client_order_id, entry.exchange, reason)
        except JournalError as error:
            log.error("order %s: %s; journal not updated: %s", entry.client_order_id, reason, error)

    async def _reconcile_send(
        self, venue: AbstractExchange, entry: JournalEntry, error: ExchangeError
    ) -> tuple[OrderResult, str] | None:
        """After an in-doubt send: the order found (and its state), None when provably absent;
        raises the 'may exist' error when neither can be shown."""
        cid, name = entry.client_order_id, entry.exchange
        try:
            entry = await self.journal.mark_in_doubt(cid, name, str(error))
        except JournalConflict as conflict:  # someone else settled it meanwhile
            if conflict.entry is not None and conflict.entry.result is not None:
                return conflict.entry.result, conflict.entry.state.value
            raise
        log.warning("place_order %s: %s; looking the order up before anything else", cid, error)
        lookup = await self.settler.locate(venue, entry)
        state = await self.settler.save(entry, lookup, f"after {error.message}")
        if lookup.result is not None:
            return lookup.result, state.value if state else ""
        if lookup.absent:
            return None
        raise self._may_exist(entry, lookup.how, error) from error

    @staticmethod
    def _may_exist(
        entry: JournalEntry, why: str, error: ExchangeError | None
    ) -> ExchangeConnectionError:
        first = f"{error.message}; " if error is not None else ""
        return ExchangeConnectionError(
            f"{first}the order may exist at {entry.exchange} and could not be reconciled "
            f"({why}); journaled as 'unknown' (client_order_id {entry.client_order_id}): "
            "reconcile() will settle it. Do not place it elsewhere meanwhile",
            exchange=entry.exchange,
            operation="place_order",
            request_sent=None,
        )
