"""Shared set-up for the ccxt plugin's tests: simulators, and no limiter state across tests.

Rate limiters are shared process-wide per (exchange, key); a test must not inherit another
test's spent budget, so each starts with an empty registry.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.simulators.fixtures import kraken_sim, kraken_sim_factory  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_limiters() -> Iterator[None]:
    from powertrader_ccxt.limiter import reset_shared_limiters

    reset_shared_limiters()
    yield
    reset_shared_limiters()
