"""Health: moving-average latency, last error, consecutive failures, the circuit breaker."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from powertrader_core import ExchangeConnectionError, SymbolNotSupportedError
from powertrader_core.manager.health import CircuitBreaker, CircuitState, HealthTracker


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _error(text: str = "refused") -> ExchangeConnectionError:
    return ExchangeConnectionError(text, exchange="x", operation="get_market_data")


def test_breaker_opens_after_threshold_and_lets_one_probe_through_after_cooldown() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=3, cooldown=10, clock=clock)
    for _ in range(2):
        breaker.on_failure()
        assert breaker.state is CircuitState.CLOSED and breaker.allow()
    breaker.on_failure()
    assert breaker.state is CircuitState.OPEN and not breaker.allow()
    assert breaker.retry_in() == 10
    clock.now += 9.9
    assert not breaker.allow()
    clock.now += 0.1
    assert breaker.state is CircuitState.HALF_OPEN
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # only one
    breaker.on_failure()  # the probe failed: open again for a full cool-down
    assert breaker.state is CircuitState.OPEN and breaker.retry_in() == 10
    clock.now += 10
    assert breaker.allow()
    breaker.on_success()
    assert breaker.state is CircuitState.CLOSED and breaker.failures == 0 and breaker.allow()


def test_a_released_probe_frees_the_slot() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=1, cooldown=1, clock=clock)
    breaker.on_failure()
    clock.now += 1
    assert breaker.allow() and not breaker.allow()
    breaker.release()
    assert breaker.allow()


def test_breaker_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(threshold=0)
    with pytest.raises(ValueError):
        CircuitBreaker(cooldown=-1)


def test_statuses_follow_what_happened() -> None:
    clock = FakeClock()
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    health = HealthTracker(failure_threshold=2, cooldown=5, clock=clock, now=lambda: when)
    assert health.status("k") == "unknown"
    health.record_success("k", 100)
    assert health.status("k") == "connected"
    health.record_failure("k", _error("reset"))
    snap = health.snapshot("k")
    assert snap["status"] == "degraded"
    assert snap["last_error"] == "x get_market_data: reset"
    assert snap["last_error_at"] == when
    assert snap["consecutive_failures"] == 1
    health.record_failure("k", _error())
    assert health.status("k") == "down" and not health.is_routable("k")
    assert health.snapshot("k")["circuit"] == "open"
    clock.now += 5
    assert health.status("k") == "degraded"  # half-open: probing
    assert health.allow("k")
    health.record_success("k", 50)
    assert health.status("k") == "connected" and health.is_routable("k")
    assert health.snapshot("k")["requests"] == 4 and health.snapshot("k")["failures"] == 2


def test_latency_is_an_exponential_moving_average() -> None:
    health = HealthTracker(alpha=0.5)
    health.record_success("k", 100)
    health.record_success("k", 200)
    health.record_success("k", 200)
    assert health.snapshot("k")["latency"] == 175.0
    health.record_success("k")  # no sample: unchanged
    assert health.snapshot("k")["latency"] == 175.0


def test_refusals_are_remembered_but_do_not_count() -> None:
    health = HealthTracker(failure_threshold=1)
    health.record_success("k", 10)
    health.record_failure("k", SymbolNotSupportedError("DOGE-USD is not listed", exchange="k"))
    assert health.status("k") == "connected"
    assert health.snapshot("k")["last_error"] == "k: DOGE-USD is not listed"
    assert health.snapshot("k")["consecutive_failures"] == 0


def test_rank_puts_healthy_fast_exchanges_first() -> None:
    health = HealthTracker(failure_threshold=1)
    health.record_success("slow", 300)
    health.record_success("fast", 20)
    health.record_failure("broken", _error())
    health.record_success("shaky", 5)
    health.get("shaky").breaker.failures = 0
    health.record_failure("shaky", SymbolNotSupportedError("x"))
    assert health.rank(["broken", "new", "slow", "fast", "shaky"]) == [
        "shaky", "fast", "slow", "new", "broken"
    ]


def test_notes_appear_in_the_snapshot() -> None:
    health = HealthTracker()
    health.note("k", "private_calls", "skipped: no credentials")
    assert health.snapshot("k")["private_calls"] == "skipped: no credentials"
    health.note("k", "private_calls", None)
    assert "private_calls" not in health.snapshot("k")
