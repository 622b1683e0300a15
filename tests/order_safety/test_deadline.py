"""A timed-out order that lands late is never a second order: Kraken's AddOrder ``deadline``.

The simulator holds the first AddOrder (a request stuck in the network or Kraken's queue)
while the manager, after its 0.3 s timeout, looks the order up and finds nothing. Two ways the
late request can end, and one without a deadline for contrast:

- it lands after its deadline: Kraken refuses it, the resend is the only order;
- it lands before its deadline but after the first looks: the manager, told the deadline by
  the plugin, looks once more after it passed, finds the order and does not resend;
- no engine deadline (as on Binance or Bybit, whose recvWindow is checked on arrival only):
  absence is never concluded, the order stays unknown and is not resent; reconcile() finds it.

Kraken's shortest deadline (3 s) is shortened to 0.2 s so the tests take two to three seconds
(the plugin rounds a deadline up to a whole second, Kraken's documented form).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from powertrader_core import ExchangeConnectionError, OrderJournal, OrderRequest
from powertrader_core.orders.journal import JournalState
from tests.simulators.kraken import KrakenSimulator
from tests.simulators.kraken_orders import DEADLINE_PASSED

ccxt_plugin = pytest.importorskip("powertrader_ccxt")

S = JournalState


def _order() -> OrderRequest:
    return OrderRequest(symbol="BTC-USD", side="buy", amount="0.001")


async def _settled(sim: KrakenSimulator, seconds: float = 3.0) -> None:
    """Until the simulator answered every AddOrder it received (the held one lands late)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if len(sim.orders) + len(sim.refused) >= sim.count("AddOrder"):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the simulator never processed the held AddOrder")


async def _journaled(path: Path, cid: str) -> tuple[S, int]:
    async with OrderJournal(path) as journal:
        entry = await journal.get(cid, "kraken")
    assert entry is not None
    return entry.state, entry.attempts


async def test_a_late_request_past_its_deadline_is_refused_and_the_resend_is_the_order(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any, tmp_path: Path
) -> None:
    order = _order()
    kraken_sim.fail("hold", path="AddOrder", delay=1.5)  # the deadline: at most 1.3 s
    async with make_kraken_manager(kraken_sim, timeout=0.3, config={"order_deadline": 0.3}) as m:
        result = await m.place_order(order, exchange="kraken")
    await _settled(kraken_sim)
    assert kraken_sim.count("AddOrder") == 2
    assert kraken_sim.refused == [("AddOrder", DEADLINE_PASSED)]  # the held one, landing late
    (txid,) = [t for t, o in kraken_sim.orders.items() if o["cl_ord_id"] == order.client_order_id]
    assert len(kraken_sim.orders) == 1 and result.order_id == txid
    assert result.metadata["journal"]["attempts"] == 2
    # Kraken answers AddOrder with the id alone; the lookup after it says filled
    assert await _journaled(tmp_path / "journal.sqlite3", order.client_order_id) == (
        S.FILLED, 2
    )


async def test_a_late_request_before_its_deadline_is_found_not_resent(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any, tmp_path: Path
) -> None:
    """Held 0.6 s: the first looks (at about 0.3 s) find nothing, but Kraken may accept the
    request until its deadline (1 to 2 s); the manager looks again after it and finds it."""
    order = _order()
    kraken_sim.fail("hold", path="AddOrder", delay=0.6)
    async with make_kraken_manager(kraken_sim, timeout=0.3, config={"order_deadline": 1.0}) as m:
        result = await m.place_order(order, exchange="kraken")
    assert kraken_sim.count("AddOrder") == 1 and kraken_sim.refused == []
    assert [o["cl_ord_id"] for o in kraken_sim.orders.values()] == [order.client_order_id]
    assert result.metadata["journal"]["reconciled"] is True
    assert await _journaled(tmp_path / "journal.sqlite3", order.client_order_id) == (S.FILLED, 1)


async def test_without_an_engine_deadline_a_late_request_is_never_resent(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any, tmp_path: Path
) -> None:
    """Without a deadline the engine enforces (Binance's recvWindow is only checked on
    arrival), nothing proves the held request will not land: the order stays unknown, is not
    resent, and reconcile() finds it once it landed. One order."""
    order = _order()
    kraken_sim.fail("hold", path="AddOrder", delay=1.5)
    async with make_kraken_manager(
        kraken_sim, timeout=1.0, config={"order_deadline": False}
    ) as manager:
        with pytest.raises(ExchangeConnectionError, match="enforces no deadline"):
            await manager.place_order(order, exchange="kraken")
        assert await _journaled(tmp_path / "journal.sqlite3", order.client_order_id) == (
            S.UNKNOWN, 1
        )
        await _settled(kraken_sim)
        summary = await manager.reconcile()
    assert summary.found == [order.client_order_id]
    assert kraken_sim.count("AddOrder") == 1 and len(kraken_sim.orders) == 1
    assert await _journaled(tmp_path / "journal.sqlite3", order.client_order_id) == (S.FILLED, 1)
