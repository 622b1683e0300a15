"""Retrying reads: exponential backoff with jitter, honouring the exchange's ``retry_after``.

Only reads go through here (prices, books, balances, initialisation). Orders never do: a
resent order may fill twice, so order safety (journal and reconciliation) decides about those.

What is retried is what the error says may succeed on a second try (``ExchangeError.retryable``:
connection errors and rate limits). The wait before attempt ``n + 1`` is
``min(max_delay, base_delay * multiplier ** n)`` less a random part of up to ``jitter`` of it
(so that many clients that failed together do not retry together), and never less than the
``retry_after`` a rate-limit error carried. A wait that would end past the caller's deadline is
not slept: the last error is raised at once, which says more than a timeout would.

:func:`bounded_read` is the one read every part of the core makes of an exchange (the
manager's :class:`~powertrader_core.manager.calls.Caller`, order lookups in
:mod:`powertrader_core.orders.locate`): each try mapped onto our errors
(:func:`as_exchange_error`), retried as above, the whole bounded by the exchange timeout.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from powertrader_core.errors import ExchangeConnectionError, ExchangeError, ExchangeRateLimitError

__all__ = ["RetryPolicy", "as_exchange_error", "bounded_read", "mapped", "retry_read"]

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a read is retried. ``attempts`` counts the first try."""

    attempts: int = 3
    base_delay: float = 0.25
    max_delay: float = 5.0
    multiplier: float = 2.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("delays must not be negative")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be between 0 and 1")

    def backoff(self, retry_number: int, rand: float) -> float:
        """The core's one backoff formula: seconds before retry ``retry_number`` (0 first).

        ``min(max_delay, base_delay * multiplier ** retry_number)`` less ``jitter * rand`` of
        it, ``rand`` uniform in [0, 1]. Reads (:func:`retry_read`) and the price feeds'
        reconnects (:class:`powertrader_core.streaming.feeds.Backoff`) both wait this.
        """
        # Past 64 doublings the cap has long won; a bound keeps ** from overflowing.
        ceiling = min(self.max_delay, self.base_delay * self.multiplier ** min(retry_number, 64))
        return float(ceiling * (1 - self.jitter * rand))

    def delay(self, retry_number: int, error: BaseException, rand: float) -> float:
        """:meth:`backoff`, and never less than the ``retry_after`` a rate-limit error gave."""
        wait = self.backoff(retry_number, rand)
        if isinstance(error, ExchangeRateLimitError) and error.retry_after is not None:
            wait = max(wait, float(error.retry_after))
        return wait


NO_RETRY = RetryPolicy(attempts=1)


async def retry_read(
    attempt: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    deadline: float | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    rand: Callable[[], float] = random.random,
) -> T:
    """Run ``attempt`` until it succeeds, the error is final, or attempts run out.

    ``deadline`` is in the running loop's clock (``loop.time()``); a wait past it is skipped
    and the last error raised instead.
    """
    loop = asyncio.get_running_loop()
    retry_number = 0
    while True:
        try:
            return await attempt()
        except ExchangeError as error:
            if not error.retryable or retry_number + 1 >= policy.attempts:
                raise
            wait = policy.delay(retry_number, error, rand())
            if deadline is not None and loop.time() + wait >= deadline:
                raise
        retry_number += 1
        await sleep(wait)


def as_exchange_error(exc: BaseException, name: str, operation: str) -> ExchangeError:
    """Map whatever a plugin raised onto our hierarchy (plugins should, but may not)."""
    if isinstance(exc, ExchangeError):
        return exc
    if isinstance(exc, TimeoutError):
        return ExchangeConnectionError(
            f"timed out ({type(exc).__name__})", exchange=name, operation=operation
        )
    if isinstance(exc, OSError):
        return ExchangeConnectionError(
            f"{type(exc).__name__}: {exc}", exchange=name, operation=operation
        )
    return ExchangeError(
        f"unexpected {type(exc).__name__}: {exc}", exchange=name, operation=operation
    )


async def mapped(name: str, operation: str, fn: Callable[[], Awaitable[T]]) -> T:
    """Await ``fn()``; anything but our own errors comes out mapped onto our hierarchy."""
    try:
        return await fn()
    except ExchangeError:
        raise
    except Exception as exc:
        raise as_exchange_error(exc, name, operation) from exc


async def bounded_read(
    name: str,
    operation: str,
    attempt: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    seconds: float,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """One read of exchange ``name``: mapped, retried by ``policy``, bounded by ``seconds``.

    The bound covers every try and every wait between them, so a hanging
    exchange costs at most that long; running out is an :class:`ExchangeConnectionError`
    saying so, naming the exchange and the operation.
    """
    deadline = asyncio.get_running_loop().time() + seconds
    try:
        async with asyncio.timeout_at(deadline):
            return await retry_read(
                lambda: mapped(name, operation, attempt), policy, deadline=deadline, sleep=sleep
            )
    except TimeoutError as exc:
        raise ExchangeConnectionError(
            f"no answer within {seconds:g} s", exchange=name, operation=operation
        ) from exc
