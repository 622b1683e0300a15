"""One feed, many consumers, through a real redis-server: same updates, gaps said, no crash.

The publishing side is a manager on the paper exchange (offline, polled fast); consumers are
managers given ``price_source=redis://...``, which open no feed of their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from powertrader_core import MultiExchangeManager, Settings
from powertrader_core.kit.redis_url import open_redis, redacted_url
from powertrader_core.models import MarketData
from powertrader_core.streaming import MonitorConfig, RedisPriceSource, RedisPublisher
from powertrader_core.streaming.feeds import Backoff
from powertrader_core.streaming.redis_wire import DEFAULT_PRICES_STREAM, encode_update
from tests.simulators.redis_server import RedisServer

pytest.importorskip("powertrader_paper")
pytest.importorskip("redis")

FAST = MonitorConfig(poll_interval=0.05, backoff_base=0.05, backoff_max=0.2)


def _manager(**kwargs: Any) -> MultiExchangeManager:
    return MultiExchangeManager(settings=Settings(exchanges=["paper"]), **kwargs)


async def _collect(
    manager: MultiExchangeManager, count: int, *, within: float = 10.0
) -> list[tuple[str, str, MarketData]]:
    got: list[tuple[str, str, MarketData]] = []
    done = asyncio.Event()

    def on_price(exchange: str, symbol: str, data: MarketData) -> None:
        got.append((exchange, symbol, data))
        if len(got) >= count:
            done.set()

    manager.subscribe_to_price_updates(on_price)
    await manager.start_price_monitoring(["BTC-USD", "ETH-USD"], ["paper"], config=FAST)
    await asyncio.wait_for(done.wait(), within)
    return got


async def _publishing(url: str) -> AsyncIterator[tuple[MultiExchangeManager, RedisPublisher]]:
    feed = _manager()
    publisher = RedisPublisher(url)
    publisher.attach(feed.price_monitor)
    await publisher.start()
    try:
        await feed.start_price_monitoring(["BTC-USD", "ETH-USD"], ["paper"], config=FAST)
        yield feed, publisher
    finally:
        await publisher.close()
        await feed.close()


async def test_three_consumers_receive_the_same_updates(redis_server: RedisServer) -> None:
    consumers = [_manager(price_source=redis_server.url) for _ in range(3)]
    try:
        for consumer in consumers:  # consumers first: they read from "now"
            await consumer.start_price_monitoring(["BTC-USD", "ETH-USD"], ["paper"], config=FAST)
        await _readers(redis_server, 3)
        seen: list[list[tuple[str, str, str, Decimal]]] = [[] for _ in consumers]
        for i, consumer in enumerate(consumers):
            consumer.subscribe_to_price_updates(
                lambda ex, sym, data, i=i: seen[i].append(
                    (ex, sym, data.timestamp.isoformat(), data.bid)
                )
            )
        async for _feed, publisher in _publishing(redis_server.url):
            deadline = asyncio.get_running_loop().time() + 10
            while min(len(s) for s in seen) < 10:
                assert asyncio.get_running_loop().time() < deadline, [len(s) for s in seen]
                await asyncio.sleep(0.05)
            await publisher.flush()
            await asyncio.sleep(0.3)  # the consumers read what was flushed
        shortest = min(len(s) for s in seen)
        assert shortest >= 10
        assert seen[0][:shortest] == seen[1][:shortest] == seen[2][:shortest]
        assert {sym for _ex, sym, _ts, _bid in seen[0]} == {"BTC-USD", "ETH-USD"}
        assert all(isinstance(bid, Decimal) for *_rest, bid in seen[0])
        status = consumers[0].get_price_monitoring_status()
        assert status["source"]["lost_updates"] == 0
        assert status["source"]["connected"] is True
        assert status["feeds"]["paper"]["mode"] == "polling"  # as the publisher's feed had it
    finally:
        for consumer in consumers:
            await consumer.close()


async def test_stream_prices_reads_redis_instead_of_opening_feeds(
    redis_server: RedisServer,
) -> None:
    consumer = _manager(price_source=redis_server.url)
    try:
        updates: list[Any] = []

        async def read() -> None:
            async for update in consumer.stream_prices(["BTC-USD"], ["paper"]):
                updates.append(update)
                if len(updates) == 3:
                    return

        reader = asyncio.create_task(read())
        await _readers(redis_server, 1)
        async for _feed, _publisher in _publishing(redis_server.url):
            await asyncio.wait_for(reader, 10)
        assert [u.symbol for u in updates] == ["BTC-USD"] * 3  # ETH-USD was not asked for
        assert all(u.exchange == "paper" and u.market_data.source for u in updates)
        assert consumer.price_monitor._feeds == {}  # no feed of its own was opened
        assert consumer.get_price_monitoring_status()["source"]["kind"] == "redis"
    finally:
        await consumer.close()


async def test_lost_updates_are_counted_and_said(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    client = open_redis(redis_server.url)
    consumer = _manager(price_source=redis_server.url)
    got: list[MarketData] = []
    consumer.subscribe_to_price_updates(lambda _ex, _sym, data: got.append(data))
    try:
        await consumer.start_price_monitoring(["BTC-USD"], ["paper"], config=FAST)
        await _readers(redis_server, 1)
        quote = MarketData(symbol="BTC-USD", price=1, bid=1, ask=2, exchange="paper")
        now = quote.timestamp
        for seq in (1, 2, 6):  # 3, 4 and 5 never reach the stream
            fields = encode_update("pub-x", seq, "paper", "BTC-USD", quote, received_at=now,
                                   mode="polling")
            await client.xadd(DEFAULT_PRICES_STREAM, fields)  # type: ignore[arg-type]
        await client.xadd(DEFAULT_PRICES_STREAM, {"v": "1", "junk": "yes"})
        status = consumer.price_monitor.status
        await _until(lambda: len(got) == 3 and status()["source"]["malformed"] == 1)
        source = status()["source"]
        assert len(got) == 3
        assert source["lost_updates"] == 3
        assert source["malformed"] == 1
        assert "3 price update(s) lost" in caplog.text
    finally:
        await consumer.close()
        await client.aclose()


async def test_redis_killed_and_restarted_consumers_report_the_gap_and_resume(
    redis_server: RedisServer,
) -> None:
    consumer = _manager(price_source=RedisPriceSource(redis_server.url, backoff=Backoff(0.05, 0.2)))
    events: list[tuple[str, bool]] = []
    got: list[MarketData] = []
    consumer.subscribe_to_connection_events(lambda name, up: events.append((name, up)))
    consumer.subscribe_to_price_updates(lambda _ex, _sym, data: got.append(data))
    feed = _manager()
    own: list[MarketData] = []
    feed.subscribe_to_price_updates(lambda _ex, _sym, data: own.append(data))
    publisher = RedisPublisher(redis_server.url, backoff=Backoff(0.05, 0.2))
    publisher.attach(feed.price_monitor)
    label = redacted_url(redis_server.url)
    try:
        await consumer.start_price_monitoring(["BTC-USD"], ["paper"], config=FAST)
        await _readers(redis_server, 1)
        await publisher.start()
        await feed.start_price_monitoring(["BTC-USD"], ["paper"], config=FAST)
        await _until(lambda: len(got) >= 3)

        redis_server.kill()
        await _until(lambda: (label, False) in events)
        before = len(own)
        await _until(lambda: len(own) >= before + 5)  # the publisher's process keeps its prices
        assert publisher.connected is False
        assert publisher.status()["queued"] > 0

        redis_server.start()
        await _until(lambda: events.count((label, True)) >= 2)
        received = len(got)
        await _until(lambda: len(got) >= received + 3)  # prices flow again
        assert publisher.connected is True
        status = consumer.get_price_monitoring_status()["source"]
        assert status["connected"] is True
        # What was published while Redis was gone reached Redis after it came back (the
        # buffer), but the entries written before the kill were lost with the old server.
        assert events.count((label, False)) == 1
    finally:
        await publisher.close()
        await feed.close()
        await consumer.close()


async def _until(condition: Any, within: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def _readers(server: RedisServer, count: int, within: float = 60.0) -> None:
    """Until Redis lists ``count`` consumers in XREAD: their "$" start is fixed, so what is
    published from now on reaches them (a fixed sleep was too short on a loaded machine)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while (reading := await asyncio.to_thread(server.readers)) < count:
        assert loop.time() < deadline, f"{reading} of {count} consumers reading"
        await asyncio.sleep(0.02)


async def test_the_dashboard_shows_what_a_feed_publishes(redis_server: RedisServer) -> None:
    """`powertrader serve --from redis://...`: the board's manager reads the stream."""
    pytest.importorskip("starlette")
    from powertrader_core.web import LiveBoard

    consumer = _manager(price_source=redis_server.url)
    board = LiveBoard(consumer, ["BTC-USD"], ["paper"], poll_interval=0.05)
    try:
        async with board:
            await asyncio.sleep(0.3)
            async for _feed, _publisher in _publishing(redis_server.url):
                await _until(lambda: bool(board.snapshot()["quotes"]))
            quote = board.snapshot()["quotes"][0]
            assert (quote["exchange"], quote["symbol"]) == ("paper", "BTC-USD")
            assert consumer.price_monitor._feeds == {}  # no feed of its own
            assert consumer.get_price_monitoring_status()["source"]["received"] > 0
    finally:
        await consumer.close()
