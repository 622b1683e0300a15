"""Every ccxt request through the core's rate limiter, charged as its exchange documents.

:func:`meter_for` picks the exchange's budget (``budgets.py``: its row, on the configured
``tier``; ``rate_limit_ms`` replaces it; an exchange without a row gets ccxt's own spacing as a
bucket) and builds a :class:`Meter`. ``client.py`` calls :meth:`Meter.before` in its wrapper
around ccxt's ``fetch2`` (where ccxt would call its own throttler, which is off: requests are
not spaced twice), and :meth:`Meter.after` / :meth:`Meter.refused` with what came back, so
the bucket adopts what the exchange says is left:

- a used-weight header (Binance ``X-MBX-USED-WEIGHT-1M``): that many units are spent;
- a rate-limit refusal (HTTP 429, Kraken's ``EAPI:Rate limit exceeded``): with
  ``Retry-After``, nothing leaves the charged pools before then; without, they are full.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from powertrader_ccxt.budgets import Charges, VenueBudget, ccxt_budget, override_budget
from powertrader_ccxt.profiles import ExchangeProfile
from powertrader_ccxt.settings import CcxtSettings
from powertrader_core.kit import RateLimiter, parse_retry_after

__all__ = ["Meter", "meter_for"]


class Meter:
    """A limiter and the budget it enforces, for one ccxt client."""

    def __init__(self, limiter: RateLimiter, venue: VenueBudget) -> None:
        self.limiter = limiter
        self.venue = venue

    async def before(self, api: Any, method: str, path: str, params: Mapping[str, Any]) -> tuple[
        Charges, float
    ]:
        """Wait for the request's charges; ``(charges, seconds waited)``."""
        charges = self.venue.charges(api, method, path, params)
        return charges, await self.limiter.acquire_all(charges)

    async def after(self, headers: Mapping[str, Any] | None) -> None:
        if not headers or not self.venue.used_headers:
            return
        lowered = {str(k).lower(): v for k, v in headers.items()}
        for header, pool in self.venue.used_headers:
            value = lowered.get(header)
            if value is None:
                continue
            try:
                used = float(value)
            except (TypeError, ValueError):
                continue
            await self.limiter.adopt_used(pool, used)

    async def refused(self, charges: Charges, headers: Mapping[str, Any] | None) -> None:
        """The exchange refused the request for its rate limit."""
        retry_after = parse_retry_after(dict(headers or {}))
        for pool, _ in charges:
            if retry_after is not None:
                await self.limiter.adopt_retry_after(pool, retry_after)
            else:
                await self.limiter.adopt_exhausted(pool)


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
