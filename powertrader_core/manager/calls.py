"""Calling exchanges for the manager: one or all at once, each bounded, each outcome recorded.

Every call to an exchange goes through :class:`Caller`, which is where the manager's promises
are kept:

- a call is bounded by the per-exchange timeout (``Settings.exchange_timeout``), retries
  included, so a hanging exchange costs at most that long;
- reads retry (:mod:`powertrader_core.retry`); writes (``send``) never do;
- an exchange whose circuit is open is not asked at all;
- a private call to an exchange without credentials is refused before anything is sent;
- every outcome lands in the health tracker (latency on success, the error on failure);
- whatever a plugin raises comes out as an :class:`ExchangeError` naming exchange and operation.

``read_all`` asks many exchanges concurrently and returns what each answered or why it did
not; only when none answered does the caller raise, with :func:`combine_errors` listing each.
``read_first`` asks them concurrently too but wants one answer: the first that arrives wins and
the others are cancelled, so offline it fails as fast as the fastest failure, not their sum.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from powertrader_core.errors import (
    ConfigurationError,
    ExchangeAuthenticationError,
    ExchangeConnectionError,
    ExchangeError,
    ExchangeRateLimitError,
)
from powertrader_core.exchange import AbstractExchange
from powertrader_core.manager.health import CircuitState, HealthTracker
from powertrader_core.manager.venues import VenuePool
from powertrader_core.retry import RetryPolicy, as_exchange_error, bounded_read, mapped

__all__ = ["Caller", "FanOut", "combine_errors"]

log = logging.getLogger("powertrader_core.manager")

T = TypeVar("T")


@dataclass
class FanOut(Generic[T]):
    """What a fan-out call got: each exchange's answer, or the error that stood in for it."""

    operation: str
    results: dict[str, T] = field(default_factory=dict)
    errors: dict[str, ExchangeError] = field(default_factory=dict)

    def require_results(self, subject: str = "", operation: str | None = None) -> dict[str, T]:
        """The answers; when there is none, one error that lists every exchange's reason."""
        if not self.results:
            raise combine_errors(self.errors, operation or self.operation, subject)
        return self.results


def _common_type(errors: Iterable[ExchangeError]) -> type[ExchangeError]:
    """The most specific class of our hierarchy that every error is an instance of."""
    items = list(errors)
    for cls in type(items[0]).__mro__:
        if (
            isinstance(cls, type)
            and issubclass(cls, ExchangeError)
            and cls.__module__ == ExchangeError.__module__
            and all(isinstance(item, cls) for item in items)
        ):
            return cls
    return ExchangeError


def combine_errors(
    errors: Mapping[str, ExchangeError], operation: str, subject: str = ""
) -> ExchangeError:
    """One error for a call where every exchange failed, listing each and its reason.

    Its class is the most specific one all the failures share (every one a connection error:
    ``ExchangeConnectionError``), so callers catch it as they would a single failure. The
    individual errors are kept on it as ``.failures`` (name -> error).
    """
    what = f" for {subject}" if subject else ""
    if not errors:
        return ConfigurationError(f"no exchange available{what}", operation=operation)
    cls = _common_type(errors.values())
    parts = [
        str(error) if error.exchange == name else f"{name}: {error}"
        for name, error in errors.items()
    ]
    count = "the only exchange" if len(errors) == 1 else f"all {len(errors)} exchanges"
    combined = cls(f"{count} failed{what}: " + "; ".join(parts), operation=operation)
    if isinstance(combined, ExchangeRateLimitError):
        waits = [e.retry_after for e in errors.values() if isinstance(e, ExchangeRateLimitError)]
        known = [w for w in waits if w is not None]
        combined.retry_after = min(known) if known else None
    if isinstance(combined, ExchangeConnectionError):
        sent = [getattr(e, "request_sent", None) for e in errors.values()]
        combined.request_sent = False if all(s is False for s in sent) else None
    cast(Any, combined).failures = dict(errors)
    return combined


class Caller:
    """Calls into exchanges on behalf of one manager (see the module docstring)."""

    def __init__(
        self,
        pool: VenuePool,
        health: HealthTracker,
        retry: RetryPolicy,
        timeout: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.pool = pool
        self.health = health
        self.retry = retry
        self.timeout = timeout
        self.sleep = sleep

    # ---- refusals before anything is sent ---------------------------------------------------

    def prepare(self, name: str, operation: str, *, private: bool) -> AbstractExchange:
        """Build the exchange; for a private call, refuse it when it has no credentials."""
        try:
            exchange = self.pool.build(name)
        except ExchangeError as error:
            self.health.record_failure(name, error)
            raise
        unreadable = self.pool.unreadable.get(name)
        if private and unreadable is not None:
            reason = f"credentials cannot be read: {unreadable.message}"
            self.health.note(name, "private_calls", f"skipped: {reason}")
            raise ConfigurationError(reason, exchange=name, operation=operation)
        if private and not exchange.has_credentials:
            problems = type(exchange).check_config(exchange.config) or [
                f"needs {', '.join(type(exchange).required_credentials)}"
            ]
            reason = "no credentials configured (" + "; ".join(problems) + ")"
            self.health.note(name, "private_calls", f"skipped: {reason}")
            raise ExchangeAuthenticationError(
                f"{reason}; private calls are skipped", exchange=name, operation=operation
            )
        if private:
            self.health.note(name, "private_calls", None)
        return exchange

    def _prepare_all(
        self, names: Iterable[str], operation: str, *, private: bool
    ) -> tuple[list[str], dict[str, ExchangeError]]:
        """:meth:`prepare` each of ``names``: those ready, and the refused with their reasons."""
        ready: list[str] = []
        refused: dict[str, ExchangeError] = {}
        for name in names:
            try:
                self.prepare(name, operation, private=private)
            except ExchangeError as error:
                refused[name] = error
            else:
                ready.append(name)
        return ready, refused

    def circuit_open(self, name: str, operation: str) -> ExchangeConnectionError:
        breaker = self.health.get(name).breaker
        return ExchangeConnectionError(
            f"circuit open after {breaker.failures} consecutive failures; "
            f"next probe in {breaker.retry_in():.1f} s",
            exchange=name,
            operation=operation,
            request_sent=False,
        )

    # ---- reads ----------------------------------------------------------------------------------

    async def read(
        self,
        name: str,
        operation: str,
        fn: Callable[[AbstractExchange], Awaitable[T]],
        *,
        private: bool = False,
    ) -> T:
        """One read from one exchange: bounded, retried, recorded."""
        self.prepare(name, operation, private=private)
        return await self._read_prepared(name, operation, fn)

    async def _read_prepared(
        self, name: str, operation: str, fn: Callable[[AbstractExchange], Awaitable[T]]
    ) -> T:
        if not self.health.allow(name):
            raise self.circuit_open(name, operation)
        latencies: list[float] = []

        async def attempt() -> T:
            exchange = await mapped(name, "initialize", lambda: self.pool.acquire(name))
            start = time.perf_counter()
            result = await fn(exchange)
            latencies.append((time.perf_counter() - start) * 1000)
            return result

        try:
            result = await bounded_read(
                name, operation, attempt, self.retry, seconds=self.timeout(), sleep=self.sleep
            )
        except ExchangeError as error:
            self.health.record_failure(name, error)
            log.info("%s", error)
            raise
        except BaseException:
            self.health.release(name)  # cancelled: a half-open probe must not stay claimed
            raise
        self.health.record_success(name, latencies[-1] if latencies else None)
        return result

    async def read_all(
        self,
        names: Iterable[str],
        operation: str,
        fn: Callable[[AbstractExchange], Awaitable[T]],
        *,
        private: bool = False,
    ) -> FanOut[T]:
        """The same read from every exchange in ``names``, concurrently.

        Every exchange is built first: building may import a plugin's library (seconds, on
        the event loop), which must not eat into the others' timeouts.
        """
        ready, refused = self._prepare_all(names, operation, private=private)
        outcome: FanOut[T] = FanOut(operation, errors=refused)

        async def one(name: str) -> tuple[str, T | ExchangeError]:
            try:
                return name, await self._read_prepared(name, operation, fn)
            except ExchangeError as error:
                return name, error

        for name, value in await asyncio.gather(*(one(n) for n in ready)):
            if isinstance(value, ExchangeError):
                outcome.errors[name] = value
            else:
                outcome.results[name] = value
        return outcome

    async def read_first(
        self,
        names: Iterable[str],
        operation: str,
        fn: Callable[[AbstractExchange], Awaitable[T]],
        *,
        subject: str = "",
    ) -> T:
        """The first answer of ``names`` asked together; the rest are cancelled.

        When every exchange fails, one error lists each reason (:func:`combine_errors`).
        """
        ready, errors = self._prepare_all(names, operation, private=False)
        tasks = {
            asyncio.ensure_future(self._read_prepared(name, operation, fn)): name
            for name in ready
        }
        try:
            pending = set(tasks)
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in sorted(done, key=lambda t: ready.index(tasks[t])):
                    failure = task.exception()
                    if failure is None:
                        return task.result()
                    if not isinstance(failure, ExchangeError):
                        raise failure
                    errors[tasks[task]] = failure
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        raise combine_errors(dict(sorted(errors.items())), operation, subject)

    # ---- writes ---------------------------------------------------------------------------------

    async def ready(self, name: str, operation: str, *, private: bool = True) -> AbstractExchange:
        """An exchange ready for a (private) write: credentials, circuit not open, initialised."""
        self.prepare(name, operation, private=private)
        if self.health.get(name).breaker.state is CircuitState.OPEN:
            raise self.circuit_open(name, operation)
        try:
            return await bounded_read(
                name,
                "initialize",
                lambda: self.pool.acquire(name),
                self.retry,
                seconds=self.timeout(),
                sleep=self.sleep,
            )
        except ExchangeError as error:
            self.health.record_failure(name, error)
            raise

    async def send(
        self,
        exchange: AbstractExchange,
        operation: str,
        fn: Callable[[], Awaitable[T]],
        *,
        judge_failures: bool = True,
    ) -> T:
        """One write, one attempt, bounded and recorded. Never retried here.

        ``judge_failures=False``: a failure is left for the caller to record, because only
        what follows says whether the exchange failed (an order found by its client id after
        a lost answer was placed: a success for health, not a circuit-breaker failure)."""
        name = exchange.name
        seconds = self.timeout()
        start = time.perf_counter()
        try:
            async with asyncio.timeout(seconds):
                result = await fn()
        except TimeoutError as exc:
            error: ExchangeError = ExchangeConnectionError(
                f"no answer within {seconds:g} s; it may have reached the exchange",
                exchange=name,
                operation=operation,
                request_sent=None,
            )
            if judge_failures:
                self.health.record_failure(name, error)
            raise error from exc
        except ExchangeError as exc:
            if judge_failures:
                self.health.record_failure(name, exc)
            raise
        except Exception as exc:
            error = as_exchange_error(exc, name, operation)
            if judge_failures:
                self.health.record_failure(name, error)
            raise error from exc
        self.health.record_success(name, (time.perf_counter() - start) * 1000)
        return result
