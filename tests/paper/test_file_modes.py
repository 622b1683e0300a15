"""Every file that holds orders, balances or keys is 0600 in a 0700 folder (issue 14, item 8).

The paper account used to be 0644 (the umask's choice) while the journal was 0600.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from powertrader_paper import PaperExchange

from powertrader_core import OrderRequest
from powertrader_core.orders.journal import OrderJournal

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")


def _modes(folder: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}


async def test_paper_account_and_its_wal_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "paper"
    old = os.umask(0o022)
    try:
        async with PaperExchange({"db_path": folder / "account.sqlite3"}) as paper:
            await paper.place_order(OrderRequest("BTC-USD", "buy", "0.01"))
            modes = _modes(folder)
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert modes["account.sqlite3"] == 0o600
    assert all(mode == 0o600 for mode in modes.values()), modes  # -wal and -shm too


async def test_an_existing_open_paper_account_is_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    path = folder / "account.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o644)
    async with PaperExchange({"db_path": path}) as paper:
        await paper.get_balance()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


async def test_the_order_journal_folder_is_private(tmp_path: Path) -> None:
    folder = tmp_path / "journal-folder"
    journal = OrderJournal(folder / "journal.sqlite3")
    await journal.open()
    try:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    finally:
        await journal.close()
