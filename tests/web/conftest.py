"""A real dashboard on a free loopback port, in the test's event loop.

The manager trades on ``paper`` (its offline simulated market) beside two in-process venues
from the manager's tests: ``simex``, which quotes, and ``downex``, whose every call fails
with a connection error, so the page has an exchange that is down with its reason.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from powertrader_core import ExchangeConnectionError, MultiExchangeManager
from powertrader_core.web import LiveBoard, Policy, create_app, running
from tests.fakes import registered
from tests.manager.fakes import (
    FAST_RETRY,
    DictConfig,
    FakeVenue,
    keys,
    settings,
    venue,
)

SYMBOLS = ("BTC-USD", "ETH-USD")
#: The access token ``served`` gives its server through the environment.
SERVE_TOKEN = "env-dashboard-token-0123456789ab"


@dataclass
class Dashboard:
    url: str
    board: LiveBoard
    policy: Policy
    manager: MultiExchangeManager

    @property
    def origin(self) -> str:
        return self.url.rstrip("/")

    @property
    def host(self) -> str:
        return self.origin.removeprefix("http://")


@pytest.fixture
def venues() -> Iterator[dict[str, type[FakeVenue]]]:
    """``simex`` quotes BTC-USD (it lists no ETH-USD); ``downex`` refuses every connection."""
    healthy = venue(
        "simex", 60_000, spread=30, balances={"USD": 2500, "BTC": "0.05"}, listed={"BTC-USD"}
    )
    failing = venue(
        "downex",
        60_000,
        error=ExchangeConnectionError(
            "connection refused (127.0.0.1:9)", exchange="downex", operation="get_market_data"
        ),
    )
    with registered(healthy, failing) as by_name:
        yield by_name


ServeFactory = Callable[..., AbstractAsyncContextManager[Dashboard]]


@pytest.fixture
def serve(venues: dict[str, type[FakeVenue]]) -> ServeFactory:
    """``async with serve(exchanges=..., token=..., **board_options) as dash``."""

    @asynccontextmanager
    async def start(
        exchanges: tuple[str, ...] = ("paper", "simex", "downex"),
        token: str | None = None,
        poll_interval: float = 0.2,
        **board_options: Any,
    ) -> AsyncIterator[Dashboard]:
        config = DictConfig({name: keys() for name in exchanges if name != "paper"})
        manager = MultiExchangeManager(  # reads retried quickly, well within the timeout
            config,
            settings(live_trading=False, exchange_timeout=5.0),
            exchanges=list(exchanges),
            retry=FAST_RETRY,
        )
        policy = Policy("127.0.0.1", token)
        async with manager:
            board = LiveBoard(
                manager, SYMBOLS, exchanges, poll_interval=poll_interval, **board_options
            )
            async with board, running(create_app(board, policy), board, "127.0.0.1", 0) as url:
                yield Dashboard(url, board, policy, manager)

    return start


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, object]]]:
    """``powertrader serve --exchange paper --port 0`` as a process (token from the
    environment); yields it and what it printed first (its URL)."""
    env = {**os.environ, "POWERTRADER_SERVE_TOKEN": SERVE_TOKEN}
    env["POWERTRADER_CREDENTIALS_DIR"] = str(tmp_path / "credentials")
    process = subprocess.Popen(
        [sys.executable, "-m", "powertrader_core", "serve", "--exchange", "paper",
         "--port", "0", "--interval", "0.3", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"serve printed nothing; stderr: {process.stderr.read()}")
        yield process, json.loads(line)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
