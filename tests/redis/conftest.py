"""A real redis-server per test (on a free loopback port); skipped only where none exists."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.simulators.fixtures import kraken_sim_factory  # noqa: F401
from tests.simulators.redis_server import RedisServer, redis_server_binary


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    if redis_server_binary() is None:
        pytest.skip("redis-server is not installed here (.ci/run installs Debian's redis-server)")
    with RedisServer() as server:
        yield server
