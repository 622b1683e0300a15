"""A process that places one order and never learns its outcome (the parent kills it).

Run as ``python -m tests.order_safety._child`` with a JSON object on stdin: ``config`` (the
Kraken exchange's configuration, pointing at the parent's simulator), ``journal`` (the journal
file), ``order`` (the OrderRequest's fields) and ``timeout`` (the manager's exchange timeout,
which is also the AddOrder deadline it journals: Kraken's shortest, 3 s, by default). The
parent kills the process between the journal's intent and its outcome, well before that.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from powertrader_core import OrderRequest
from powertrader_core.manager.facade import MultiExchangeManager
from tests.manager.fakes import DictConfig, settings


async def _main(job: dict[str, Any]) -> None:
    manager = MultiExchangeManager(
        DictConfig({"kraken": job["config"]}),
        settings(exchange_timeout=job.get("timeout", 3.0), journal_path=job["journal"]),
        ["kraken"],
    )
    async with manager:
        await manager.place_order(OrderRequest(**job["order"]), exchange="kraken")


if __name__ == "__main__":
    asyncio.run(_main(json.loads(sys.stdin.read())))
