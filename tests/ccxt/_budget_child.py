"""A second process on the same key, for ``test_kraken_budget.py``: ``n`` private reads
against the simulator at ``base_url``; prints how many were refused (as JSON)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from powertrader_ccxt import KrakenExchange

from powertrader_core.errors import ExchangeRateLimitError
from tests.cassette_support import TEST_SECRETS


async def main(base_url: str, markets: str, n: int) -> None:
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
        for _ in range(n):
            try:
                await exchange.get_balance()
            except ExchangeRateLimitError:
                refused += 1
    print(json.dumps({"refused": refused}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
