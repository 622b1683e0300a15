"""What a price feed is configured with, what it knows, and what it needs from its monitor.

:class:`MonitorConfig` (intervals, backoff, queue size), :class:`Backoff` (the wait before the
next try), :class:`FeedState` (what the status shows, outliving restarts of the feed's task)
and :class:`FeedHooks` (exchanges, polls, and where quotes and events go). The feed itself is
in :mod:`.feeds`.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import MarketData
from powertrader_core.retry import RetryPolicy

__all__ = ["Acquire", "Backoff", "FeedHooks", "FeedState", "MonitorConfig", "Poll"]

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
    - ``fallback_after``: a starting websocket that delivered nothing for this long is helped
      by polls until it does (default 5 s: a websocket that fails outright is polled around at
      once; this covers one that hangs, such as a host that drops packets).
    """

    poll_interval: float = 2.0
    stale_after: float = 60.0
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    queue_size: int = 1000
    prefer_streaming: bool = True
    fallback_after: float = 5.0

    def __post_init__(self) -> None:
        for name in (
            "poll_interval", "stale_after", "backoff_base", "backoff_max", "fallback_after"
        ):
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
    mode: str = "starting"  # where quotes come from: "websocket" or "polling"
    websocket: str | None = None  # for exchanges with a stream: "up" or "down"
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

    def delivered(self, mode: str) -> bool:
        """A quote arrived by ``mode`` (``websocket``, ``polling``, or a source's): count and
        stamp it. True when subscribers have not been told yet: prices flowing again, or now
        by another mode."""
        self.updates += 1
        self.last_update = time.time()
        if self.connected is True and self.mode == mode:
            return False
        if self.connected is not True:
            self.connects += 1
        self.connected = True
        self.mode = mode
        self.retry_in = None
        return True

    def snapshot(self, dropped_by_subscriber: Mapping[str, int] | None = None) -> dict[str, Any]:
        """The status entry: mode, connected, last update (UTC), counters, drops."""

        def stamp(value: float | None) -> datetime | None:
            return None if value is None else datetime.fromtimestamp(value, tz=UTC)

        return {
            "mode": self.mode,
            "websocket": self.websocket,
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
    connection: Callable[[str, bool, str], None]
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    rng: Callable[[], float] = random.random
