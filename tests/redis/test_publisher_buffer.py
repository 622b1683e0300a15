"""The publisher's buffer when Redis is slow or fails mid-write (no server needed: the
client is a stand-in that holds or fails its round trip on cue)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from powertrader_core.models import MarketData
from powertrader_core.streaming.redis_publisher import RedisPublisher
from powertrader_core.streaming.redis_wire import FIELD_SEPARATOR

pytest.importorskip("redis")


class _Pipe:
    def __init__(self, client: _Client) -> None:
        self.client = client

    def xadd(self, *args: Any, **kwargs: Any) -> None:  # events: none in these tests
        raise AssertionError("no event expected")

    async def execute(self) -> None:
        self.client.started.set()
        await self.client.release.wait()
        self.client.release.clear()
        if self.client.fail_next:
            self.client.fail_next = False
            raise ConnectionError("Redis went away mid-write")
        self.client.written.extend(self.client.queued)
        self.client.queued = []


class _Client:
    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.fail_next = True
        self.queued: list[int] = []
        self.written: list[int] = []

    def pipeline(self, transaction: bool = False) -> _Pipe:
        return _Pipe(self)

    def register_script(self, _source: str) -> Any:
        async def append(keys: list[str], args: list[Any], client: _Pipe) -> _Pipe:
            self.queued = [int(entry.split(FIELD_SEPARATOR)[5]) for entry in args[1:]]  # seq
            return client

        return append


def _quote() -> MarketData:
    return MarketData(symbol="BTC-USD", price=1, bid=1, ask=2, exchange="paper")


async def test_a_failed_write_goes_back_in_front_and_new_updates_never_push_out_sent_ones() -> None:
    client = _Client()
    publisher = RedisPublisher(
        "redis://127.0.0.1:1/0", buffer_size=3, client=client,  # type: ignore[arg-type]
        sleep=lambda _s: asyncio.sleep(0),
    )
    for _ in range(3):
        publisher.offer_update("paper", "BTC-USD", _quote())  # seq 1, 2, 3
    await publisher.start()
    await client.started.wait()  # 1, 2, 3 on their way
    assert publisher.status()["queued"] == 3
    for _ in range(2):
        publisher.offer_update("paper", "BTC-USD", _quote())  # 4, 5 arrive meanwhile
    assert publisher.dropped == 0  # the buffer had room: what is on its way left it
    client.started.clear()
    client.release.set()  # that write fails: 1, 2, 3 go back in front, as far as room allows
    await client.started.wait()
    assert publisher.dropped == 2  # room for one: the oldest two are the ones dropped
    client.release.set()  # the retry succeeds
    await asyncio.sleep(0.05)
    client.started.clear()
    await publisher.flush(within=1.0)
    assert client.written == [3, 4, 5]
    assert publisher.published == 3
    client.release.set()
    await publisher.close()
