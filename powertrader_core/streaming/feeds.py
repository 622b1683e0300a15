"""One exchange's price feed: a websocket stream where it has one, batched polling otherwise.

A feed runs as one task per exchange, for one set of symbols, until it is cancelled:

- **stream** (the exchange's ``streaming`` flag and a ``watch_market_data`` of its own): each
  pushed quote is published. The stream counts as dropped when it fails, when it ends, or when
  no quote arrived for ``stale_after`` seconds (the watchdog: websockets can die silently, the
  TCP connection up and nothing flowing). A dropped stream is closed and opened again.
- **poll** (everything else, or a stream the exchange turns out not to support): one
  ``get_market_data_batch`` call per cycle for all symbols (one request where the exchange has
  a batched endpoint), one cycle every ``poll_interval`` seconds, start to start. Cycles never
  overlap and every request goes through the core's rate limiter (on the plugin's budget), so
  a limit slower than the interval stretches the cycle instead of being overrun; a rate-limit
  answer waits its ``retry_after`` (at least).

Reconnecting (and polling again after a failure) waits an exponential backoff with jitter:
``min(backoff_max, backoff_base * 2**(n-1))`` less up to half of it at random, the n-th
attempt in a row (the core's one formula, ``RetryPolicy.backoff``); a delivered quote resets
it. The jitter spreads reconnects of many clients after an exchange-wide outage instead of
having them all knock at once.

**Polling while the websocket is down.** A stream that cannot connect (a firewall, a proxy that
drops upgrades, the exchange's websocket outage) or drops is not waited for: the feed polls
(one batched request per ``poll_interval``, through the plugin's rate limiter) from the moment
the stream fails, or once it has delivered nothing for ``fallback_after`` after starting, and
keeps retrying the websocket with backoff meanwhile. The websocket's first quote ends the
polling, so the gap between quotes is never longer than one polling interval.

Connection events say ``(exchange, connected, mode)``: ``mode`` is ``"websocket"`` or
``"polling"``, where the quotes come from. One event per change: prices start flowing (or flow
from the other source), or stop flowing from both (the first failure, from not known or from
connected). A websocket that fails while polls deliver is only a change of mode. A planned stop
says nothing. The status shows ``mode`` and, for exchanges with a stream, ``websocket``
(``"up"`` or ``"down"``).

A symbol the exchange does not list is found by asking for each symbol alone once, dropped
from the feed (shown in the status) and the others go on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Sequence

from powertrader_core.errors import (
    ExchangeError,
    ExchangeRateLimitError,
    NotSupportedError,
    SymbolNotSupportedError,
)
from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import MarketData
from powertrader_core.streaming.feed_state import (
    Backoff,
    FeedHooks,
    FeedState,
    MonitorConfig,
)

__all__ = ["Backoff", "Feed", "FeedHooks", "FeedState", "MonitorConfig"]

log = logging.getLogger("powertrader_core.streaming")


class _StaleStream(Exception):
    """The watchdog fired: nothing arrived for ``stale_after`` seconds."""


class _UseSymbols(Exception):
    """Some symbols are not listed: go on with these."""

    def __init__(self, symbols: tuple[str, ...]) -> None:
        super().__init__(symbols)
        self.symbols = symbols


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
        self._streaming = False  # this exchange's quotes come from a websocket when it is up
        self._stream_live = False  # the websocket delivered since it last failed
        self._stream_down = asyncio.Event()  # set when it fails: the fallback polls at once

    # ---- outcome bookkeeping ------------------------------------------------------------------

    def _delivered(self, symbol: str, data: MarketData, source: str) -> None:
        state = self.state
        if source == "websocket":
            self._stream_live = True
            state.websocket = "up"
        if source == "websocket" or not self._streaming:
            self.backoff.reset()  # polls delivering must not hurry the websocket's retries
        if state.delivered(source):
            log.info("%s: prices flowing (%s)", self.name, source)
            self.hooks.connection(self.name, True, source)
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
            self.hooks.connection(self.name, False, state.mode)
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
                self._streaming = streaming
                if streaming:
                    await self._stream_with_fallback(exchange)
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
                    self.state.websocket = None
                    continue
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
                if exc.fatal:  # configuration, region: reconnecting cannot help
                    return
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
                self._delivered(symbol, data, "polling")
        return tuple(listed)

    # ---- websocket, with polls while it is down -----------------------------------------------

    async def _stream_with_fallback(self, exchange: AbstractExchange) -> None:
        """The stream, reconnected with backoff, and polls filling in while it is down.

        Returns never; raises to ``_run`` what ends streaming (no stream after all, symbols
        to change, bad configuration).
        """
        self._stream_live = False
        self._stream_down.clear()
        poller = asyncio.get_running_loop().create_task(
            self._fill_in(), name=f"powertrader fallback polls {self.name}"
        )
        try:
            while True:
                try:
                    await self._stream(exchange)
                except _StaleStream as exc:
                    self.state.stale_restarts += 1
                    self._stream_failed(str(exc))
                except (_UseSymbols, NotSupportedError, SymbolNotSupportedError):
                    raise
                except ExchangeError as exc:
                    if exc.fatal:  # configuration, region: reconnecting cannot help
                        raise
                    self._stream_failed(str(exc))
                except Exception as exc:  # noqa: BLE001 - a plugin's bug: report, back off, retry
                    self._stream_failed(f"unexpected {type(exc).__name__}: {exc}")
                await self._pause()
        finally:
            poller.cancel()
            await asyncio.gather(poller, return_exceptions=True)

    def _stream_failed(self, reason: str) -> None:
        """The websocket is down: polls take over at once (no event unless they fail too)."""
        state = self.state
        if state.websocket == "up":
            state.disconnects += 1
        self._stream_live = False
        if state.websocket == "down":  # another reconnect failed: said once, at the change
            log.info("%s: websocket still down: %s", self.name, reason)
        else:
            log.warning("%s: websocket down (%s); polling until it is back", self.name, reason)
        state.websocket = "down"
        state.last_error = reason
        state.last_error_at = time.time()
        self._stream_down.set()

    async def _fill_in(self) -> None:
        """Poll every ``poll_interval`` while the websocket delivers nothing."""
        loop = asyncio.get_running_loop()
        interval = self.config.poll_interval
        try:  # a stream that is starting gets ``fallback_after`` before polls step in
            await asyncio.wait_for(self._stream_down.wait(), self.config.fallback_after)
        except TimeoutError:
            pass
        while True:
            while self._stream_live:
                self._stream_down.clear()
                await self._stream_down.wait()
            started = loop.time()
            wait_at_least = 0.0
            try:
                quotes = await self.hooks.poll(self.name, self.symbols)
            except ExchangeRateLimitError as exc:
                wait_at_least = exc.retry_after or 0.0
                self._fill_in_failed(str(exc))
            except ExchangeError as exc:
                self._fill_in_failed(str(exc))
            except Exception as exc:  # noqa: BLE001 - a plugin's bug: report, poll again later
                self._fill_in_failed(f"unexpected {type(exc).__name__}: {exc}")
            else:
                self.state.polls += 1
                if not self._stream_live:  # the stream came back meanwhile: its quotes win
                    for symbol in self.symbols:
                        data = quotes.get(symbol)
                        if data is not None:
                            self._delivered(symbol, data, "polling")
            await self.hooks.sleep(max(wait_at_least, started + interval - loop.time(), 0.0))

    def _fill_in_failed(self, reason: str) -> None:
        self.state.polls += 1
        if not self._stream_live:
            self._dropped(f"websocket down and polling failed: {reason}")

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
                    self._delivered(symbol, data, "websocket")
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
            except ExchangeRateLimitError as exc:
                self._dropped(str(exc))
                wait_at_least = exc.retry_after or 0.0
            except ExchangeError as exc:
                if exc.fatal:
                    raise
                self._dropped(str(exc))
            except Exception as exc:  # noqa: BLE001 - a plugin's bug: report, back off, retry
                self._dropped(f"unexpected {type(exc).__name__}: {exc}")
            else:
                self.state.polls += 1
                for symbol in self.symbols:
                    data = quotes.get(symbol)
                    if data is not None:
                        self._delivered(symbol, data, "polling")
                await self.hooks.sleep(max(0.0, started + interval - loop.time()))
                continue
            self.state.polls += 1
            await self._pause(max(wait_at_least, interval))
