"""Wall-clock bounds for tests on a shared machine.

The suite shares 2 cores with many processes (load averages of 15-20 were seen): a process gets
a fraction of a core, so the part of a wall-clock bound that is *our own* processing must scale
with that or it tests the machine's load, not the code. Only that part: a timeout or a latency
the test sets up stays as it is, and a claim about ordering (concurrent, not one after the
other) is checked from the venues' own records instead.
"""

from __future__ import annotations

import os

__all__ = ["wall_budget"]


def wall_budget(seconds: float) -> float:
    """``seconds`` on an idle machine, stretched by how oversubscribed the CPUs are now."""
    load = os.getloadavg()[0] / (os.cpu_count() or 1)
    return seconds * max(1.0, load)
