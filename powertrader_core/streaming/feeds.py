"""One exchange's price feed: a websocket stream where it has one, batched polling otherwise.

A feed runs as one task per exchange, for one set of symbols, until it is cancelled:

- **stream** (the exchange's ``streaming`` flag and a ``watch_market_data`` of its own): each
  pushed quote is published. The stream counts as dropped when it fails, when it ends, or when
  no quote arrived for ``stale_after`` seconds (the watchdog: websockets can die silently, the
  TCP connection up and nothing flowing). A dropped stream is closed and opened again.
- **poll** (everything else, or a stream the exchange turns out not to support): one
  ``get_market_data_batch`` call per cycle for all symbols (one request where the exchange has
  a batched endpoint), one cycle every ``poll_interval`` seconds, start to start. Cycles never
  overlap and every request goes through the plugin's own rate limiter, so a limiter slower
  than the interval stretches the cycle instead of being overrun; a rate-limit answer waits its
  ``retry_after`` (at least).

Reconnecting (and polling again after a failure) waits an exponential backoff with jitter:
``min(backoff_max, backoff_base * 2**(n-1))`` less up to half of it at random, the n-th
attempt in a row (the core's one formula, ``RetryPolicy.backoff``); a delivered quote resets
it. The jitter spreads reconnects of many clients after an exchange-wide outage instead of
having them all knock at once.

Connection events: the first failure (from not known, or from connected) says
``connected=False``; the first quote after that says ``connected=True``. A planned stop says
nothing. A symbol the exchange does not list is found by asking for each symbol alone once,
dropped from the feed (shown in the status) and the others go on.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from powertrader_core.errors import (
    ConfigurationError,
    ExchangeError,
    ExchangeRateLimitError,
    NotSupportedError,
    RegionNotSupportedError,
    SymbolNotSupportedError,
)
from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import MarketData
from powertrader_core.retry import RetryPolicy

__all__ = ["Backoff", "Feed", "FeedHooks", "FeedState", "MonitorConfig"]

log = logging.getLogger("powertrader_core.streaming")

Acquire = Callable[[str], Awaitable[AbstractExchange]]
Poll = Callable[[str, Sequence[str]], Awaitable[Mapping[str, MarketData]]]


@dataclass(frozen=True)
class MonitorConfig:
    """How price monitoring behaves (every duration in seconds).

    - ``poll_interval``: time between the starts of two polls of one exchange (default 2 s:
      a fresh price for a human, and far below every exchange's public rate limit for one
      batched request).
    - ``stale_after``: a stream that delivered nothing for this long is restarted (default
      60 s: long enough for a quiet market, whose ticker only moves on trades, short enough to
      notice a dead feed within a minute).
    - ``backoff_base`` / ``backoff_max``: reconnect delays (see the module docstring).
    - ``queue_size``: updates a subscriber may have waiting before the oldest is dropped.
    - ``prefer_streaming``: use websockets where the exchange has them (False: always poll).
    """

    poll_interval: float = 2.0
    stale_after: float = 60.0
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    queue_size: int = 1000
    prefer_streaming: bool = True

    def __post_init__(self) -> None:
        for name in ("poll_interval", "stale_after", "backoff_base", "backoff_max"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{name} must be a number of seconds greater than zero")
            if value == float("inf"):
                raise ValueError(f"{name} must be finite")
        if self.backoff_max < self.backoff_base:
            raise ValueError("backoff_max must not be less than backoff_base")
        if isinstance(self.queue_size, bool) or not isinstance(self.queue_size, int):
            raise ValueError("queue_size must be a whole number")
        if self.queue_size < 1:
            raise ValueError("queue_size must be at least 1")


class Backoff:
    """Consecutive failures of one feed, and the wait before the next try.

    The delay is the core's one formula (:meth:`powertrader_core.retry.RetryPolicy.backoff`):
    ``min(maximum, base * 2**(n-1))`` less up to half of it at random, for the n-th failure in
    a row.
    """

    def __init__(
        self, base: float, maximum: float, rng: Callable[[], float] = random.random
    ) -> None:
        self.policy = RetryPolicy(base_delay=base, max_delay=maximum, multiplier=2.0, jitter=0.5)
        self.rng = rng
        self.attempts = 0

    def next(self) -> float:
        self.attempts += 1
        return self.policy.backoff(self.attempts - 1, self.rng())

    def reset(self) -> None:
        self.attempts = 0


@dataclass
class FeedState:
    """What is known of one exchange's feed; outlives restarts of the feed's task."""

    name: str
    mode: str = "starting"  # "websocket" or "polling" once decided
    running: bool = False
    connected: bool | None = None
    symbols: tuple[str, ...] = ()
    unsupported_symbols: list[str] = field(default_factory=list)
    last_update: float | None = None  # time.time() of the last quote published
    updates: int = 0
    polls: int = 0
    connects: int = 0
    disconnects: int = 0
    stale_restarts: int = 0
    dropped_updates: int = 0  # by slow subscribers, counted per exchange
    last_error: str | None = None
    last_error_at: float | None = None
    retry_in: float | None = None

    def snapshot(self, dropped_by_subscriber: Mapping[str, int] | None = None) -> dict[str, Any]:
        """The status entry: mode, connected, last update (UTC), counters, drops."""

        def stamp(value: float | None) -> datetime | None:
            return None if value is None else datetime.fromtimestamp(value, tz=UTC)

        return {
            "mode": self.mode,
            "running": self.running,
            "connected": self.connected,
            "symbols": list(self.symbols),
            "unsupported_symbols": list(self.unsupported_symbols),
            "last_update": stamp(self.last_update),
            "updates": self.updates,
            "polls": self.polls,
            "connects": self.connects,
            "disconnects": self.disconnects,
            "stale_restarts": self.stale_restarts,
            "dropped_updates": self.dropped_updates,
            "dropped_by_subscriber": dict(dropped_by_subscriber or {}),
            "last_error": self.last_error,
            "last_error_at": stamp(self.last_error_at),
        }


@dataclass
class FeedHooks:
    """What a feed needs from its monitor: exchanges, polls, and where quotes and events go."""

    acquire: Acquire
    poll: Poll
    publish: Callable[[str, str, MarketData], None]
    connection: Callable[[str, bool], None]
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    rng: Callable[[], float] = random.random


class _StaleStream(Exception):
    """The watchdog fired: nothing arrived for ``stale_after`` seconds."""


class _UseSymbols(Exception):
    """Some symbols are not listed: go on with these."""

    def __init__(self, symbols: tuple[str, ...]) -> None:
        super().__init__(symbols)
        self.symbols = symbols


_FATAL = (ConfigurationError, RegionNotSupportedError)


class _Watchdog:
    """Cancels the running task when it was not ``fed()`` for ``stale_after`` seconds.

    ``asyncio.timeout`` would do, but moving its deadline on every quote costs a timer per
    quote; here a quote costs one clock read, and one timer runs per ``stale_after``. Like
    ``asyncio.timeout``, :meth:`expired` tells our cancellation from anyone else's (only when
    ours is the only one pending does it turn into a stale stream).
    """

    def __init__(self, stale_after: float) -> None:
        self.loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        self.task = task
        self.stale_after = stale_after
        self.last = self.loop.time()
        self.fired = False
        self.handle = self.loop.call_at(self.last + stale_after, self._check)

    def fed(self) -> None:
        self.last = self.loop.time()

    def _check(self) -> None:
        due = self.last + self.stale_after
        if self.loop.time() >= due:
            self.fired = True
            self.task.cancel()
        else:
            self.handle = self.loop.call_at(due, self._check)

    def expired(self) -> bool:
        """True when the cancellation being handled is the watchdog's alone (it is consumed)."""
        return self.fired and self.task.uncancel() == 0

    def cancel(self) -> None:
        self.handle.cancel()


class Feed:
    """The task body for one exchange and one set of symbols (see the module docstring)."""

    def __init__(
        self,
        name: str,
        symbols: Sequence[str],
        state: FeedState,
        config: MonitorConfig,
        hooks: FeedHooks,
    ) -> None:
        self.name = name
        self.symbols = tuple(symbols)
        self.state = state
        self.config = config
        self.hooks = hooks
        self.backoff = Backoff(config.backoff_base, config.backoff_max, hooks.rng)

    # ---- outcome bookkeeping ------------------------------------------------------------------

    def _delivered(self, symbol: str, data: MarketData) -> None:
        state = self.state
        state.updates += 1
        state.last_update = time.time()
        if state.connected is not True:
            state.connected = True
            state.connects += 1
            state.retry_in = None
            self.backoff.reset()
            log.info("%s: prices flowing (%s)", self.name, state.mode)
            self.hooks.connection(self.name, True)
        self.hooks.publish(self.name, symbol, data)

    def _dropped(self, reason: str) -> None:
        state = self.state
        state.last_error = reason
        state.last_error_at = time.time()
        if state.connected is not False:
            if state.connected is True:
                state.disconnects += 1
            state.connected = False
            log.warning("%s: price feed down: %s", self.name, reason)
            self.hooks.connection(self.name, False)
        else:
            log.info("%s: price feed still down: %s", self.name, reason)

    async def _pause(self, at_least: float = 0.0) -> None:
        delay = max(self.backoff.next(), at_least)
        self.state.retry_in = delay
        await self.hooks.sleep(delay)

    # ---- the task -----------------------------------------------------------------------------

    async def run(self) -> None:
        """Run until cancelled (or until nothing can be done: every symbol unlisted, bad config)."""
        state = self.state
        state.running = True
        state.symbols = self.symbols
        try:
            await self._run()
        finally:
            state.running = False
            state.retry_in = None

    async def _run(self) -> None:
        streaming: bool | None = None
        while self.symbols:
            try:
                exchange = await self.hooks.acquire(self.name)
                if streaming is None:
                    streaming = self.config.prefer_streaming and exchange.supports(
                        "watch_market_data"
                    )
                    self.state.mode = "websocket" if streaming else "polling"
                if streaming:
                    await self._stream(exchange)
                else:
                    await self._poll_forever()
                    return
            except _UseSymbols as change:
                self._use(change.symbols)
                continue
            except NotSupportedError as exc:
                if streaming:
                    log.info("%s: no stream (%s); polling instead", self.name, exc)
                    streaming = False
                    self.state.mode = "polling"
                    continue
                self._dropped(str(exc))
                return
            except _FATAL as exc:
                self._dropped(str(exc))
                return
            except SymbolNotSupportedError:
                self._use(await self._listed_symbols())
                continue
            except _StaleStream as exc:
                self.state.stale_restarts += 1
                self._dropped(str(exc))
            except ExchangeError as exc:
                self._dropped(str(exc))
            except Exception as exc:  # noqa: BLE001 - a plugin's bug: report, back off, retry
                self._dropped(f"unexpected {type(exc).__name__}: {exc}")
            await self._pause()

    def _use(self, symbols: tuple[str, ...]) -> None:
        dropped = [s for s in self.symbols if s not in symbols]
        if dropped:
            log.warning("%s: not listed, left out of the feed: %s", self.name, ", ".join(dropped))
            self.state.unsupported_symbols.extend(dropped)
        self.symbols = symbols
        self.state.symbols = symbols
        if not symbols:
            self._dropped("none of the symbols is listed")

    async def _listed_symbols(self) -> tuple[str, ...]:
        """The symbols the exchange quotes, found by asking for each alone (once)."""
        listed: list[str] = []
        for symbol in self.symbols:
            try:
                quotes = await self.hooks.poll(self.name, [symbol])
            except SymbolNotSupportedError:
                continue
            listed.append(symbol)
            data = quotes.get(symbol)
            if data is not None:
                self._delivered(symbol, data)
        return tuple(listed)

    # ---- websocket ----------------------------------------------------------------------------

    async def _stream(self, exchange: AbstractExchange) -> None:
        """One connection's life: returns never; raises when it drops (or goes stale)."""
        stale_after = self.config.stale_after
        wanted = set(self.symbols)
        watchdog = _Watchdog(stale_after)
        updates: AsyncIterator[MarketData] = exchange.watch_market_data(list(self.symbols))
        try:
            async for data in updates:
                watchdog.fed()
                symbol = data.symbol
                if symbol in wanted:
                    self._delivered(symbol, data)
        except asyncio.CancelledError:
            if watchdog.expired():
                raise _StaleStream(
                    f"no update for {stale_after:g} s; restarting the stream"
                ) from None
            raise
        finally:
            watchdog.cancel()
            aclose = getattr(updates, "aclose", None)
            if aclose is not None:
                await aclose()
        raise ExchangeError("the stream ended", exchange=self.name, operation="watch_market_data")

    # ---- polling ------------------------------------------------------------------------------

    async def _poll_forever(self) -> None:
        loop = asyncio.get_running_loop()
        interval = self.config.poll_interval
        while self.symbols:
            started = loop.time()
            wait_at_least = 0.0
            try:
                quotes = await self.hooks.poll(self.name, self.symbols)
            except SymbolNotSupportedError:
                self._use(await self._listed_symbols())
                continue
            except _FATAL:
                raise
            except ExchangeRateLimitError as exc:
                self._dropped(str(exc))
                wait_at_least = exc.retry_after or 0.0
            except ExchangeError as exc:
                self._dropped(str(exc))
            except Exception as exc:  # noqa: BLE001 - a plugin's bug: report, back off, retry
                self._dropped(f"unexpected {type(exc).__name__}: {exc}")
            else:
                self.state.polls += 1
                for symbol in self.symbols:
                    data = quotes.get(symbol)
                    if data is not None:
                        self._delivered(symbol, data)
                await self.hooks.sleep(max(0.0, started + interval - loop.time()))
                continue
            self.state.polls += 1
            await self._pause(max(wait_at_least, interval))
