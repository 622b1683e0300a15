"""The manager's live prices over fake venues: events, reconnects, watchdog, polling, status."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from powertrader_core import (
    ConfigurationError,
    ExchangeConnectionError,
    MarketData,
    SymbolNotSupportedError,
)
from powertrader_core.streaming.monitor import MonitorConfig, PriceUpdate
from tests.streaming.conftest import FAST
from tests.streaming.fakes import poll_venue, stream_venue, until


def _feed_tasks() -> list[asyncio.Task[object]]:
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("powertrader")]


async def test_stream_quotes_and_connected_event(venues, make_manager) -> None:
    v = venues(stream_venue("ws1"))["ws1"]
    manager = make_manager(["ws1"])
    prices: list[tuple[str, str, MarketData]] = []
    events: list[tuple[str, bool]] = []
    manager.subscribe_to_price_updates(lambda e, s, d: prices.append((e, s, d)))
    manager.subscribe_to_connection_events(lambda e, c: events.append((e, c)))

    await manager.start_price_monitoring(["btc-usd", "ETH/USD"])
    await until(lambda: v.control.open, what="a connection")
    assert v.control.symbols == [["BTC-USD", "ETH-USD"]]
    v.control.push("BTC-USD", 101)
    v.control.push("ETH-USD", 7)
    v.control.push("DOGE-USD", 1)  # not asked for: not published
    await until(lambda: len(prices) == 2)
    assert [(e, s, d.price) for e, s, d in prices] == [
        ("ws1", "BTC-USD", Decimal(101)), ("ws1", "ETH-USD", Decimal(7))
    ]
    assert events == [("ws1", True)]
    feed = manager.get_exchange_status()["ws1"]["price_feed"]
    assert feed["mode"] == "websocket" and feed["connected"] is True
    assert feed["updates"] == 2 and feed["last_update"].tzinfo is UTC


async def test_a_dropped_stream_is_polled_until_it_is_back(venues, make_manager) -> None:
    """One event per change: the stream, polls while it is down, the stream again."""
    v = venues(stream_venue("ws1"))["ws1"]
    manager = make_manager(["ws1"])
    events: list[tuple[bool, str]] = []
    prices: list[Decimal] = []
    manager.subscribe_to_connection_events(lambda e, c, mode: events.append((c, mode)))
    manager.subscribe_to_price_updates(lambda e, s, d: prices.append(d.price))
    await manager.start_price_monitoring("BTC-USD")
    await until(lambda: v.control.open)
    v.control.push("BTC-USD", 1)
    await until(lambda: events == [(True, "websocket")])

    v.control.refuse = 3  # the next three reconnects fail: polls carry the prices meanwhile
    v.control.drop()
    await until(lambda: events == [(True, "websocket"), (True, "polling")], what="polling")
    await until(lambda: v.control.connects == 5, what="three refused reconnects and a fourth")
    await until(lambda: v.control.open)
    assert Decimal(100) in prices  # the polled price (the venue's poll_price)
    v.control.push("BTC-USD", 2)
    await until(lambda: len(events) == 3)
    assert events == [(True, "websocket"), (True, "polling"), (True, "websocket")]
    polls = v.control.polls["batch"]
    await asyncio.sleep(0.1)  # five polling intervals: the stream is up, nobody polls
    assert v.control.polls["batch"] == polls
    feed = manager.get_exchange_status()["ws1"]["price_feed"]
    assert feed["mode"] == "websocket" and feed["websocket"] == "up"
    assert feed["disconnects"] == 1 and feed["connects"] == 1 and feed["connected"] is True
    assert "connection refused" in feed["last_error"]
    assert v.control.closed == 4  # every dropped or refused iterator was closed


async def test_stream_and_polls_both_down_is_one_disconnected_event(
    venues, make_manager
) -> None:
    class Failing(stream_venue("ws2")):  # type: ignore[misc]
        name = "ws2"
        failing = False

        async def get_market_data_batch(self, symbols):  # type: ignore[no-untyped-def]
            if type(self).failing:
                raise ExchangeConnectionError("REST down too", exchange=self.name)
            return await super().get_market_data_batch(symbols)

    v = venues(Failing)["ws2"]
    manager = make_manager(["ws2"])
    events: list[tuple[bool, str]] = []
    manager.subscribe_to_connection_events(lambda e, c, mode: events.append((c, mode)))
    await manager.start_price_monitoring("BTC-USD")
    await until(lambda: v.control.open)
    v.control.push("BTC-USD", 1)
    await until(lambda: events == [(True, "websocket")])
    Failing.failing = True
    v.control.refuse = 1000
    v.control.drop()
    await until(lambda: len(events) == 2, what="a disconnected event")
    await asyncio.sleep(0.1)  # polls and reconnects keep failing: no further event
    assert events == [(True, "websocket"), (False, "websocket")]
    status = manager.get_exchange_status()["ws2"]["price_feed"]
    assert status["connected"] is False and status["websocket"] == "down"
    assert status["last_error"]  # the latest failure, of the polls or of a reconnect


async def test_stream_that_falls_silent_is_restarted(venues, make_manager) -> None:
    v = venues(stream_venue("ws1"))["ws1"]
    manager = make_manager(["ws1"])
    events: list[tuple[bool, str]] = []
    manager.subscribe_to_connection_events(lambda e, c, mode: events.append((c, mode)))
    config = MonitorConfig(
        stale_after=0.1, backoff_base=0.01, backoff_max=0.02, poll_interval=0.02
    )
    await manager.start_price_monitoring(["BTC-USD"], config=config)
    await until(lambda: v.control.open)
    v.control.push("BTC-USD", 1)
    await until(lambda: events == [(True, "websocket")])
    # nothing more is pushed: the watchdog drops the stream, polls step in, a new one opens
    await until(lambda: v.control.connects >= 2, what="a restart")
    await until(lambda: len(events) == 2)
    assert events == [(True, "websocket"), (True, "polling")] and v.control.closed >= 1
    feed = manager.get_exchange_status()["ws1"]["price_feed"]
    assert feed["stale_restarts"] >= 1 and "no update for 0.1 s" in feed["last_error"]
    await until(lambda: v.control.open)
    v.control.push("BTC-USD", 2)
    await until(lambda: events[-1] == (True, "websocket"))


async def test_polling_venue_one_batch_per_cycle(venues, make_manager) -> None:
    v = venues(poll_venue("rest"))["rest"]
    manager = make_manager(["rest"])
    seen: list[str] = []
    manager.subscribe_to_price_updates(lambda e, s, d: seen.append(s))
    symbols = [f"C{i}-USD" for i in range(10)]
    await manager.start_price_monitoring(symbols)
    await until(lambda: len(seen) >= 30)
    await manager.stop_price_monitoring()
    polls = v.control.polls["batch"]
    assert sum(v.control.polls.values()) == polls  # never one request per symbol
    assert len(seen) % 10 == 0 and len(seen) <= 10 * polls and set(seen) == set(symbols)
    feed = manager.get_exchange_status()["rest"]["price_feed"]
    assert feed["mode"] == "polling" and feed["polls"] == polls and feed["running"] is False


async def test_a_stream_the_exchange_lacks_falls_back_to_polling(venues, make_manager) -> None:
    class NoStream(stream_venue("ns")):  # type: ignore[misc]
        name = "ns"

        def watch_market_data(self, symbols):  # type: ignore[no-untyped-def, override]
            raise self._unsupported("watch_market_data")

    venues(NoStream)
    manager = make_manager(["ns"])
    seen: list[str] = []
    manager.subscribe_to_price_updates(lambda e, s, d: seen.append(s))
    await manager.start_price_monitoring(["BTC-USD"])
    await until(lambda: len(seen) >= 2)
    assert manager.get_exchange_status()["ns"]["price_feed"]["mode"] == "polling"


async def test_unlisted_symbol_is_left_out_and_the_rest_go_on(venues, make_manager) -> None:
    v = venues(poll_venue("rest", listed={"BTC-USD", "ETH-USD"}))["rest"]
    manager = make_manager(["rest"])
    seen: set[str] = set()
    manager.subscribe_to_price_updates(lambda e, s, d: seen.add(s))
    await manager.start_price_monitoring(["BTC-USD", "XYZ-USD", "ETH-USD"])
    await until(lambda: v.control.polls["batch"] >= 2)
    assert seen == {"BTC-USD", "ETH-USD"}
    feed = manager.get_exchange_status()["rest"]["price_feed"]
    assert feed["unsupported_symbols"] == ["XYZ-USD"] and feed["symbols"] == ["BTC-USD", "ETH-USD"]


async def test_bad_input_raises_before_anything_starts(venues, make_manager) -> None:
    venues(stream_venue("ws1"))
    manager = make_manager(["ws1"])
    with pytest.raises(SymbolNotSupportedError):
        await manager.start_price_monitoring(["not a symbol"])
    with pytest.raises(ValueError):
        await manager.start_price_monitoring([])
    with pytest.raises(ConfigurationError):
        await manager.start_price_monitoring(["BTC-USD"], exchanges=["paper"])
    with pytest.raises(TypeError):
        manager.subscribe_to_price_updates("print")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        MonitorConfig(poll_interval=0)
    assert not manager.price_monitor.running and not _feed_tasks()


async def test_stream_prices_iterator_and_cleanup_on_break(venues, make_manager) -> None:
    v = venues(stream_venue("ws1"))["ws1"]
    manager = make_manager(["ws1"])

    async def pusher() -> None:
        await until(lambda: v.control.open)
        for price in range(1, 4):
            v.control.push("BTC-USD", price)
            v.control.push("ETH-USD", price)  # not asked by this stream

    task = asyncio.create_task(pusher())
    got: list[PriceUpdate] = []
    async for update in manager.stream_prices(["BTC-USD"]):
        got.append(update)
        if len(got) == 3:
            break
    await task
    assert [(u.exchange, u.symbol, u.price) for u in got] == [
        ("ws1", "BTC-USD", Decimal(p)) for p in (1, 2, 3)
    ]
    assert isinstance(got[0].market_data, MarketData)
    # the abandoned generator is closed by the loop's finaliser: its feed stops
    await until(lambda: not manager.price_monitor.running and v.control.closed == 1)
    await until(lambda: not _feed_tasks(), what="no task left")
    assert manager.price_monitor.subscriptions() == []


async def test_stream_prices_shares_feeds_with_monitoring(venues, make_manager) -> None:
    v = venues(stream_venue("ws1"))["ws1"]
    manager = make_manager(["ws1"])
    await manager.start_price_monitoring(["BTC-USD"])
    await until(lambda: v.control.open)
    async with contextlib.aclosing(manager.stream_prices(["ETH-USD"])) as stream:
        first = asyncio.ensure_future(anext(stream))
        await until(lambda: v.control.symbols[-1] == ["BTC-USD", "ETH-USD"] and v.control.open)
        v.control.push("ETH-USD", 5)
        assert (await first).symbol == "ETH-USD"
    # back to what monitoring asked for, with no event for the planned restart
    await until(lambda: v.control.symbols[-1] == ["BTC-USD"] and v.control.open)
    assert manager.price_monitor.running


async def test_stop_and_close_leave_no_task(venues, make_manager) -> None:
    v = venues(stream_venue("ws1"))["ws1"]
    p = venues(poll_venue("rest"))["rest"]
    manager = make_manager(["ws1", "rest"])
    blocked = asyncio.Event()

    async def slow(exchange: str, symbol: str, data: MarketData) -> None:
        await blocked.wait()

    manager.subscribe_to_price_updates(slow)
    stream = manager.stream_prices(["BTC-USD"])
    reader = asyncio.ensure_future(anext(stream))
    await manager.start_price_monitoring(["BTC-USD"])
    await until(lambda: v.control.open and p.control.polls["batch"] >= 1)
    v.control.push("BTC-USD", 1)
    await reader
    assert _feed_tasks()
    await manager.stop_price_monitoring()
    assert not _feed_tasks() and v.control.closed == 1
    with pytest.raises(StopAsyncIteration):  # open iterators end when monitoring stops
        await anext(stream)
    assert manager.get_exchange_status()["ws1"]["price_feed"]["running"] is False

    await manager.start_price_monitoring(["BTC-USD"])  # subscriptions survive a stop
    await until(lambda: v.control.open)
    await manager.close()
    assert not _feed_tasks() and v.control.closed == 2


async def test_status_keeps_its_shape(venues, make_manager) -> None:
    venues(stream_venue("ws1"))
    manager = make_manager(["ws1"])
    before = manager.get_exchange_status()["ws1"]
    assert "price_feed" not in before
    await manager.start_price_monitoring(["BTC-USD"])
    after = manager.get_exchange_status()["ws1"]
    assert set(before) <= set(after) and after["status"] == before["status"]
    assert set(after["price_feed"]) >= {
        "mode", "connected", "last_update", "updates", "dropped_updates", "dropped_by_subscriber",
    }
    overall = manager.get_price_monitoring_status()
    assert overall["running"] and overall["exchanges"] == {"ws1": ["BTC-USD"]}


def test_backoff_is_exponential_with_jitter() -> None:
    from powertrader_core.streaming.feeds import Backoff

    # The core's one formula (RetryPolicy.backoff): rng 1 takes the whole jitter off.
    low = Backoff(1.0, 8.0, rng=lambda: 1.0)
    assert [low.next() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    high = Backoff(1.0, 8.0, rng=lambda: 0.0)
    assert [high.next() for _ in range(5)] == [1.0, 2.0, 4.0, 8.0, 8.0]
    high.reset()
    assert high.next() == 1.0
    waits = [high.next() for _ in range(2000)]  # no overflow however long the outage
    assert waits[:3] == [2.0, 4.0, 8.0] and set(waits[2:]) == {8.0}


async def test_timestamps_are_utc_now_or_given(venues, make_manager) -> None:
    v = venues(stream_venue("ws1"))["ws1"]
    manager = make_manager(["ws1"])
    await manager.start_price_monitoring(["BTC-USD"])
    await until(lambda: v.control.open)
    v.control.push("BTC-USD", 3)
    await until(lambda: manager.get_exchange_status()["ws1"]["price_feed"]["updates"] == 1)
    stamp = manager.get_exchange_status()["ws1"]["price_feed"]["last_update"]
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 5
    assert FAST.poll_interval < 1


async def test_an_exchange_that_cannot_be_built_stops_its_feed(venues, make_manager) -> None:
    class Broken(stream_venue("broken")):  # type: ignore[misc]
        name = "broken"

        def __init__(self, config=None):  # type: ignore[no-untyped-def]
            raise ValueError("bad configuration")

    ok = venues(Broken, stream_venue("ws1"))["ws1"]
    manager = make_manager(["broken", "ws1"])
    events: list[tuple[str, bool]] = []
    manager.subscribe_to_connection_events(lambda e, c: events.append((e, c)))
    await manager.start_price_monitoring(["BTC-USD"])
    await until(lambda: ("broken", False) in events and ok.control.open)
    ok.control.push("BTC-USD", 1)
    await until(lambda: ("ws1", True) in events)
    feed = manager.get_exchange_status()["broken"]["price_feed"]
    assert feed["running"] is False and "could not build" in feed["last_error"]
    assert all("broken" not in task.get_name() for task in _feed_tasks())


async def test_a_blocked_websocket_warns_once(venues, make_manager, caplog) -> None:
    """Reconnects keep failing behind a firewall: one warning at the change, not one each."""
    v = venues(stream_venue("ws3", refuse=1000))["ws3"]
    manager = make_manager(["ws3"])
    modes: list[tuple[bool, str]] = []
    manager.subscribe_to_connection_events(lambda e, c, mode: modes.append((c, mode)))
    with caplog.at_level("INFO", logger="powertrader_core.streaming"):
        await manager.start_price_monitoring("BTC-USD")
        await until(lambda: v.control.connects >= 4, what="several refused connections")
        await until(lambda: modes == [(True, "polling")], what="polled prices")
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and "ws3" in r.message]
    assert len(warnings) == 1 and "polling until it is back" in warnings[0].message
    feed = manager.get_exchange_status()["ws3"]["price_feed"]
    assert feed["mode"] == "polling" and feed["websocket"] == "down" and feed["polls"] >= 1
