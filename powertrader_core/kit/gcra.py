"""The bucket arithmetic, alone: pure functions of a stored time and ``now``.

A token bucket kept in GCRA form (the generic cell rate algorithm, "virtual scheduling"): the
whole state of a bucket is one number, ``tat``, the time at which it will be empty again.
Its level at ``now`` is ``max(0, tat - now) / interval`` units. A request of ``cost`` units is
granted at the first moment its cost fits under the capacity:

    start   = max(now, max(tat, now) + cost * interval - tolerance)
    new tat = max(tat, now) + cost * interval

where ``interval`` is seconds per unit (1 / refill rate) and ``tolerance`` is the capacity in
seconds (``capacity * interval``). After an idle pause the bucket has drained (``tat`` lies in
the past), so the next request starts at ``now``: idle time is credited, up to the capacity.

Why it is separate from where the state lives: the same two functions run inside a process
(``bucket_store.MemoryStore``), under a file lock shared by the processes of one machine
(``bucket_store.FileStore``) and, later, in one atomic Redis script shared across machines.
Each backend reads ``tat``, calls :func:`grant` or :func:`raise_floor`, and writes ``tat`` back
in one step; nothing here knows about files, locks or clocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Rule", "grant", "raise_floor", "sane_tat"]

#: A stored ``tat`` this far past ``now`` + capacity cannot come from queued requests of a
#: sane program: it is a clock that jumped back, or a hostile file. It is clamped.
MAX_QUEUE_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class Rule:
    """What the arithmetic needs of a pool: seconds per unit, capacity in seconds.

    ``tolerance`` is the capacity the limiter grants up to (the documented capacity less a
    small headroom, see ``budgets.Pool.rule``); ``full`` is the documented capacity in
    seconds, used when the exchange says the bucket is exhausted.
    """

    interval: float
    tolerance: float
    full: float

    @property
    def max_cost(self) -> float:
        """The largest cost one grant can charge (a bigger one is charged this: it waits for
        an empty bucket rather than forever)."""
        return self.tolerance / self.interval if self.interval > 0 else math.inf


def sane_tat(tat: float, now: float, rule: Rule) -> float:
    """``tat`` as stored, or, when it cannot be true (NaN, infinite, absurdly far ahead: a
    clock jump or a damaged file), a bucket that is full now: conservative, and bounded."""
    if not math.isfinite(tat) or tat > now + rule.full + MAX_QUEUE_SECONDS:
        return now + rule.full
    return tat


def grant(tat: float, now: float, cost: float, rule: Rule) -> tuple[float, float]:
    """Charge ``cost`` units: ``(new_tat, start)``; the request may be sent at ``start``."""
    if cost < 0.0:
        cost = 0.0
    elif cost > rule.max_cost:
        cost = rule.max_cost
    base = tat if tat > now else now
    new_tat = base + cost * rule.interval
    start = new_tat - rule.tolerance
    return new_tat, (start if start > now else now)


def raise_floor(tat: float, now: float, busy_for: float) -> float:
    """The exchange says the bucket is at least ``busy_for`` seconds from empty: adopt it
    (never lowering what we already counted)."""
    floor = now + max(0.0, busy_for)
    return floor if floor > tat else tat
