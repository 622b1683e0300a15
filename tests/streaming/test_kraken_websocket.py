"""ccxt.pro's Kraken against a Kraken WS v2 ticker server on 127.0.0.1, through the manager.

Markets come from the Kraken REST simulator (``base_url``), tickers from the websocket
simulator (``ws_url``, the plugin's option for pointing ccxt.pro elsewhere): quotes arrive as
``MarketData``; while the websocket is down (killed, refused, silent) the REST simulator is
polled, one event says so however many reconnects fail, and the websocket's return is one
event and its quotes again; a feed that falls silent is restarted.
"""

from __future__ import annotations

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


def _modes(manager: Any) -> list[tuple[bool, str]]:
    modes: list[tuple[bool, str]] = []
    manager.subscribe_to_connection_events(lambda e, ok, mode: modes.append((ok, mode)))
    return modes


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
    modes = _modes(manager)
    config = MonitorConfig(poll_interval=0.2, backoff_base=0.05, backoff_max=0.2)
    await manager.start_price_monitoring(["BTC-USD"], config=config)
    await until(lambda: len(quotes) >= 3, 10)
    await kraken_ws.kill()
    await until(lambda: modes == [(True, "websocket"), (True, "polling")], 5, "polling")
    before = len(quotes)
    await until(lambda: len(quotes) >= before + 2, 5, "polled quotes")
    assert quotes[-1].source == "ccxt:kraken"  # REST, not the websocket
    assert len(modes) == 2  # several reconnects failed meanwhile: no further event
    await kraken_ws.start()  # same port
    await until(lambda: len(modes) == 3, 5, "the websocket again")
    assert modes[2] == (True, "websocket") and events == [True, True, True]
    await until(lambda: quotes[-1].source == "ccxt:kraken:ws", 5, "quotes over the websocket")
    feed = manager.get_exchange_status()["kraken"]["price_feed"]
    assert feed["disconnects"] == 1 and feed["connects"] == 1 and feed["connected"] is True
    assert feed["mode"] == "websocket" and feed["websocket"] == "up"
    assert kraken_ws.connections == 2


async def test_a_silent_feed_is_restarted_by_the_watchdog(kraken, kraken_ws):
    manager, quotes, _events = kraken
    modes = _modes(manager)
    config = MonitorConfig(
        stale_after=0.3, backoff_base=0.01, backoff_max=0.05, poll_interval=0.1
    )
    await manager.start_price_monitoring(["BTC-USD"], config=config)
    await until(lambda: modes == [(True, "websocket")], 10)
    kraken_ws.silent = True  # connection open, nothing sent
    await until(lambda: modes == [(True, "websocket"), (True, "polling")], 3, "the watchdog")
    feed = manager.get_exchange_status()["kraken"]["price_feed"]
    assert feed["stale_restarts"] >= 1 and "no update for 0.3 s" in feed["last_error"]
    await until(lambda: kraken_ws.connections >= 2, 3, "a new connection")
    kraken_ws.silent = False
    await until(lambda: modes[-1] == (True, "websocket"), 3)
    assert quotes[-1].source == "ccxt:kraken:ws"
