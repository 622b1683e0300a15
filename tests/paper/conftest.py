"""Shared fixtures of the paper exchange's tests: a fake clock and an exchange factory.

The simulated market moves with its clock; a fake clock makes every price in a test exact and
repeatable (nothing here sleeps).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from powertrader_paper import PaperExchange

START = datetime(2024, 1, 1, tzinfo=UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


MakePaper = Callable[..., Awaitable[PaperExchange]]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "account.sqlite3"


@pytest.fixture
async def make_paper(clock: FakeClock, db_path: Path) -> AsyncIterator[MakePaper]:
    """Build initialised paper exchanges on one database file and clock; all closed after."""
    made: list[PaperExchange] = []

    async def make(**config: Any) -> PaperExchange:
        settings: dict[str, Any] = {"db_path": db_path, "clock": clock, **config}
        exchange = PaperExchange(settings)
        made.append(exchange)
        await exchange.initialize()
        return exchange

    yield make
    for exchange in made:
        await exchange.close()


@pytest.fixture
async def paper(make_paper: MakePaper) -> PaperExchange:
    """A paper exchange with the defaults: 10 000 USD, 0.1 % taker, 0.05 % maker."""
    return await make_paper()
