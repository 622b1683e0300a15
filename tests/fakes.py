"""Test doubles shared by more than one test folder.

:class:`FakeClock` stands in for ``time.monotonic`` and ``asyncio.sleep`` in the rate limiters
(the ccxt plugin's ``RateLimiter``, Robinhood's ``TokenBucket``): no real time passes, so a test
of minutes of pacing runs in milliseconds and never flakes on a loaded machine.
"""

from __future__ import annotations

import asyncio


class FakeClock:
    """A monotonic clock that moves only when told to (``clock.now += s``), or when someone
    sleeps on it; every sleep is recorded in ``sleeps``.

    ``sleep`` gives the loop to other tasks once, as a real sleep would, so concurrent callers
    interleave as they would in production.
    """

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)
