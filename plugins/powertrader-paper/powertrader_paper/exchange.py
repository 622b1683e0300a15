"""``PaperExchange``: a complete exchange that trades without money.

This is the class the plugin registers, and the smallest complete example of an exchange
plugin. It only wires three parts together; each lives in its own module:

- a **price source** (:mod:`.sources`): the simulated market of :mod:`.sim`, or a real
  exchange's public quotes and books, chosen by the ``source`` setting;
- the **rules** (:mod:`.engine`, with the pure matching functions of :mod:`.matching`): how
  orders fill, what they cost, what they hold;
- the **account** (:mod:`.store`): balances, orders and fills in SQLite, one transaction per
  call, run in a worker thread so the event loop never blocks on the disk.

Resting orders are settled whenever the exchange learns a price: on every
``get_market_data``, ``get_market_data_batch`` and ``get_order_book``, before every order is
placed, and when ``get_order`` or ``get_open_orders`` is asked about an order that is still
open. ``cancel_order`` and the balance calls do not ask the price source, so they work even
when a real source is down.

Usage::

    async with PaperExchange({"starting_balances": {"USD": 5000}}) as paper:
        result = await paper.place_order(OrderRequest("BTC-USD", "buy", "0.01"))
        print(result.average_price, result.fees, await paper.get_balance())
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar, Concatenate, ParamSpec, TypeVar

from powertrader_core.errors import (
    ConfigurationError,
    ExchangeError,
    InvalidOrderError,
    NotSupportedError,
    OrderNotFoundError,
    SymbolNotSupportedError,
)
from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import (
    Balance,
    MarketData,
    OrderBook,
    OrderRequest,
    OrderResult,
    TradingFees,
)
from powertrader_core.symbols import require_canonical
from powertrader_paper import engine
from powertrader_paper.config import PaperConfig
from powertrader_paper.records import FillRecord, PaperOrder
from powertrader_paper.sim import SimulatedMarket
from powertrader_paper.sources import PriceSource, SimSource, make_source
from powertrader_paper.store import Ledger, PaperStore

__all__ = ["PaperExchange"]

P = ParamSpec("P")
T = TypeVar("T")

#: Levels fetched to fill an order: deep enough for any sensible paper order.
_FILL_DEPTH = 100


class PaperExchange(AbstractExchange):
    """Trades against a price source with a simulated account kept in SQLite.

    Configuration keys are described in :mod:`powertrader_paper.config`; none is required.
    """

    name = "paper"
    regions: ClassVar[Sequence[str]] = ("us", "eu", "global")
    required_credentials: ClassVar[Sequence[str]] = ()
    # Never part of a manager's default set: it takes part only where it is named, so a user
    # comparing real exchanges never sees simulated prices among them.
    include_by_default: ClassVar[bool] = False
    # No real money moves: with live trading off, the manager sends orders only to classes
    # that declare this (under whatever name they are registered).
    simulated: ClassVar[bool] = True

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        super().__init__(config)
        self.settings = PaperConfig.from_mapping(self.config)
        self.fees = engine.Fees(maker=self.settings.maker_fee, taker=self.settings.taker_fee)
        # Built now so that a misnamed source fails at creation, not at the first order.
        self._source: PriceSource = make_source(self.settings)
        self._store: PaperStore | None = None
        self._opening = asyncio.Lock()

    @classmethod
    def check_config(cls, config: Mapping[str, Any]) -> list[str]:
        problems = super().check_config(config)
        try:
            PaperConfig.from_mapping(config)
        except ConfigurationError as exc:
            problems.append(exc.message)
        return problems

    # ---- life cycle ----------------------------------------------------------------------

    async def initialize(self) -> bool:
        """Open the account (creating it with its starting balances) and start the source."""
        async with self._opening:
            if self._store is not None:
                return True
            store = PaperStore(self.settings.database_path(), self.name)
            try:
                await asyncio.to_thread(store.open)
                await self._source.start()
                await asyncio.to_thread(
                    store.run,
                    engine.open_account,
                    dict(self.settings.starting_balances),
                    self.settings.now(),
                )
            except BaseException:
                await asyncio.to_thread(store.close)
                await self._source.close()
                raise
            self._store = store
            return True

    async def close(self) -> None:
        """Close the price source and the database; safe to call twice, reopens on next use."""
        store, self._store = self._store, None
        self._initialized = False
        try:
            await self._source.close()
        finally:
            if store is not None:
                await asyncio.to_thread(store.close)
            await super().close()

    async def reset(self, starting_balances: Mapping[str, Any] | None = None) -> None:
        """Start the account over: no orders, no fills, the starting balances.

        ``starting_balances`` replaces the configured ones for this reset.
        """
        settings = self.settings
        if starting_balances is not None:  # validated like the configured ones
            settings = PaperConfig.from_mapping({"starting_balances": starting_balances})
        balances = dict(settings.starting_balances)
        await self._db(engine.reset_account, balances, self.settings.now())

    @property
    def simulated_market(self) -> SimulatedMarket:
        """The simulated market, to move a price by hand (``set_price``) in demos and tests."""
        if not isinstance(self._source, SimSource):
            raise NotSupportedError(
                f"the price source is {self.settings.source!r}, not the simulated market",
                exchange=self.name,
                operation="simulated_market",
            )
        return self._source.market

    # ---- prices --------------------------------------------------------------------------

    async def get_market_data(self, symbol: str) -> MarketData:
        canonical = self._symbol(symbol, "get_market_data")
        quotes = await self._quotes([canonical])
        return quotes[canonical]

    async def get_market_data_batch(self, symbols: Sequence[str]) -> dict[str, MarketData]:
        canonical = [self._symbol(symbol, "get_market_data_batch") for symbol in symbols]
        quotes = await self._quotes(list(dict.fromkeys(canonical)))
        return {given: quotes[ours] for given, ours in zip(symbols, canonical, strict=True)}

    async def get_order_book(self, symbol: str, depth: int = 20) -> OrderBook:
        canonical = self._symbol(symbol, "get_order_book")
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
            raise ExchangeError(
                f"depth must be a whole number of at least 1, not {depth!r}",
                exchange=self.name,
                operation="get_order_book",
            )
        source = await self._started()
        book = await source.order_book(canonical, depth, self.name)
        quote = _quote_from_book(book, source.label)
        if quote is not None:
            # Not this book: it may be shallower than what a triggered stop needs to fill.
            await self._settle(canonical, quote)
        return book

    async def get_trading_fees(self, symbol: str) -> TradingFees:
        canonical = self._symbol(symbol, "get_trading_fees")
        return TradingFees(
            symbol=canonical,
            maker=self.fees.maker,
            taker=self.fees.taker,
            exchange=self.name,
            source="account",  # the rates this paper account is configured to pay
        )

    # ---- orders --------------------------------------------------------------------------

    def engine_deadline(self, seconds: float) -> datetime | None:
        """``seconds`` from now: the engine refuses a request it processes later (checked in
        the transaction that would store the order), so after it an order not found is not."""
        return datetime.now(UTC) + timedelta(seconds=seconds)

    async def place_order(self, order_request: OrderRequest) -> OrderResult:
        """Fill, rest or refuse an order; see :mod:`powertrader_paper.engine` for the rules."""
        if not isinstance(order_request, OrderRequest):
            raise InvalidOrderError(
                "place_order takes an OrderRequest", exchange=self.name, operation="place_order"
            )
        symbol = self._symbol(order_request.symbol, "place_order")
        source = await self._started()
        quotes, book = await asyncio.gather(
            source.market_data([symbol], self.name),
            source.order_book(symbol, _FILL_DEPTH, self.name),
        )
        # Settle the resting orders first: settling after placing would fill the new order's
        # resting part against the very quote it was just placed under.
        await self._settle(symbol, quotes[symbol], book)
        market = self._market(quotes[symbol], book)
        order = await self._db(engine.place, order_request, market, self.fees)
        return order.to_result(self.name)

    async def cancel_order(self, order_id: str, symbol: str | None = None) -> OrderResult:
        """Cancel an open order (by our id or the caller's client id) and release its funds."""
        wanted = self._symbol(symbol, "cancel_order") if symbol is not None else None
        order = await self._db(
            engine.cancel, str(order_id), wanted, self.settings.now(), self.name
        )
        return order.to_result(self.name)

    async def get_order(
        self,
        order_id: str | None = None,
        symbol: str | None = None,
        *,
        client_order_id: str | None = None,
    ) -> OrderResult:
        if not order_id and not client_order_id:
            raise InvalidOrderError(
                "give an order_id or a client_order_id", exchange=self.name, operation="get_order"
            )
        wanted = self._symbol(symbol, "get_order") if symbol is not None else None
        order = await self._db(engine.find_order, order_id, client_order_id)
        if order is None or (wanted is not None and order.symbol != wanted):
            raise OrderNotFoundError(
                f"no order {order_id or client_order_id!r}",
                exchange=self.name,
                operation="get_order",
            )
        if order.is_open:
            await self._quotes([order.symbol])  # settles it against the current price
            order = await self._db(engine.find_order, order.order_id, None) or order
        return order.to_result(self.name)

    async def get_open_orders(self, symbol: str | None = None) -> list[OrderResult]:
        wanted = self._symbol(symbol, "get_open_orders") if symbol is not None else None
        orders = await self._db(Ledger.orders, wanted, open_only=True)
        if orders:
            await self._quotes(sorted({order.symbol for order in orders}))
            orders = await self._db(Ledger.orders, wanted, open_only=True)
        return [order.to_result(self.name) for order in orders]

    async def get_orders(self, symbol: str | None = None) -> list[OrderResult]:
        """Every order of the account, open or not, oldest first (the paper account's history)."""
        wanted = self._symbol(symbol, "get_orders") if symbol is not None else None
        orders = await self._db(Ledger.orders, wanted)
        return [order.to_result(self.name) for order in orders]

    async def get_fills(self, order_id: str | None = None) -> list[FillRecord]:
        """Every fill, oldest first; or one order's."""
        return await self._db(Ledger.fills, order_id)

    # ---- balances ------------------------------------------------------------------------

    async def get_balance(self, asset: str | None = None) -> dict[str, Decimal]:
        totals = await self._db(Ledger.totals)
        if asset is not None:
            code = asset.strip().upper()
            return {code: totals.get(code, Decimal(0))}
        return {code: amount for code, amount in totals.items() if amount != 0}

    async def get_balance_details(self, asset: str | None = None) -> dict[str, Balance]:
        totals, used = await self._db(_totals_and_used)
        codes = [asset.strip().upper()] if asset is not None else list(totals)
        details = {}
        for code in codes:
            total = totals.get(code, Decimal(0))
            held = used.get(code, Decimal(0))
            if asset is None and total == 0 and held == 0:
                continue
            details[code] = Balance(asset=code, free=total - held, used=held, total=total)
        return details

    # ---- plumbing ------------------------------------------------------------------------

    async def _started(self) -> PriceSource:
        await self.ensure_initialized()
        return self._source

    async def _db(
        self, work: Callable[Concatenate[Ledger, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``work`` in one transaction, in a worker thread."""
        await self.ensure_initialized()
        assert self._store is not None  # set by initialize()
        return await asyncio.to_thread(functools.partial(self._store.run, work, *args, **kwargs))

    async def _quotes(self, symbols: list[str]) -> dict[str, MarketData]:
        """Quotes from the source; each one settles that symbol's resting orders."""
        source = await self._started()
        quotes = await source.market_data(symbols, self.name)
        for symbol in symbols:
            await self._settle(symbol, quotes[symbol])
        return quotes

    async def _settle(
        self, symbol: str, quote: MarketData, book: OrderBook | None = None
    ) -> list[PaperOrder]:
        """Fill or trigger ``symbol``'s resting orders that ``quote`` crosses."""
        resting = await self._db(Ledger.orders, symbol, open_only=True)
        if not resting:
            return []
        if book is None and engine.needs_book(resting, quote):
            source = await self._started()
            book = await source.order_book(symbol, _FILL_DEPTH, self.name)
        return await self._db(engine.settle, symbol, self._market(quote, book), self.fees)

    def _market(self, quote: MarketData, book: OrderBook | None) -> engine.Market:
        return engine.Market(
            quote=quote,
            book=book,
            now=self.settings.now(),
            source=self.settings.source_label,
            exchange=self.name,
        )

    def _symbol(self, symbol: str, operation: str) -> str:
        """``BASE-QUOTE`` in canonical form, or :class:`SymbolNotSupportedError`."""
        canonical = require_canonical(symbol, exchange=self.name, operation=operation)
        base, quote = canonical.split("-", 1)
        if base == quote:
            raise SymbolNotSupportedError(
                f"{canonical} trades an asset against itself", exchange=self.name,
                operation=operation,
            )
        return canonical


def _totals_and_used(ledger: Ledger) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Totals and what open orders hold, read in one transaction so they agree."""
    return ledger.totals(), ledger.used()


def _quote_from_book(book: OrderBook, source: str) -> MarketData | None:
    """A quote made of a book's best levels (the mid as last price), to settle resting orders."""
    if book.best_bid is None or book.best_ask is None:
        return None
    return MarketData(
        symbol=book.symbol,
        price=(book.best_bid + book.best_ask) / 2,
        bid=book.best_bid,
        ask=book.best_ask,
        timestamp=book.timestamp,
        exchange=book.exchange,
        source=source,
    )
