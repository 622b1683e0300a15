"""Fixtures for the order-safety tests: a manager over the ccxt plugin's Kraken pointed at the
Kraken simulator, with live trading on, fast rate limits and short timeouts.

Each test gets its own journal file (under its temporary folder) and its own markets cache.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from powertrader_core.manager.facade import MultiExchangeManager, SafetyPolicy
from powertrader_core.manager.health import HealthTracker
from tests.manager.fakes import FAST_RETRY, DictConfig, settings
from tests.simulators.fixtures import kraken_config, kraken_sim, kraken_sim_factory  # noqa: F401
from tests.simulators.kraken import KrakenSimulator

#: Lookups 20 ms apart instead of half a second, and the simulator's clock is ours (no margin
#: past an order's deadline): tests need no patience.
FAST_SAFETY = SafetyPolicy(absence_checks=2, absence_delay=0.02, deadline_margin=0.0)


@pytest.fixture(autouse=True)
def _short_kraken_deadlines(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Kraken's shortest AddOrder deadline (3 s) down to 0.2 s: an order proven absent waits
    for its deadline (a whole second, Kraken's documented form), so at most 1.2 s, not 3."""
    plugin = pytest.importorskip("powertrader_ccxt")
    from powertrader_ccxt.profiles import RequestDeadline

    kraken = plugin.KrakenExchange
    fast = dataclasses.replace(
        kraken.profile,
        order_deadline=RequestDeadline("order_param", "deadline", 0.2, 60.0, engine=True),
    )
    monkeypatch.setattr(kraken, "profile", fast)
    yield


MakeManager = Callable[..., MultiExchangeManager]


class _MarketsFirst(MultiExchangeManager):
    """Entered with Kraken's markets already loaded, under a generous timeout: the short
    ``exchange_timeout`` of a test here then times its orders and lookups, not a busy machine's
    first markets download ("kraken initialize: no answer within 0.3 s" was a flake under
    load). The same manager and limiter load them as the first call would have."""

    async def __aenter__(self) -> MultiExchangeManager:
        short = self.settings.exchange_timeout
        self.settings.exchange_timeout = 30.0
        try:
            await self.get_exchange("kraken")
        except BaseException:
            await self.close()
            raise
        finally:
            self.settings.exchange_timeout = short
        return self


@pytest.fixture
def make_kraken_manager(tmp_path: Path) -> MakeManager:
    """``make(sim, journal=None, timeout=0.5, config=None, **settings)``: a manager whose only
    exchange is the plugin's Kraken talking to ``sim`` (``config`` adds to its configuration;
    Kraken's AddOrder deadline is the manager's timeout unless ``config`` sets
    ``order_deadline``);
    the journal file is ``tmp_path/journal.sqlite3`` unless ``journal`` names another."""

    def make(
        sim: KrakenSimulator,
        journal: Path | None = None,
        timeout: float = 0.5,
        safety: SafetyPolicy = FAST_SAFETY,
        config: dict[str, Any] | None = None,
        **overrides: Any,
    ) -> MultiExchangeManager:
        extra = {"rate_limit_ms": 5, "timeout": 5, **(config or {})}
        sim.deadline_min_seconds = 0.0  # the plugin's minimum is shortened (above)
        config = kraken_config(sim, tmp_path / "markets", **extra)
        return _MarketsFirst(
            DictConfig({"kraken": config}),
            settings(
                exchange_timeout=timeout,
                journal_path=journal or tmp_path / "journal.sqlite3",
                **overrides,
            ),
            ["kraken"],
            retry=FAST_RETRY,
            health=HealthTracker(failure_threshold=1000),
            safety=safety,
        )

    return make
