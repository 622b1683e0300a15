"""Acme's documented request budget, as data for the core's rate limiter.

Copy the figures from the exchange's documentation and cite it beside each pool. Acme's
(made-up) page says: public endpoints, 20 requests a second per IP; private endpoints, a
bucket of 50 per API key refilled at 10 a second; orders cost 2.
"""

from __future__ import annotations

from powertrader_core.kit import Budget, Pool

DOCS = "https://docs.acme.example/rate-limits"

BUDGET = Budget.of(
    "acme",
    # "20 requests per second per IP": a window; the limiter never lets more through
    Pool.window("public", 20, 1, scope="ip", source=f"{DOCS}#public"),
    # "a bucket of 50 per API key, refilled at 10 per second": a bucket, as written
    Pool("private", capacity=50, per_second=10, scope="key", source=f"{DOCS}#private"),
)
ORDER_COST = 2  # "orders cost 2" (same page)
