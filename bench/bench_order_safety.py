"""What order safety costs: the journal's commits on every order, and reconciliation.

An in-process venue answers after 50 ms (``asyncio.sleep``: an order's REST round trip
without the network's noise). In the same run, interleaved:

- one order through ``place_order`` (intent and outcome committed to the journal, with
  ``synchronous = FULL``), against the same order sent by the manager's bare send path
  (``Caller.send``: bounded and health-recorded, no journal). Goal: at most 1.25 times;
- fifty orders at once through one manager (the journal's group commit shares fsyncs),
  against fifty bare sends at once;
- ``reconcile()`` of fifty unsettled entries (each found by client order id, eight lookups at
  a time), against fifty ``get_order`` calls made directly on the venue, eight at a time.

Journal files live in a temporary folder; the disk is the machine's own.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from _harness import Figure

from powertrader_core import (
    AbstractExchange,
    ExchangeFactory,
    MarketData,
    OrderNotFoundError,
    OrderRequest,
    OrderResult,
)
from powertrader_core.manager.facade import MultiExchangeManager
from powertrader_core.settings import Settings

LATENCY = 0.050
REPEAT = 15
BATCH = 50


class _Venue(AbstractExchange):
    name = "bench_safety_venue"
    regions: ClassVar[Sequence[str]] = ("us", "eu", "global")
    orders: ClassVar[dict[str, OrderResult]] = {}

    async def initialize(self) -> bool:
        return True

    async def get_market_data(self, symbol: str) -> MarketData:
        return MarketData(symbol, 100, 99, 101, 1, exchange=self.name)

    async def place_order(self, order_request: OrderRequest) -> OrderResult:
        await asyncio.sleep(LATENCY)
        result = OrderResult(
            order_id=f"B-{len(self.orders) + 1}", status="open",
            client_order_id=order_request.client_order_id, exchange=self.name,
            symbol=order_request.symbol, side=order_request.side, amount=order_request.amount,
        )
        self.orders[order_request.client_order_id] = result
        return result

    async def get_order(
        self, order_id: str | None = None, symbol: str | None = None, *,
        client_order_id: str | None = None,
    ) -> OrderResult:
        await asyncio.sleep(LATENCY)
        found = self.orders.get(client_order_id or "")
        if found is None:
            raise OrderNotFoundError("no such order", exchange=self.name)
        return found

    async def get_balance(self, asset: str | None = None) -> dict[str, Decimal]:
        return {}


class _NoConfig:
    def load_exchange_config(self, exchange_name: str) -> dict[str, Any]:
        return {}


def _order() -> OrderRequest:
    return OrderRequest(symbol="BTC-USD", side="buy", amount="1")


async def _bare_send(manager: MultiExchangeManager, venue: AbstractExchange) -> OrderResult:
    """The order sent as order safety sends it, without the journal: one bounded attempt."""
    order = _order()
    return await manager._caller.send(venue, "place_order", lambda: venue.place_order(order))


async def _timed(make: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await make()
    return time.perf_counter() - start


async def _measure(folder: Path) -> list[Figure]:
    settings = Settings(live_trading=True, exchange_timeout=5, journal_path=folder / "j.sqlite3")
    name = _Venue.name
    single: list[float] = []
    bare: list[float] = []
    many: list[float] = []
    many_bare: list[float] = []
    async with MultiExchangeManager(_NoConfig(), settings, [name]) as manager:
        venue = await manager.get_exchange(name)
        await manager.place_order(_order(), exchange=name)  # journal opened, start-up done
        for _ in range(REPEAT):
            single.append(await _timed(lambda: manager.place_order(_order(), exchange=name)))
            bare.append(await _timed(lambda: _bare_send(manager, venue)))
        for _ in range(3):
            many.append(await _timed(lambda: asyncio.gather(
                *(manager.place_order(_order(), exchange=name) for _ in range(BATCH)))))
            many_bare.append(await _timed(lambda: asyncio.gather(
                *(_bare_send(manager, venue) for _ in range(BATCH)))))
        # fifty entries left unsettled (as a crash would), then settled
        orders = [_order() for _ in range(BATCH)]
        for order in orders:
            await manager.journal.record_intent(order, name)
            await venue.place_order(order)
        settle = await _timed(lambda: manager.reconcile(refresh_open=False))
        limit = asyncio.Semaphore(8)

        async def lookup(order: OrderRequest) -> OrderResult:
            async with limit:
                return await venue.get_order(client_order_id=order.client_order_id)

        direct = await _timed(lambda: asyncio.gather(*(lookup(o) for o in orders)))
    return [
        Figure("place_order with the journal (50 ms venue)", statistics.median(single) * 1000,
               statistics.median(bare) * 1000, "ms", "bare send path", "<= 1.25"),
        Figure(f"{BATCH} orders at once with the journal", statistics.median(many) * 1000,
               statistics.median(many_bare) * 1000, "ms", f"{BATCH} bare sends at once"),
        Figure(f"reconcile() of {BATCH} unsettled entries", settle * 1000, direct * 1000, "ms",
               f"{BATCH} direct get_order calls, 8 at a time"),
    ]


def run() -> list[Figure]:
    ExchangeFactory.register_exchange(_Venue.name, _Venue)
    try:
        with tempfile.TemporaryDirectory() as folder:
            return asyncio.run(_measure(Path(folder)))
    finally:
        ExchangeFactory.unregister_exchange(_Venue.name)


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
