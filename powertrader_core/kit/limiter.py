"""The rate limiter every plugin uses: an exchange's documented budget, enforced before sending.

::

    from powertrader_core.kit import Budget, Pool, RateLimiter

    BUDGET = Budget.of("myvenue", Pool("private", capacity=300, per_second=100 / 60,
                                       source="https://docs.myvenue.example/rate-limits"))
    limiter = RateLimiter(BUDGET, api_key)
    await limiter.acquire("private")          # waits only when the bucket is spent

One bucket per (exchange, key, pool): ``"key"`` pools are keyed by a hash of the API key (the
key itself is never kept), ``"ip"`` pools by the machine. Limiters for the same exchange and
key share their buckets through the store (``store_choice.default_store()``: a file store
under the cache folder, so every process on the machine draws from one bucket; with
``POWERTRADER_REDIS_URL``, Redis, so every machine does). Idle time is
credited: after a pause the bucket has drained, and the next request waits 0 ms.

Where an exchange says how much is left, the bucket adopts it: :meth:`RateLimiter.adopt_used`
(Binance's ``X-MBX-USED-WEIGHT-1M``), :meth:`adopt_remaining` (KuCoin's
``gw-ratelimit-remaining`` / ``-reset``, Bybit's ``X-Bapi-Limit-Status`` /
``-Reset-Timestamp``), :meth:`adopt_retry_after` (``Retry-After``, at most
``MAX_RETRY_AFTER``) and :meth:`adopt_exhausted` (Kraken's ``EAPI:Rate limit exceeded``). A
timer that fires early never lets a request out early: the wait loops until the granted time
has come.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from powertrader_core.kit.bucket_store import BucketStore
from powertrader_core.kit.budgets import Budget
from powertrader_core.kit.gcra import Rule
from powertrader_core.kit.retry_after import cap_retry_after
from powertrader_core.kit.store_choice import default_store

__all__ = ["LimiterStats", "RateLimiter", "key_fingerprint"]

Sleep = Callable[[float], Awaitable[object]]


def key_fingerprint(api_key: str | None) -> str:
    """What names a key's buckets without keeping the key: 16 hex digits of its SHA-256."""
    if not api_key:
        return "nokey"
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


@dataclass
class LimiterStats:
    granted: int = 0
    waited: int = 0
    total_wait: float = 0.0


class RateLimiter:
    """Grants requests within ``budget`` for ``api_key`` (None: public calls only).

    ``store``: where bucket state lives (default: shared by the machine's processes).
    ``sleep`` and ``clock`` are injectable for tests; the clock only measures waits.
    """

    def __init__(
        self,
        budget: Budget,
        api_key: str | None = None,
        *,
        store: BucketStore | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.budget = budget
        self._store = store if store is not None else default_store()
        self._sleep = sleep
        self._clock = clock
        who = key_fingerprint(api_key)
        self._buckets: dict[str, tuple[str, Rule]] = {
            name: (f"{budget.exchange}|{who if pool.scope == 'key' else 'ip'}|{name}", pool.rule())
            for name, pool in budget.pools.items()
        }
        self.stats = LimiterStats()

    def __repr__(self) -> str:  # the key is in no field, but say so plainly
        return f"RateLimiter({self.budget.exchange!r}, tier={self.budget.tier!r})"

    def _bucket(self, pool: str) -> tuple[str, Rule]:
        try:
            return self._buckets[pool]
        except KeyError:
            raise ValueError(f"{self.budget.exchange} has no rate-limit pool {pool!r}") from None

    def bucket_key(self, pool: str) -> str:
        """The store's name for ``pool``'s bucket: exchange, key hash (or ``ip``), pool."""
        return self._bucket(pool)[0]

    async def acquire(self, pool: str, cost: float = 1.0) -> float:
        """Wait until ``cost`` units of ``pool`` may be spent; the seconds waited.

        A cancelled waiter keeps its units spent: erring towards fewer requests, never more.
        """
        key, rule = self._bucket(pool)
        delay = await self._store.reserve(key, rule, cost)
        return await self._wait(delay)

    async def acquire_all(self, charges: Iterable[tuple[str, float]]) -> float:
        """Charge several pools for one request (Binance: request weight and order count);
        waits for the latest of their grants. The seconds waited."""
        delay = 0.0
        for pool, cost in charges:
            key, rule = self._bucket(pool)
            delay = max(delay, await self._store.reserve(key, rule, cost))
        return await self._wait(delay)

    async def _wait(self, delay: float) -> float:
        self.stats.granted += 1
        if delay <= 0:
            return 0.0
        self.stats.waited += 1
        self.stats.total_wait += delay
        target = self._clock() + delay
        remaining = delay
        while remaining > 0:  # a timer may fire early: never send before the grant
            await self._sleep(remaining)
            remaining = target - self._clock()
        return delay

    # ---- what the exchange tells us ---------------------------------------------------------

    async def adopt_used(self, pool: str, used: float) -> None:
        """The exchange counts ``used`` units spent in ``pool`` (Binance
        ``X-MBX-USED-WEIGHT-1M``): the bucket is at least that full.

        Past the capacity this becomes a wait: for a window pool (``Pool.window``, capacity
        ``B``, refill ``(L - B) / W``) a level of ``used`` lets at most ``L - used`` through
        before a full window has passed, which is what the exchange has left to give (we do
        not know when its window resets, so we assume the latest)."""
        key, rule = self._bucket(pool)
        await self._store.raise_floor(key, rule, max(0.0, used) * rule.interval)

    async def adopt_retry_after(self, pool: str, seconds: float) -> None:
        """``Retry-After: seconds``: nothing from ``pool`` leaves before then.

        At most :data:`~powertrader_core.kit.retry_after.MAX_RETRY_AFTER` (an hour; a longer
        value is logged and cut): a lying or broken answer must not stall the process for
        years, here or in any plugin that read the wait its own way."""
        seconds = cap_retry_after(seconds, what=f"{self.budget.exchange} {pool} wait")
        key, rule = self._bucket(pool)
        await self._store.raise_floor(key, rule, seconds + rule.tolerance - rule.interval)

    async def adopt_remaining(
        self, pool: str, remaining: float, reset_in: float | None = None
    ) -> None:
        """The exchange says ``remaining`` units of ``pool`` are left until its window resets
        ``reset_in`` seconds from now (KuCoin ``gw-ratelimit-remaining`` / ``-reset``, Bybit
        ``X-Bapi-Limit-Status`` / ``-Reset-Timestamp``).

        Some left: at most that many leave now (the bucket is at least that full; what we
        counted ourselves is never lowered), then it refills at the documented rate (one
        number per bucket cannot hold "n now, none until the reset, then all": the refill
        before the reset is the documented rate's, and a refusal then holds until the reset).
        None left: nothing leaves before the reset (:meth:`adopt_retry_after`, capped), or,
        with no reset given, the bucket is full (:meth:`adopt_exhausted`)."""
        if remaining != remaining:  # NaN: says nothing
            return
        if remaining < 1:
            if reset_in is None:
                await self.adopt_exhausted(pool)
            else:
                await self.adopt_retry_after(pool, reset_in)
            return
        key, rule = self._bucket(pool)
        await self._store.raise_floor(key, rule, rule.tolerance - remaining * rule.interval)

    async def adopt_exhausted(self, pool: str) -> None:
        """The exchange refused for the rate limit (Kraken ``EAPI:Rate limit exceeded``): the
        bucket is full now, and drains from here at the documented rate."""
        key, rule = self._bucket(pool)
        await self._store.raise_floor(key, rule, rule.full)
