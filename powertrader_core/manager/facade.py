"""``MultiExchangeManager``: one interface over every exchange available in the user's region.

A facade: the jobs live in private modules, and this class only decides which exchanges take
part and in what order.

- ``_venues``: which exchanges (registered, serving the region, by default or named), built
  lazily from the factory and the configuration manager;
- ``_fanout``: calling them, concurrently, each bounded by ``Settings.exchange_timeout``,
  reads retried (:mod:`~powertrader_core.retry`), every outcome recorded in
  :mod:`~powertrader_core.manager.health` (whose circuit breaker keeps a failing exchange out);
- ``_execution``: best execution, the all-in cost of an amount, and where an order may go.

One slow, failing or hanging exchange never fails a call: the others' answers come back and
the failure shows in ``get_exchange_status()``. Only when every exchange fails does a call
raise, with one error listing each exchange and its reason (``.failures`` holds them).

Where an order goes when ``place_order`` names no exchange (first rule that applies):

1. ``settings.live_trading`` is off (the default): to the paper exchange. Simulated exchanges
   only (the manager's, else ``paper``); an order naming a real exchange is refused, unsent.
2. ``settings.primary_exchange`` is set and ``auto_best_price`` is off: to the primary
   exchange, and only there. No silent fallback: an order moves money, the caller decides.
3. Otherwise (``auto_best_price`` on, or no primary, as in the seed's "auto-selects best
   exchange"): best execution, the lowest all-in cost of the amount among exchanges that are
   configured, healthy, list the market and can pay; chosen venue and runner-up are logged and
   returned in ``result.metadata["routing"]``.

``settings.price_comparison_enabled`` is the hub's switch for showing comparisons; the methods
here compare whenever they are called, since a caller asking for the best price means it.

Orders are never retried blindly: order safety (:mod:`powertrader_core.orders.safety`) sends
each one itself, the single place an order leaves, through the order journal (intent
committed before, outcome after), with reconciliation by client order id before any resend
and fallback only for routed orders that provably never arrived; it asks the manager only
where an order naming no exchange goes (:meth:`route_order`). :meth:`reconcile` settles what
the journal holds unsettled; it runs by itself before a manager's first order (cheap when
nothing is unsettled). :meth:`cancel_order` cancels through the same journal
(:mod:`powertrader_core.orders.cancel`), so it learns of a
cancel when it happens rather than at the next reconcile.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from powertrader_core._types import to_decimal, utc_now
from powertrader_core.errors import ConfigurationError, ExchangeError, SymbolNotSupportedError
from powertrader_core.exchange import AbstractExchange
from powertrader_core.manager.calls import Caller, FanOut, combine_errors
from powertrader_core.manager.execution import ExecutionPlan, plan_execution, plan_order_route
from powertrader_core.manager.health import HealthTracker
from powertrader_core.manager.shutdown import LoopShutdownCloser
from powertrader_core.manager.venues import ConfigSource, LiveGate, VenuePool
from powertrader_core.models import MarketData, OrderRequest, OrderResult, Side, canonical_symbol
from powertrader_core.orders.cancel import Canceller
from powertrader_core.orders.journal import OrderJournal
from powertrader_core.orders.reconcile import ReconcileSummary, Settler
from powertrader_core.orders.safety import OrderSafety, SafetyPolicy
from powertrader_core.retry import RetryPolicy
from powertrader_core.routing import best_quote
from powertrader_core.settings import Settings
from powertrader_core.streaming.monitor import (
    MonitorConfig,
    PriceMonitor,
    PriceSource,
    PriceUpdate,
    Subscription,
    canonical_targets,
    monitor_over,
)

__all__ = ["ExecutionPlan", "FanOut", "MultiExchangeManager", "ReconcileSummary", "SafetyPolicy"]

log = logging.getLogger(__name__)


def _side(value: Side | str) -> Side:
    try:
        return Side(str(value).strip().lower())
    except ValueError:
        raise ValueError(f"side must be 'buy' or 'sell', not {value!r}") from None


def _quote_for(symbol: str) -> Callable[[AbstractExchange], Awaitable[MarketData]]:
    async def quote(exchange: AbstractExchange) -> MarketData:
        data = await exchange.get_market_data(symbol)
        # Results report the registered name (a second account, a re-registered class).
        return data if data.exchange == exchange.name else data.model_copy(
            update={"exchange": exchange.name}
        )

    return quote


class MultiExchangeManager:
    """Manages multiple exchanges and provides one interface over them (the seed's class).

    ``config_manager`` supplies each exchange's configuration (default: an
    ``ExchangeConfigManager()``); ``settings`` the region, timeout and order rules (default:
    ``Settings.load()``); ``exchanges`` restricts the manager to those names (default:
    ``settings.exchanges``, else every registered exchange serving the region, leaving out
    those that take part only where named, such as the paper exchange). ``journal``: the order
    journal (default: ``OrderJournal(settings.journal_path)``); ``safety``: reconciliation knobs.
    ``price_source``: where live prices come from instead of this process's own feeds, e.g.
    ``"redis://localhost:6379/0"`` to read what a ``powertrader feed`` publishes (a
    :class:`~powertrader_core.streaming.RedisPriceSource`, or any ``PriceSource``).
    """

    def __init__(
        self,
        config_manager: ConfigSource | None = None,
        settings: Settings | None = None,
        exchanges: Sequence[str] | None = None,
        *,
        retry: RetryPolicy | None = None,
        health: HealthTracker | None = None,
        journal: OrderJournal | None = None,
        safety: SafetyPolicy | None = None,
        price_source: PriceSource | str | None = None,
    ) -> None:
        if settings is None:
            settings = Settings.load()
        if config_manager is None:
            from powertrader_core.credentials.manager import ExchangeConfigManager

            config_manager = ExchangeConfigManager()
        self.settings = settings
        self.config_manager = config_manager
        restrict = exchanges if exchanges is not None else settings.exchanges
        # Code written like the seed's (asyncio.run(main()) that never closes) still ends
        # clean: what the manager opened is closed when its event loop shuts down.
        self._shutdown = LoopShutdownCloser(self._close_resources, "MultiExchangeManager")
        self._pool = VenuePool(
            config_manager, settings.region, restrict, opening=self._shutdown.arm
        )
        self.health = health if health is not None else HealthTracker()
        self._caller = Caller(
            self._pool, self.health, retry or RetryPolicy(), lambda: self.settings.exchange_timeout
        )
        self.journal = journal if journal is not None else OrderJournal(settings.journal_path)
        if settings.redis_url:  # the budgets every limiter built from now on keeps in Redis
            from powertrader_core.kit.store_choice import use_redis

            use_redis(settings.redis_url)
        policy = safety or SafetyPolicy()
        self._live = LiveGate(self._pool, lambda: self.settings.live_trading)
        self._settler = Settler(self.journal, self._caller, policy)
        self._safety = OrderSafety(self.journal, self._caller, self._settler, self._live, policy)
        self._canceller = Canceller(self.journal, self._caller, self._settler, self._live)
        self._monitor: PriceMonitor | None = None
        if isinstance(price_source, str):
            from powertrader_core.streaming.redis_source import RedisPriceSource

            price_source = RedisPriceSource(price_source)
        self._price_source = price_source

    # ---- which exchanges ------------------------------------------------------------------------

    def outside_region(self, name: str) -> str | None:
        """A one-line note when ``name`` (named explicitly, so used anyway) does not list the
        settings' region; None when it does."""
        return self._pool.outside_region(self._pool.resolve(name, "outside_region"))

    def get_available_exchanges(self) -> list[str]:
        """Exchanges this manager uses: registered, serving the region, by default or named."""
        return self._pool.available()

    def _names(self, operation: str) -> list[str]:
        names = self._pool.available()
        if not names:
            raise ConfigurationError(
                f"no exchange available in region {self._pool.region!r}"
                + ("" if self._pool.restrict is None else f" among {self._pool.restrict}"),
                operation=operation,
            )
        return names

    @staticmethod
    def _symbol(symbol: str, operation: str) -> str:
        try:
            return canonical_symbol(symbol)
        except ValueError as exc:
            raise SymbolNotSupportedError(str(exc), operation=operation) from None

    async def get_exchange(self, name: str) -> AbstractExchange:
        """The manager's (initialised) instance of ``name``, for calls it does not wrap."""
        key = self._pool.resolve(name, "get_exchange")
        return await self._caller.ready(key, "get_exchange", private=False)

    # ---- market data ----------------------------------------------------------------------------

    async def get_market_data(self, symbol: str, exchange: str | None = None) -> MarketData:
        """A quote from ``exchange``, or from the first exchange that answers.

        Without a name: the primary exchange first if set; otherwise (or when it fails) every
        other exchange is asked at once and the first answer wins, so a failing or slow
        exchange costs nothing when another answers, and offline the call fails as soon as
        all have failed, never their timeouts one after the other.
        """
        symbol = self._symbol(symbol, "get_market_data")
        if exchange is not None:
            name = self._pool.resolve(exchange, "get_market_data")
            return await self._caller.read(name, "get_market_data", _quote_for(symbol))
        ordered = self.health.rank(self._names("get_market_data"))
        primary = self.settings.primary_exchange
        errors: dict[str, ExchangeError] = {}
        if primary in ordered:
            ordered.remove(primary)
            try:
                return await self._caller.read(primary, "get_market_data", _quote_for(symbol))
            except ExchangeError as error:
                if not ordered:
                    raise combine_errors({primary: error}, "get_market_data", symbol) from error
                errors[primary] = error
        try:
            return await self._caller.read_first(
                ordered, "get_market_data", _quote_for(symbol), subject=symbol
            )
        except ExchangeError as error:
            failures = getattr(error, "failures", None)
            if not errors or not isinstance(failures, dict):
                raise
            raise combine_errors({**errors, **failures}, "get_market_data", symbol) from error

    async def compare_prices_detailed(
        self, symbol: str, *, operation: str = "compare_prices"
    ) -> FanOut[MarketData]:
        """Every available exchange's quote, and for each that gave none, why (never raises
        for a failing exchange; for tables that show failures as rows). ``operation``: the
        public call this serves, which its errors name."""
        symbol = self._symbol(symbol, operation)
        names = self._names(operation)
        return await self._caller.read_all(names, "get_market_data", _quote_for(symbol))

    async def _quotes(self, symbol: str, operation: str) -> dict[str, MarketData]:
        fan = await self.compare_prices_detailed(symbol, operation=operation)
        return fan.require_results(self._symbol(symbol, operation), operation)

    async def compare_prices(self, symbol: str) -> dict[str, MarketData]:
        """``{exchange: MarketData}`` from every available exchange that answered in time."""
        return await self._quotes(symbol, "compare_prices")

    async def get_best_price(self, symbol: str, side: Side | str = "buy") -> MarketData:
        """The quote to take: lowest ask to buy, highest bid to sell; ``.exchange`` says where."""
        wanted = _side(side)
        best = best_quote(await self._quotes(symbol, "get_best_price"), wanted)
        if best is None:
            which = "an ask" if wanted is Side.BUY else "a bid"
            raise SymbolNotSupportedError(
                f"no exchange quoted {which} for {symbol}", operation="get_best_price"
            )
        return best

    async def get_best_execution(
        self, symbol: str, side: Side | str, amount: Decimal | float | str
    ) -> ExecutionPlan:
        """Exchanges ranked by the all-in cost (book depth and taker fee) of ``amount``."""
        size = to_decimal(amount)
        if not size.is_finite() or size <= 0:
            raise ValueError(f"amount must be a finite number greater than zero, not {amount!r}")
        symbol = self._symbol(symbol, "get_best_execution")
        names = self._names("get_best_execution")
        return await plan_execution(self._caller, names, symbol, _side(side), size)

    # ---- orders ---------------------------------------------------------------------------------

    def _simulated_names(self) -> list[str]:
        pool = self._pool
        names = [n for n in pool.available() if pool.exchange_class(n).simulated is True]
        if names:
            return names
        try:
            name = pool.resolve("paper", "place_order")
            if pool.exchange_class(name).simulated is not True:
                raise ConfigurationError(
                    "registered, but its class does not declare simulated = True",
                    exchange=name,
                    operation="place_order",
                )
            return [name]
        except ExchangeError as exc:
            raise ConfigurationError(
                f"live trading is off and no paper exchange is usable ({exc}); "
                "install powertrader-paper or turn live trading on. Nothing was sent",
                operation="place_order",
            ) from exc

    async def route_order(self, order: OrderRequest) -> tuple[str, dict[str, Any]]:
        """Where ``place_order`` sends an order naming no exchange, and why (the rules in the
        module docstring): the exchange and what goes into ``metadata["routing"]``."""
        if not self.settings.live_trading:
            names = self._simulated_names()
            rule = "paper"
        elif self.settings.primary_exchange and not self.settings.auto_best_price:
            name = self._pool.resolve(self.settings.primary_exchange, "place_order")
            return name, {"rule": "primary", "exchange": name}
        else:
            names = self._names("place_order")
            rule = "best_execution"
        if len(names) == 1:
            return names[0], {"rule": rule, "exchange": names[0]}
        primary = self.settings.primary_exchange
        ordered = [primary, *(n for n in names if n != primary)] if primary in names else names
        plan = await plan_order_route(self._caller, ordered, order)
        return plan.exchange, {"rule": rule, "exchange": plan.exchange, **plan.describe()}

    async def place_order(
        self, order_request: OrderRequest, exchange: str | None = None
    ) -> OrderResult:
        """Place an order on ``exchange``, or where the rules in the module docstring say.

        ``result.metadata["routing"]`` records the rule applied and, for best execution, the
        chosen venue and the runner-up with their all-in costs; ``metadata["journal"]`` the
        journal's state and whether the order was reconciled or replayed (same request, same
        exchange: the same order). Never retried blindly (see :mod:`._order_safety`).
        """
        if not isinstance(order_request, OrderRequest):
            if not isinstance(order_request, Mapping):
                raise TypeError("place_order takes an OrderRequest")
            order_request = OrderRequest(**order_request)
        return await self._safety.place(order_request, exchange, self.route_order)

    async def get_order(
        self,
        order_id: str | None = None,
        exchange: str | None = None,
        client_order_id: str | None = None,
        *,
        symbol: str | None = None,
    ) -> OrderResult:
        """An order by either id, as the exchange says now; the journal names the exchange
        when not given (and records the answer)."""
        return await self._settler.get_order(order_id, exchange, client_order_id, symbol)

    async def cancel_order(
        self,
        order_id: str | None = None,
        exchange: str | None = None,
        symbol: str | None = None,
        *,
        client_order_id: str | None = None,
    ) -> OrderResult:
        """Cancel an order by either id; the journal names its exchange and market when not
        given, and records the outcome. A real exchange is refused, unsent, while live trading
        is off (as for ``place_order``). See :mod:`._cancel`."""
        return await self._canceller.cancel(order_id, exchange, symbol, client_order_id)

    async def reconcile(self, *, refresh_open: bool = True) -> ReconcileSummary:
        """Settle the journal's unsettled orders at their exchanges (``refresh_open``: also
        read accepted orders' state); what was found, never arrived, is unknown or skipped."""
        return await self._settler.reconcile(refresh_open=refresh_open)

    # ---- balances -------------------------------------------------------------------------------

    async def get_balances(self, exchange: str | None = None) -> dict[str, dict[str, Decimal]]:
        """``{exchange: {asset: amount}}`` from one exchange or every configured one.

        Exchanges without credentials are skipped (``get_exchange_status()`` says why); naming
        one raises ``ExchangeAuthenticationError`` saying which fields are missing.
        """

        async def balance(venue: AbstractExchange) -> dict[str, Decimal]:
            return dict(await venue.get_balance())

        if exchange is not None:
            name = self._pool.resolve(exchange, "get_balance")
            return {name: await self._caller.read(name, "get_balance", balance, private=True)}
        names = self._names("get_balances")
        fan = await self._caller.read_all(names, "get_balance", balance, private=True)
        return fan.require_results(operation="get_balances")

    # ---- status ---------------------------------------------------------------------------------

    def get_exchange_status(self) -> dict[str, dict[str, Any]]:
        """``{exchange: {status, latency (ms), last_error, last_error_at, ...}}`` (no I/O)."""
        names = self._pool.available()
        built = self._pool.built()
        names += [n for n in [*self.health.names(), *built] if n not in names]
        report: dict[str, dict[str, Any]] = {}
        for name in dict.fromkeys(names):
            entry = self.health.snapshot(name)
            try:
                entry["regions"] = self._pool.regions(name)
            except ExchangeError:
                entry["regions"] = []
            venue = built.get(name)
            entry["has_credentials"] = None if venue is None else venue.has_credentials
            if venue is None:
                entry.setdefault("private_calls", "unknown (not built yet)")
            elif venue.has_credentials:
                entry["private_calls"] = "available"
            else:
                entry.setdefault("private_calls", "skipped: no credentials configured")
            report[name] = entry
        if self._monitor is not None:  # live prices: stream or poll, last update, drops
            for name, feed in self._monitor.feed_status().items():
                if name in report:
                    report[name]["price_feed"] = feed
        return report

    def get_system_status(self) -> dict[str, Any]:
        """``{overall, available_count, total_count, ...}`` over the available exchanges."""
        statuses = self.get_exchange_status()
        names = self._pool.available()
        counts = Counter(statuses[name]["status"] for name in names)
        total = len(names)
        if total == 0 or counts["down"] == total:
            overall = "down"
        elif counts["unknown"] == total:
            overall = "unknown"
        elif counts["down"] or counts["degraded"]:
            overall = "degraded"
        else:
            overall = "connected"
        return {
            "overall": overall,
            "available_count": total - counts["down"],
            "total_count": total,
            "region": self._pool.region,
            "live_trading": self.settings.live_trading,
            **{state: counts[state] for state in ("connected", "degraded", "down", "unknown")},
            "exchanges": {name: statuses[name]["status"] for name in names},
            "checked_at": utc_now(),
        }

    # ---- live prices (the work is in powertrader_core.streaming) -------------------------

    @property
    def price_monitor(self) -> PriceMonitor:
        """Feeds, subscribers and their status (built on first use; ``.config`` tunes it)."""
        if self._monitor is None:
            self._monitor = monitor_over(self._caller, source=self._price_source)
        return self._monitor

    def _monitor_targets(
        self, symbols: str | Iterable[str], exchanges: str | Iterable[str] | None, operation: str
    ) -> tuple[list[str], list[str]]:
        return canonical_targets(
            symbols,
            exchanges,
            canonical=lambda symbol: self._symbol(symbol, operation),
            resolve=lambda name: self._pool.resolve(name, operation),
            everyone=lambda: self._names(operation),
        )

    async def start_price_monitoring(
        self,
        symbols: str | Iterable[str],
        exchanges: str | Iterable[str] | None = None,
        *,
        config: MonitorConfig | None = None,
    ) -> None:
        """Live quotes of ``symbols`` from ``exchanges`` (default: every available one) to the
        subscribers: websockets where the exchange has them, one batched poll per cycle else."""
        wanted, names = self._monitor_targets(symbols, exchanges, "start_price_monitoring")
        await self.price_monitor.start(wanted, names, config=config)

    async def stop_price_monitoring(self) -> None:
        """Stop every feed and subscriber task (subscriptions stay for the next start)."""
        if self._monitor is not None:
            await self._monitor.stop()

    def subscribe_to_price_updates(
        self, callback: Callable[[str, str, MarketData], Any], *, max_queue: int | None = None
    ) -> Subscription:
        """``callback(exchange, symbol, market_data)``, a function or a coroutine function;
        returns the handle that unsubscribes (call it, or ``.unsubscribe()``)."""
        return self.price_monitor.subscribe_prices(callback, max_queue=max_queue)

    def subscribe_to_connection_events(
        self, callback: Callable[[str, bool], Any], *, max_queue: int | None = None
    ) -> Subscription:
        """``callback(exchange, connected)`` on every drop and recovery of a price feed."""
        return self.price_monitor.subscribe_connections(callback, max_queue=max_queue)

    def stream_prices(
        self, symbols: str | Iterable[str], exchanges: str | Iterable[str] | None = None
    ) -> AsyncIterator[PriceUpdate]:
        """``async for update in manager.stream_prices(["BTC-USD"])``: ``update.exchange``,
        ``.symbol``, ``.market_data``. Its feeds stop when the loop ends."""
        wanted, names = self._monitor_targets(symbols, exchanges, "stream_prices")
        return self.price_monitor.stream(wanted, names)

    def get_price_monitoring_status(self) -> dict[str, Any]:
        """Feeds (stream or poll, last update, drops) and subscribers (queued, dropped, errors)."""
        return self.price_monitor.status()

    # ---- lifetime -------------------------------------------------------------------------------

    async def close(self) -> None:
        """Close every exchange this manager built (it builds them again if used after).

        A manager never closed is closed when its event loop shuts down (``asyncio.run``'s
        end; see :mod:`powertrader_core.manager.shutdown`), with a ResourceWarning.
        """
        await self._shutdown.disarm()
        await self._close_resources()

    async def _close_resources(self) -> None:
        if self._monitor is not None:
            await self._monitor.close()
        try:
            await self._pool.close()
        finally:
            await self.journal.close()

    async def __aenter__(self) -> MultiExchangeManager:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
