"""Fixtures for the order-safety tests: a manager over the ccxt plugin's Kraken pointed at the
Kraken simulator, with live trading on, fast rate limits and short timeouts.

Each test gets its own journal file (under its temporary folder) and its own markets cache.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from powertrader_core.manager.facade import MultiExchangeManager, SafetyPolicy
from powertrader_core.manager.health import HealthTracker
from tests.manager.fakes import FAST_RETRY, DictConfig, settings
from tests.simulators.fixtures import kraken_config, kraken_sim, kraken_sim_factory  # noqa: F401
from tests.simulators.kraken import KrakenSimulator

#: Lookups 20 ms apart instead of half a second: tests need no patience.
FAST_SAFETY = SafetyPolicy(absence_checks=2, absence_delay=0.02)


@pytest.fixture(autouse=True)
def _fresh_limiters() -> Iterator[None]:
    """The ccxt plugin's limiters are per process and key: no test inherits a spent budget."""
    limiter = pytest.importorskip("powertrader_ccxt.limiter")
    limiter.reset_shared_limiters()
    yield
    limiter.reset_shared_limiters()


MakeManager = Callable[..., MultiExchangeManager]


@pytest.fixture
def make_kraken_manager(tmp_path: Path) -> MakeManager:
    """``make(sim, journal=None, timeout=0.5, config=None, **settings)``: a manager whose only
    exchange is the plugin's Kraken talking to ``sim`` (``config`` adds to its configuration;
    it sends no order deadline unless ``config`` sets ``order_deadline``);
    the journal file is ``tmp_path/journal.sqlite3`` unless ``journal`` names another."""

    def make(
        sim: KrakenSimulator,
        journal: Path | None = None,
        timeout: float = 0.5,
        safety: SafetyPolicy = FAST_SAFETY,
        config: dict[str, Any] | None = None,
        **overrides: Any,
    ) -> MultiExchangeManager:
        # No AddOrder deadline unless a test asks for one (test_deadline.py): with one, a
        # lookup proves absence only after it passed, and these tests would wait out the
        # 5 s request timeout each time an order proves absent.
        extra = {"rate_limit_ms": 5, "timeout": 5, "order_deadline": False, **(config or {})}
        config = kraken_config(sim, tmp_path / "markets", **extra)
        return MultiExchangeManager(
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
