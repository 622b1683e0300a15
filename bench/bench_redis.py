"""Prices through Redis: publish -> consumer latency and throughput on loopback.

A real ``redis-server`` is started on a free loopback port (skipped, saying so, when none is
installed). Both sides run in one process and one event loop, as a worst case for the CPU.

- **latency**: ``RedisPublisher.offer_update`` (the monitor's hand-over) to the moment
  ``RedisPriceSource`` hands the decoded ``MarketData`` on, one update every 2 ms, median and
  99th percentile. Baseline, same run: a bare redis-py ``XADD`` answered by a blocking
  ``XREAD`` of another connection (no encoding, no validation): the floor of the transport.
- **throughput**: 100,000 updates offered at once by a publisher in a process of its own (as
  ``powertrader feed`` is), until the consumer here has them all, in updates per second.
  Baseline: a bare redis-py process pipelining the same entries, pre-encoded, with ``XADD``, and
  a bare ``XREAD`` loop here that does nothing with them.

- **limiter grant through Redis**: one ``RateLimiter.acquire`` whose bucket lives in Redis (one
  ``EVALSHA`` of the GCRA script), a bucket that never makes it wait. Baseline: a bare redis-py
  ``PING`` round trip on the same connection kind.

Goals (issue 18): latency p99 <= 5 ms, throughput >= 50,000 updates/s, grant <= 1 ms.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from _harness import Figure

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from powertrader_core.kit import Budget, Pool, RateLimiter
from powertrader_core.kit.redis_store import RedisStore
from powertrader_core.kit.redis_url import open_redis
from powertrader_core.models import MarketData
from powertrader_core.streaming.redis_publisher import RedisPublisher
from powertrader_core.streaming.redis_source import RedisPriceSource
from powertrader_core.streaming.redis_wire import encode_update
from tests.simulators.redis_server import RedisServer, redis_server_binary

GRANTS = 3_000
HERE = Path(__file__).resolve().parent
LATENCY_UPDATES = 2_000
THROUGHPUT_UPDATES = 100_000


def _quote(i: int) -> MarketData:
    price = Decimal("65000.5") + i
    return MarketData("BTC-USD", price, price - 1, price + 1, 12, exchange="bench")


class _Sink:
    """A monitor's stand-in: records when each update arrives."""

    def __init__(self) -> None:
        self.arrived: list[float] = []
        self.done = asyncio.Event()
        self.expect = 0

    def wanted(self) -> dict[str, list[str]]:
        return {"bench": ["BTC-USD"]}

    def publish(self, exchange: str, symbol: str, data: MarketData, mode: str) -> None:
        self.arrived.append(time.perf_counter())
        if len(self.arrived) >= self.expect:
            self.done.set()

    def connection(self, name: str, connected: bool, mode: str) -> None:
        pass


async def _consume(
    url: str, stream: str, expect: int, ours: bool, ready: asyncio.Event
) -> list[float]:
    """Arrival times (perf_counter) of ``expect`` entries, read our way or the bare way."""
    if ours:
        source = RedisPriceSource(url, stream=stream, events_stream=stream + ":ev", count=5000)
        sink = _Sink()
        sink.expect = expect
        reader = asyncio.create_task(source.run(sink))  # type: ignore[arg-type]
        await asyncio.sleep(0.5)  # connected and positioned at the stream's end
        return await _until_done(sink.done, sink.arrived, reader, ready)
    client = open_redis(url)
    arrived: list[float] = []
    done = asyncio.Event()

    async def read() -> None:
        newest: Any = await client.xrevrange(stream, count=1)
        last = newest[0][0] if newest else "0-0"
        while len(arrived) < expect:
            answer: Any = await client.xread({stream: last}, count=5000, block=1000)
            for _name, entries in answer or ():
                for entry_id, _fields in entries:
                    last = entry_id
                    arrived.append(time.perf_counter())
        done.set()

    task = asyncio.create_task(read())
    await asyncio.sleep(0.5)
    try:
        return await _until_done(done, arrived, task, ready)
    finally:
        await client.aclose()


async def _until_done(
    done: asyncio.Event, arrived: list[float], task: asyncio.Task[None], ready: asyncio.Event
) -> list[float]:
    ready.set()
    await asyncio.wait_for(done.wait(), 180)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return arrived


async def _latency(url: str, stream: str, ours: bool) -> list[float]:
    """Milliseconds from hand-over to arrival, one update every 2 ms."""
    ready = asyncio.Event()
    consumer = asyncio.create_task(_consume(url, stream, LATENCY_UPDATES, ours, ready))
    await ready.wait()
    sent: list[float] = []
    if ours:
        publisher = RedisPublisher(url, stream=stream, events_stream=stream + ":ev")
        await publisher.start()
        for i in range(LATENCY_UPDATES):
            sent.append(time.perf_counter())
            publisher.offer_update("bench", "BTC-USD", _quote(i))
            await asyncio.sleep(0.002)
        arrived = await consumer
        await publisher.close()
    else:
        writer = open_redis(url)
        fields = encode_update(
            "bare", 1, "bench", "BTC-USD", _quote(0), received_at=datetime.now(UTC), mode="x"
        )
        for _ in range(LATENCY_UPDATES):
            sent.append(time.perf_counter())
            await writer.xadd(stream, fields)  # type: ignore[arg-type]
            await asyncio.sleep(0.002)
        arrived = await consumer
        await writer.aclose()
    return [(a - s) * 1000 for s, a in zip(sent, arrived, strict=True)]


async def _throughput(url: str, stream: str, ours: bool) -> float:
    """Updates a second through one stream, the publisher in a process of its own."""
    ready = asyncio.Event()
    consumer = asyncio.create_task(_consume(url, stream, THROUGHPUT_UPDATES, ours, ready))
    await ready.wait()
    start_at = time.time() + 4.0  # the child is up and its updates built by then
    child = await asyncio.create_subprocess_exec(
        sys.executable, str(HERE / "_redis_child.py"), "ours" if ours else "bare", url, stream,
        str(THROUGHPUT_UPDATES), str(start_at),
    )
    await asyncio.sleep(max(0.0, start_at - time.time()))
    started = time.perf_counter()
    arrived = await consumer
    await child.wait()
    return THROUGHPUT_UPDATES / (arrived[-1] - started)


async def _grants(url: str) -> tuple[float, float]:
    """Seconds per limiter grant through Redis, and per bare PING, interleaved in rounds."""
    store = RedisStore(url)
    limiter = RateLimiter(
        Budget.of("bench", Pool("p", capacity=1_000_000, per_second=1_000_000)), "k", store=store
    )
    client = open_redis(url, decode_responses=True)
    ours, bare = [], []
    for _round in range(3):
        start = time.perf_counter()
        for _ in range(GRANTS):
            await limiter.acquire("p")
        ours.append((time.perf_counter() - start) / GRANTS)
        start = time.perf_counter()
        for _ in range(GRANTS):
            await client.ping()
        bare.append((time.perf_counter() - start) / GRANTS)
    await store.aclose()
    await client.aclose()
    return min(ours), min(bare)


def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def run() -> Iterator[Figure]:
    if redis_server_binary() is None:
        print("redis: skipped (no redis-server; apt-get install -y redis-server)")
        return
    with RedisServer() as server:
        ours = asyncio.run(_latency(server.url, "bench:lat", ours=True))
        bare = asyncio.run(_latency(server.url, "bench:lat-bare", ours=False))
        yield Figure("redis publish->consumer latency median", statistics.median(ours),
                     statistics.median(bare), "ms", "bare XADD->XREAD")
        yield Figure("redis publish->consumer latency p99", _p99(ours), _p99(bare), "ms",
                     "bare XADD->XREAD", goal="p99 <= 5 ms")
        grant, ping = asyncio.run(_grants(server.url))
        yield Figure("limiter grant through Redis", grant * 1e3, ping * 1e3, "ms",
                     "bare PING round trip", goal="<= 1 ms")
        ours_rate = asyncio.run(_throughput(server.url, "bench:tp", ours=True))
        bare_rate = asyncio.run(_throughput(server.url, "bench:tp-bare", ours=False))
        yield Figure("redis throughput (one stream)", ours_rate, bare_rate, "updates/s",
                     "bare pipelined XADD + XREAD", goal=">= 50,000 updates/s")
