"""Shared set-up for the ccxt plugin's tests: the simulators.

Rate-limit buckets live in the cache folder, which is the test's own (``tests/conftest.py``):
no test inherits another's spent budget.
"""

from __future__ import annotations

from tests.simulators.fixtures import kraken_sim, kraken_sim_factory  # noqa: F401
