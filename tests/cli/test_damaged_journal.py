"""One damaged journal row does not stop trading (issue 14, item 10).

It used to stop every order with ``error: invalid input: Invalid JSON ...``, exit 2, no file
named. Now the row is reported with the journal's path and its client order id, exit 1, and
orders that do not touch it go on.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from powertrader_core.kit.paths import data_dir
from tests.cli.conftest import Invoke, parsed


def _damage(cid: str) -> Path:
    path = data_dir() / "journal.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute(
            "UPDATE orders SET request = '{not json', state = 'unknown' "
            "WHERE client_order_id = ?",
            (cid,),
        )
    connection.close()
    return path


def test_a_damaged_row_is_named_and_does_not_block_other_orders(cli: Invoke) -> None:
    first = parsed(cli("order", "buy", "BTC-USD", "0.01", "--type", "limit", "--price", "1000",
                       "--json"))["order"]
    cid = first["client_order_id"]
    path = _damage(cid)

    other = cli("order", "buy", "BTC-USD", "0.01", "--json")
    assert other.exit_code == 0, other.output + other.stderr
    assert parsed(other)["order"]["status"] == "filled"

    report = cli("orders", "--reconcile")
    assert report.exit_code == 1, report.output + report.stderr
    line = report.stderr.strip().splitlines()[-1]
    assert line.startswith("error: ") and str(path) in line and cid in line
    assert "damaged" in line and "invalid input" not in line


async def test_an_order_touching_the_damaged_row_is_refused_naming_it(tmp_path: Path) -> None:
    from powertrader_core import OrderJournal, OrderRequest
    from powertrader_core.orders import DamagedJournalRow

    journal = OrderJournal(tmp_path / "journal.sqlite3")
    order = OrderRequest("BTC-USD", "buy", "0.5")
    async with journal:
        await journal.record_intent(order, "paper")
        await journal.record_intent(OrderRequest("ETH-USD", "buy", "1"), "paper")
        with sqlite3.connect(journal.path) as connection:
            connection.execute("UPDATE orders SET created_at = 'yesterday' "
                               "WHERE client_order_id = ?", (order.client_order_id,))
        connection.close()
        damaged: dict[str, str] = {}
        assert len(await journal.entries(damaged=damaged)) == 1  # the other row still reads
        assert list(damaged) == [f"{order.client_order_id}@paper"]
        for touch in (journal.get(order.client_order_id, "paper"),
                      journal.entries_for(order.client_order_id)):
            try:
                await touch
            except DamagedJournalRow as error:
                assert str(journal.path) in str(error) and order.client_order_id in str(error)
            else:
                raise AssertionError("a damaged row was read as if whole")
