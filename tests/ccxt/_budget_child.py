"""A second process on the same key, for ``test_kraken_budget.py``: ``n`` private reads
against the simulator at ``base_url``; prints how many were refused and when it finished (as
JSON). With a fourth argument, a wall-clock time, the reads start then (after the exchange is
ready), so a test measures the budget and not the interpreters' start-up."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from powertrader_ccxt import KrakenExchange

from powertrader_core.errors import ExchangeRateLimitError
from tests.cassette_support import TEST_SECRETS


async def main(base_url: str, markets: str, n: int, start_at: float | None = None) -> None:
    config = {
        "api_key": TEST_SECRETS["api_key"],
        "api_secret": TEST_SECRETS["api_secret"],
        "base_url": base_url,
        "markets_cache_dir": str(Path(markets)),
        "tier": "pro",
        "timeout": 10,
    }
    refused = 0
    async with KrakenExchange(config) as exchange:
        if start_at is not None:
            await exchange.initialize()
            await asyncio.sleep(max(0.0, start_at - time.time()))
        for _ in range(n):
            try:
                await exchange.get_balance()
            except ExchangeRateLimitError:
                refused += 1
    print(json.dumps({"refused": refused, "finished_at": time.time()}))


if __name__ == "__main__":
    start = float(sys.argv[4]) if len(sys.argv) > 4 else None
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), start))
