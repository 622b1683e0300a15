"""Every ccxt request through the core's rate limiter, charged as its exchange documents.

:func:`meter_for` picks the exchange's budget (``budgets.py``: its row, on the configured
``tier``; ``rate_limit_ms`` replaces it; an exchange without a row gets ccxt's own spacing as a
bucket) and builds a :class:`Meter`. ``client.py`` calls :meth:`Meter.before` in its wrapper
around ccxt's ``fetch2`` (where ccxt would call its own throttler, which is off: requests are
not spaced twice), and :meth:`Meter.after` / :meth:`Meter.refused` with what came back, so
the bucket adopts what the exchange says is left:

- a used-weight header (Binance ``X-MBX-USED-WEIGHT-1M``): that many units are spent;
- headers saying what is left and when it resets (KuCoin ``gw-ratelimit-*``, Bybit
  ``X-Bapi-Limit-*``: ``VenueBudget.left_headers``), for the pools the request was charged;
- a rate-limit refusal (HTTP 429, Kraken's ``EAPI:Rate limit exceeded``, KuCoin ``429000``,
  Bybit ``10006``): with ``Retry-After`` (or, without, the reset the left-headers give),
  nothing leaves the charged pools before then; with neither, they are full.

Every wait an answer imposes is at most ``MAX_RETRY_AFTER`` (the core's limiter cuts and logs
a longer one). A header that cannot be read is ignored: our own count stands.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from powertrader_ccxt.budgets import (
    Charges,
    LimitHeaders,
    VenueBudget,
    ccxt_budget,
    override_budget,
)
from powertrader_ccxt.profiles import ExchangeProfile
from powertrader_ccxt.settings import CcxtSettings
from powertrader_core.kit import RateLimiter, parse_retry_after

__all__ = ["Meter", "meter_for"]


class Meter:
    """A limiter and the budget it enforces, for one ccxt client."""

    def __init__(
        self, limiter: RateLimiter, venue: VenueBudget, *, wall: Callable[[], float] = time.time
    ) -> None:
        self.limiter = limiter
        self.venue = venue
        self._wall = wall  # Unix time, for resets given as a timestamp (Bybit)

    async def before(self, api: Any, method: str, path: str, params: Mapping[str, Any]) -> tuple[
        Charges, float
    ]:
        """Wait for the request's charges; ``(charges, seconds waited)``."""
        charges = self.venue.charges(api, method, path, params)
        return charges, await self.limiter.acquire_all(charges)

    async def after(self, headers: Mapping[str, Any] | None, charges: Charges = ()) -> None:
        """An answer came back: adopt what its headers say is spent or left."""
        if not headers:
            return
        lowered = {str(k).lower(): v for k, v in headers.items()}
        for header, pool in self.venue.used_headers:
            used = _number(lowered.get(header))
            if used is not None:
                await self.limiter.adopt_used(pool, used)
        left = self._left(lowered)
        if left is not None:
            remaining, reset_in = left
            for pool in self._described(charges):
                await self.limiter.adopt_remaining(pool, remaining, reset_in)

    async def refused(self, charges: Charges, headers: Mapping[str, Any] | None) -> None:
        """The exchange refused the request for its rate limit."""
        lowered = {str(k).lower(): v for k, v in (headers or {}).items()}
        retry_after = parse_retry_after(lowered)
        left = self._left(lowered)
        described = set(self._described(charges))
        for pool, _ in charges:
            wait = retry_after
            if wait is None and left is not None and left[1] is not None and pool in described:
                wait = left[1]  # KuCoin's 429000 says when its quota resets, not Retry-After
            if wait is not None:
                await self.limiter.adopt_retry_after(pool, wait)
            else:
                await self.limiter.adopt_exhausted(pool)

    def _described(self, charges: Charges) -> list[str]:
        """The charged pools the venue's left-headers describe."""
        spec = self.venue.left_headers
        if spec is None:
            return []
        return [pool for pool, _ in charges if pool not in spec.skip_pools]

    def _left(self, lowered: Mapping[str, Any]) -> tuple[float, float | None] | None:
        """``(units left, seconds until the reset or None)`` from the answer's headers, or
        None when the venue has no such headers or they are missing or garbled."""
        spec: LimitHeaders | None = self.venue.left_headers
        if spec is None:
            return None
        remaining = _number(lowered.get(spec.remaining))
        if remaining is None or remaining < 0:
            return None
        limit = _number(lowered.get(spec.limit))
        if limit is not None and remaining > limit:
            return None  # more left than the window holds: not a reading to trust
        reset = _number(lowered.get(spec.reset))
        if reset is None:
            return remaining, None
        if spec.reset_unit == "epoch_ms":
            reset_in = reset / 1000.0 - self._wall()
        else:
            reset_in = reset / 1000.0
        return remaining, max(0.0, reset_in)


def _number(value: Any) -> float | None:
    """A header's value as a finite number, or None."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def budget_for(profile: ExchangeProfile, settings: CcxtSettings, rate_limit_ms: float) -> (
    VenueBudget
):
    """The budget a client of ``profile`` enforces (see the module docstring)."""
    if settings.rate_limit_ms is not None:
        return override_budget(profile.ccxt_id, settings.rate_limit_ms)
    venue = profile.budget or ccxt_budget(profile.ccxt_id, rate_limit_ms)
    return venue.for_tier(settings.tier)  # a tier the budget does not know is refused


def meter_for(
    profile: ExchangeProfile, settings: CcxtSettings, rate_limit_ms: float
) -> Meter | None:
    """The meter for a client, or None when rate limiting is off (``rate_limit: false``)."""
    if not settings.rate_limit:
        return None
    venue = budget_for(profile, settings, rate_limit_ms)
    return Meter(RateLimiter(venue.budget, settings.api_key), venue)
