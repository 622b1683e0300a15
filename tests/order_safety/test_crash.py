"""A process killed (SIGKILL) between intent and outcome: the next one settles its order.

The child process (``_child.py``) places an order through the ccxt plugin's Kraken against the
simulator running here, in the parent. Once the journal holds the child's intent (with its
AddOrder deadline) and the simulator has the request, the parent kills the child, then a new
manager's ``reconcile()`` (same journal file) settles the entry: found when the simulator had
accepted the order (and held the answer back), found when the simulator accepts it late (held,
landing seconds after the kill: the new process does not conclude absence before the journaled
deadline), ``not_sent`` when the simulator never processed the request, and only after the
deadline.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from powertrader_core import OrderJournal, OrderRequest
from powertrader_core.orders.journal import JournalState, process_owner
from tests.simulators.fixtures import kraken_config
from tests.simulators.kraken import KrakenSimulator

pytest.importorskip("powertrader_ccxt")
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

ROOT = Path(__file__).resolve().parents[2]


async def _kill_after_intent(
    sim: KrakenSimulator, tmp_path: Path, order: OrderRequest, arrived: Callable[[], bool]
) -> None:
    """Run the child; SIGKILL it once its intent is journaled and ``arrived()`` holds."""
    job = {
        "config": kraken_config(sim, tmp_path / "child-markets", rate_limit_ms=5, timeout=60),
        "timeout": 3.0,  # the journaled AddOrder deadline: Kraken's shortest (3 s)
        "journal": str(tmp_path / "journal.sqlite3"),
        "order": order.model_dump(mode="json"),
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.order_safety._child",
        cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert child.stdin is not None
    child.stdin.write(json.dumps(job).encode())
    child.stdin.close()
    journal = OrderJournal(tmp_path / "journal.sqlite3")
    deadline = time.monotonic() + 20
    try:
        while True:
            if child.returncode is not None:
                _, err = await child.communicate()
                pytest.fail(f"the child ended on its own: {err.decode()[-2000:]}")
            if journal.path.exists():
                entry = await journal.get(order.client_order_id, "kraken")
                if entry is not None and entry.state is JournalState.INTENT and arrived():
                    break
            assert time.monotonic() < deadline, "the child never got to send its order"
            await asyncio.sleep(0.02)
    finally:
        await journal.close()
        if child.returncode is None:
            child.send_signal(signal.SIGKILL)
        await child.communicate()  # reaped: its pid no longer counts as a live owner
    assert child.returncode == -signal.SIGKILL


async def test_an_order_the_killed_process_sent_is_found(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any, tmp_path: Path
) -> None:
    kraken_sim.fail("accept_then_hang", path="AddOrder")  # stored, answer held back
    order = OrderRequest(symbol="BTC-USD", side="buy", amount="0.001")
    await _kill_after_intent(kraken_sim, tmp_path, order, lambda: kraken_sim.orders_placed == 1)

    async with make_kraken_manager(kraken_sim) as manager:
        summary = await manager.reconcile()
        entry = await manager.journal.get(order.client_order_id, "kraken")
        events = await manager.journal.events(order.client_order_id)
    assert summary.found == [order.client_order_id] and summary.settled
    (txid, stored), = kraken_sim.orders.items()
    assert stored["cl_ord_id"] == order.client_order_id
    assert entry is not None and entry.state is JournalState.FILLED
    assert entry.exchange_order_id == txid
    assert [e.state for e in events] == [JournalState.INTENT, JournalState.FILLED]
    assert entry.owner != process_owner()  # the dead child wrote the intent
    assert kraken_sim.count("AddOrder") == 1


async def test_an_order_that_never_arrived_is_marked_so(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any, tmp_path: Path
) -> None:
    kraken_sim.fail("hang", path="AddOrder")  # received, never processed
    order = OrderRequest(symbol="BTC-USD", side="sell", amount="0.001")
    await _kill_after_intent(
        kraken_sim, tmp_path, order, lambda: kraken_sim.count("AddOrder") == 1
    )

    async with make_kraken_manager(kraken_sim) as manager:
        summary = await manager.reconcile()
        entry = await manager.journal.get(order.client_order_id, "kraken")
        again = await manager.reconcile()  # settled: nothing left to look up
    assert summary.absent == [order.client_order_id] and summary.settled
    assert kraken_sim.orders_placed == 0
    assert entry is not None and entry.state is JournalState.NOT_SENT
    assert entry.error is not None and "never arrived" in entry.error
    assert entry.deadline is not None and entry.updated_at > entry.deadline  # not before it
    assert again.checked == 0


async def test_an_order_landing_after_the_crash_is_found_and_never_sent_twice(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any, tmp_path: Path
) -> None:
    """The venue-rules case: killed while its AddOrder is on its way, reconciled at once by a
    new process; the exchange accepts the order 2 s later (before its deadline). The journal
    ends knowing the order, and a retry with the same id sends no second AddOrder."""
    kraken_sim.fail("hold", path="AddOrder", delay=2.0)  # accepted late
    order = OrderRequest(symbol="BTC-USD", side="buy", amount="0.001")
    await _kill_after_intent(
        kraken_sim, tmp_path, order, lambda: kraken_sim.count("AddOrder") == 1
    )
    assert kraken_sim.orders_placed == 0  # still on its way

    async with make_kraken_manager(kraken_sim) as manager:
        started = time.monotonic()
        summary = await manager.reconcile()
        waited = time.monotonic() - started
        entry = await manager.journal.get(order.client_order_id, "kraken")
        again = await manager.place_order(order, exchange="kraken")
        events = await manager.journal.events(order.client_order_id)
    assert summary.found == [order.client_order_id] and summary.settled, summary
    assert waited > 1.0  # it waited for the deadline instead of concluding "not sent"
    (txid, stored), = kraken_sim.orders.items()
    assert entry is not None and entry.state is JournalState.FILLED
    assert entry.exchange_order_id == txid and stored["cl_ord_id"] == order.client_order_id
    assert again.order_id == txid and again.metadata["journal"]["replayed"] is True
    assert kraken_sim.count("AddOrder") == 1 and kraken_sim.orders_placed == 1
    assert JournalState.NOT_SENT not in [e.state for e in events]
