"""The live board: what the page shows, kept current, and handed to every open tab.

One board per server. It subscribes once to the manager's price monitoring
(``subscribe_to_price_updates``) and keeps the latest quote per exchange and symbol plus a few
minutes of best bid and ask for the chart. Every update is encoded to JSON once and offered to
each tab's own bounded queue, the same drop-oldest ``Subscription``
(:mod:`powertrader_core.streaming.subscribers`) the monitor gives its subscribers: a slow or
stalled tab loses its oldest updates and never holds up the feed or the other tabs. A tab that
connects (or reconnects) first gets the whole picture (:meth:`LiveBoard.snapshot`), then the
updates. A "tab" here is one event stream: in practice one per browser, whose tabs share
one stream (``static/dashboard.js``, ``connect``).

Besides quotes, a background task refreshes exchange health every ``status_every`` seconds
(no I/O: the manager's tracker and feeds) and balances and recent orders (the order journal)
every ``account_every`` seconds, and right after a paper order placed from the page.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from powertrader_core.web.views import account_record, health_record, quote_record

if TYPE_CHECKING:
    from powertrader_core.manager import MultiExchangeManager
    from powertrader_core.models import MarketData, OrderResult
    from powertrader_core.streaming.subscribers import Subscription

__all__ = ["LiveBoard"]

log = logging.getLogger("powertrader_core.web")

#: Orders shown in the recent orders table.
RECENT_ORDERS = 15
#: The chart's resolution in seconds: one point per exchange and symbol in each step.
CHART_STEP = 0.5
#: Seconds between keep-alive comments on an idle event stream (proxies close silent ones).
KEEPALIVE = 15.0


def _encode(record: Any) -> str:
    return json.dumps(record, separators=(",", ":"), default=str)


class LiveBoard:
    """Quotes, history, health, account and plugins for the page; a queue per open tab.

    ``history_seconds``: how much of the chart is kept; ``tab_queue``: updates a tab may have
    waiting before its oldest is dropped; ``clock``: wall-clock seconds (tests).
    """

    def __init__(
        self,
        manager: MultiExchangeManager,
        symbols: Sequence[str],
        exchanges: Sequence[str],
        *,
        poll_interval: float = 1.0,
        history_seconds: float = 300.0,
        tab_queue: int = 256,
        status_every: float = 1.0,
        account_every: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.manager = manager
        self.symbols = list(symbols)
        self.exchanges = list(exchanges)
        self.poll_interval = poll_interval
        self.history_seconds = history_seconds
        self.tab_queue = tab_queue
        self.status_every = status_every
        self.account_every = account_every
        self._clock = clock
        self.quotes: dict[tuple[str, str], dict[str, Any]] = {}
        self.history: dict[tuple[str, str], deque[tuple[float, float, float]]] = {}
        self.health: list[dict[str, Any]] = []
        self.account: dict[str, Any] = account_record({}, {}, [])
        self.plugins: list[dict[str, Any]] = []
        self._tabs: dict[int, Subscription] = {}
        self._modes: dict[str, str] = {}
        self._price_sub: Subscription | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._account_now = asyncio.Event()
        self.closed = False

    # ---- lifetime -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Subscribe, start monitoring, and start the health and account refreshes."""
        from powertrader_core import MonitorConfig
        from powertrader_core.plugins.registry import plugin_records

        self.plugins = plugin_records()
        self._price_sub = self.manager.subscribe_to_price_updates(self._on_quote)
        config = MonitorConfig(poll_interval=self.poll_interval)
        await self.manager.start_price_monitoring(self.symbols, self.exchanges, config=config)
        self._refresh_health()
        self._tasks = [
            asyncio.create_task(self._health_loop(), name="dashboard health"),
            asyncio.create_task(self._account_loop(), name="dashboard account"),
        ]

    def end_streams(self) -> None:
        """Let every open event stream finish (the server is shutting down)."""
        self.closed = True
        for tab in list(self._tabs.values()):
            tab.end()

    async def stop(self) -> None:
        """End the streams and tasks, unsubscribe and stop monitoring (idempotent)."""
        self.end_streams()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._price_sub is not None:
            self._price_sub.unsubscribe()
            self._price_sub = None
        await self.manager.stop_price_monitoring()

    async def __aenter__(self) -> LiveBoard:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ---- what comes in ------------------------------------------------------------------------

    def _mode(self, exchange: str) -> str | None:
        """Websocket or polling: read once per exchange, then at each health refresh (not per
        quote: the monitor's feed status is built for every feed and subscriber)."""
        if exchange not in self._modes:
            self._read_modes()
        return self._modes.get(exchange)

    def _read_modes(self) -> None:
        for name, feed in self.manager.price_monitor.feed_status().items():
            mode = feed.get("mode")
            if mode is not None:
                self._modes[name] = str(mode)

    def _on_quote(self, exchange: str, symbol: str, data: MarketData) -> None:
        """The monitor's callback: remember the quote, extend the chart, tell every tab.

        The chart keeps at most one point per ``CHART_STEP`` seconds per exchange and symbol
        (the latest), so a chatty websocket cannot make a new tab's snapshot heavy."""
        now = self._clock()
        record = quote_record(exchange, symbol, data, round(now * 1000, 3), self._mode(exchange))
        key = (exchange, symbol)
        self.quotes[key] = record
        points = self.history.setdefault(key, deque())
        point = (round(now * 1000), float(data.bid), float(data.ask))
        if points and point[0] - points[-1][0] < CHART_STEP * 1000:
            points[-1] = point
        else:
            points.append(point)
        horizon = (now - self.history_seconds) * 1000
        while points and points[0][0] < horizon:
            points.popleft()
        self._broadcast(exchange, record)

    def _broadcast(self, key: str, record: dict[str, Any]) -> None:
        text = _encode(record)
        for tab in list(self._tabs.values()):
            tab.offer((key, text))

    def _refresh_health(self) -> None:
        from powertrader_core.factory import ExchangeFactory

        statuses = self.manager.get_exchange_status()
        self._read_modes()
        records = []
        for name in self.exchanges:
            try:
                cls = ExchangeFactory.get_exchange_class(name)
                required: Sequence[str] = cls.required_credentials
            except Exception:  # noqa: BLE001 - an unregistered name still gets its row
                required = ()
            records.append(health_record(name, statuses.get(name, {}), required))
        self.health = records

    async def _health_loop(self) -> None:
        while True:
            await asyncio.sleep(self.status_every)
            try:
                self._refresh_health()
            except Exception:
                log.exception("dashboard: refreshing exchange health failed")
                continue
            self._broadcast("status", {"type": "status", "exchanges": self.health})

    async def refresh_account(self) -> None:
        """Balances of every exchange that can give them, and the journal's recent orders."""
        from powertrader_core.errors import ExchangeError

        balances: dict[str, dict[str, Decimal]] = {}
        failures: dict[str, str] = {}

        async def one(name: str) -> None:
            try:
                balances.update(await self.manager.get_balances(name))
            except ExchangeError as error:
                failures[name] = str(error)

        await asyncio.gather(*(one(name) for name in self.exchanges))
        entries = await self.manager.journal.entries()
        self.account = account_record(balances, failures, reversed(entries[-RECENT_ORDERS:]))
        self._broadcast("account", self.account)

    async def _account_loop(self) -> None:
        while True:
            try:
                await self.refresh_account()
            except Exception:
                log.exception("dashboard: refreshing balances and orders failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.account_every):
                    await self._account_now.wait()
            self._account_now.clear()

    # ---- what goes out ------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The whole picture, as a tab gets it when it connects."""
        return {
            "type": "snapshot",
            "symbols": self.symbols,
            "exchanges": self.exchanges,
            "history_seconds": self.history_seconds,
            "server_time": round(self._clock() * 1000),
            "live_trading": bool(self.manager.settings.live_trading),
            "region": str(self.manager.settings.region),
            "quotes": list(self.quotes.values()),
            "history": [
                {"exchange": exchange, "symbol": symbol, "points": list(points)}
                for (exchange, symbol), points in self.history.items()
            ],
            "health": self.health,
            "account": self.account,
            "plugins": self.plugins,
        }

    @property
    def tabs(self) -> int:
        return len(self._tabs)

    def tab_status(self) -> list[dict[str, Any]]:
        """Each open tab's queue: waiting, delivered, dropped."""
        return [tab.snapshot() for tab in self._tabs.values()]

    async def events(self) -> AsyncIterator[str]:
        """One tab's event stream as Server-Sent Events frames: the snapshot, then updates,
        with a keep-alive comment when idle; ends when the board stops or the tab goes."""
        from powertrader_core.streaming.subscribers import Subscription

        tab = Subscription("dashboard tab", None, max_queue=self.tab_queue)
        self._tabs[tab.id] = tab
        try:
            yield f"retry: 2000\ndata: {_encode(self.snapshot())}\n\n"
            while not self.closed:
                try:
                    async with asyncio.timeout(KEEPALIVE):
                        _key, text = await tab.next()
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                except StopAsyncIteration:
                    return
                yield f"data: {text}\n\n"
        finally:
            tab.unsubscribe()
            self._tabs.pop(tab.id, None)

    # ---- paper orders -------------------------------------------------------------------------

    async def place_paper_order(self, fields: dict[str, Any]) -> OrderResult:
        """Validate (``OrderRequest``), then place on the paper exchange through the manager,
        which journals it; a real exchange is refused before anything is sent."""
        from powertrader_core.manager.venues import paper_targets
        from powertrader_core.models import OrderRequest

        allowed = {"symbol", "side", "amount", "order_type", "price", "stop_price",
                   "time_in_force"}
        unknown = sorted(set(fields) - allowed)
        if unknown:
            raise ValueError(f"unknown order fields: {', '.join(unknown)}")
        (name,) = paper_targets(None, "place_order")  # the paper exchange, nothing else
        request = OrderRequest(**{k: v for k, v in fields.items() if v not in (None, "")})
        result = await self.manager.place_order(request, exchange=name)
        self._account_now.set()
        return result
