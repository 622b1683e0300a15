"""An order found after a fault is a success for health, not a circuit-breaker failure
(issue 14, "Also").

Under 50 concurrent orders whose answers were lost, each found by its client id, 12 to 42 used
to be refused with "circuit open": the lost answers had counted as failures before the
lookups found the orders.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from powertrader_core import OrderRequest
from powertrader_core.manager.facade import MultiExchangeManager
from powertrader_core.manager.health import CircuitState
from tests.fakes import registered
from tests.manager.fakes import FAST_RETRY, DictConfig, keys, settings
from tests.order_safety.conftest import FAST_SAFETY
from tests.order_safety.fakes import LedgerVenue, make_venue

ORDERS = 50


@pytest.fixture
def lossy() -> Iterator[type[LedgerVenue]]:
    venue = make_venue("lossy", script=["lost"] * ORDERS, delay=0.01)
    with registered(venue):
        yield venue


async def test_fifty_lost_answers_found_never_open_the_circuit(
    lossy: type[LedgerVenue], tmp_path: Path
) -> None:
    manager = MultiExchangeManager(
        DictConfig({"lossy": keys()}),
        settings(journal_path=tmp_path / "journal.sqlite3", exchange_timeout=5),
        ["lossy"], retry=FAST_RETRY, safety=FAST_SAFETY,
    )
    orders = [OrderRequest("BTC-USD", "buy", "0.01") for _ in range(ORDERS)]
    async with manager:
        results = await asyncio.gather(
            *(manager.place_order(order, exchange="lossy") for order in orders),
            return_exceptions=True,
        )
        breaker = manager.health.get("lossy").breaker
        state, failures = breaker.state, breaker.failures
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == [], errors[:3]
    assert all(r.metadata["journal"]["reconciled"] for r in results)  # type: ignore[union-attr]
    assert len(lossy.orders) == ORDERS  # each placed once, none resent
    assert state is CircuitState.CLOSED and failures == 0


async def test_a_lost_answer_not_found_still_counts_against_health(tmp_path: Path) -> None:
    venue = make_venue("gone", script=["dropped"] * 10, engine_deadlines=True)
    with registered(venue):
        manager = MultiExchangeManager(
            DictConfig({"gone": keys()}),
            settings(journal_path=tmp_path / "journal.sqlite3"),
            ["gone"], retry=FAST_RETRY, safety=FAST_SAFETY,
        )
        async with manager:
            with pytest.raises(Exception, match="not placed"):
                await manager.place_order(OrderRequest("BTC-USD", "buy", "0.01"), exchange="gone")
            assert manager.health.get("gone").breaker.failures >= 1
