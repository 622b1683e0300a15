"""A second process for the sharing tests: draws ``n`` grants from a file-store bucket and
prints the wall-clock time of each (run as ``python -m tests.ratelimit._worker``)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from powertrader_core.kit import Budget, FileStore, Pool, RateLimiter

BUDGET = Budget.of("shared-test", Pool("private", capacity=5, per_second=50))


async def main(folder: str, n: int, start_at: float) -> None:
    limiter = RateLimiter(BUDGET, "the-same-key", store=FileStore(Path(folder)))
    await asyncio.sleep(max(0.0, start_at - time.time()))
    times = []
    for _ in range(n):
        await limiter.acquire("private")
        times.append(time.time())
    print(json.dumps(times))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3])))
