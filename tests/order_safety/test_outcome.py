"""Placing an order returns its outcome, and a 502 before acceptance is one order, resent once.

Kraken's AddOrder answers with the txid alone (the simulator answers as Kraken does), so a
market order's fill price is known only by asking. ``place_order`` looks the order up within
the call's time: a market order comes back filled with its average price and fee, a resting
limit order comes back ``open`` at once.

The venue-rules case: an AddOrder answered 502 before Kraken accepted anything, with the
manager's ``exchange_timeout=5``, the default reconciliation patience and the plugin's own
rate limiting, 20 ms from the simulator: the order is proven absent after its journaled
deadline and resent once, inside the one ``place_order`` call; one order at the exchange.
"""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from powertrader_core import OrderJournal, OrderRequest, OrderStatus
from powertrader_core.manager.facade import SafetyPolicy
from powertrader_core.orders.journal import JournalState
from tests.simulators.kraken import KrakenSimulator
from tests.simulators.kraken_limits import KrakenLimits

pytest.importorskip("powertrader_ccxt")

S = JournalState


async def _entry_state(path: Path, cid: str) -> tuple[S, int]:
    async with OrderJournal(path) as journal:
        entry = await journal.get(cid, "kraken")
    assert entry is not None
    return entry.state, entry.attempts


async def test_a_market_order_reports_its_fill(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any, tmp_path: Path
) -> None:
    order = OrderRequest(symbol="BTC-USD", side="buy", amount="0.01")
    async with make_kraken_manager(kraken_sim, timeout=2) as manager:
        result = await manager.place_order(order, exchange="kraken")
    (txid, stored), = kraken_sim.orders.items()
    assert result.order_id == txid and result.status is OrderStatus.FILLED
    assert result.filled_amount == Decimal("0.01")
    assert result.average_price == Decimal(stored["price"])  # the simulator's fill price
    assert sum(result.fees.values()) == Decimal(stored["fee"])
    assert kraken_sim.count("QueryOrders") >= 1  # asked, since AddOrder's answer cannot say
    assert await _entry_state(tmp_path / "journal.sqlite3", order.client_order_id) == (
        S.FILLED, 1
    )


async def test_a_resting_limit_order_returns_open_at_once(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any, tmp_path: Path
) -> None:
    bid = kraken_sim.pair("XXBTZUSD").bid
    order = OrderRequest(symbol="BTC-USD", side="buy", amount="0.01", order_type="limit",
                         price=str((bid * Decimal("0.9")).quantize(Decimal("0.1"))))
    async with make_kraken_manager(kraken_sim, timeout=2) as manager:
        started = time.monotonic()
        result = await manager.place_order(order, exchange="kraken")
        took = time.monotonic() - started
    assert result.status is OrderStatus.OPEN and result.filled_amount == 0
    assert kraken_sim.count("QueryOrders") == 1  # one look, no waiting for a fill
    assert took < 1.5
    assert await _entry_state(tmp_path / "journal.sqlite3", order.client_order_id) == (
        S.ACCEPTED, 1
    )


async def test_no_time_left_returns_the_answer_as_it_came(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any
) -> None:
    """The lookup is bounded by the call's time: a slow QueryOrders leaves the answer as is."""
    kraken_sim.path_latency["QueryOrders"] = 1.0
    order = OrderRequest(symbol="BTC-USD", side="buy", amount="0.01")
    async with make_kraken_manager(kraken_sim, timeout=0.5) as manager:
        result = await manager.place_order(order, exchange="kraken")
        returned = time.monotonic()
    assert result.status is OrderStatus.PENDING and result.order_id in kraken_sim.orders
    # Returned before the slow QueryOrders could answer (its arrival, as the simulator saw
    # it, plus its latency): the call did not wait for the lookup past its own time.
    [asked] = kraken_sim.times("QueryOrders")
    assert returned < asked + kraken_sim.path_latency["QueryOrders"]


async def test_a_502_before_acceptance_is_resent_once_within_the_call(
    kraken_sim: KrakenSimulator, make_kraken_manager: Any, tmp_path: Path
) -> None:
    # Kraken-faithful: 20 ms away, the documented Starter counter and public budget enforced
    # (issue 19: with ccxt's 3 s spacing per lookup the order ended unknown; on the core's
    # limiter with the documented budget the lookups go at once)
    kraken_sim.latency = 0.02
    kraken_sim.limits = KrakenLimits(tier="starter", public_per_second=1.0)
    kraken_sim.fail("status", path="AddOrder", status=502)  # nothing stored
    order = OrderRequest(symbol="BTC-USD", side="buy", amount="0.001")
    async with make_kraken_manager(
        kraken_sim, timeout=5, safety=SafetyPolicy(), config={"rate_limit_ms": None}
    ) as manager:
        result = await manager.place_order(order, exchange="kraken")
    (txid, stored), = kraken_sim.orders.items()
    assert stored["cl_ord_id"] == order.client_order_id and result.order_id == txid
    assert kraken_sim.count("AddOrder") == 2
    assert result.metadata["journal"]["attempts"] == 2
    assert result.status is OrderStatus.FILLED and result.average_price is not None
    assert await _entry_state(tmp_path / "journal.sqlite3", order.client_order_id) == (
        S.FILLED, 2
    )
    assert kraken_sim.refused == []  # nothing refused by the documented counter
