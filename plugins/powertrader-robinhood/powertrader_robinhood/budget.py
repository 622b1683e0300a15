"""Robinhood's documented request budget, for the core's rate limiter.

Robinhood meters each account with a token bucket: 100 requests a minute, bursts up to 300
("Rate Limiting", docs.robinhood.com/crypto/trading/#section/Rate-Limiting; reference [R1]).
It also says limits apply per endpoint and "will fluctuate"; one bucket for every endpoint is
the conservative reading, and ``rate_limit_per_minute`` / ``rate_limit_burst`` in the
configuration follow a change without a release. Every call is signed (there are no public
endpoints), so the bucket is the key's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from powertrader_core.kit import Budget, Pool

__all__ = ["BUDGET", "DEFAULT_BURST", "DEFAULT_PER_MINUTE", "POOL", "budget_from_config"]

DEFAULT_PER_MINUTE = 100
DEFAULT_BURST = 300
POOL = "account"
_SOURCE = "[R1] docs.robinhood.com/crypto/trading/#section/Rate-Limiting: 100/min, burst 300"


def _pool(per_minute: float, burst: float, source: str) -> Pool:
    return Pool(POOL, capacity=burst, per_second=per_minute / 60, scope="key", source=source)


BUDGET = Budget.of("robinhood", _pool(DEFAULT_PER_MINUTE, DEFAULT_BURST, _SOURCE))


def budget_from_config(config: Mapping[str, Any]) -> Budget:
    """:data:`BUDGET`, or the figures the configuration gives instead."""
    per_minute = float(config.get("rate_limit_per_minute") or DEFAULT_PER_MINUTE)
    burst = float(config.get("rate_limit_burst") or DEFAULT_BURST)
    if (per_minute, burst) == (DEFAULT_PER_MINUTE, DEFAULT_BURST):
        return BUDGET
    return Budget.of("robinhood", _pool(per_minute, burst, "configuration"))
