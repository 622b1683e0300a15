"""The order path within Kraken's documented budget (issue 19): on a venue 20 ms away that
enforces the per-key counter, an AddOrder lost with a 502 before Kraken accepted it is found
absent and resent once within the call (``exchange_timeout=5``). With ccxt's spacing the
lookups waited 3 s each (18 s) and the order ended ``unknown``; on the documented Starter
budget (15 calls at once) they do not wait at all.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from powertrader_core import OrderRequest
from powertrader_core.orders.journal import JournalState
from tests.order_safety.test_lost_answers import _only_order, _trail
from tests.simulators.kraken import KrakenSimulator

pytest.importorskip("powertrader_ccxt")


async def test_lost_before_acceptance_is_resent_once_within_the_documented_budget(
    kraken_sim_factory: Any, make_kraken_manager: Any, tmp_path: Path
) -> None:
    sim: KrakenSimulator = await kraken_sim_factory(
        tier="starter", public_per_second=1.0, latency=0.02
    )
    sim.fail("status", path="AddOrder", status=502)
    order = OrderRequest(symbol="BTC-USD", side="buy", amount="0.001")
    # the documented budget (no rate_limit_ms), Kraken's default Starter tier
    manager = make_kraken_manager(sim, timeout=5, config={"rate_limit_ms": None})
    async with manager:
        started = time.monotonic()
        result = await manager.place_order(order, exchange="kraken")
        elapsed = time.monotonic() - started
    txid = _only_order(sim, order.client_order_id)
    assert sim.count("AddOrder") == 2  # the lost one, and one resend
    assert result.order_id == txid and result.metadata["journal"]["attempts"] == 2
    state, _, attempts = await _trail(tmp_path / "journal.sqlite3", order.client_order_id)
    assert (state, attempts) == (JournalState.ACCEPTED, 2)
    assert sim.refused == []  # no lookup was refused by the counter
    # the lookups were not throttled: the first left at once after the lost AddOrder, and
    # every lookup pair went out together (what paces them is the safety policy, not the
    # limiter); the call ended within the time the policy needs, not 18 s of spacing
    at = {name: [r.at for r in sim.requests if r.path.endswith(name)] for name in
          ("AddOrder", "OpenOrders", "ClosedOrders")}
    assert at["OpenOrders"][0] - at["AddOrder"][0] < 0.3
    assert all(c - o < 0.3 for o, c in zip(at["OpenOrders"], at["ClosedOrders"], strict=True))
    assert elapsed < 10
