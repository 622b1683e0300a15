"""Fixtures for the streaming tests: fake venues, a manager over them, the Kraken simulators."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

import pytest

from powertrader_core.manager.facade import MultiExchangeManager
from powertrader_core.streaming.monitor import MonitorConfig
from tests.fakes import registered
from tests.manager.fakes import FAST_RETRY, DictConfig, settings
from tests.simulators.fixtures import kraken_sim, kraken_sim_factory  # noqa: F401
from tests.simulators.kraken_ws import KrakenWsSimulator
from tests.streaming.fakes import StreamVenue

#: Small delays so that reconnects and polls happen within milliseconds.
FAST = MonitorConfig(
    poll_interval=0.02, stale_after=5.0, backoff_base=0.01, backoff_max=0.05, queue_size=100
)


@pytest.fixture
def venues() -> Iterator[Callable[..., dict[str, type[StreamVenue]]]]:
    """``venues(*classes)`` registers fake venues for the test (unregistered after)."""
    stack: list[Any] = []

    def register(*classes: type[StreamVenue]) -> dict[str, type[StreamVenue]]:
        context = registered(*classes)  # type: ignore[arg-type]
        stack.append(context)
        return context.__enter__()  # type: ignore[no-any-return]

    yield register
    for context in reversed(stack):
        context.__exit__(None, None, None)


@pytest.fixture
async def make_manager() -> AsyncIterator[Callable[..., MultiExchangeManager]]:
    """``make_manager(names, configs=None, **settings)``; every manager is closed after."""
    made: list[MultiExchangeManager] = []

    def make(
        names: Sequence[str], configs: dict[str, dict[str, Any]] | None = None, **overrides: Any
    ) -> MultiExchangeManager:
        manager = MultiExchangeManager(
            DictConfig(configs or {}), settings(**overrides), exchanges=list(names),
            retry=FAST_RETRY,
        )
        manager.price_monitor.config = FAST
        made.append(manager)
        return manager

    yield make
    for manager in made:
        await manager.close()


@pytest.fixture
async def kraken_ws() -> AsyncIterator[KrakenWsSimulator]:
    sim = KrakenWsSimulator(interval=0.02)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


