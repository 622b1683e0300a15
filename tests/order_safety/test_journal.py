"""The order journal itself: its state machine, its file, and two processes writing at once."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

import powertrader_core
from powertrader_core import OrderJournal, OrderRequest, OrderResult, Settings
from powertrader_core.orders.journal import (
    JournalConflict,
    JournalError,
    JournalState,
    default_journal_path,
    process_owner,
)

S = JournalState
ROOT = Path(__file__).resolve().parents[2]


def _order(**overrides: object) -> OrderRequest:
    return OrderRequest(symbol="BTC-USD", side="buy", amount="0.5", **overrides)


def _result(order: OrderRequest, status: str = "open", order_id: str = "X-1") -> OrderResult:
    return OrderResult(
        order_id=order_id, status=status, filled_amount="0.5" if status == "filled" else 0,
        fees={"USD": "0.25"}, client_order_id=order.client_order_id, exchange="kraken",
    )


def test_exported_and_default_path(tmp_path: Path) -> None:
    assert "OrderJournal" in powertrader_core.__all__
    assert powertrader_core.OrderJournal is OrderJournal
    assert OrderJournal().path == default_journal_path()
    assert default_journal_path().name == "journal.sqlite3"
    assert OrderJournal(tmp_path / "j.db").path == tmp_path / "j.db"
    assert Settings(journal_path=str(tmp_path / "x.db")).journal_path == tmp_path / "x.db"


async def test_nothing_touches_the_disk_before_the_first_call(tmp_path: Path) -> None:
    journal = OrderJournal(tmp_path / "sub" / "journal.sqlite3")
    assert not journal.path.exists()
    async with journal:
        assert await journal.unsettled() == []
    assert journal.path.exists()
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    with sqlite3.connect(journal.path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_answered_order_trail_and_values(tmp_path: Path) -> None:
    order = _order(order_type="limit", price="60000")
    async with OrderJournal(tmp_path / "j.sqlite3") as journal:
        intent = await journal.record_intent(order, "kraken")
        assert (intent.state, intent.attempts, intent.owner) == (S.INTENT, 1, process_owner())
        assert intent.request == order and not intent.settled
        assert [e.client_order_id for e in await journal.unsettled()] == [order.client_order_id]
        accepted = await journal.record_result(
            order.client_order_id, "kraken", _result(order), "answered"
        )
        filled = await journal.record_result(
            order.client_order_id, "kraken", _result(order, "filled"), "refreshed"
        )
        stale = await journal.record_result(
            order.client_order_id, "kraken", _result(order, "open"), "late report"
        )
        events = await journal.events(order.client_order_id)
        found = await journal.find("X-1")
        assert await journal.unsettled() == []
        assert await journal.counts() == {"filled": 1}
    assert accepted is not None and accepted.state is S.ACCEPTED
    assert filled is not None and filled.state is S.FILLED and filled.settled
    assert str(filled.filled_amount) == "0.5" and {k: str(v) for k, v in filled.fees.items()} == {
        "USD": "0.25"
    }
    assert filled.result is not None and filled.result.order_id == "X-1"
    assert stale is not None and stale.state is S.FILLED  # final stays final
    assert [e.state for e in events] == [S.INTENT, S.ACCEPTED, S.FILLED]
    assert events[-1].detail == "refreshed: order X-1 filled"
    assert found is not None and found.client_order_id == order.client_order_id


async def test_transitions_the_state_machine_refuses(tmp_path: Path) -> None:
    order = _order()
    cid = order.client_order_id
    async with OrderJournal(tmp_path / "j.sqlite3") as journal:
        with pytest.raises(JournalConflict, match="no journal entry"):
            await journal.mark_in_doubt(cid, "kraken", "timeout")
        await journal.record_intent(order, "kraken")
        with pytest.raises(JournalConflict, match="intent: it exists or may exist"):
            await journal.record_intent(order, "kraken")  # never sent twice
        await journal.mark_in_doubt(cid, "kraken", "timeout")
        with pytest.raises(JournalConflict, match="cannot become rejected"):
            await journal.mark_rejected(cid, "kraken", "too late to be a refusal")
        await journal.mark_unknown(cid, "kraken", "lookup failed")
        await journal.mark_not_sent(cid, "kraken", "absent")
        again = await journal.record_intent(order, "kraken")  # a new attempt
        await journal.record_result(cid, "kraken", _result(order), "answered")
        with pytest.raises(JournalConflict) as caught:
            await journal.mark_not_sent(cid, "kraken", "no: it exists")
        elsewhere = await journal.record_intent(order, "binance")  # another exchange's row
        trail = [e.state for e in await journal.events(cid, "kraken")]
    assert again.attempts == 2
    assert caught.value.entry is not None and caught.value.entry.state is S.ACCEPTED
    assert elsewhere.attempts == 1 and elsewhere.exchange == "binance"
    assert trail == [S.INTENT, S.IN_DOUBT, S.UNKNOWN, S.NOT_SENT, S.INTENT, S.ACCEPTED]


async def test_another_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    async with OrderJournal(path) as journal:
        await journal.unsettled()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    with pytest.raises(JournalError, match="schema version 99"):
        async with OrderJournal(path) as journal:
            await journal.unsettled()


async def test_fifty_concurrent_writers_in_one_process(tmp_path: Path) -> None:
    orders = [_order() for _ in range(50)]
    async with OrderJournal(tmp_path / "j.sqlite3") as journal:

        async def one(order: OrderRequest, n: int) -> None:
            await journal.record_intent(order, "kraken")
            await journal.record_result(
                order.client_order_id, "kraken", _result(order, order_id=f"X-{n}"), "answered"
            )

        await asyncio.gather(*(one(order, n) for n, order in enumerate(orders)))
        assert await journal.counts() == {"accepted": 50}


_WRITER = """
import asyncio, sys
from powertrader_core import OrderJournal, OrderRequest

async def main(path, count):
    async with OrderJournal(path) as journal:
        for _ in range(count):
            order = OrderRequest(symbol="BTC-USD", side="sell", amount="1")
            await journal.record_intent(order, "other")
            await journal.mark_rejected(order.client_order_id, "other", "refused")

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


async def test_two_processes_write_one_journal(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    count = 150
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _WRITER, str(path), str(count), cwd=ROOT,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with OrderJournal(path) as journal:
            for n in range(count):
                order = _order()
                await journal.record_intent(order, "kraken")
                await journal.record_result(
                    order.client_order_id, "kraken", _result(order, order_id=f"P-{n}"), "ok"
                )
            _, err = await asyncio.wait_for(child.communicate(), 60)
            assert child.returncode == 0, err.decode()[-2000:]
            counts = await journal.counts()
    finally:
        if child.returncode is None:
            child.kill()
            await child.communicate()
    assert counts == {"accepted": count, "rejected": count}


def test_group_commit_rolls_back_only_the_failing_write(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from powertrader_core.orders.journal_store import JournalStore, _Job

    store = JournalStore(tmp_path / "j.sqlite3")

    def put(key: str, fail: bool = False) -> Any:
        def work(connection: sqlite3.Connection) -> str:
            connection.execute("INSERT INTO meta (key, value) VALUES (?, 'v')", (key,))
            if fail:
                raise ValueError(f"{key} failed")
            return key

        return work

    try:
        with ThreadPoolExecutor(8) as pool:
            good = [pool.submit(store.transact, put(f"k{n}")) for n in range(40)]
            bad = pool.submit(store.transact, put("bad", fail=True), durable=True)
            more = [pool.submit(store.transact, put(f"m{n}")) for n in range(40)]
        assert [f.result() for f in good + more] == [f"k{n}" for n in range(40)] + [
            f"m{n}" for n in range(40)
        ]
        with pytest.raises(ValueError, match="bad failed"):
            bad.result()
        # one batch, deterministically: the failing job's savepoint alone is rolled back
        jobs = [_Job(put("a"), False), _Job(put("b", fail=True), True), _Job(put("c"), False)]
        with store._lock:
            store._commit(jobs)
        assert all(job.finished for job in jobs) and isinstance(jobs[1].error, ValueError)
        keys = {row[0] for row in store.fetch("SELECT key FROM meta")}
    finally:
        store.close()
    assert keys == {
        "schema", "a", "c", *(f"k{n}" for n in range(40)), *(f"m{n}" for n in range(40))
    }
