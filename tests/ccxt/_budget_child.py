"""A second process on the same key, for ``test_kraken_budget.py``: ``n`` private reads
against the simulator at ``base_url``; prints how many were refused and when it finished (as
JSON). With a fourth argument ``--barrier`` it prints ``ready`` once its exchange is ready and
starts the reads when a line arrives on stdin: the test releases every child together once all
are ready, so it measures the budget and not the interpreters' start-up (however long that
takes on a busy machine)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from powertrader_ccxt import KrakenExchange

from powertrader_core.errors import ExchangeRateLimitError
from tests.cassette_support import TEST_SECRETS


async def main(base_url: str, markets: str, n: int, barrier: bool = False) -> None:
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
        if barrier:
            await exchange.initialize()
            print("ready", flush=True)
            await asyncio.to_thread(sys.stdin.readline)
        for _ in range(n):
            try:
                await exchange.get_balance()
            except ExchangeRateLimitError:
                refused += 1
    print(json.dumps({"refused": refused, "finished_at": time.time()}))


if __name__ == "__main__":
    barrier = sys.argv[4:] == ["--barrier"]
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), barrier))
