"""A lost answer never becomes a second order: the ccxt plugin's Kraken against the simulator.

Each test injects one fault on ``AddOrder`` and checks three things: what ``place_order``
returned or raised, how many orders the simulator holds (exactly one, or none) and how many
``AddOrder`` requests it saw, and what the journal says happened (its final state and the
transitions that led there).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from powertrader_core import (
    ExchangeConnectionError,
    InsufficientFundsError,
    InvalidOrderError,
    OrderJournal,
    OrderRequest,
)
from powertrader_core.orders.journal import JournalState
from tests.simulators.kraken import KrakenSimulator

pytest.importorskip("powertrader_ccxt")

S = JournalState


def _order(**overrides: Any) -> OrderRequest:
    values: dict[str, Any] = {"symbol": "BTC-USD", "side": "buy", "amount": "0.001"}
    values.update(overrides)
    return OrderRequest(**values)


async def _trail(journal_path: Path, cid: str) -> tuple[S, list[S], int]:
    """The entry's state, its transitions and its attempts at kraken."""
    async with OrderJournal(journal_path) as journal:
        entry = await journal.get(cid, "kraken")
        assert entry is not None
        events = await journal.events(cid, "kraken")
    return entry.state, [e.state for e in events], entry.attempts


def _only_order(sim: KrakenSimulator, cid: str) -> str:
    """The simulator's one order, which must carry our client order id; its txid."""
    assert sim.orders_placed == 1, sim.orders
    (txid, order), = sim.orders.items()
    assert order["cl_ord_id"] == cid
    return txid


@pytest.mark.parametrize(
    ("fault", "seconds"),
    [("accept_then_drop", 0.5), ("accept_then_502", 0.5), ("accept_then_hang", 0.3)],
)
async def test_accepted_but_answer_lost_is_found_not_resent(
    fault: str, seconds: float, kraken_sim: KrakenSimulator, make_kraken_manager: Any,
    tmp_path: Path,
) -> None:
    kraken_sim.fail(fault, path="AddOrder")
    order = _order()
    async with make_kraken_manager(kraken_sim, timeout=seconds) as manager:
        result = await manager.place_order(order, exchange="kraken")
    txid = _only_order(kraken_sim, order.client_order_id)
    assert kraken_sim.count("AddOrder") == 1
    assert result.order_id == txid and result.client_order_id == order.client_order_id
    assert result.status == "filled" and result.exchange == "kraken"
    assert result.metadata["journal"]["reconciled"] is True
    state, trail, attempts = await _trail(tmp_path / "journal.sqlite3", order.client_order_id)
    assert (state, trail, attempts) == (S.FILLED, [S.INTENT, S.IN_DOUBT, S.FILLED], 1)


@pytest.mark.parametrize("fault", [{"kind": "status", "status": 502}, {"kind": "drop"}])
async def test_lost_before_acceptance_is_resent_once(
    fault: dict[str, Any], kraken_sim: KrakenSimulator, make_kraken_manager: Any,
    tmp_path: Path,
) -> None:
    kraken_sim.fail(path="AddOrder", **fault)
    order = _order()
    async with make_kraken_manager(kraken_sim) as manager:
        result = await manager.place_order(order, exchange="kraken")
    txid = _only_order(kraken_sim, order.client_order_id)
    assert kraken_sim.count("AddOrder") == 2  # the lost one, and one resend
    assert result.order_id == txid and result.metadata["journal"]["attempts"] == 2
    state, trail, attempts = await _trail(tmp_path / "journal.sqlite3", order.client_order_id)
    # Kraken answers AddOrder with the id alone; the lookup after it says filled
    assert state is S.FILLED and attempts == 2
    assert trail == [S.INTENT, S.IN_DOUBT, S.NOT_SENT, S.INTENT, S.FILLED]
    # the resend carried the same client order id
    sent = [r.params.get("cl_ord_id") for r in kraken_sim.requests if r.path.endswith("AddOrder")]
    assert sent == [order.client_order_id] * 2


async def test_lost_twice_is_not_placed_and_says_so(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any, tmp_path: Path
) -> None:
    kraken_sim.fail("status", path="AddOrder", status=502, times=2)
    order = _order()
    async with make_kraken_manager(kraken_sim) as manager:
        with pytest.raises(ExchangeConnectionError, match="provably has no such order") as caught:
            await manager.place_order(order, exchange="kraken")
    assert caught.value.request_sent is False
    assert kraken_sim.orders_placed == 0 and kraken_sim.count("AddOrder") == 2
    state, _, attempts = await _trail(tmp_path / "journal.sqlite3", order.client_order_id)
    assert (state, attempts) == (S.NOT_SENT, 2)


async def test_a_rejection_is_final_and_never_retried(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any, tmp_path: Path
) -> None:
    kraken_sim.fail("error", path="AddOrder", message="EOrder:Insufficient funds")
    order = _order()
    async with make_kraken_manager(kraken_sim) as manager:
        with pytest.raises(InsufficientFundsError, match="kraken place_order"):
            await manager.place_order(order, exchange="kraken")
    assert kraken_sim.count("AddOrder") == 1  # exactly one request
    assert kraken_sim.count("OpenOrders") == kraken_sim.count("ClosedOrders") == 0  # no lookup
    assert kraken_sim.orders_placed == 0
    state, trail, _ = await _trail(tmp_path / "journal.sqlite3", order.client_order_id)
    assert (state, trail) == (S.REJECTED, [S.INTENT, S.REJECTED])


async def test_a_failed_lookup_leaves_it_unknown_until_reconcile(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any, tmp_path: Path
) -> None:
    kraken_sim.fail("accept_then_502", path="AddOrder")
    kraken_sim.fail("status", path="OpenOrders", status=503, times=None)
    order = _order()
    async with make_kraken_manager(kraken_sim) as manager:
        with pytest.raises(ExchangeConnectionError, match="reconcile\\(\\) will settle") as caught:
            await manager.place_order(order, exchange="kraken")
        assert "may exist at kraken" in str(caught.value)
        assert caught.value.request_sent is None
        state, _, _ = await _trail(tmp_path / "journal.sqlite3", order.client_order_id)
        assert state is S.UNKNOWN
        kraken_sim.clear_faults()
        summary = await manager.reconcile()
    assert summary.found == [order.client_order_id] and summary.settled
    txid = _only_order(kraken_sim, order.client_order_id)
    assert kraken_sim.count("AddOrder") == 1
    state, trail, _ = await _trail(tmp_path / "journal.sqlite3", order.client_order_id)
    assert state is S.FILLED and trail[-2:] == [S.UNKNOWN, S.FILLED]
    async with make_kraken_manager(kraken_sim) as manager:
        by_client_id = await manager.get_order(client_order_id=order.client_order_id)
        by_order_id = await manager.get_order(txid)
    assert by_client_id.order_id == by_order_id.order_id == txid
    assert by_order_id.client_order_id == order.client_order_id


async def test_the_same_request_again_is_the_same_order(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any
) -> None:
    order = _order()
    async with make_kraken_manager(kraken_sim) as manager:
        first = await manager.place_order(order, exchange="kraken")
        again = await manager.place_order(order)  # routed: back to the journaled exchange
        with pytest.raises(InvalidOrderError, match="different order"):
            await manager.place_order(
                _order(amount="0.002", client_order_id=order.client_order_id), exchange="kraken"
            )
    assert again.order_id == first.order_id and again.metadata["journal"]["replayed"] is True
    assert kraken_sim.count("AddOrder") == 1 and kraken_sim.orders_placed == 1


async def test_a_retry_of_an_unknown_order_reconciles_first(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any
) -> None:
    kraken_sim.fail("accept_then_hang", path="AddOrder")
    kraken_sim.fail("hang", path="OpenOrders", times=None)
    order = _order()
    async with make_kraken_manager(kraken_sim, timeout=0.3) as manager:
        with pytest.raises(ExchangeConnectionError, match="may exist"):
            await manager.place_order(order, exchange="kraken")
        kraken_sim.clear_faults()
        retried = await manager.place_order(order, exchange="kraken")  # the caller retries
    assert retried.metadata["journal"]["reconciled"] is True
    assert kraken_sim.count("AddOrder") == 1 and kraken_sim.orders_placed == 1
