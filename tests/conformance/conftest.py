"""The simulators the conformance runs talk to (started per test on 127.0.0.1)."""

from tests.simulators.fixtures import kraken_sim, kraken_sim_factory  # noqa: F401
