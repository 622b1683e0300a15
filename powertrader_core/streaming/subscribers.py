"""Subscribers to live prices and connection events: a bounded queue each, drop-oldest.

A price feed must never wait for the program that listens to it. Every subscriber therefore
has its own bounded queue and its own dispatch task: the feed appends to each queue and moves
on, whatever the subscribers are doing. When a queue is full the *oldest* update is dropped
(for prices the newest is what matters) and counted, so a slow subscriber loses history, never
the present, and the loss shows in the status.

A callback may be a plain function or a coroutine function (its coroutine is awaited by the
subscriber's task, so a slow coroutine only delays that subscriber). An exception raised by a
callback is logged once per subscriber, with its traceback; later ones are counted (and shown
in the status) but not logged again, so a broken callback cannot flood the log. It stays
subscribed: one bad update must not silence a subscriber for good.

Plain functions run on the event loop: they must be quick (a print, a dict update). Work that
takes time belongs in a coroutine callback or in the caller's own task.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
from collections import Counter, deque
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["DEFAULT_QUEUE_SIZE", "Subscription", "describe"]

log = logging.getLogger("powertrader_core.streaming")

#: Updates a subscriber may have waiting before the oldest is dropped.
DEFAULT_QUEUE_SIZE = 1000

_ids = itertools.count(1)


def describe(callback: Callable[..., Any]) -> str:
    name = getattr(callback, "__qualname__", None) or type(callback).__name__
    return str(name)


class Subscription:
    """One subscriber: its queue, its task, its counters, and the handle to unsubscribe.

    The handle is what ``subscribe_to_price_updates`` and ``subscribe_to_connection_events``
    return: call it, or call ``.unsubscribe()``, to stop receiving (safe to call twice).

    ``callback`` receives each queued item unpacked (``callback(*item)``); without a callback
    the subscription is a pull queue read with :meth:`next` (what ``stream_prices`` uses).
    ``exchange_of`` names the exchange an item came from, for per-exchange drop counts.
    """

    def __init__(
        self,
        kind: str,
        callback: Callable[..., Any] | None,
        *,
        max_queue: int = DEFAULT_QUEUE_SIZE,
        name: str | None = None,
        on_close: Callable[[Subscription], None] | None = None,
        accepts: Callable[[tuple[Any, ...]], bool] | None = None,
    ) -> None:
        if isinstance(max_queue, bool) or not isinstance(max_queue, int) or max_queue < 1:
            raise ValueError(f"max_queue must be a whole number of at least 1, not {max_queue!r}")
        if callback is not None and not callable(callback):
            raise TypeError(f"a {kind} callback must be callable, not {type(callback).__name__}")
        self.kind = kind
        self.callback = callback
        self.max_queue = max_queue
        self.id = next(_ids)
        base = name or (describe(callback) if callback is not None else kind)
        self.name = f"{base}#{self.id}"
        self.accepts = accepts
        self._on_close = on_close
        self._queue: deque[tuple[Any, ...]] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._active = True
        self._ended = False  # a pull queue whose source stopped: next() raises StopAsyncIteration
        self.delivered = 0
        self.dropped = 0
        self.dropped_by_exchange: Counter[str] = Counter()
        self.errors = 0
        self.last_error: str | None = None

    # ---- the handle -----------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self._active

    @property
    def queued(self) -> int:
        return len(self._queue)

    def unsubscribe(self) -> None:
        """Stop receiving; queued items are discarded. Safe to call more than once."""
        if not self._active:
            return
        self._active = False
        self._queue.clear()
        self._wake()
        if self._on_close is not None:
            self._on_close(self)

    def __call__(self) -> None:
        self.unsubscribe()

    def __repr__(self) -> str:
        state = "active" if self._active else "unsubscribed"
        return f"<Subscription {self.name} {self.kind} {state} dropped={self.dropped}>"

    def snapshot(self) -> dict[str, Any]:
        """What the status shows for this subscriber."""
        return {
            "name": self.name,
            "kind": self.kind,
            "active": self._active,
            "queued": len(self._queue),
            "max_queue": self.max_queue,
            "delivered": self.delivered,
            "dropped": self.dropped,
            "errors": self.errors,
            "last_error": self.last_error,
        }

    # ---- the feed's side ----------------------------------------------------------------------

    def offer(self, item: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """Queue ``item`` without waiting; return the oldest item dropped to make room, if any.

        Starts the dispatch task on first use (subscribing needs no running loop).
        """
        if not self._active:
            return None
        queue = self._queue
        dropped: tuple[Any, ...] | None = None
        if len(queue) >= self.max_queue:
            dropped = queue.popleft()
            self.dropped += 1
            self.dropped_by_exchange[str(dropped[0])] += 1
        queue.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        elif self.callback is not None and self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._dispatch(), name=f"powertrader price subscriber {self.name}"
            )
        return dropped

    def end(self) -> None:
        """The source stopped: a pull queue ends once drained; a callback's task is stopped."""
        self._ended = True
        self._wake()

    def take_task(self) -> asyncio.Task[None] | None:
        """The dispatch task, cancelled and forgotten, for the owner to await."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
        return task

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _wait(self) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._waiter = waiter
        try:
            await waiter
        finally:
            self._waiter = None

    # ---- delivering ---------------------------------------------------------------------------

    async def _dispatch(self) -> None:
        """Hand queued items to the callback, one at a time, until unsubscribed or cancelled.

        Everything queued is handed over before the next wait, so a burst costs one wake-up;
        a plain function's ``None`` is not inspected further (the common, cheap case).
        """
        callback = self.callback
        assert callback is not None
        queue = self._queue
        while self._active:
            if not queue:
                await self._wait()
                continue
            item = queue.popleft()
            try:
                result = callback(*item)
                if result is not None and inspect.isawaitable(result):
                    await result
            except Exception as exc:  # noqa: BLE001 - a subscriber's bug must not stop it
                self._failed(exc)
            else:
                self.delivered += 1

    async def next(self) -> tuple[Any, ...]:
        """The next item of a pull queue; StopAsyncIteration once it ended and is drained."""
        queue = self._queue
        while True:
            if queue:
                self.delivered += 1
                return queue.popleft()
            if self._ended or not self._active:
                raise StopAsyncIteration
            await self._wait()

    def _failed(self, exc: Exception) -> None:
        self.errors += 1
        self.last_error = f"{type(exc).__name__}: {exc}"
        if self.errors == 1:
            log.error(
                "%s subscriber %s raised %s; it stays subscribed, and further errors from it "
                "are counted in the status, not logged",
                self.kind,
                self.name,
                self.last_error,
                exc_info=exc,
            )
        else:
            log.debug("%s subscriber %s raised again: %s", self.kind, self.name, self.last_error)


def offer_all(
    subscribers: Iterable[Subscription], item: tuple[Any, ...]
) -> list[tuple[Subscription, tuple[Any, ...]]]:
    """Offer ``item`` to every subscriber that accepts it; return the drops it caused."""
    drops: list[tuple[Subscription, tuple[Any, ...]]] = []
    for subscriber in subscribers:
        accepts = subscriber.accepts
        if accepts is not None and not accepts(item):
            continue
        dropped = subscriber.offer(item)
        if dropped is not None:
            drops.append((subscriber, dropped))
    return drops
