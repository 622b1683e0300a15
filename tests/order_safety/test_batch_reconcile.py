"""reconcile() settles many entries of one exchange in few requests (Kraken's lists and
QueryOrders of 50), with the same rules as one by one: found is recorded, absent only after
the journaled deadline, nothing without a deadline.

The journal holds entries a crashed process left ``unknown``: some orders exist at the
simulator (among other closed orders, so the closed list takes several 50-order pages), some
never arrived; accepted entries are refreshed by one QueryOrders.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from powertrader_core import OrderJournal, OrderRequest
from powertrader_core.models import OrderResult
from powertrader_core.orders.journal import JournalState
from tests.simulators.kraken import KrakenSimulator

pytest.importorskip("powertrader_ccxt")

S = JournalState
LISTS = ("OpenOrders", "ClosedOrders", "QueryOrders")


def _at_kraken(sim: KrakenSimulator, cid: str | None, amount: str = "0.001") -> str:
    """An order the simulator holds (filled at once); its txid."""
    params = {"pair": "XBTUSD", "type": "buy", "ordertype": "market", "volume": amount}
    if cid is not None:
        params["cl_ord_id"] = cid
    (txid,) = sim.book.add_order(params)["txid"]
    return str(txid)


async def _unknown(
    journal: OrderJournal, order: OrderRequest, deadline: datetime | None
) -> None:
    await journal.record_intent(order.model_copy(update={"deadline": deadline}), "kraken")
    await journal.mark_unknown(order.client_order_id, "kraken", "the process died")


def _requests(sim: KrakenSimulator) -> int:
    return sum(sim.count(path) for path in LISTS)


async def test_fifty_unsettled_entries_in_a_few_requests(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite3"
    past = datetime.now(UTC) - timedelta(seconds=5)
    for _ in range(70):  # other orders of the account: the closed list has three pages
        _at_kraken(kraken_sim, None)
    orders = [OrderRequest(symbol="BTC-USD", side="buy", amount="0.001") for _ in range(50)]
    async with OrderJournal(path) as journal:
        for index, order in enumerate(orders):
            await _unknown(journal, order, past)
            if index < 30:
                _at_kraken(kraken_sim, order.client_order_id)
    async with make_kraken_manager(kraken_sim, timeout=2) as manager:
        summary = await manager.reconcile()
        states = {o.client_order_id: (await manager.journal.get(o.client_order_id, "kraken"))
                  for o in orders}
    assert sorted(summary.found) == sorted(o.client_order_id for o in orders[:30])
    assert sorted(summary.absent) == sorted(o.client_order_id for o in orders[30:])
    assert all(states[o.client_order_id].state is S.FILLED for o in orders[:30])  # type: ignore[union-attr]
    assert all(states[o.client_order_id].state is S.NOT_SENT for o in orders[30:])  # type: ignore[union-attr]
    # Two looks (the absence check), each one OpenOrders and ClosedOrders pages of 50 over
    # 100 closed orders; one by one this was about 140 requests.
    assert _requests(kraken_sim) <= 8, {p: kraken_sim.count(p) for p in LISTS}


async def test_no_deadline_batch_leaves_them_unknown(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite3"
    orders = [OrderRequest(symbol="BTC-USD", side="sell", amount="0.001") for _ in range(3)]
    async with OrderJournal(path) as journal:
        for order in orders:
            await _unknown(journal, order, None)
    _at_kraken(kraken_sim, orders[0].client_order_id)
    async with make_kraken_manager(kraken_sim) as manager:
        summary = await manager.reconcile()
    assert summary.found == [orders[0].client_order_id]
    assert sorted(summary.unknown) == sorted(o.client_order_id for o in orders[1:])
    assert all("enforces no deadline" in why for why in summary.unknown.values())


async def test_accepted_entries_refreshed_with_one_query(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite3"
    orders = [OrderRequest(symbol="BTC-USD", side="buy", amount="0.001") for _ in range(20)]
    async with OrderJournal(path) as journal:
        for order in orders:
            txid = _at_kraken(kraken_sim, order.client_order_id)
            await journal.record_intent(order, "kraken")
            await journal.record_result(order.client_order_id, "kraken", OrderResult(
                order_id=txid, status="pending", client_order_id=order.client_order_id,
                exchange="kraken", symbol="BTC-USD", side="buy", amount="0.001",
            ), "answered")
    async with make_kraken_manager(kraken_sim) as manager:
        summary = await manager.reconcile()
        entries = [await manager.journal.get(o.client_order_id, "kraken") for o in orders]
    assert sorted(summary.refreshed) == sorted(o.client_order_id for o in orders)
    assert all(e is not None and e.state is S.FILLED for e in entries)
    assert kraken_sim.count("QueryOrders") == 1
