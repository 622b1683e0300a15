"""Test doubles and helpers shared by more than one test folder.

:class:`FakeClock` stands in for ``time.monotonic`` and ``asyncio.sleep`` in the core's rate
limiter (``powertrader_core.kit.RateLimiter`` over a ``MemoryStore``): no real time passes,
so a test of minutes of pacing runs in milliseconds and never flakes on a loaded machine.

:func:`registered` registers exchange classes with the factory for one ``with`` block.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from powertrader_core import AbstractExchange, ExchangeFactory

E = TypeVar("E", bound=AbstractExchange)


@contextmanager
def registered(*classes: type[E], **named: type[E]) -> Iterator[dict[str, type[E]]]:
    """Register ``classes`` under their ``name`` (and ``named`` under the keyword's name, such as
    ``registered(kraken_sub=KrakenExchange)``) for a ``with`` block; unregister them after.

    Yields the classes by the name each was registered under.
    """
    by_name = {cls.name: cls for cls in classes} | named
    for name, cls in by_name.items():
        ExchangeFactory.register_exchange(name, cls)
    try:
        yield by_name
    finally:
        for name in by_name:
            ExchangeFactory.unregister_exchange(name)


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
