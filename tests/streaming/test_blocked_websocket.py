"""A ticker websocket that cannot connect: prices are polled, then streamed again (issue 15).

The Kraken websocket simulator is started (to learn a port) and stopped, so every connection
to it is refused, as behind a firewall that blocks websockets; the REST simulator answers
polls. Then the websocket server comes back on the same port. Quotes must arrive by polling
within the first seconds, come over the websocket again after the recovery, never leave a gap
longer than one polling interval, and each change must be one connection event.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest

from powertrader_core.streaming.monitor import MonitorConfig
from tests.simulators.fixtures import kraken_config
from tests.streaming.fakes import until

pytest.importorskip("powertrader_ccxt")

INTERVAL = 1.0
# Polls start one interval apart; a quote reaches the subscriber one round trip after its poll
# starts, and round trips vary on a loaded machine (2 cores, many test processes, the
# simulators on the test's own event loop): by up to 0.3 s measured. A missed cycle would be a
# gap of two intervals, waiting for the websocket's backoff longer still.
SLACK = 0.5


async def test_refused_websocket_is_polled_then_streamed_again(
    kraken_sim: Any, kraken_ws: Any, make_manager: Any, tmp_path: Any
) -> None:
    await kraken_ws.stop()  # the port is known; nobody listens: connections are refused
    config = kraken_config(
        kraken_sim, tmp_path / "cache", ws_url=kraken_ws.ws_url, rate_limit_ms=5
    )
    manager = make_manager(["kraken"], {"kraken": config}, exchange_timeout=10)
    loop = asyncio.get_running_loop()
    arrivals: list[tuple[float, str]] = []
    events: list[tuple[str, bool, str]] = []
    manager.subscribe_to_price_updates(
        lambda e, s, d: arrivals.append((loop.time(), d.source)) if s == "BTC-USD" else None
    )
    manager.subscribe_to_connection_events(lambda e, ok, mode: events.append((e, ok, mode)))
    started = loop.time()
    monitor = MonitorConfig(poll_interval=INTERVAL, backoff_base=0.2, backoff_max=0.5)
    await manager.start_price_monitoring(["BTC-USD", "ETH-USD"], config=monitor)

    await until(lambda: arrivals, 5, "a first quote")
    assert arrivals[0][0] - started < 3.0  # polling within the first seconds
    assert arrivals[0][1] == "ccxt:kraken"  # from REST
    await until(lambda: len(arrivals) >= 4, 8, "several polls")
    status = manager.get_exchange_status()["kraken"]["price_feed"]
    assert status["mode"] == "polling" and status["websocket"] == "down"
    assert status["connected"] is True
    assert events == [("kraken", True, "polling")]
    tickers = kraken_sim.count("public/Ticker")
    polls = status["polls"]
    assert tickers <= polls + 1  # one batched request per cycle, not one per symbol

    await kraken_ws.start()  # the websocket is back, on the same port
    await until(lambda: arrivals[-1][1] == "ccxt:kraken:ws", 5, "the stream again")
    recovered = len(arrivals)
    await until(lambda: len(arrivals) >= recovered + 10, 5, "streamed quotes")
    await manager.stop_price_monitoring()

    assert events == [("kraken", True, "polling"), ("kraken", True, "websocket")]
    status = manager.get_exchange_status()["kraken"]["price_feed"]
    assert status["mode"] == "websocket" and status["websocket"] == "up"
    sources = [source for _, source in arrivals]
    first_ws = sources.index("ccxt:kraken:ws")
    assert set(sources[first_ws:]) == {"ccxt:kraken:ws"}  # no polled quote after the stream
    times = [at for at, _ in arrivals]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert max(gaps) <= INTERVAL + SLACK, max(gaps)
    polled = kraken_sim.times("public/Ticker")
    spacing = [later - earlier for earlier, later in itertools.pairwise(polled)]
    assert min(spacing) >= INTERVAL * 0.9, spacing  # within the rate: one cycle per interval
    assert kraken_sim.count("public/Ticker") <= polls + 3  # polls stopped with the stream back
