"""Publishing a price monitor's updates to a Redis Stream, for other processes and machines.

``powertrader feed ... --to redis://`` runs one :class:`PriceMonitor` and this publisher on
it; every consumer (:mod:`.redis_source`) then reads the same updates instead of opening its
own feeds, so N processes cost the exchanges one set of requests, not N.

Every update is appended to a bounded buffer by the monitor's subscriber callback (never
waiting on Redis) and a single task writes what has gathered in one pipelined round trip
(``XADD ... MAXLEN ~ n``): under load a round trip carries thousands of entries, when idle
each update leaves at once. Redis down: the monitor and its own subscribers carry on; the
buffer keeps the newest ``buffer_size`` updates (the oldest are dropped and counted, and the
consumers see the gap in ``seq``), the publisher retries with backoff, logs once when Redis
goes and once when it is back.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from powertrader_core.kit.redis_url import open_redis, raise_if_cancelling, redacted_url
from powertrader_core.models import MarketData
from powertrader_core.streaming.feeds import Backoff
from powertrader_core.streaming.redis_wire import (
    DEFAULT_EVENTS_STREAM,
    DEFAULT_MAXLEN,
    DEFAULT_PRICES_STREAM,
    FIELD_SEPARATOR,
    encode_event,
    encode_update,
)

if TYPE_CHECKING:
    import redis.asyncio

    from powertrader_core.streaming.monitor import PriceMonitor
    from powertrader_core.streaming.subscribers import Subscription

__all__ = ["RedisPublisher"]

log = logging.getLogger("powertrader_core.streaming")

#: Entries written per round trip at most: large enough for 50,000 updates a second, small
#: enough that one round trip never holds Redis for long (a few milliseconds).
_BATCH = 2_000

# One command for a whole batch of price entries. redis-py spends microseconds of Python on
# every argument it sends (and tens on every command of a pipeline, packing it and parsing
# its reply): more than everything else an update costs. So each entry travels as one
# argument, its fields and values joined by the unit separator (\x1f, which no field holds:
# encode_update refuses it), and a script splits it and XADDs it: still one stream entry per
# update, one command and one reply per batch. ARGV: MAXLEN, then one joined entry each.
_APPEND = r"""
local maxlen = ARGV[1]
for i = 2, #ARGV do
  local entry, fields, start = ARGV[i], {}, 1
  while true do
    local stop = string.find(entry, '\31', start, true)
    if not stop then
      fields[#fields + 1] = string.sub(entry, start)
      break
    end
    fields[#fields + 1] = string.sub(entry, start, stop - 1)
    start = stop + 1
  end
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', unpack(fields))
end
return #ARGV - 1
"""


def _publisher_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{time.monotonic_ns() % 1_000_000}"


class RedisPublisher:
    """Writes a monitor's quotes and connection events to Redis Streams (see module doc)."""

    def __init__(
        self,
        url: str,
        *,
        stream: str = DEFAULT_PRICES_STREAM,
        events_stream: str = DEFAULT_EVENTS_STREAM,
        maxlen: int = DEFAULT_MAXLEN,
        buffer_size: int = 100_000,
        backoff: Backoff | None = None,
        client: redis.asyncio.Redis | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if maxlen < 1 or buffer_size < 1:
            raise ValueError("maxlen and buffer_size must be at least 1")
        self.url = redacted_url(url)
        self.stream = stream
        self.events_stream = events_stream
        self.maxlen = maxlen
        self.publisher = _publisher_id()
        self._client = client if client is not None else open_redis(url)
        self._owns_client = client is None
        self._append = self._client.register_script(_APPEND)
        self._backoff = backoff if backoff is not None else Backoff(0.2, 10.0)
        self._sleep = sleep
        self._pending: deque[tuple[str, dict[str, str]]] = deque(maxlen=buffer_size)
        self._wake = asyncio.Event()
        self._seq = 0
        self._in_flight = 0
        self._task: asyncio.Task[None] | None = None
        self._subscriptions: list[Subscription] = []
        self._mode: Callable[[str], str] = lambda _exchange: "unknown"
        self.published = 0
        self.dropped = 0
        self.refused = 0
        self.connected: bool | None = None
        self.last_error: str | None = None

    # ---- what the monitor hands over ------------------------------------------------------------

    def attach(self, monitor: PriceMonitor) -> None:
        """Publish every quote and connection event of ``monitor`` from now on."""
        self._mode = monitor.feed_mode
        queue = self._pending.maxlen
        self._subscriptions.append(
            monitor.subscribe_prices(self.offer_update, max_queue=queue, name="redis publisher")
        )
        self._subscriptions.append(
            monitor.subscribe_connections(self.offer_event, name="redis publisher")
        )

    def offer_update(self, exchange: str, symbol: str, data: MarketData) -> None:
        """Queue one quote for Redis (never waits; the oldest goes when the buffer is full)."""
        try:
            fields = encode_update(
                self.publisher,
                self._seq + 1,
                exchange,
                symbol,
                data,
                received_at=datetime.now(UTC),
                mode=self._mode(exchange),
            )
        except ValueError as exc:  # a name with a control character: not publishable
            self.refused += 1
            log.warning("redis %s: update of %s %s not published: %s", self.url, exchange,
                        symbol, exc)
            return
        self._seq += 1
        self._queue((self.stream, fields))

    def offer_event(self, exchange: str, connected: bool, mode: str) -> None:
        event = encode_event(exchange, connected, datetime.now(UTC), mode)
        self._queue((self.events_stream, event))

    def _queue(self, item: tuple[str, dict[str, str]]) -> None:
        if len(self._pending) == self._pending.maxlen:
            self.dropped += 1
        self._pending.append(item)
        self._wake.set()

    # ---- writing --------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"powertrader redis publisher {self.url}"
            )

    async def _run(self) -> None:
        while True:
            if not self._pending:
                self._wake.clear()
                await self._wake.wait()
            try:
                await self._write_batch()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any Redis failure: keep serving, retry
                raise_if_cancelling()
                self._went_down(exc)
                await self._sleep(self._backoff.next())
                continue
            raise_if_cancelling()
            if self.connected is not True:
                if self.connected is False:
                    log.warning("redis %s: publishing again", self.url)
                self.connected = True
                self._backoff.reset()

    async def _write_batch(self) -> None:
        """Take up to ``_BATCH`` entries out of the buffer and write them in one round trip.

        They leave the buffer before the round trip, so updates arriving meanwhile (which may
        push out the oldest of a full buffer) never push out what is already on its way; if the
        round trip fails they go back in front, as far as there is room (the rest counted as
        dropped), to be written again.
        """
        batch = [self._pending.popleft() for _ in range(min(_BATCH, len(self._pending)))]
        self._in_flight = len(batch)
        try:
            pipe = self._client.pipeline(transaction=False)
            sep = FIELD_SEPARATOR
            prices: list[str | int] = [self.maxlen]
            for stream, fields in batch:
                if stream == self.stream:
                    prices.append(sep.join(f"{key}{sep}{value}" for key, value in fields.items()))
                else:  # a connection event: rare, one XADD each
                    pipe.xadd(stream, fields, maxlen=self.maxlen, approximate=True)  # type: ignore[arg-type]
            if len(prices) > 1:
                await self._append(keys=[self.stream], args=prices, client=pipe)
            await pipe.execute()
        except BaseException:
            self._put_back(batch)
            raise
        finally:
            self._in_flight = 0
        self.published += len(prices) - 1

    def _put_back(self, batch: list[tuple[str, dict[str, str]]]) -> None:
        room = (self._pending.maxlen or 0) - len(self._pending)
        keep = batch[len(batch) - room :] if room < len(batch) else batch
        self.dropped += len(batch) - len(keep)
        self._pending.extendleft(reversed(keep))

    def _went_down(self, exc: BaseException) -> None:
        self.last_error = f"{type(exc).__name__}: {exc}"
        if self.connected is not False:
            log.warning(
                "redis %s: cannot publish (%s); prices go on in this process, retrying",
                self.url,
                self.last_error,
            )
        self.connected = False

    async def flush(self, within: float = 2.0) -> None:
        """Wait (up to ``within`` seconds) until everything queued is in Redis."""
        deadline = time.monotonic() + within
        while (self._pending or self._in_flight) and time.monotonic() < deadline:
            self._wake.set()
            await asyncio.sleep(0.01)

    async def close(self) -> None:
        """Stop publishing: unsubscribe, write what is queued (briefly), close the client."""
        for subscription in self._subscriptions:
            subscription.unsubscribe()
        self._subscriptions.clear()
        if self._task is not None and self.connected is not False:
            await self.flush()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> RedisPublisher:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def status(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "stream": self.stream,
            "publisher": self.publisher,
            "connected": self.connected,
            "published": self.published,
            "queued": len(self._pending) + self._in_flight,
            "dropped": self.dropped,
            "refused": self.refused,
            "last_error": self.last_error,
        }
