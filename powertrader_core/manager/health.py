"""Per-exchange health: latency, last error, consecutive failures and a circuit breaker.

The manager asks every exchange concurrently; one that keeps failing would otherwise cost each
call a full timeout and keep being chosen for orders. The tracker remembers how each exchange
has been doing and, after ``failure_threshold`` consecutive failures, *opens* its circuit: the
exchange is left out of fan-out and routing. After ``cooldown`` seconds the circuit is
*half-open*: exactly one call (the probe) is let through; its success closes the circuit, its
failure opens it again for another cool-down.

Statuses, as ``get_exchange_status()`` reports them:

- ``unknown``: never asked (or asked nothing that says how it is doing);
- ``connected``: the last call answered and no failure since;
- ``degraded``: answering, but failures since the last success, or half-open (probing);
- ``down``: the circuit is open.

Only failures that say something about the exchange count (connection errors, timeouts, rate
limits, refused credentials, broken plugins). An answer that refuses the request itself (the
market is not listed, the order is invalid) proves the exchange is up: it is remembered as the
last error without counting against the exchange.

Clocks are injectable (``clock`` for cool-downs, ``now`` for error times) so tests need no sleep.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from powertrader_core._types import utc_now
from powertrader_core.errors import (
    ExchangeError,
)

__all__ = [
    "CircuitBreaker",
    "CircuitState",
    "ExchangeHealth",
    "HealthStatus",
    "HealthTracker",
    "counts_against_health",
]


class HealthStatus(StrEnum):
    CONNECTED = "connected"
    DEGRADED = "degraded"
    DOWN = "down"
    UNKNOWN = "unknown"


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


def counts_against_health(error: BaseException) -> bool:
    """True when ``error`` says the exchange is unwell rather than refusing one request
    (``ExchangeError.counts_against_health``; anything else a plugin raised counts)."""
    return not isinstance(error, ExchangeError) or error.counts_against_health


class CircuitBreaker:
    """Closed, open after ``threshold`` consecutive failures, half-open after ``cooldown``."""

    def __init__(
        self,
        threshold: int = 5,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if threshold < 1:
            raise ValueError("threshold must be at least 1")
        if cooldown < 0:
            raise ValueError("cooldown must not be negative")
        self.threshold = threshold
        self.cooldown = cooldown
        self._clock = clock
        self._state = CircuitState.CLOSED
        self._opened_at = 0.0
        self._probe_in_flight = False
        self.failures = 0  # consecutive

    @property
    def state(self) -> CircuitState:
        """The state now; an open circuit whose cool-down has passed reads half-open."""
        if self._state is CircuitState.OPEN and self.retry_in() <= 0:
            return CircuitState.HALF_OPEN
        return self._state

    def retry_in(self) -> float:
        """Seconds until an open circuit lets a probe through (0 when not open)."""
        if self._state is not CircuitState.OPEN:
            return 0.0
        return max(0.0, self._opened_at + self.cooldown - self._clock())

    def allow(self) -> bool:
        """May a call go now? In half-open, True for exactly one caller (the probe)."""
        state = self.state
        if state is CircuitState.CLOSED:
            return True
        if state is CircuitState.OPEN:
            return False
        if self._probe_in_flight:
            return False
        self._state = CircuitState.HALF_OPEN
        self._probe_in_flight = True
        return True

    def release(self) -> None:
        """The probe ended without a verdict (cancelled, or a neutral refusal): free its slot."""
        self._probe_in_flight = False

    def on_success(self) -> None:
        self._state = CircuitState.CLOSED
        self._probe_in_flight = False
        self.failures = 0

    def on_failure(self) -> None:
        self.failures += 1
        probing = self._state is CircuitState.HALF_OPEN
        self._probe_in_flight = False
        if probing or self.failures >= self.threshold:
            self._state = CircuitState.OPEN
            self._opened_at = self._clock()


@dataclass
class ExchangeHealth:
    """What is known of one exchange's health."""

    name: str
    breaker: CircuitBreaker
    latency_ms: float | None = None  # exponential moving average of successful calls
    last_error: str | None = None
    last_error_at: datetime | None = None
    last_success_at: datetime | None = None
    requests: int = 0
    failures: int = 0
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def consecutive_failures(self) -> int:
        return self.breaker.failures

    @property
    def status(self) -> HealthStatus:
        state = self.breaker.state
        if state is CircuitState.OPEN:
            return HealthStatus.DOWN
        if state is CircuitState.HALF_OPEN or self.breaker.failures > 0:
            return HealthStatus.DEGRADED
        if self.last_success_at is not None:
            return HealthStatus.CONNECTED
        return HealthStatus.UNKNOWN

    def snapshot(self) -> dict[str, Any]:
        """The seed's status entry: ``status``, ``latency`` (ms), ``last_error`` and more."""
        return {
            "status": self.status.value,
            "latency": None if self.latency_ms is None else round(self.latency_ms, 1),
            "last_error": self.last_error,
            "last_error_at": self.last_error_at,
            "last_success_at": self.last_success_at,
            "consecutive_failures": self.breaker.failures,
            "circuit": self.breaker.state.value,
            "retry_in": round(self.breaker.retry_in(), 3),
            "requests": self.requests,
            "failures": self.failures,
            **self.notes,
        }


class HealthTracker:
    """Health of every exchange a manager has asked, keyed by registered name.

    ``alpha`` weighs the newest latency sample in the moving average (0.3: about the last five
    calls matter), which follows a slowing exchange quickly without jumping on one outlier.
    """

    def __init__(
        self,
        *,
        failure_threshold: int = 5,
        cooldown: float = 30.0,
        alpha: float = 0.3,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        if not 0 < alpha <= 1:
            raise ValueError("alpha must be in (0, 1]")
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self.alpha = alpha
        self._clock = clock
        self._now = now
        self._entries: dict[str, ExchangeHealth] = {}

    def get(self, name: str) -> ExchangeHealth:
        entry = self._entries.get(name)
        if entry is None:
            breaker = CircuitBreaker(self.failure_threshold, self.cooldown, self._clock)
            entry = self._entries[name] = ExchangeHealth(name=name, breaker=breaker)
        return entry

    def names(self) -> list[str]:
        return list(self._entries)

    def allow(self, name: str) -> bool:
        """May a call to ``name`` go now (circuit closed, or this is the half-open probe)?"""
        return self.get(name).breaker.allow()

    def release(self, name: str) -> None:
        self.get(name).breaker.release()

    def rank(self, names: Iterable[str]) -> list[str]:
        """``names`` best first: connected, unknown, degraded, down; then by latency."""
        order = {
            HealthStatus.CONNECTED: 0,
            HealthStatus.UNKNOWN: 1,
            HealthStatus.DEGRADED: 2,
            HealthStatus.DOWN: 3,
        }

        def key(name: str) -> tuple[int, float]:
            entry = self.get(name)
            latency = entry.latency_ms if entry.latency_ms is not None else math.inf
            return (order[entry.status], latency)

        return sorted(names, key=key)

    def is_routable(self, name: str) -> bool:
        """True while the circuit is closed: only then is an exchange chosen for orders."""
        return self.get(name).breaker.state is CircuitState.CLOSED

    def status(self, name: str) -> HealthStatus:
        return self.get(name).status

    def record_success(self, name: str, latency_ms: float | None = None) -> None:
        entry = self.get(name)
        entry.requests += 1
        entry.last_success_at = self._now()
        if latency_ms is not None:
            previous = entry.latency_ms
            entry.latency_ms = (
                latency_ms if previous is None else previous + self.alpha * (latency_ms - previous)
            )
        entry.breaker.on_success()

    def record_failure(self, name: str, error: BaseException) -> None:
        """Remember ``error``; count it against the exchange unless it was a neutral refusal."""
        entry = self.get(name)
        entry.requests += 1
        entry.last_error = str(error) or type(error).__name__
        entry.last_error_at = self._now()
        if counts_against_health(error):
            entry.failures += 1
            entry.breaker.on_failure()
        else:
            entry.breaker.release()

    def note(self, name: str, key: str, text: str | None) -> None:
        """Attach a fact to the status entry (why private calls are skipped, ...)."""
        notes = self.get(name).notes
        if text is None:
            notes.pop(key, None)
        else:
            notes[key] = text

    def snapshot(self, name: str) -> dict[str, Any]:
        return self.get(name).snapshot()
