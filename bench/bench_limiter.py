"""The core rate limiter's own cost per request, beside a baseline measured in the same run.

1. One process, buckets in the machine-wide file store (the default: locked file under the
   cache folder) against the same limiter on an in-process memory store. Goal: <= 50 us a
   request (one process must not pay for the sharing).
2. Two processes drawing from one bucket at the same time (every grant contends for the same
   file lock): the cost per request in the slower of the two, against figure 1's single-process
   cost. Goal: <= 0.4 ms a request (2 % of a 20 ms round trip).

The budget is large enough that no request waits: what is measured is the limiter itself
(charging, locking, reading, writing), never a rate-limit wait. Folders are temporary.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _harness import Figure

REPO = Path(__file__).resolve().parent.parent
REQUESTS = 20_000
ROUNDS = 5

_WORKER = """
import asyncio, json, sys, time
from pathlib import Path
from powertrader_core.kit import Budget, FileStore, MemoryStore, Pool, RateLimiter

BUDGET = Budget.of("bench", Pool("private", capacity=1e12, per_second=1e12))

async def main(kind, folder, n, start_at):
    store = FileStore(Path(folder)) if kind == "file" else MemoryStore()
    limiter = RateLimiter(BUDGET, "bench-key", store=store)
    await limiter.acquire("private")  # opens the file
    while time.time() < start_at:
        await asyncio.sleep(0.001)
    started = time.perf_counter()
    for _ in range(n):
        await limiter.acquire("private")
    print(json.dumps((time.perf_counter() - started) / n))

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))
"""


def _per_request(kind: str, folder: str, processes: int) -> float:
    """Seconds per request in the slowest of ``processes`` started together."""
    start_at = time.time() + 1.0
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, kind, folder, str(REQUESTS), str(start_at)],
            stdout=subprocess.PIPE, text=True, cwd=REPO,
        )
        for _ in range(processes)
    ]
    outputs = [w.communicate(timeout=300)[0] for w in workers]
    if any(w.returncode for w in workers):
        raise RuntimeError("a limiter bench worker failed")
    return max(json.loads(out) for out in outputs)


def _median(kind: str, processes: int) -> float:
    samples = []
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory(prefix="bench-limiter-") as folder:
            samples.append(_per_request(kind, folder, processes))
    return statistics.median(samples)


def run() -> list[Figure]:
    memory = _median("memory", 1)
    single = _median("file", 1)
    shared = _median("file", 2)
    return [
        Figure(
            name=f"limiter cost per request, one process, shared file store (median of "
            f"{ROUNDS} x {REQUESTS})",
            value=single * 1e6,
            baseline=memory * 1e6,
            unit="us",
            baseline_name="same limiter, in-process memory store",
            goal="<= 50 us",
        ),
        Figure(
            name="limiter cost per request, two processes on one bucket at once (slower one)",
            value=shared * 1e6,
            baseline=single * 1e6,
            unit="us",
            baseline_name="one process, shared file store",
            goal="<= 400 us (2 % of a 20 ms round trip)",
        ),
    ]


if __name__ == "__main__":
    os.chdir(REPO)
    for figure in run():
        print(figure.line())
    sys.exit(0)
