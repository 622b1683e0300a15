"""ccxt.pro's Kraken against a Kraken WS v2 ticker server on 127.0.0.1, through the manager.

Markets come from the Kraken REST simulator (``base_url``), tickers from the websocket
simulator (``ws_url``, the plugin's option for pointing ccxt.pro elsewhere): quotes arrive as
``MarketData``; killing the server is one "disconnected" event however many reconnects fail,
its return one "connected" and quotes again; a feed that falls silent is restarted.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from powertrader_core import MarketData
from powertrader_core.streaming.monitor import MonitorConfig
from tests.simulators.fixtures import kraken_config
from tests.streaming.fakes import until

pytest.importorskip("powertrader_ccxt")


@pytest.fixture
def kraken(kraken_sim, kraken_ws, make_manager, tmp_path) -> Any:
    config = kraken_config(
        kraken_sim, tmp_path / "cache", ws_url=kraken_ws.ws_url, rate_limit_ms=5
    )
    manager = make_manager(["kraken"], {"kraken": config}, exchange_timeout=10)
    quotes: list[MarketData] = []
    events: list[bool] = []
    manager.subscribe_to_price_updates(lambda e, s, d: quotes.append(d))
    manager.subscribe_to_connection_events(lambda e, ok: events.append(ok))
    return manager, quotes, events


async def test_quotes_arrive_as_market_data_over_the_websocket(kraken, kraken_sim, kraken_ws):
    manager, quotes, events = kraken
    kraken_ws.set_price("ETH/USD", "3100.25")
    await manager.start_price_monitoring(["BTC-USD", "ETH-USD"])
    await until(lambda: {q.symbol for q in quotes} == {"BTC-USD", "ETH-USD"}, 10)
    eth = next(q for q in quotes if q.symbol == "ETH-USD")
    assert isinstance(eth, MarketData) and eth.exchange == "kraken"
    assert eth.price == Decimal("3100.25") and isinstance(eth.price, Decimal)
    assert eth.bid < eth.price < eth.ask and eth.volume > 0
    assert eth.timestamp.utcoffset() == timedelta(0) and eth.source == "ccxt:kraken:ws"
    assert events == [True]
    assert kraken_ws.subscribes == [["BTC/USD", "ETH/USD"]]  # one subscribe, v2 spelling
    assert kraken_sim.count("public/Ticker") == 0  # streamed, not polled
    feed = manager.get_exchange_status()["kraken"]["price_feed"]
    assert feed["mode"] == "websocket" and feed["connected"] is True


async def test_server_killed_then_back(kraken, kraken_ws):
    manager, quotes, events = kraken
    await manager.start_price_monitoring(["BTC-USD"])
    await until(lambda: len(quotes) >= 3, 10)
    await kraken_ws.kill()
    await until(lambda: events == [True, False], what="a disconnected event")
    before = len(quotes)
    await asyncio.sleep(0.15)  # several reconnects fail meanwhile: no further event
    assert events == [True, False] and len(quotes) == before
    await kraken_ws.start()  # same port
    await until(lambda: events == [True, False, True], 5, "a connected event")
    await until(lambda: len(quotes) >= before + 3, 5, "quotes again")
    feed = manager.get_exchange_status()["kraken"]["price_feed"]
    assert feed["disconnects"] == 1 and feed["connects"] == 2 and feed["connected"] is True
    assert kraken_ws.connections == 2


async def test_a_silent_feed_is_restarted_by_the_watchdog(kraken, kraken_ws):
    manager, quotes, events = kraken
    config = MonitorConfig(stale_after=0.3, backoff_base=0.01, backoff_max=0.05)
    await manager.start_price_monitoring(["BTC-USD"], config=config)
    await until(lambda: events == [True], 10)
    kraken_ws.silent = True  # connection open, nothing sent
    await until(lambda: events == [True, False], 3, "the watchdog")
    feed = manager.get_exchange_status()["kraken"]["price_feed"]
    assert feed["stale_restarts"] >= 1 and "no update for 0.3 s" in feed["last_error"]
    await until(lambda: kraken_ws.connections >= 2, 3, "a new connection")
    kraken_ws.silent = False
    count = len(quotes)
    await until(lambda: events == [True, False, True] and len(quotes) > count, 3)
