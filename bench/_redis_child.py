"""The publishing side of ``bench_redis``'s throughput figure, in a process of its own (as a
``powertrader feed`` is): ``python bench/_redis_child.py ours|bare URL STREAM N START_AT``
offers ``N`` updates from wall-clock ``START_AT`` on, as fast as it can, then waits until
they are all in Redis."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from powertrader_core.kit.redis_url import open_redis
from powertrader_core.models import MarketData
from powertrader_core.streaming.redis_publisher import RedisPublisher
from powertrader_core.streaming.redis_wire import encode_update


def quote(i: int) -> MarketData:
    price = Decimal("65000.5") + i
    return MarketData("BTC-USD", price, price - 1, price + 1, 12, exchange="bench")


async def ours(url: str, stream: str, n: int, start_at: float) -> None:
    quotes = [quote(i) for i in range(n)]
    async with RedisPublisher(url, stream=stream, events_stream=stream + ":ev") as publisher:
        await asyncio.sleep(max(0.0, start_at - time.time()))
        for item in quotes:
            publisher.offer_update("bench", "BTC-USD", item)
            if publisher.status()["queued"] >= 20_000:
                await asyncio.sleep(0)  # let the writer run, as a feed's loop would
        await publisher.flush(within=120)


async def bare(url: str, stream: str, n: int, start_at: float) -> None:
    client = open_redis(url)
    fields = encode_update(
        "bare", 1, "bench", "BTC-USD", quote(0), received_at=datetime.now(UTC), mode="polling"
    )
    await asyncio.sleep(max(0.0, start_at - time.time()))
    for offset in range(0, n, 2000):
        pipe = client.pipeline(transaction=False)
        for _ in range(min(2000, n - offset)):
            pipe.xadd(stream, fields)  # type: ignore[arg-type]
        await pipe.execute()
    await client.aclose()


if __name__ == "__main__":
    kind, url, stream, count, start = sys.argv[1:6]
    run = ours if kind == "ours" else bare
    asyncio.run(run(url, stream, int(count), float(start)))
