"""Fixtures for the manager's tests: eight simulated venues and a manager over them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from powertrader_core.manager.facade import MultiExchangeManager
from powertrader_core.manager.health import HealthTracker
from tests.fakes import registered
from tests.manager.fakes import FAST_RETRY, DictConfig, FakeVenue, keys, settings, venue
from tests.simulators.fixtures import kraken_sim, kraken_sim_factory  # noqa: F401 - fixtures

# Eight venues: different prices, spreads, depths, fees and latencies.
EIGHT = {
    "ace": dict(mid=100_000, spread=20, latency=0.001),
    "bex": dict(mid=100_010, spread=10, latency=0.002),
    "cor": dict(mid=99_990, spread=30, latency=0.003),
    "dax": dict(mid=100_050, spread=40, latency=0.004),
    "eon": dict(mid=99_950, spread=60, latency=0.005),
    "fyx": dict(mid=100_005, spread=2, latency=0.006),
    "gul": dict(mid=100_100, spread=20, latency=0.007),
    "hov": dict(mid=99_900, spread=50, latency=0.008),
}


@pytest.fixture
def eight() -> Iterator[dict[str, type[FakeVenue]]]:
    classes = [venue(name, **knobs) for name, knobs in EIGHT.items()]
    with registered(*classes) as by_name:
        yield by_name


MakeManager = Callable[..., MultiExchangeManager]


@pytest.fixture
def make_manager() -> Callable[..., MultiExchangeManager]:
    """``make_manager(names, configs=None, health=None, **settings)``; credentials for all."""

    def make(
        names: Sequence[str],
        configs: dict[str, dict[str, Any]] | None = None,
        health: HealthTracker | None = None,
        **overrides: Any,
    ) -> MultiExchangeManager:
        config = DictConfig(configs if configs is not None else {n: keys() for n in names})
        return MultiExchangeManager(
            config, settings(**overrides), exchanges=list(names), retry=FAST_RETRY, health=health
        )

    return make
