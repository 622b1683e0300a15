"""A client-side token bucket: under Robinhood's 100 requests a minute, bursts to 300.

Robinhood meters each account with a token bucket (100 a minute, bursts to 300) and answers
429 past it. Keeping our own bucket with the same shape means a busy program waits a little
instead of collecting 429s, and an idle one gets its full burst back: time spent idle is
credited, up to the capacity (unlike a fixed delay between requests, which makes every call
after the first wait whether or not the account was idle).

The bucket reserves a token synchronously and then sleeps for any deficit, so concurrent
callers on one event loop are served in order without a lock (and the bucket can be shared
across event loops, since it holds no loop-bound object). The clock and the sleep are
injectable, so tests run it on a fake clock in no time.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections.abc import Awaitable, Callable

__all__ = ["DEFAULT_BURST", "DEFAULT_PER_MINUTE", "TokenBucket", "shared_bucket"]

DEFAULT_PER_MINUTE = 100
DEFAULT_BURST = 300


class TokenBucket:
    """``capacity`` tokens, refilled at ``rate`` tokens a second; one token per request."""

    def __init__(
        self,
        rate: float = DEFAULT_PER_MINUTE / 60,
        capacity: float = DEFAULT_BURST,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("a token bucket needs rate > 0 and capacity >= 1")
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(capacity)
        self._updated = clock()

    @classmethod
    def per_minute(
        cls,
        per_minute: float = DEFAULT_PER_MINUTE,
        burst: float = DEFAULT_BURST,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> TokenBucket:
        """A bucket that allows ``per_minute`` requests a minute with bursts to ``burst``."""
        return cls(per_minute / 60, burst, clock=clock, sleep=sleep)

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._updated = now

    @property
    def available(self) -> float:
        """Tokens available now (negative while callers are queued for them)."""
        self._refill()
        return self._tokens

    def reserve(self) -> float:
        """Take a token now; return how many seconds the caller must wait before using it."""
        self._refill()
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    async def acquire(self) -> float:
        """Wait (without blocking the loop) until a request may be sent; return the wait."""
        wait = self.reserve()
        if wait > 0:
            await self._sleep(wait)
        return wait


_shared: dict[str, TokenBucket] = {}
_shared_lock = threading.Lock()


def shared_bucket(
    api_key: str, per_minute: float = DEFAULT_PER_MINUTE, burst: float = DEFAULT_BURST
) -> TokenBucket:
    """The one bucket for an API key in this process: Robinhood meters the account, so two
    exchange objects on the same key share it. Keyed by a hash, so no key sits in a dict."""
    digest = hashlib.sha256(f"{api_key}|{per_minute}|{burst}".encode()).hexdigest()[:24]
    with _shared_lock:
        bucket = _shared.get(digest)
        if bucket is None:
            bucket = _shared[digest] = TokenBucket.per_minute(per_minute, burst)
        return bucket
