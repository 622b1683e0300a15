"""Read retries: exponential backoff with jitter, retry_after, final errors, deadlines."""

from __future__ import annotations

import asyncio

import pytest

from powertrader_core import (
    ExchangeConnectionError,
    ExchangeError,
    ExchangeRateLimitError,
    InvalidOrderError,
    SymbolNotSupportedError,
)
from powertrader_core.retry import RetryPolicy, bounded_read, retry_read


class Flaky:
    """Fails with the given errors in order, then answers."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _conn() -> ExchangeConnectionError:
    return ExchangeConnectionError("reset", exchange="k")


async def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    sleeps = Sleeps()
    policy = RetryPolicy(attempts=5, base_delay=1, max_delay=3, multiplier=2, jitter=0.5)
    flaky = Flaky(_conn(), _conn(), _conn(), _conn())
    assert await retry_read(flaky, policy, sleep=sleeps, rand=lambda: 0.0) == "ok"
    assert sleeps.waits == [1, 2, 3, 3]
    sleeps.waits.clear()
    flaky = Flaky(_conn(), _conn())
    await retry_read(flaky, policy, sleep=sleeps, rand=lambda: 1.0)
    assert sleeps.waits == [0.5, 1.0]  # jitter takes up to half off


async def test_retry_after_is_honoured() -> None:
    sleeps = Sleeps()
    limited = ExchangeRateLimitError("429", exchange="k", retry_after=7.5)
    flaky = Flaky(limited)
    await retry_read(flaky, RetryPolicy(base_delay=0.1), sleep=sleeps, rand=lambda: 0.0)
    assert sleeps.waits == [7.5]


@pytest.mark.parametrize(
    "error", [SymbolNotSupportedError("nope"), InvalidOrderError("bad"), ValueError("bug")]
)
async def test_final_errors_are_not_retried(error: Exception) -> None:
    flaky = Flaky(error)
    with pytest.raises(type(error)):
        await retry_read(flaky, RetryPolicy(attempts=5), sleep=Sleeps())
    assert flaky.calls == 1


async def test_attempts_run_out() -> None:
    flaky = Flaky(_conn(), _conn(), _conn())
    with pytest.raises(ExchangeConnectionError):
        await retry_read(flaky, RetryPolicy(attempts=3, base_delay=0), sleep=Sleeps())
    assert flaky.calls == 3


async def test_a_wait_past_the_deadline_raises_the_error_at_once() -> None:
    sleeps = Sleeps()
    loop = asyncio.get_running_loop()
    flaky = Flaky(ExchangeRateLimitError("429", exchange="k", retry_after=60))
    with pytest.raises(ExchangeRateLimitError):
        await retry_read(flaky, RetryPolicy(), deadline=loop.time() + 5, sleep=sleeps)
    assert sleeps.waits == [] and flaky.calls == 1


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(jitter=2)
    with pytest.raises(ValueError):
        RetryPolicy(base_delay=-1)


async def test_bounded_read_maps_each_try_and_retries_what_may_succeed() -> None:
    # A plugin's raw OSError is a connection error (retried); the second try answers.
    flaky = Flaky(ConnectionResetError("reset by peer"))
    sleeps = Sleeps()
    policy = RetryPolicy(attempts=3, base_delay=0.01)
    assert await bounded_read("k", "get_x", flaky, policy, seconds=5, sleep=sleeps) == "ok"
    assert flaky.calls == 2 and len(sleeps.waits) == 1
    # Anything else a plugin raises is our ExchangeError, named, and final.
    broken = Flaky(KeyError("result"))
    with pytest.raises(ExchangeError, match="unexpected KeyError") as info:
        await bounded_read("k", "get_x", broken, policy, seconds=5, sleep=sleeps)
    assert broken.calls == 1 and not info.value.retryable
    assert info.value.exchange == "k" and info.value.operation == "get_x"


async def test_bounded_read_bounds_every_try_and_wait_together() -> None:
    async def hang() -> str:
        await asyncio.Event().wait()
        return "never"

    loop = asyncio.get_running_loop()
    start = loop.time()
    with pytest.raises(ExchangeConnectionError, match=r"no answer within 0\.05 s") as info:
        await bounded_read("k", "get_x", hang, RetryPolicy(attempts=5), seconds=0.05)
    assert loop.time() - start < 1.0
    assert info.value.exchange == "k" and info.value.retryable
