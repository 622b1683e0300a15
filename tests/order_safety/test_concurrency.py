"""Fifty orders at once through one manager, with faults injected at random (seeded).

Every ``AddOrder`` request draws its fate: answered, refused (insufficient funds, invalid
arguments), lost before processing (502, dropped, hung), or processed and its answer lost
(dropped, 502, hung); lookups (``OpenOrders``/``ClosedOrders``) fail now and then too. After
the storm and one ``reconcile()``, each order's journal entry is filled, rejected or not sent,
and the simulator holds exactly the filled ones: one order per client order id, none extra.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

import pytest

from powertrader_core import ExchangeConnectionError, ExchangeOrderError, OrderRequest
from powertrader_core.orders.journal import JournalState
from tests.simulators.faults import Fault, FaultPlan
from tests.simulators.kraken import KrakenSimulator

pytest.importorskip("powertrader_ccxt")

ORDERS = 50

# path suffix -> (weight, fault or None for a clean answer)
_CHOICES: dict[str, list[tuple[int, dict[str, Any] | None]]] = {
    "AddOrder": [
        (8, None),
        (1, {"kind": "error", "message": "EOrder:Insufficient funds"}),
        (1, {"kind": "error", "message": "EGeneral:Invalid arguments:volume"}),
        (1, {"kind": "status", "status": 502}),
        (1, {"kind": "drop"}),
        (1, {"kind": "hang"}),
        (1, {"kind": "accept_then_drop"}),
        (1, {"kind": "accept_then_502"}),
        (1, {"kind": "accept_then_hang"}),
    ],
    "OpenOrders": [(6, None), (1, {"kind": "status", "status": 503})],
    "ClosedOrders": [(6, None), (1, {"kind": "status", "status": 503})],
}


class RandomFaults(FaultPlan):
    """A fault plan that draws each request's fault from ``_CHOICES`` with a seeded RNG.

    Built on the simulator's own ``FaultPlan`` (its ``take`` is what the simulator asks per
    request), so the simulator needs no knob of its own for random faults.
    """

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.rng = random.Random(seed)
        self.drawn: Counter[str] = Counter()

    def take(self, path: str) -> Fault | None:
        for suffix, choices in _CHOICES.items():
            if path.endswith(suffix):
                weights = [weight for weight, _ in choices]
                (fault,) = self.rng.choices([f for _, f in choices], weights=weights)
                self.drawn[f"{suffix}:{fault['kind'] if fault else 'ok'}"] += 1
                return None if fault is None else Fault(path=suffix, **fault)
        return None


async def test_fifty_orders_with_random_faults(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any
) -> None:
    orders = [
        OrderRequest(symbol="BTC-USD", side="buy" if i % 2 else "sell", amount="0.001")
        for i in range(ORDERS)
    ]
    manager = make_kraken_manager(kraken_sim, timeout=0.4, config={"rate_limit_ms": 1})
    async with manager:
        await manager.get_exchange("kraken")  # markets loaded before the storm
        faults = RandomFaults(seed=20240607)
        kraken_sim.plan = faults
        outcomes = await asyncio.gather(
            *(manager.place_order(order, exchange="kraken") for order in orders),
            return_exceptions=True,
        )
        kraken_sim.plan = FaultPlan()  # the storm is over
        summary = await manager.reconcile()
        entries = {e.client_order_id: e for e in await manager.journal.entries()}
        counts = await manager.journal.counts()

    assert not [o for o in outcomes if isinstance(o, BaseException) and not isinstance(
        o, ExchangeOrderError | ExchangeConnectionError)], outcomes
    assert summary.settled, summary.unknown
    assert len(entries) == ORDERS
    final = {JournalState.FILLED, JournalState.REJECTED, JournalState.NOT_SENT}
    assert {e.state for e in entries.values()} <= final, counts

    # The simulator holds exactly the filled ones, one per client order id.
    at_exchange = Counter(order["cl_ord_id"] for order in kraken_sim.orders.values())
    assert max(at_exchange.values(), default=1) == 1, "an order was placed twice"
    filled = {cid for cid, e in entries.items() if e.state is JournalState.FILLED}
    assert set(at_exchange) == filled
    assert len(kraken_sim.orders) == counts.get("filled", 0)
    by_cid = {order["cl_ord_id"]: txid for txid, order in kraken_sim.orders.items()}
    assert all(entries[cid].exchange_order_id == by_cid[cid] for cid in filled)

    # What each caller was told agrees with the journal.
    for order, outcome in zip(orders, outcomes, strict=True):
        entry = entries[order.client_order_id]
        if isinstance(outcome, ExchangeOrderError):
            assert entry.state is JournalState.REJECTED, (outcome, entry)
        elif isinstance(outcome, ExchangeConnectionError) and outcome.request_sent is False:
            assert entry.state is JournalState.NOT_SENT, (outcome, entry)
        elif isinstance(outcome, ExchangeConnectionError):  # "may exist": settled by reconcile
            assert entry.state in (JournalState.FILLED, JournalState.NOT_SENT), entry
        else:
            assert not isinstance(outcome, BaseException), outcome
            assert entry.state is JournalState.FILLED
            assert outcome.order_id == entry.exchange_order_id

    # The storm really was one: refusals, lost answers found, and resends all happened.
    states = Counter(e.state for e in entries.values())
    assert states[JournalState.REJECTED] >= 1 and states[JournalState.FILLED] >= 25
    reconciled = [
        o for o in outcomes
        if not isinstance(o, BaseException) and o.metadata["journal"]["reconciled"]
    ]
    assert reconciled, faults.drawn
    assert any(e.attempts == 2 for e in entries.values()), faults.drawn
