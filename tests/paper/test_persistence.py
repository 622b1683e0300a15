"""The account lives in SQLite: it survives a restart, can be reset, and is kept per account."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from powertrader_paper import PaperExchange

from powertrader_core import ConfigurationError, OrderRequest, OrderStatus
from powertrader_core.kit.paths import data_dir
from tests.paper.conftest import MakePaper


async def test_balances_orders_and_fills_survive_a_restart(
    make_paper: MakePaper, db_path: Path
) -> None:
    first = await make_paper()
    bought = await first.place_order(OrderRequest("BTC-USD", "buy", "0.01", client_order_id="b1"))
    resting = await first.place_order(
        OrderRequest("BTC-USD", "buy", "0.05", order_type="limit", price="55000")
    )
    balances = await first.get_balance_details()
    fills = await first.get_fills()
    await first.close()

    # The second instance's starting balances do not apply: the account already exists.
    second = await make_paper(starting_balances={"USD": 1})
    assert await second.get_balance_details() == balances
    assert await second.get_fills() == fills
    assert (await second.get_order(client_order_id="b1")).order_id == bought.order_id
    assert (await second.get_order(bought.order_id)).status is OrderStatus.FILLED
    still_open = await second.get_open_orders("BTC-USD")
    assert [(o.order_id, o.status) for o in still_open] == [(resting.order_id, OrderStatus.OPEN)]
    canceled = await second.cancel_order(resting.order_id)
    assert canceled.status is OrderStatus.CANCELED
    assert (await second.get_balance_details())["USD"].used == 0


async def test_database_is_in_wal_mode_with_exact_text_amounts(
    paper: PaperExchange, db_path: Path
) -> None:
    await paper.place_order(OrderRequest("BTC-USD", "buy", "0.01"))
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = connection.execute("SELECT asset, total FROM balances ORDER BY asset").fetchall()
    connection.close()
    assert rows == [("BTC", "0.01"), ("USD", "9399.3399400")]


async def test_reset_starts_over(paper: PaperExchange) -> None:
    await paper.place_order(OrderRequest("BTC-USD", "buy", "0.01"))
    await paper.place_order(
        OrderRequest("BTC-USD", "buy", "0.01", order_type="limit", price="50000")
    )
    await paper.reset()
    assert await paper.get_balance() == {"USD": Decimal(10000)}
    assert await paper.get_orders() == []
    assert await paper.get_fills() == []
    assert (await paper.get_balance_details())["USD"].used == 0

    await paper.reset({"EUR": "500", "BTC": "0.5"})
    assert await paper.get_balance() == {"BTC": Decimal("0.5"), "EUR": Decimal(500)}
    with pytest.raises(ConfigurationError):
        await paper.reset({"USD": "-1"})
    assert await paper.get_balance() == {"BTC": Decimal("0.5"), "EUR": Decimal(500)}


async def test_default_location_is_per_account_under_the_data_dir() -> None:
    default = PaperExchange()
    other = PaperExchange({"account": "strategy-2", "starting_balances": {"USD": 50}})
    try:
        await default.initialize()
        await other.initialize()
        assert (data_dir() / "paper" / "default.sqlite3").exists()
        assert (data_dir() / "paper" / "strategy-2.sqlite3").exists()
        assert await default.get_balance() == {"USD": Decimal(10000)}
        assert await other.get_balance() == {"USD": Decimal(50)}
    finally:
        await default.close()
        await other.close()


async def test_close_is_idempotent_and_use_reopens(paper: PaperExchange) -> None:
    await paper.place_order(OrderRequest("BTC-USD", "buy", "0.01"))
    await paper.close()
    await paper.close()
    assert (await paper.get_balance())["BTC"] == Decimal("0.01")  # reopened on use
    await paper.close()


async def test_async_with_opens_and_closes(db_path: Path) -> None:
    async with PaperExchange({"db_path": db_path}) as paper:
        assert (await paper.get_balance()) == {"USD": Decimal(10000)}
    assert paper._store is None  # closed


async def test_a_file_that_is_not_an_account_is_a_configuration_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_bytes(b"this is not a database" * 100)
    paper = PaperExchange({"db_path": bogus})
    with pytest.raises(ConfigurationError, match="not a usable paper account"):
        await paper.initialize()
    await paper.close()


async def test_an_account_of_another_schema_version_is_refused_untouched(db_path: Path) -> None:
    async with PaperExchange({"db_path": db_path}):
        pass
    db = sqlite3.connect(db_path)
    with db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    db.close()
    paper = PaperExchange({"db_path": db_path})
    with pytest.raises(ConfigurationError, match="has schema version 99, this version reads 1"):
        await paper.initialize()
    await paper.close()
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("99",)
    db.close()


async def test_the_simulation_goes_on_across_a_reopen(paper: PaperExchange) -> None:
    paper.simulated_market.set_price("BTC-USD", Decimal(61000))
    await paper.close()
    assert (await paper.get_market_data("BTC-USD")).price == Decimal("61000.00")
