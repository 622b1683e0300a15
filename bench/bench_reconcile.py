"""reconcile() of fifty unsettled Kraken entries: requests and seconds, batched vs one by one.

A crash left fifty entries ``unknown`` in the journal (their AddOrder deadlines passed): thirty
orders are at the exchange among seventy other closed orders of the account, twenty never
arrived. The Kraken simulator (``tests/simulators``) answers 20 ms after each request, pages
ClosedOrders by 50 and takes at most 50 txids in QueryOrders, as Kraken documents.

- batched: the manager as shipped (``orders/batch.py``: one OpenOrders and the ClosedOrders
  pages per look, two looks for the absence check);
- baseline, in the same run: the same journal settled one entry at a time (the plugin's
  ``find_orders`` refused, as on an exchange that cannot batch).

Both with the plugin's request spacing at 5 ms, so the seconds are the round trips and the
absence check's pause (0.5 s); under Kraken's per-key counter (Starter: 15, decaying 0.33/s)
the one-by-one requests would also wait for the budget, the batched ones fit in its burst.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _harness import Figure

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from powertrader_core import NotSupportedError, OrderJournal, OrderRequest  # noqa: E402
from powertrader_core.manager.facade import MultiExchangeManager  # noqa: E402
from powertrader_core.settings import Settings  # noqa: E402
from tests.cassette_support import TEST_SECRETS  # noqa: E402
from tests.simulators.kraken import KrakenSimulator  # noqa: E402

ENTRIES = 50
PRESENT = 30
OTHERS = 70
LISTS = ("OpenOrders", "ClosedOrders", "QueryOrders")


class _Config:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def load_exchange_config(self, exchange_name: str) -> dict[str, Any]:
        return dict(self.config)


def _at_kraken(sim: KrakenSimulator, cid: str | None) -> None:
    params = {"pair": "XBTUSD", "type": "buy", "ordertype": "market", "volume": "0.001"}
    if cid is not None:
        params["cl_ord_id"] = cid
    sim.book.add_order(params)


async def _settle(folder: Path, batched: bool) -> tuple[int, float]:
    """Requests and seconds of one reconcile() over a fresh simulator and journal."""
    from powertrader_ccxt import KrakenExchange

    async with KrakenSimulator() as sim:
        sim.latency = 0.020
        for _ in range(OTHERS):
            _at_kraken(sim, None)
        journal_path = folder / f"journal-{batched}.sqlite3"
        past = datetime.now(UTC) - timedelta(seconds=5)
        async with OrderJournal(journal_path) as journal:
            for index in range(ENTRIES):
                order = OrderRequest(symbol="BTC-USD", side="buy", amount="0.001",
                                     deadline=past)
                await journal.record_intent(order, "kraken")
                await journal.mark_unknown(order.client_order_id, "kraken", "crashed")
                if index < PRESENT:
                    _at_kraken(sim, order.client_order_id)
        config = {**TEST_SECRETS, "base_url": sim.base_url, "rate_limit_ms": 5,
                  "markets_cache_dir": str(folder / "markets")}
        settings = Settings(live_trading=True, exchange_timeout=5, journal_path=journal_path)
        original = KrakenExchange.find_orders
        if not batched:
            async def refuse(self: Any, *args: Any, **kwargs: Any) -> Any:
                raise NotSupportedError("one by one", exchange="kraken")

            KrakenExchange.find_orders = refuse  # type: ignore[method-assign]
        try:
            async with MultiExchangeManager(_Config(config), settings, ["kraken"]) as manager:
                await manager.get_exchange("kraken")  # markets loaded before timing
                before = sum(sim.count(path) for path in LISTS)
                started = time.perf_counter()
                summary = await manager.reconcile()
                seconds = time.perf_counter() - started
        finally:
            KrakenExchange.find_orders = original  # type: ignore[method-assign]
        assert len(summary.found) == PRESENT and len(summary.absent) == ENTRIES - PRESENT, summary
        return sum(sim.count(path) for path in LISTS) - before, seconds


async def _measure() -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        requests, seconds = await _settle(Path(folder), batched=True)
        one_requests, one_seconds = await _settle(Path(folder), batched=False)
    what = f"reconcile() of {ENTRIES} Kraken entries ({PRESENT} found, {ENTRIES - PRESENT} absent)"
    return [
        Figure(f"{what}, requests", requests, one_requests, "requests", "one by one"),
        Figure(f"{what}, seconds (20 ms away)", seconds, one_seconds, "s", "one by one"),
    ]


def run() -> list[Figure]:
    return asyncio.run(_measure())


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
