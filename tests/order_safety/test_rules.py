"""The order-safety rules on in-process venues (``fakes.py``): lookups where an exchange cannot
find orders by client id, fallback only for routed orders that provably never arrived, the
same request at the same and at another exchange, start-up reconciliation, get_order by either
id, cancellation, and the paper exchange.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from powertrader_core import (
    ExchangeConnectionError,
    InvalidOrderError,
    JournalConflict,
    OrderNotFoundError,
    OrderRequest,
)
from powertrader_core.manager.facade import MultiExchangeManager
from powertrader_core.orders.journal import JournalState
from tests.fakes import registered
from tests.manager.fakes import FAST_RETRY, DictConfig, keys, settings
from tests.order_safety.conftest import FAST_SAFETY
from tests.order_safety.fakes import (
    ClosedScanVenue,
    LedgerVenue,
    ScanVenue,
    make_venue,
)

S = JournalState


def _order(**overrides: Any) -> OrderRequest:
    values: dict[str, Any] = {"symbol": "BTC-USD", "side": "buy", "amount": "1"}
    values.update(overrides)
    return OrderRequest(**values)


@pytest.fixture
def venues() -> Iterator[dict[str, type[LedgerVenue]]]:
    """``ace`` (cheapest), ``bex`` (runner-up); ``scan`` (open orders only), ``closed`` (open
    and closed orders): the last two cannot look orders up by client id."""
    classes = [
        make_venue("ace", mid=100),
        make_venue("bex", mid=110),
        make_venue("scan", ScanVenue),
        make_venue("closed", ClosedScanVenue),
    ]
    with registered(*classes):
        yield {cls.name: cls for cls in classes}


def _manager(tmp_path: Path, names: list[str], **overrides: Any) -> MultiExchangeManager:
    return MultiExchangeManager(
        DictConfig({name: keys() for name in names}),
        settings(journal_path=tmp_path / "journal.sqlite3", **overrides),
        names,
        retry=FAST_RETRY,
        safety=FAST_SAFETY,
    )


async def _states(manager: MultiExchangeManager, cid: str) -> dict[str, S]:
    return {e.exchange: e.state for e in await manager.journal.entries_for(cid)}


# ---- finding orders without a lookup by client id -----------------------------------------------


async def test_an_open_order_without_client_id_is_matched(venues, tmp_path) -> None:
    venues["scan"].script = ["lost"]
    order = _order(order_type="limit", price="50")
    async with _manager(tmp_path, ["scan"]) as manager:
        result = await manager.place_order(order, exchange="scan")
        assert await _states(manager, order.client_order_id) == {"scan": S.ACCEPTED}
    assert result.client_order_id == order.client_order_id
    assert result.metadata["journal"]["reconciled"] is True
    assert len(venues["scan"].sent) == 1 and len(venues["scan"].orders) == 1


async def test_open_orders_alone_cannot_prove_absence(venues, tmp_path) -> None:
    venues["scan"].script = ["dropped"]
    order = _order()
    async with _manager(tmp_path, ["scan"]) as manager:
        with pytest.raises(ExchangeConnectionError, match="absence not provable"):
            await manager.place_order(order, exchange="scan")
        assert await _states(manager, order.client_order_id) == {"scan": S.UNKNOWN}
    assert len(venues["scan"].sent) == 1  # not resent


async def test_open_and_closed_orders_prove_absence(venues, tmp_path) -> None:
    venues["closed"].script = ["dropped"]
    order = _order()
    async with _manager(tmp_path, ["closed"]) as manager:
        result = await manager.place_order(order, exchange="closed")
        entry = await manager.journal.get(order.client_order_id, "closed")
    assert venues["closed"].sent == [order.client_order_id] * 2
    assert len(venues["closed"].orders) == 1 and result.metadata["journal"]["attempts"] == 2
    assert entry is not None and entry.state is S.ACCEPTED


async def test_a_match_is_never_guessed_among_several(venues, tmp_path) -> None:
    order = _order(order_type="limit", price="50")
    lookalike = _order(order_type="limit", price="50")  # placed by someone else, same shape
    venues["scan"](keys())._store(lookalike)
    venues["scan"].script = ["lost"]
    async with _manager(tmp_path, ["scan"]) as manager:
        with pytest.raises(ExchangeConnectionError, match="ambiguous"):
            await manager.place_order(order, exchange="scan")
    assert len(venues["scan"].sent) == 1


async def test_orders_the_journal_knows_are_not_matched_twice(venues, tmp_path) -> None:
    first, second = _order(order_type="limit", price="50"), _order(order_type="limit", price="50")
    async with _manager(tmp_path, ["scan"]) as manager:
        one = await manager.place_order(first, exchange="scan")
        venues["scan"].script = ["lost"]
        two = await manager.place_order(second, exchange="scan")
    assert one.order_id != two.order_id and two.metadata["journal"]["reconciled"] is True


# ---- fallback -----------------------------------------------------------------------------------


async def test_a_routed_order_that_never_left_falls_back_to_the_runner_up(venues, tmp_path):
    venues["ace"].script = ["unsent"]
    order = _order()
    async with _manager(tmp_path, ["ace", "bex"]) as manager:
        result = await manager.place_order(order)
        states = await _states(manager, order.client_order_id)
    assert result.exchange == "bex"
    routing = result.metadata["routing"]
    assert routing["rule"] == "best_execution" and routing["fell_back_from"] == "ace"
    assert "connection refused" in routing["fallback_reason"]
    assert states == {"ace": S.NOT_SENT, "bex": S.ACCEPTED}


async def test_a_routed_order_that_may_have_arrived_never_falls_back(venues, tmp_path):
    venues["ace"].script = ["lost"]
    async with _manager(tmp_path, ["ace", "bex"]) as manager:
        result = await manager.place_order(_order())
    assert result.exchange == "ace" and result.metadata["journal"]["reconciled"] is True
    assert venues["bex"].sent == []


async def test_fallback_after_absence_was_proven_twice(venues, tmp_path):
    slow = make_venue("slow", ClosedScanVenue, mid=90, script=["dropped", "dropped"])
    with registered(slow):
        async with _manager(tmp_path, ["slow", "bex"]) as manager:
            result = await manager.place_order(_order())
    assert result.exchange == "bex" and len(slow.sent) == 2 and len(venues["bex"].sent) == 1
    assert "provably has no such order" in result.metadata["routing"]["fallback_reason"]


@pytest.mark.parametrize("how", ["explicit", "primary"])
async def test_a_chosen_venue_never_falls_back(venues, tmp_path, how):
    venues["ace"].script = ["unsent"]
    extra = {"primary_exchange": "ace"} if how == "primary" else {}
    async with _manager(tmp_path, ["ace", "bex"], **extra) as manager:
        with pytest.raises(ExchangeConnectionError, match="connection refused") as caught:
            await manager.place_order(_order(), exchange="ace" if how == "explicit" else None)
    assert caught.value.request_sent is False
    assert venues["bex"].sent == []


# ---- the same request again ---------------------------------------------------------------------


async def test_the_same_request_on_two_exchanges_is_two_orders(venues, tmp_path) -> None:
    # The seed's examples place one OrderRequest on kraken, then on the best exchange.
    order = _order()
    async with _manager(tmp_path, ["ace", "bex"]) as manager:
        on_ace = await manager.place_order(order, exchange="ace")
        on_bex = await manager.place_order(order, exchange="bex")
        with pytest.raises(InvalidOrderError, match="name the exchange"):
            await manager.get_order(client_order_id=order.client_order_id)
        again = await manager.get_order(client_order_id=order.client_order_id, exchange="bex")
    assert (on_ace.exchange, on_bex.exchange, again.order_id) == ("ace", "bex", on_bex.order_id)


async def test_not_elsewhere_while_it_may_exist(venues, tmp_path) -> None:
    ace = venues["ace"]
    ace.script, ace.lookups_fail = ["lost"], True
    order = _order()
    async with _manager(tmp_path, ["ace", "bex"]) as manager:
        with pytest.raises(ExchangeConnectionError, match="may exist at ace"):
            await manager.place_order(order, exchange="ace")
        with pytest.raises(JournalConflict, match="may be an order at ace"):
            await manager.place_order(order, exchange="bex")  # still cannot tell
        ace.lookups_fail = False
        with pytest.raises(JournalConflict, match="is an order at ace after all"):
            await manager.place_order(order, exchange="bex")
        states = await _states(manager, order.client_order_id)
    assert venues["bex"].sent == [] and states == {"ace": S.ACCEPTED}


async def test_elsewhere_once_the_first_provably_never_got_it(venues, tmp_path) -> None:
    ace = venues["ace"]
    ace.script, ace.lookups_fail = ["dropped"], True
    order = _order()
    async with _manager(tmp_path, ["ace", "bex"]) as manager:
        with pytest.raises(ExchangeConnectionError, match="may exist"):
            await manager.place_order(order, exchange="ace")
        ace.lookups_fail = False
        result = await manager.place_order(order, exchange="bex")
        states = await _states(manager, order.client_order_id)
    assert result.exchange == "bex" and states == {"ace": S.NOT_SENT, "bex": S.ACCEPTED}


async def test_the_same_request_twice_at_once_is_refused(venues, tmp_path) -> None:
    venues["ace"].delay = 0.05
    order = _order()
    async with _manager(tmp_path, ["ace"]) as manager:
        outcomes = await asyncio.gather(
            manager.place_order(order, exchange="ace"),
            manager.place_order(order, exchange="ace"),
            return_exceptions=True,
        )
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(errors) == 1 and "being placed right now" in str(errors[0])
    # one type for "this client id is being placed elsewhere", whoever noticed it
    assert isinstance(errors[0], JournalConflict) and isinstance(errors[0], InvalidOrderError)
    assert len(venues["ace"].sent) == 1


async def test_a_rejected_request_may_be_placed_again(venues, tmp_path) -> None:
    venues["ace"].script = ["reject"]
    order = _order()
    async with _manager(tmp_path, ["ace"]) as manager:
        with pytest.raises(InvalidOrderError, match="order refused"):
            await manager.place_order(order, exchange="ace")
        result = await manager.place_order(order, exchange="ace")  # the caller decides to
        entry = await manager.journal.get(order.client_order_id, "ace")
    assert result.exchange == "ace" and entry is not None
    assert (entry.state, entry.attempts) == (S.ACCEPTED, 2) and venues["ace"].lookups == 0


# ---- start-up, cancellation, get_order ---------------------------------------------------------


async def test_the_first_order_settles_what_an_earlier_run_left(venues, tmp_path) -> None:
    ace = venues["ace"]
    ace.script, ace.lookups_fail = ["lost"], True
    old = _order()
    async with _manager(tmp_path, ["ace"]) as manager:
        with pytest.raises(ExchangeConnectionError, match="may exist"):
            await manager.place_order(old, exchange="ace")
    ace.lookups_fail, ace.lookups = False, 0
    async with _manager(tmp_path, ["ace"]) as manager:
        await manager.place_order(_order(), exchange="ace")
        await manager.place_order(_order(), exchange="ace")  # start-up runs once
        states = await _states(manager, old.client_order_id)
    assert states == {"ace": S.ACCEPTED} and ace.lookups == 1


async def test_an_empty_journal_costs_no_lookup(venues, tmp_path) -> None:
    async with _manager(tmp_path, ["ace"]) as manager:
        await manager.place_order(_order(), exchange="ace")
    assert venues["ace"].lookups == 0


async def test_a_cancelled_send_is_left_for_reconcile(venues, tmp_path) -> None:
    venues["ace"].delay = 5
    venues["ace"].started = asyncio.Event()
    order = _order()
    async with _manager(tmp_path, ["ace"]) as manager:
        task = asyncio.create_task(manager.place_order(order, exchange="ace"))
        await asyncio.wait_for(venues["ace"].started.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await _states(manager, order.client_order_id) == {"ace": S.UNKNOWN}
        summary = await manager.reconcile()
    assert summary.absent == [order.client_order_id]  # the fake stores only after its delay


async def test_get_order_by_either_id(venues, tmp_path) -> None:
    order = _order()
    async with _manager(tmp_path, ["ace", "bex"]) as manager:
        placed = await manager.place_order(order, exchange="ace")
        by_cid = await manager.get_order(client_order_id=order.client_order_id)
        by_id = await manager.get_order(placed.order_id)
        with pytest.raises(OrderNotFoundError, match="not in the order journal"):
            await manager.get_order("unknown-id")
    assert by_cid.order_id == by_id.order_id == placed.order_id
    assert by_id.client_order_id == order.client_order_id and by_id.exchange == "ace"


async def test_paper_orders_are_journaled(tmp_path) -> None:
    pytest.importorskip("powertrader_paper")
    paper = {"paper": {"starting_balances": {"USD": 50_000}, "seed": 7}}
    manager = MultiExchangeManager(
        DictConfig(paper),
        settings(live_trading=False, journal_path=tmp_path / "journal.sqlite3"),
        ["paper"],
        retry=FAST_RETRY,
    )
    order = _order(amount="0.01")
    async with manager:
        result = await manager.place_order(order)
        again = await manager.place_order(order)
        entry = await manager.journal.get(order.client_order_id, "paper")
    assert result.status == "filled" and again.metadata["journal"]["replayed"] is True
    assert entry is not None and entry.state is S.FILLED
    assert entry.exchange_order_id == result.order_id
