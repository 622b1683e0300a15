"""Reading prices from a Redis Stream instead of opening feeds: one feed, many consumers.

A :class:`RedisPriceSource` given to :class:`~powertrader_core.streaming.monitor.PriceMonitor`
(or to ``MultiExchangeManager(price_source=...)``) replaces the monitor's per-exchange feeds:
one task reads the prices stream (``XREAD BLOCK``) and hands each update for a wanted
exchange and symbol to the subscribers, ``stream_prices`` iterators and status, exactly as a
feed would (the same :class:`PriceUpdate` and ``MarketData``, ``Decimal`` money).

- **Where it reads from.** New updates from when it starts (``start_id="$"``), then from the
  last entry it read: a consumer that fell behind, or lost Redis for a while, carries on where
  it was, as far back as the stream's length.
- **Lost updates are said, not hidden.** Each publisher numbers its updates (``seq``); a jump
  is counted in ``lost_updates``, logged, and shown in the status (the stream was trimmed past
  the consumer, the publisher dropped while Redis was down, or Redis restarted empty).
- **Redis down** is a connection event for the source (``connected=False`` under the source's
  label, ``redis://host:port/db``), retried with backoff; ``connected=True`` when it answers.
- **Connection events of the publisher's feeds** (an exchange dropping) come through the
  events stream to the same subscribers.
- A malformed entry (not our format, bad numbers) is skipped and counted, never fatal.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from powertrader_core.kit.redis_url import open_redis, raise_if_cancelling, redacted_url
from powertrader_core.streaming.feeds import Backoff
from powertrader_core.streaming.redis_wire import (
    DEFAULT_EVENTS_STREAM,
    DEFAULT_PRICES_STREAM,
    decode_event,
    decode_update,
)

if TYPE_CHECKING:
    import redis.asyncio

    from powertrader_core.streaming.monitor import SourceSink

__all__ = ["RedisPriceSource"]

log = logging.getLogger("powertrader_core.streaming")


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RedisPriceSource:
    """The prices a ``powertrader feed`` publishes, as a monitor's source (see module doc)."""

    def __init__(
        self,
        url: str,
        *,
        stream: str = DEFAULT_PRICES_STREAM,
        events_stream: str = DEFAULT_EVENTS_STREAM,
        start_id: str = "$",
        block_ms: int = 1000,
        count: int = 1000,
        backoff: Backoff | None = None,
        client: redis.asyncio.Redis | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.label = redacted_url(url)
        self.stream = stream
        self.events_stream = events_stream
        self.last_id = start_id
        self._events_id = start_id
        self._block_ms = block_ms
        self._count = count
        self._url = url
        self._client = client
        self._owns_client = client is None
        self._backoff = backoff if backoff is not None else Backoff(0.2, 10.0)
        self._sleep = sleep
        self._seen: dict[str, int] = {}
        self.connected: bool | None = None
        self.received = 0
        self.lost_updates = 0
        self.malformed = 0
        self.last_error: str | None = None

    async def run(self, sink: SourceSink) -> None:
        """Read and hand over updates until cancelled (never raises for Redis failures)."""
        if self._client is None:
            self._client = open_redis(self._url, decode_responses=True)
        try:
            while True:
                try:
                    if "$" in (self.last_id, self._events_id):
                        await self._resolve_start(self._client)
                    answer: Any = await self._client.xread(
                        {self.stream: self.last_id, self.events_stream: self._events_id},
                        count=self._count,
                        block=self._block_ms,
                    )
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - Redis down or answering garbage
                    raise_if_cancelling()
                    self._down(sink, exc)
                    await self._sleep(self._backoff.next())
                    continue
                raise_if_cancelling()
                if self.connected is not True:
                    self._up(sink)
                for stream, entries in answer or ():
                    if _text(stream) == self.stream:
                        self._prices(sink, entries)
                    else:
                        self._events(sink, entries)
        finally:
            if self._owns_client and self._client is not None:
                client, self._client = self._client, None
                await client.aclose()

    async def _resolve_start(self, client: redis.asyncio.Redis) -> None:
        """Turn ``$`` ("from now") into the stream's last id, so nothing between two reads of
        the other stream is missed, and a reconnect resumes from a real position."""
        for name in (self.stream, self.events_stream):
            newest: Any = await client.xrevrange(name, count=1)
            position = _text(newest[0][0]) if newest else "0-0"
            if name == self.stream and self.last_id == "$":
                self.last_id = position
            elif name == self.events_stream and self._events_id == "$":
                self._events_id = position

    def _prices(self, sink: SourceSink, entries: list[tuple[Any, Any]]) -> None:
        wanted = sink.wanted()
        for entry_id, fields in entries:
            self.last_id = _text(entry_id)
            try:
                update = decode_update(fields)
            except (ValueError, ArithmeticError) as exc:
                self.malformed += 1
                log.debug("redis %s: skipped entry %s: %s", self.label, self.last_id, exc)
                continue
            self.received += 1
            previous = self._seen.get(update.publisher)
            self._seen[update.publisher] = update.seq
            if previous is not None and update.seq > previous + 1:
                lost = update.seq - previous - 1
                self.lost_updates += lost
                log.warning(
                    "redis %s: %d price update(s) lost before entry %s (publisher %s)",
                    self.label,
                    lost,
                    self.last_id,
                    update.publisher,
                )
            symbols = wanted.get(update.exchange)
            if symbols is not None and update.symbol in symbols:
                sink.publish(update.exchange, update.symbol, update.market_data, update.mode)

    def _events(self, sink: SourceSink, entries: list[tuple[Any, Any]]) -> None:
        wanted = sink.wanted()
        for entry_id, fields in entries:
            self._events_id = _text(entry_id)
            try:
                exchange, connected, _at, mode = decode_event(fields)
            except ValueError:
                self.malformed += 1
                continue
            if exchange in wanted:
                sink.connection(exchange, connected, mode)

    def _down(self, sink: SourceSink, exc: BaseException) -> None:
        self.last_error = f"{type(exc).__name__}: {exc}"
        if self.connected is not False:
            log.warning("redis %s: price source down (%s); retrying", self.label, self.last_error)
            self.connected = False
            sink.connection(self.label, False, "redis")

    def _up(self, sink: SourceSink) -> None:
        if self.connected is False:
            log.warning("redis %s: price source back, reading from %s", self.label, self.last_id)
        self.connected = True
        self._backoff.reset()
        sink.connection(self.label, True, "redis")

    def status(self) -> dict[str, Any]:
        return {
            "kind": "redis",
            "url": self.label,
            "stream": self.stream,
            "connected": self.connected,
            "last_id": self.last_id,
            "received": self.received,
            "lost_updates": self.lost_updates,
            "malformed": self.malformed,
            "last_error": self.last_error,
        }
