"""Pytest fixtures for the simulators: started on a free loopback port, stopped cleanly.

Use them from any test folder by importing them into that folder's ``conftest.py``::

    from tests.simulators.fixtures import kraken_sim, kraken_sim_factory  # noqa: F401

``kraken_sim`` is a running :class:`~tests.simulators.kraken.KrakenSimulator` with the default
markets; ``kraken_sim_factory(**knobs)`` starts more (e.g. ``extra_pairs=2000``), each stopped
at the end of the test. ``kraken_config(sim)`` is the ``KrakenExchange`` configuration that
points at a simulator with the suite's fake keys and a private markets cache.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cassette_support import TEST_SECRETS
from tests.simulators.kraken import KrakenSimulator

__all__ = ["kraken_config", "kraken_sim", "kraken_sim_factory"]


def kraken_config(
    sim: KrakenSimulator, cache_dir: Path | None = None, **extra: Any
) -> dict[str, Any]:
    """Configuration for a KrakenExchange talking to ``sim`` (keys: the suite's fake ones)."""
    config: dict[str, Any] = {
        "api_key": TEST_SECRETS["api_key"],
        "api_secret": TEST_SECRETS["api_secret"],
        "base_url": sim.base_url,
        "timeout": 2,
    }
    if cache_dir is not None:
        config["markets_cache_dir"] = str(cache_dir)
    config.update(extra)
    return config


@pytest.fixture
async def kraken_sim_factory() -> AsyncIterator[Callable[..., Awaitable[KrakenSimulator]]]:
    started: list[KrakenSimulator] = []

    async def start(**knobs: Any) -> KrakenSimulator:
        sim = KrakenSimulator(**knobs)
        await sim.start()
        started.append(sim)
        return sim

    try:
        yield start
    finally:
        for sim in started:
            await sim.stop()


@pytest.fixture
async def kraken_sim(
    kraken_sim_factory: Callable[..., Awaitable[KrakenSimulator]],
) -> KrakenSimulator:
    return await kraken_sim_factory()
