"""Price monitoring: websockets where the exchange has them, batched polling where it does not.

:class:`PriceMonitor` is what ``MultiExchangeManager.start_price_monitoring``,
``subscribe_to_price_updates``, ``subscribe_to_connection_events`` and ``stream_prices`` use.
It keeps one feed per exchange (:mod:`._feeds`: stream or poll, reconnects with backoff and
jitter, a watchdog for streams that die silently) and hands every quote to every subscriber
through a bounded queue of its own (:mod:`._subscribers`: a slow or failing subscriber never
holds up the feed or the others; it loses its oldest updates, counted in the status).

Who asks for what:

- ``start(symbols, exchanges)`` sets *the* monitored set (a second call replaces it);
- each ``stream(symbols, exchanges)`` iterator adds its own symbols while it runs;
- a feed follows the union for its exchange, and is restarted only when that union changes.

``stop()`` ends every feed, every subscriber task and every open ``stream`` iterator (their
``async for`` ends); subscriptions stay registered for the next ``start``. ``close()`` is
``stop()`` for the manager's ``close``. Nothing is left pending: every task this module starts
is awaited when it is stopped.

Events and quotes go to subscribers in the order the feed produced them, per subscriber.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import itertools
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from powertrader_core.exchange import AbstractExchange
from powertrader_core.manager.calls import Caller
from powertrader_core.models import MarketData
from powertrader_core.streaming.feeds import Feed, FeedHooks, FeedState, MonitorConfig
from powertrader_core.streaming.subscribers import Subscription, describe, offer_all

__all__ = [
    "MonitorConfig",
    "PriceMonitor",
    "PriceSource",
    "PriceUpdate",
    "SourceSink",
    "Subscription",
]

log = logging.getLogger("powertrader_core.streaming")

PriceCallback = Callable[[str, str, MarketData], Any]
ConnectionCallback = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class PriceUpdate:
    """One quote from one exchange, as ``stream_prices`` yields it."""

    exchange: str
    symbol: str
    market_data: MarketData

    @property
    def price(self) -> Decimal:
        return self.market_data.price


_MONITORING = "start_price_monitoring"


class SourceSink:
    """What a :class:`PriceSource` hands its updates to: the monitor's subscribers and status.

    ``wanted()`` is what the monitor is asked for now (exchange -> symbols); a source may read
    more and drop the rest. ``publish`` records the update in the exchange's status (mode, last
    update, count) and hands it to every subscriber, as a feed's quote would be.
    """

    def __init__(self, monitor: PriceMonitor) -> None:
        self._monitor = monitor

    def wanted(self) -> dict[str, list[str]]:
        return self._monitor._wanted()

    def publish(self, exchange: str, symbol: str, data: MarketData, mode: str) -> None:
        state = self._monitor._states.setdefault(exchange, FeedState(exchange))
        state.running = True
        state.delivered(mode)  # the publisher's own events tell subscribers of changes
        self._monitor._publish(exchange, symbol, data)

    def connection(self, name: str, connected: bool, mode: str) -> None:
        state = self._monitor._states.get(name)
        if state is not None:
            state.connected = connected
        self._monitor._connection(name, connected, mode)


class PriceSource(Protocol):
    """Where a monitor's prices come from instead of its own feeds (e.g. a Redis Stream)."""

    label: str

    async def run(self, sink: SourceSink) -> None:
        """Hand updates to ``sink`` until cancelled."""

    def status(self) -> dict[str, Any]:
        """What the source knows of itself, for ``status()``."""


class PriceMonitor:
    """Feeds, subscribers and status for live prices (see the module docstring).

    ``acquire(name)`` returns the exchange ``name``, initialised; ``poll(name, symbols)``
    returns its quotes for ``symbols`` in one batched call (the manager passes its own, which
    are bounded by its timeout, retried and recorded in its health tracker). ``sleep`` and
    ``rng`` are injectable for tests.
    """

    def __init__(
        self,
        acquire: Callable[[str], Awaitable[AbstractExchange]],
        poll: Callable[[str, Sequence[str]], Awaitable[Mapping[str, MarketData]]],
        *,
        config: MonitorConfig | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
        source: PriceSource | None = None,
    ) -> None:
        self.source = source
        self._source_task: asyncio.Task[None] | None = None
        self.config = config if config is not None else MonitorConfig()
        self._hooks = FeedHooks(acquire, poll, self._publish, self._connection, sleep, rng)
        self._price_subs: dict[int, Subscription] = {}
        self._connection_subs: dict[int, Subscription] = {}
        self._streams: dict[int, Subscription] = {}
        self._demands: dict[object, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._feeds: dict[str, tuple[frozenset[str], asyncio.Task[None]]] = {}
        self._states: dict[str, FeedState] = {}
        self._retired: set[asyncio.Task[None]] = set()
        self._tokens = itertools.count()

    # ---- subscribing ----------------------------------------------------------------------------

    def subscribe_prices(
        self, callback: PriceCallback, *, max_queue: int | None = None, name: str | None = None
    ) -> Subscription:
        """``callback(exchange, symbol, market_data)`` for every quote; returns the handle."""
        return self._subscribe("price", callback, self._price_subs, max_queue, name)

    def subscribe_connections(
        self,
        callback: ConnectionCallback,
        *,
        max_queue: int | None = None,
        name: str | None = None,
    ) -> Subscription:
        """``callback(exchange, connected)`` on every change; returns the handle.

        A callback that takes a third argument also gets ``mode``: ``"websocket"`` or
        ``"polling"``, where the quotes come from (polling while a websocket is down).
        """
        if not callable(callback):
            raise TypeError(
                f"a connection callback must be callable, not {type(callback).__name__}"
            )
        if not _takes_mode(callback):
            name = name or describe(callback)
            callback = _without_mode(callback)
        return self._subscribe("connection", callback, self._connection_subs, max_queue, name)

    def _subscribe(
        self,
        kind: str,
        callback: Callable[..., Any],
        registry: dict[int, Subscription],
        max_queue: int | None,
        name: str | None,
    ) -> Subscription:
        if not callable(callback):
            raise TypeError(f"a {kind} callback must be callable, not {type(callback).__name__}")
        subscription = Subscription(
            kind,
            callback,
            max_queue=self.config.queue_size if max_queue is None else max_queue,
            name=name,
            on_close=self._unsubscribed,
        )
        registry[subscription.id] = subscription
        return subscription

    def _unsubscribed(self, subscription: Subscription) -> None:
        for registry in (self._price_subs, self._connection_subs, self._streams):
            registry.pop(subscription.id, None)
        self._retire(subscription.take_task())

    def subscriptions(self) -> list[Subscription]:
        registries = (self._price_subs, self._connection_subs, self._streams)
        return [subscription for registry in registries for subscription in registry.values()]

    # ---- starting and stopping ------------------------------------------------------------------

    async def start(
        self,
        symbols: Sequence[str],
        exchanges: Sequence[str],
        *,
        config: MonitorConfig | None = None,
    ) -> None:
        """Monitor ``symbols`` on ``exchanges`` (canonical symbols, registered names).

        Replaces what an earlier ``start`` asked for. A new ``config`` restarts every feed
        with it. Returns once the feeds are started; quotes follow as they arrive.
        """
        if config is not None and config != self.config:
            self.config = config
            for name in list(self._feeds):
                self._cancel_feed(name)
        self._demands[_MONITORING] = (tuple(symbols), tuple(exchanges))
        self._reconcile()
        await self._reap()

    @property
    def running(self) -> bool:
        return bool(self._feeds) or self._source_task is not None

    async def stop(self) -> None:
        """End every feed, subscriber task and open stream; keep the subscriptions."""
        self._demands.clear()
        for stream in list(self._streams.values()):
            stream.end()
        self._reconcile()
        for subscription in [*self._price_subs.values(), *self._connection_subs.values()]:
            self._retire(subscription.take_task())
        await self._reap()
        for state in self._states.values():
            state.connected = None

    async def close(self) -> None:
        """``stop()``: what the manager's ``close`` calls."""
        await self.stop()

    async def stream(
        self, symbols: Sequence[str], exchanges: Sequence[str]
    ) -> AsyncIterator[PriceUpdate]:
        """Quotes for ``symbols`` from ``exchanges`` while the caller iterates.

        The feeds it needs start on the first ``__anext__`` and stop when the iteration ends
        (``break``, an exception, ``aclose()``), unless someone else still needs them. Ends by
        itself when the monitor is stopped.
        """
        wanted_symbols = frozenset(symbols)
        wanted_exchanges = frozenset(exchanges)

        def accepts(item: tuple[Any, ...]) -> bool:
            return item[0] in wanted_exchanges and item[1] in wanted_symbols

        subscription = Subscription(
            "price stream",
            None,
            max_queue=self.config.queue_size,
            on_close=self._unsubscribed,
            accepts=accepts,
        )
        token = ("stream", next(self._tokens))
        self._streams[subscription.id] = subscription
        self._demands[token] = (tuple(symbols), tuple(exchanges))
        try:
            self._reconcile()
            while True:
                try:
                    exchange, symbol, data = await subscription.next()
                except StopAsyncIteration:
                    return
                yield PriceUpdate(exchange, symbol, data)
        finally:
            subscription.unsubscribe()
            if self._demands.pop(token, None) is not None:
                self._reconcile()
            await self._reap()

    # ---- feeds ----------------------------------------------------------------------------------

    def _wanted(self) -> dict[str, list[str]]:
        wanted: dict[str, dict[str, None]] = {}
        for symbols, exchanges in self._demands.values():
            for name in exchanges:
                wanted.setdefault(name, {}).update(dict.fromkeys(symbols))
        return {name: list(symbols) for name, symbols in wanted.items()}

    def _reconcile(self) -> None:
        """Start, restart or stop feeds so that each follows what is asked of its exchange."""
        wanted = self._wanted()
        if self.source is not None:
            self._follow_source(bool(wanted))
            return
        for name, (running, _task) in list(self._feeds.items()):
            if frozenset(wanted.get(name, ())) != running:
                self._cancel_feed(name)
                if name not in wanted:
                    self._states[name].connected = None
        for name, symbols in wanted.items():
            if name not in self._feeds:
                self._start_feed(name, symbols)

    def _follow_source(self, needed: bool) -> None:
        """With a source, one task reads it while anything is asked; it filters by ``_wanted``."""
        assert self.source is not None
        if needed and self._source_task is None:
            loop = asyncio.get_running_loop()
            name = f"powertrader price source {self.source.label}"
            task = loop.create_task(self.source.run(SourceSink(self)), name=name)
            task.add_done_callback(_report_crash)
            self._source_task = task
        elif not needed and self._source_task is not None:
            task, self._source_task = self._source_task, None
            task.cancel()
            self._retire(task)
            for state in self._states.values():
                state.running = False

    def feed_mode(self, exchange: str) -> str:
        """How ``exchange``'s quotes arrive now: ``websocket``, ``polling``, ``starting``..."""
        state = self._states.get(exchange)
        return state.mode if state is not None else "unknown"

    def _start_feed(self, name: str, symbols: Sequence[str]) -> None:
        state = self._states.setdefault(name, FeedState(name))
        feed = Feed(name, symbols, state, self.config, self._hooks)
        task = asyncio.get_running_loop().create_task(
            feed.run(), name=f"powertrader price feed {name}"
        )
        task.add_done_callback(_report_crash)
        self._feeds[name] = (frozenset(symbols), task)

    def _cancel_feed(self, name: str) -> None:
        _symbols, task = self._feeds.pop(name)
        task.cancel()
        self._retire(task)

    def _retire(self, task: asyncio.Task[None] | None) -> None:
        if task is not None and not task.done():
            self._retired.add(task)
            task.add_done_callback(self._retired.discard)

    async def _reap(self) -> None:
        """Wait for every cancelled task to finish (their ``finally`` closes connections)."""
        while self._retired:
            await asyncio.wait(list(self._retired))

    # ---- from the feeds -------------------------------------------------------------------------

    def _publish(self, exchange: str, symbol: str, data: MarketData) -> None:
        item = (exchange, symbol, data)
        drops = offer_all(self._price_subs.values(), item)
        if self._streams:
            drops += offer_all(self._streams.values(), item)
        for _subscription, dropped in drops:
            self._states[dropped[0]].dropped_updates += 1

    def _connection(self, exchange: str, connected: bool, mode: str) -> None:
        offer_all(self._connection_subs.values(), (exchange, connected, mode))

    # ---- status ---------------------------------------------------------------------------------

    def feed_status(self) -> dict[str, dict[str, Any]]:
        """Per exchange: stream or poll, connected, last update (UTC), counts and drops."""
        price_subs = [*self._price_subs.values(), *self._streams.values()]
        report: dict[str, dict[str, Any]] = {}
        for name, state in self._states.items():
            by_subscriber = {
                sub.name: sub.dropped_by_exchange[name]
                for sub in price_subs
                if sub.dropped_by_exchange.get(name)
            }
            report[name] = state.snapshot(by_subscriber)
        return report

    def status(self) -> dict[str, Any]:
        """The whole picture: running, what is asked, each feed, each subscriber."""
        return {
            "running": self.running,
            "exchanges": {name: sorted(symbols) for name, symbols in self._wanted().items()},
            "feeds": self.feed_status(),
            "subscribers": [sub.snapshot() for sub in self.subscriptions()],
            "config": dataclasses.asdict(self.config),
            "source": None if self.source is None else self.source.status(),
        }


def _takes_mode(callback: Callable[..., Any]) -> bool:
    """True when ``callback(exchange, connected, mode)`` binds (the seed's takes two)."""
    try:
        inspect.signature(callback).bind("exchange", True, "websocket")
    except TypeError:
        return False
    except ValueError:  # no signature to read (some builtins): the seed's two arguments
        return False
    return True


def _without_mode(callback: Callable[..., Any]) -> Callable[[str, bool, str], Any]:
    def call(exchange: str, connected: bool, mode: str) -> Any:
        return callback(exchange, connected)

    return call


def _report_crash(task: asyncio.Task[None]) -> None:
    """A feed's task never raises (errors are retried); if it did, say so rather than lose it."""
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        log.error("price feed task %s crashed", task.get_name(), exc_info=exc)


def canonical_targets(
    symbols: str | Iterable[str],
    exchanges: str | Iterable[str] | None,
    *,
    canonical: Callable[[str], str],
    resolve: Callable[[str], str],
    everyone: Callable[[], list[str]],
) -> tuple[list[str], list[str]]:
    """Checked, de-duplicated ``(symbols, exchanges)`` for monitoring; nothing starts on error."""
    given = [symbols] if isinstance(symbols, str) else list(symbols)
    wanted = list(dict.fromkeys(canonical(symbol) for symbol in given))
    if not wanted:
        raise ValueError("give at least one symbol to monitor")
    if exchanges is None:
        names = everyone()
    else:
        named = [exchanges] if isinstance(exchanges, str) else list(exchanges)
        names = list(dict.fromkeys(resolve(name) for name in named))
        if not names:
            raise ValueError("give at least one exchange to monitor, or None for all")
    return wanted, names


def monitor_over(
    caller: Caller, config: MonitorConfig | None = None, source: PriceSource | None = None
) -> PriceMonitor:
    """A monitor whose exchanges and polls go through a manager's :class:`~._fanout.Caller`.

    Polls are the manager's reads (bounded by its timeout, retried, recorded in its health);
    quotes carry the registered name of the exchange, as the manager's other results do.
    """

    async def acquire(name: str) -> AbstractExchange:
        return await caller.ready(name, "watch_market_data", private=False)

    async def poll(name: str, symbols: Sequence[str]) -> Mapping[str, MarketData]:
        wanted = list(symbols)

        async def batch(exchange: AbstractExchange) -> dict[str, MarketData]:
            quotes = await exchange.get_market_data_batch(wanted)
            return {
                symbol: data
                if data.exchange == exchange.name
                else data.model_copy(update={"exchange": exchange.name})
                for symbol, data in quotes.items()
            }

        return await caller.read(name, "get_market_data_batch", batch)

    return PriceMonitor(acquire, poll, config=config, source=source)
