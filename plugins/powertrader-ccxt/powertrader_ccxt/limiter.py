"""A rate limiter that credits idle time, shared by every instance on one API key.

Why not ccxt's: its async throttler (``ccxt/async_support/base/throttler.py``) restarts its
loop for each burst with the clock reset, so the idle time before a request is never credited:
every request after the first waits a full ``rateLimit`` however long the exchange was quiet
(ccxt issue #25556; with Kraken's 1 s ``rateLimit`` that is a second on every price).

This one is a GCRA (generic cell rate algorithm), the virtual-scheduling form of a token
bucket: it keeps ``tat``, the time at which the bucket will be empty again. A request of cost
``c`` is granted at ``max(now, tat - burst_tolerance)`` and pushes ``tat`` by ``c *
interval``. After a pause longer than ``interval`` the next request is granted at once, with
no sleep at all; under a burst, requests are spaced exactly by their cost, in arrival order.
Costs are ccxt's per-endpoint ``cost`` (1.0 = one ``rateLimit``), so the exchange's own
weights are kept.

Reservation happens synchronously (no ``await`` between reading and moving ``tat``), so
concurrent callers in one event loop never both take the same slot, and nothing in here is
bound to a loop: a limiter can be shared by instances in different loops of one thread.

Limiters are shared through :func:`shared_limiter`, keyed by ``(ccxt id, hash of the API key)``
(``"public"`` without a key): the exchange counts requests per key (and per address for
public calls), so two instances on one key must draw from one bucket, not double the rate.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

__all__ = ["RateLimiter", "key_fingerprint", "reset_shared_limiters", "shared_limiter"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass
class _Stats:
    granted: int = 0
    waited: int = 0
    total_wait: float = 0.0


class RateLimiter:
    """Grants requests no faster than one ``interval`` per unit of cost.

    ``interval`` is in seconds (ccxt's ``rateLimit`` / 1000). ``burst`` is how many unit-cost
    requests may go back to back after a long pause (1: never faster than the rate, the
    default, matching ccxt's capacity of one). ``clock`` and ``sleep`` are injectable for
    tests (a fake clock); they default to ``time.monotonic`` and ``asyncio.sleep``.
    """

    def __init__(
        self,
        interval: float,
        *,
        burst: float = 1.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if interval < 0:
            raise ValueError("interval must not be negative")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.interval = float(interval)
        self.burst = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._tat = float("-inf")  # the bucket is empty (all credit) at first
        self.stats = _Stats()

    def reserve(self, cost: float = 1.0) -> float:
        """Take a slot now; returns how long the caller must wait before sending (seconds)."""
        start, now = self._reserve(cost)
        return start - now

    def _reserve(self, cost: float) -> tuple[float, float]:
        now = self._clock()
        cost = max(float(cost), 0.0)
        tolerance = (self.burst - 1.0) * self.interval
        start = max(now, self._tat - tolerance)
        self._tat = max(self._tat, now) + cost * self.interval
        self.stats.granted += 1
        return start, now

    async def acquire(self, cost: float = 1.0) -> float:
        """Wait for a slot; returns the seconds waited (0.0 when granted at once).

        A cancelled waiter keeps its slot spent: erring towards fewer requests, never more.
        """
        target, now = self._reserve(cost)
        delay = target - now
        if delay <= 0:
            return 0.0
        self.stats.waited += 1
        self.stats.total_wait += delay
        remaining = delay
        # asyncio may wake a timer up to its clock resolution early: never send early.
        while remaining > 0:
            await self._sleep(remaining)
            remaining = target - self._clock()
        return delay

    def update_interval(self, interval: float) -> None:
        """Adopt a slower interval (a second user of the key knows a stricter rate)."""
        self.interval = max(self.interval, float(interval))


_shared: dict[tuple[str, str], RateLimiter] = {}
_shared_lock = threading.Lock()


def key_fingerprint(api_key: str | None) -> str:
    """What identifies a key in the registry without keeping the key: a short SHA-256."""
    if not api_key:
        return "public"
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


def shared_limiter(exchange_id: str, api_key: str | None, interval: float) -> RateLimiter:
    """The process-wide limiter for ``(exchange_id, api_key)``, created on first use."""
    key = (exchange_id, key_fingerprint(api_key))
    with _shared_lock:
        limiter = _shared.get(key)
        if limiter is None:
            limiter = RateLimiter(interval)
            _shared[key] = limiter
        else:
            limiter.update_interval(interval)
        return limiter


def reset_shared_limiters() -> None:
    """Forget every shared limiter (tests; a process that changes keys)."""
    with _shared_lock:
        _shared.clear()
