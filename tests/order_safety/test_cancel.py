"""``MultiExchangeManager.cancel_order``: the journal names the exchange and market, learns of
the cancel when it happens, and the live-trading rule of ``place_order`` applies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from powertrader_core import (
    ConfigurationError,
    ExchangeConnectionError,
    InvalidOrderError,
    OrderNotFoundError,
    OrderRequest,
)
from powertrader_core.manager.facade import MultiExchangeManager
from powertrader_core.orders.journal import JournalState
from tests.fakes import registered
from tests.manager.fakes import FAST_RETRY, DictConfig, keys, settings
from tests.order_safety.conftest import FAST_SAFETY
from tests.order_safety.fakes import LedgerVenue, make_venue

S = JournalState


def _limit(**overrides: Any) -> OrderRequest:
    values: dict[str, Any] = {
        "symbol": "BTC-USD", "side": "buy", "amount": "1", "order_type": "limit", "price": "50"
    }
    values.update(overrides)
    return OrderRequest(**values)


@pytest.fixture
def ace() -> Iterator[type[LedgerVenue]]:
    venue = make_venue("ace")
    with registered(venue):
        yield venue


def _manager(tmp_path: Path, **overrides: Any) -> MultiExchangeManager:
    return MultiExchangeManager(
        DictConfig({"ace": keys()}),
        settings(journal_path=tmp_path / "journal.sqlite3", **overrides),
        ["ace"],
        retry=FAST_RETRY,
        safety=FAST_SAFETY,
    )


async def test_cancel_by_client_id_is_journaled(ace, tmp_path) -> None:
    order = _limit()
    async with _manager(tmp_path) as manager:
        placed = await manager.place_order(order, exchange="ace")
        result = await manager.cancel_order(client_order_id=order.client_order_id)
        entry = await manager.journal.get(order.client_order_id, "ace")
        events = await manager.journal.events(order.client_order_id)
    assert ace.cancels == [placed.order_id]
    assert result.status == "canceled" and result.exchange == "ace"
    assert result.client_order_id == order.client_order_id
    assert entry is not None and entry.state is S.CANCELED and entry.status == "canceled"
    assert [e.state for e in events] == [S.INTENT, S.ACCEPTED, S.CANCELED]
    assert events[-1].detail == f"cancel_order: order {placed.order_id} canceled"


async def test_a_terse_cancel_answer_is_read_back(ace, tmp_path) -> None:
    ace.terse_cancel = True
    order = _limit(amount="2")
    async with _manager(tmp_path) as manager:
        placed = await manager.place_order(order, exchange="ace")
        result = await manager.cancel_order(placed.order_id)  # the journal knows the venue
        entry = await manager.journal.get(order.client_order_id, "ace")
    assert result.amount == 2 and result.symbol == "BTC-USD" and result.status == "canceled"
    assert entry is not None and entry.state is S.CANCELED and entry.result == result


async def test_an_order_known_by_client_id_only_is_looked_up_first(ace, tmp_path) -> None:
    ace.script, ace.lookups_fail = ["lost"], True
    order = _limit()
    async with _manager(tmp_path) as manager:
        with pytest.raises(ExchangeConnectionError, match="may exist"):
            await manager.place_order(order, exchange="ace")
        unknown = await manager.journal.get(order.client_order_id, "ace")
        ace.lookups_fail = False
        result = await manager.cancel_order(client_order_id=order.client_order_id)
        entry = await manager.journal.get(order.client_order_id, "ace")
    assert unknown is not None and unknown.state is S.UNKNOWN
    assert unknown.exchange_order_id is None
    (stored,) = ace.orders
    assert ace.cancels == [stored] and result.order_id == stored
    assert entry is not None and entry.state is S.CANCELED and entry.exchange_order_id == stored


async def test_a_real_exchange_is_refused_while_live_trading_is_off(ace, tmp_path) -> None:
    order = _limit()
    async with _manager(tmp_path) as manager:
        await manager.place_order(order, exchange="ace")
    async with _manager(tmp_path, live_trading=False) as manager:
        with pytest.raises(ConfigurationError, match="live trading is off") as refused:
            await manager.cancel_order(client_order_id=order.client_order_id)
        entry = await manager.journal.get(order.client_order_id, "ace")
    assert refused.value.exchange == "ace" and refused.value.operation == "cancel_order"
    assert "Nothing was sent" in str(refused.value)
    assert ace.cancels == [] and entry is not None and entry.state is S.ACCEPTED


async def test_nothing_is_sent_for_an_order_that_never_was(ace, tmp_path) -> None:
    ace.script = ["reject"]
    order = _limit()
    async with _manager(tmp_path) as manager:
        with pytest.raises(InvalidOrderError):
            await manager.place_order(order, exchange="ace")
        with pytest.raises(OrderNotFoundError, match="never became an order"):
            await manager.cancel_order(client_order_id=order.client_order_id)
        with pytest.raises(OrderNotFoundError, match="not in the order journal"):
            await manager.cancel_order("no-such-id")
        with pytest.raises(InvalidOrderError, match="give an order_id"):
            await manager.cancel_order()
    assert ace.cancels == []


async def test_a_failed_cancel_leaves_the_journal_as_it_was(ace, tmp_path) -> None:
    order = _limit()
    async with _manager(tmp_path) as manager:
        placed = await manager.place_order(order, exchange="ace")
        await manager.cancel_order(placed.order_id, "ace")
        with pytest.raises(OrderNotFoundError, match="no open order"):
            await manager.cancel_order(placed.order_id, "ace")
        entry = await manager.journal.get(order.client_order_id, "ace")
    assert ace.cancels == [placed.order_id, placed.order_id]
    assert entry is not None and entry.state is S.CANCELED
