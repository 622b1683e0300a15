"""The seeded random walk behind the simulated market: its position at any tick in O(log n).

A symbol's walk is one step per tick, each step a whole number from -1000 to 1000 (thousandths
of the volatility, see :mod:`.sim`); its *position* at tick ``t`` is the sum of the steps before
``t``. Drawing the steps one after another costs O(t): a symbol first asked a month after the
market started would walk 2.6 million steps, some ten seconds with the event loop blocked.

Why a tree
----------
The steps are the leaves of a tree: a node of level ``l`` covers ``BRANCHING ** l``
consecutive ticks and knows its *total*, the sum of its steps. A node's children are drawn
from a generator seeded with ``"<key>:<level>:<index>"`` and then corrected so that they add
up to exactly the node's total. The position at ``t`` is the sum, down the path from the root
to leaf ``t``, of the totals of the children left of the path: ``LEVELS * BRANCHING`` draws
whatever ``t`` is (about a millisecond), and the path of the last question is kept, so a walk
asked regularly redraws only the lowest node, once every ``BRANCHING`` ticks.

What is promised
----------------
* **Determinism**: the step of every tick, hence the position at every tick, is a function of
  the key and the tick alone. Two walks with the same key agree at every tick, whichever ticks
  they were asked before and in which order (no "catch-up" that depends on when it happened).
* **Bounded steps**: every step is a whole number from -1000 to 1000, as before the tree.
* **Variance**: a free leaf is uniform on -1000..1000 (variance ``1000 * 1001 / 3``); a free
  node of level ``l`` is the sum of three uniform integers whose variance is the closest such
  to ``BRANCHING ** l`` times a step's (within 0.02 %), a bell shape cut at three standard
  deviations. The correction spreads the difference to the parent's total evenly over the
  children, which is the distribution of independent Gaussians given their sum, so a corrected
  child keeps the variance of a free one: the position after ``n`` ticks has ``n`` times a
  step's variance, as if every step had been drawn. A corrected step can be pushed past the
  bound; it is then clamped and the excess given to a sibling with room (rare, and small).
* **Platform independence**: only integers and ``random.Random`` seeded with a string (SHA-512
  seeding, ``getrandbits``): the same walk on every platform and Python version that keeps
  that seeding.

A root covers ``BRANCHING ** LEVELS`` (2 ** 60) ticks: 36 000 years of microsecond ticks.
Further roots are independent and summed one by one, which no real configuration reaches.
"""

from __future__ import annotations

import random
from math import isqrt

__all__ = ["BRANCHING", "LEVELS", "STEP_BOUND", "SeededWalk"]

#: Children per node. Cost is about ``BRANCHING * LEVELS`` draws for a new path.
BRANCHING = 64
#: Levels under a root; a root covers ``BRANCHING ** LEVELS`` ticks.
LEVELS = 10
#: The largest step, in thousandths of the volatility.
STEP_BOUND = 1000

_STEP_VARIANCE_X3 = STEP_BOUND * (STEP_BOUND + 1)  # three times a step's variance, exact


def _half_width(level: int) -> int:
    """``m`` such that three uniform draws on ``-m..m`` have a node of ``level``'s variance.

    Their variance is ``m * (m + 1)``; the wanted one is ``BRANCHING ** level`` steps' worth,
    ``BRANCHING ** level * 1000 * 1001 / 3``. Integers only, so no platform rounds differently.
    """
    wanted_x3 = BRANCHING**level * _STEP_VARIANCE_X3
    guess = isqrt(wanted_x3 // 3)
    return min(
        (max(1, guess + delta) for delta in (-1, 0, 1)),
        key=lambda m: abs(3 * m * (m + 1) - wanted_x3),
    )


_HALF_WIDTHS = [0] + [_half_width(level) for level in range(1, LEVELS + 1)]


class SeededWalk:
    """One symbol's walk: ``position(t)`` is the sum of its steps before tick ``t``."""

    def __init__(self, key: str) -> None:
        self._key = key
        # The children of the nodes on the last path asked, by level: (index, children).
        self._path: dict[int, tuple[int, list[int]]] = {}
        self._roots: list[int] = []  # totals of the roots drawn so far, in order

    def position(self, tick: int) -> int:
        """The sum of the steps of ticks ``0 .. tick - 1`` (0 at tick 0)."""
        if tick < 0:
            raise ValueError("tick must not be negative")
        span = BRANCHING**LEVELS
        root, offset = divmod(tick, span)
        while len(self._roots) <= root:
            self._roots.append(self._free(LEVELS, len(self._roots)))
        position = sum(self._roots[:root])
        index, total = root, self._roots[root]
        for level in range(LEVELS, 0, -1):
            span //= BRANCHING
            children = self._children(level, index, total)
            child, offset = divmod(offset, span)
            position += sum(children[:child])
            index, total = index * BRANCHING + child, children[child]
        return position

    def step(self, tick: int) -> int:
        """The step taken at ``tick`` (from ``position(tick)`` to ``position(tick + 1)``)."""
        return self.position(tick + 1) - self.position(tick)

    # ---- the tree --------------------------------------------------------------------------

    def _rng(self, level: int, index: int) -> random.Random:
        return random.Random(f"{self._key}:{level}:{index}")

    def _free(self, level: int, index: int) -> int:
        """A root's total: drawn with nothing to add up to."""
        return self._draw(self._rng(level, index), level)

    @staticmethod
    def _draw(rng: random.Random, level: int) -> int:
        if level == 0:
            return rng.randint(-STEP_BOUND, STEP_BOUND)
        m = _HALF_WIDTHS[level]
        return rng.randint(-m, m) + rng.randint(-m, m) + rng.randint(-m, m)

    def _children(self, level: int, index: int, total: int) -> list[int]:
        """The totals of node ``(level, index)``'s children; they add up to ``total``."""
        cached = self._path.get(level)
        if cached is not None and cached[0] == index:
            return cached[1]
        rng = self._rng(level, index)
        children = [self._draw(rng, level - 1) for _ in range(BRANCHING)]
        # Spread the difference evenly; the remainder goes one by one from a drawn child on.
        quotient, remainder = divmod(total - sum(children), BRANCHING)
        start = rng.randrange(BRANCHING)
        for i in range(BRANCHING):
            children[i] += quotient
        for j in range(remainder):
            children[(start + j) % BRANCHING] += 1
        _clamp(children, STEP_BOUND * BRANCHING ** (level - 1), start)
        self._path[level] = (index, children)
        return children


def _clamp(values: list[int], bound: int, start: int) -> None:
    """Keep every value within ``-bound..bound`` without changing their sum.

    Possible because the parent's total is itself within ``len(values) * bound`` (a node never
    holds more than its steps could add up to). Excess goes to siblings with room, from
    ``start`` on.
    """
    excess = 0
    for i, value in enumerate(values):
        if value > bound:
            excess += value - bound
            values[i] = bound
        elif value < -bound:
            excess += value + bound
            values[i] = -bound
    count = len(values)
    j = 0
    while excess:
        i = (start + j) % count
        if excess > 0:
            move = min(excess, bound - values[i])
        else:
            move = max(excess, -bound - values[i])
        values[i] += move
        excess -= move
        j += 1
