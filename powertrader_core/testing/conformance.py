"""The pytest base class every exchange plugin's tests subclass: ``ExchangeConformance``.

A plugin tells the suite how to build its exchange (pointed at cassettes or a simulator) and
which markets it lists; the suite runs the same checks on every plugin, so that a wrong plugin
fails loudly in its own tests rather than in a user's trade::

    from powertrader_core.testing import ExchangeConformance

    class TestAcmeConformance(ExchangeConformance):
        symbols = ("BTC-USD", "ETH-USD")
        too_small_amount = "0.00001"

        async def make_exchange(self) -> AbstractExchange:
            return AcmeExchange({"api_key": "test"})

Each check is one test named ``test_<check>``; ``skip_checks = {"<check>": "why"}`` skips one
with its reason shown. This module imports pytest and pytest-asyncio (the ``testing`` extra
of powertrader-core); nothing else in the core does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from decimal import Decimal
from typing import Any, ClassVar

import pytest
import pytest_asyncio

from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import OrderRequest, OrderType
from powertrader_core.testing import _checks as checks
from powertrader_core.testing._problems import MISSING_ORDER_ID
from powertrader_core.testing._spy import TransportSpy
from powertrader_core.testing._static import (
    KNOWN_REGIONS,
    ConformanceError,
    check_exchange_class,
    supported_operations,
)

__all__ = ["ExchangeConformance"]

_asyncio = pytest.mark.asyncio  # explicit, so the suite runs in pytest-asyncio's strict mode too


class ExchangeConformance:
    """The conformance suite; subclass it as ``Test<Name>Conformance`` in the plugin's tests.

    Set in the subclass:

    - ``make_exchange()`` (async): a configured, *uninitialised* exchange, pointed at
      cassettes or a simulator. The default builds ``exchange_class(exchange_config)``.
      Fixtures the factory needs (a simulator's URL) are set on ``self`` by an autouse
      fixture of the subclass; autouse fixtures run before the suite's.
    - ``symbols``: canonical symbols the exchange lists (the first serves single-market
      checks); ``unknown_symbol``: one it does not list.
    - ``too_small_amount``: an amount below the market minimum of ``symbols[0]``;
      ``unsupported_order_type``: an order type it does not take. ``None`` skips that check.
    - ``cassette(check)``: a context manager around each check (a vcrpy cassette).
    - ``requests_sent()`` and ``open_sessions()``: how many requests went out, and which
      sessions are open. The defaults watch aiohttp and httpx; override them for another
      transport (or to read a simulator's own counter).
    - ``valid_order()``: an order the cassette or simulator fills, to check the result's shape.
    - ``break_server()``: make the server fail (5xx), to check the error that arrives.
    - ``missing_order_id``: an order id in the exchange's own format that no order has, for
      the unknown-order checks (default ``MISSING_ORDER_ID``). An exchange that answers a
      malformed id as invalid (Binance ``-1100``, Kraken ``EOrder:Invalid order``) is right
      to: give it a well-formed one, whose answer is the "does not exist" one.
    - ``skip_checks``: ``{"check_name": "reason"}``.
    """

    exchange_class: ClassVar[type[AbstractExchange] | None] = None
    exchange_config: ClassVar[Mapping[str, Any]] = {}
    symbols: ClassVar[Sequence[str]] = ("BTC-USD",)
    unknown_symbol: ClassVar[str] = "NOPE-USD"
    too_small_amount: ClassVar[Decimal | str | None] = None
    unsupported_order_type: ClassVar[OrderType | str | None] = None
    #: A size every listed market accepts, for orders refused for another reason.
    order_amount: ClassVar[Decimal | str] = "0.01"
    #: A limit or trigger price for those orders (they are refused before it matters).
    reference_price: ClassVar[Decimal | str] = "100"
    #: The size ``estimate_fill`` is asked about.
    fill_amount: ClassVar[Decimal | str] = "0.001"
    #: Ask ``get_open_orders(symbols[0])``; False asks ``get_open_orders()`` (every market).
    open_orders_by_symbol: ClassVar[bool] = True
    #: An id in the exchange's format that no order has (the unknown-order checks).
    missing_order_id: ClassVar[str] = MISSING_ORDER_ID
    skip_checks: ClassVar[Mapping[str, str]] = {}

    _spy: TransportSpy
    _made: list[AbstractExchange]

    # ---- hooks a plugin's subclass overrides ------------------------------------------------

    async def make_exchange(self) -> AbstractExchange:
        """A configured exchange, not yet initialised. Called once or twice per check."""
        if self.exchange_class is None:
            raise ConformanceError(
                type(self).__name__,
                ["set exchange_class (and exchange_config) or override make_exchange()"],
            )
        return self.exchange_class(dict(self.exchange_config))

    def cassette(self, check: str) -> AbstractContextManager[object]:
        """The context each check runs in, e.g. ``make_vcr("acme").use_cassette(check)``."""
        return nullcontext()

    def requests_sent(self) -> int:
        """Requests sent so far in this check (through aiohttp or httpx by default)."""
        return self._spy.requests

    def open_sessions(self) -> list[str]:
        """Sessions opened in this check and still open (aiohttp and httpx by default)."""
        return self._spy.open_sessions()

    def valid_order(self) -> OrderRequest | None:
        """An order the cassette or simulator accepts; ``None`` skips the result check."""
        return None

    async def break_server(self) -> bool:
        """Make the exchange's server fail from now on (HTTP 5xx, maintenance).

        Called after ``initialize``. A simulator queues the fault; a cassette-based test
        returns True and serves failures from ``cassette("server_error")``. The default,
        False, skips the check.
        """
        return False

    # ---- plumbing --------------------------------------------------------------------------

    @pytest_asyncio.fixture(loop_scope="function")
    async def conformance_exchange(
        self, request: pytest.FixtureRequest
    ) -> AsyncIterator[AbstractExchange]:
        """The exchange under test, inside the check's cassette and the transport spy."""
        check = request.node.name.split("[", 1)[0].removeprefix("test_")
        if check in self.skip_checks:
            pytest.skip(self.skip_checks[check])
        self._made = []
        with self.cassette(check), TransportSpy() as spy:
            self._spy = spy
            try:
                yield await self._new_exchange()
            finally:
                for exchange in self._made:
                    await exchange.close()
                spy.forget_sessions()

    async def _new_exchange(self) -> AbstractExchange:
        exchange = await self.make_exchange()
        if not isinstance(exchange, AbstractExchange):
            raise ConformanceError(
                type(self).__name__,
                [f"make_exchange() returned {exchange!r}, not an AbstractExchange"],
            )
        self._made.append(exchange)
        return exchange

    @staticmethod
    async def _ready(exchange: AbstractExchange) -> AbstractExchange:
        await exchange.ensure_initialized()
        return exchange

    def _first_symbol(self) -> str:
        if not self.symbols:
            raise ConformanceError(type(self).__name__, ["symbols lists no market"])
        return self.symbols[0]

    # ---- the contract ------------------------------------------------------------------------

    @_asyncio
    async def test_class_contract(self, conformance_exchange: AbstractExchange) -> None:
        """Methods exist and are coroutines where callers await them; name and regions set."""
        check_exchange_class(type(conformance_exchange))

    @_asyncio
    async def test_supported_operations(
        self, conformance_exchange: AbstractExchange, request: pytest.FixtureRequest
    ) -> None:
        """Which operations the plugin implements: reported (``-rA`` shows it), and consistent.

        What it lacks is allowed (a plugin that only serves prices is a real plugin); the
        other checks then expect NotSupportedError naming the exchange and the operation.
        """
        report = supported_operations(conformance_exchange)
        request.node.user_properties.append(("supported_operations", report))
        for operation, supported in report.items():
            assert conformance_exchange.supports(operation) is supported, operation
        missing = ", ".join(op for op, ok in report.items() if not ok) or "nothing"
        print(f"{conformance_exchange.name}: supports {sum(report.values())} of "
              f"{len(report)} operations; lacks {missing}")

    @_asyncio
    async def test_regions_declared(self, conformance_exchange: AbstractExchange) -> None:
        regions = conformance_exchange.get_supported_regions()
        assert regions, "get_supported_regions() is empty"
        assert set(map(str, regions)) <= KNOWN_REGIONS, (
            f"regions {regions} are not among {sorted(KNOWN_REGIONS)}"
        )
        assert conformance_exchange.name, "the exchange has no name"

    @_asyncio
    async def test_initialize(self, conformance_exchange: AbstractExchange) -> None:
        result = await conformance_exchange.initialize()
        assert result is True, f"initialize() returned {result!r}; True when ready"

    @_asyncio
    async def test_symbol_round_trip(self, conformance_exchange: AbstractExchange) -> None:
        checks.check_symbol_round_trip(await self._ready(conformance_exchange), self.symbols)

    # ---- market data -------------------------------------------------------------------------

    @_asyncio
    async def test_market_data(self, conformance_exchange: AbstractExchange) -> None:
        await checks.check_market_data(await self._ready(conformance_exchange), self.symbols)

    @_asyncio
    async def test_market_data_batch(self, conformance_exchange: AbstractExchange) -> None:
        exchange = await self._ready(conformance_exchange)
        await checks.check_market_data_batch(exchange, self.symbols)

    @_asyncio
    async def test_unknown_symbol_quote(self, conformance_exchange: AbstractExchange) -> None:
        exchange = await self._ready(conformance_exchange)
        await checks.check_unknown_symbol_quote(exchange, self.unknown_symbol)

    @_asyncio
    async def test_server_error(self, conformance_exchange: AbstractExchange) -> None:
        exchange = await self._ready(conformance_exchange)
        if not await self.break_server():
            pytest.skip("break_server() cannot make this exchange's server fail")
        await checks.check_server_error(exchange, self._first_symbol())

    # ---- orders refused before any request ----------------------------------------------

    async def _refused(
        self, exchange: AbstractExchange, order: OrderRequest, kind: str, reason: str
    ) -> None:
        await self._ready(exchange)
        await checks.check_order_refused(
            exchange, order, checks.REFUSALS[kind], self.requests_sent, reason
        )

    @_asyncio
    async def test_order_below_minimum(self, conformance_exchange: AbstractExchange) -> None:
        if self.too_small_amount is None:
            pytest.skip("too_small_amount is not set: the exchange declares no minimum")
        symbol = self._first_symbol()
        order = OrderRequest(symbol=symbol, side="buy", amount=self.too_small_amount)
        reason = f"{self.too_small_amount} {symbol}, below the market minimum"
        await self._refused(conformance_exchange, order, "below_minimum", reason)

    @_asyncio
    async def test_order_unsupported_type(self, conformance_exchange: AbstractExchange) -> None:
        if self.unsupported_order_type is None:
            pytest.skip("unsupported_order_type is not set: the exchange takes every type")
        order = checks.order_of_type(
            self._first_symbol(),
            self.unsupported_order_type,
            self.order_amount,
            self.reference_price,
        )
        reason = f"a {order.order_type.value} order, a type this exchange does not take"
        await self._refused(conformance_exchange, order, "unsupported_type", reason)

    @_asyncio
    async def test_order_unknown_symbol(self, conformance_exchange: AbstractExchange) -> None:
        order = OrderRequest(symbol=self.unknown_symbol, side="buy", amount=self.order_amount)
        reason = f"on {self.unknown_symbol}, a market this exchange does not list"
        await self._refused(conformance_exchange, order, "unknown_symbol", reason)

    @_asyncio
    async def test_order_result(self, conformance_exchange: AbstractExchange) -> None:
        order = self.valid_order()
        if order is None:
            pytest.skip("valid_order() gives no order to place")
        await checks.check_order_result(await self._ready(conformance_exchange), order)

    # ---- optional capabilities: they work, or raise NotSupportedError ----------------------

    @_asyncio
    async def test_order_book(self, conformance_exchange: AbstractExchange) -> None:
        exchange = await self._ready(conformance_exchange)
        await checks.check_order_book(exchange, self._first_symbol())

    @_asyncio
    async def test_trading_fees(self, conformance_exchange: AbstractExchange) -> None:
        exchange = await self._ready(conformance_exchange)
        await checks.check_trading_fees(exchange, self._first_symbol())

    @_asyncio
    async def test_estimate_fill(self, conformance_exchange: AbstractExchange) -> None:
        exchange = await self._ready(conformance_exchange)
        await checks.check_estimate_fill(exchange, self._first_symbol(), self.fill_amount)

    @_asyncio
    async def test_open_orders(self, conformance_exchange: AbstractExchange) -> None:
        exchange = await self._ready(conformance_exchange)
        symbol = self._first_symbol() if self.open_orders_by_symbol else None
        await checks.check_open_orders(exchange, symbol)

    @_asyncio
    async def test_unknown_order_lookup(self, conformance_exchange: AbstractExchange) -> None:
        exchange = await self._ready(conformance_exchange)
        await checks.check_lookup_unknown_order(
            exchange, self._first_symbol(), self.missing_order_id
        )

    @_asyncio
    async def test_unknown_order_cancel(self, conformance_exchange: AbstractExchange) -> None:
        exchange = await self._ready(conformance_exchange)
        await checks.check_cancel_unknown_order(
            exchange, self._first_symbol(), self.missing_order_id
        )

    @_asyncio
    async def test_balance(self, conformance_exchange: AbstractExchange) -> None:
        await checks.check_balance(await self._ready(conformance_exchange))

    @_asyncio
    async def test_watch_declared(self, conformance_exchange: AbstractExchange) -> None:
        await checks.check_watch_declared(conformance_exchange, self.symbols)

    # ---- closing -----------------------------------------------------------------------------

    @_asyncio
    async def test_close_unused(self, conformance_exchange: AbstractExchange) -> None:
        await checks.check_close(conformance_exchange, self.open_sessions)

    @_asyncio
    async def test_close_after_use(self, conformance_exchange: AbstractExchange) -> None:
        symbol = self._first_symbol()

        async def use(exchange: AbstractExchange) -> object:
            await exchange.ensure_initialized()
            return await exchange.get_market_data(symbol)

        await checks.check_close(conformance_exchange, self.open_sessions, use)

    @_asyncio
    async def test_async_with(self, conformance_exchange: AbstractExchange) -> None:
        async with conformance_exchange as entered:
            assert entered is conformance_exchange, "`async with` must give the exchange itself"
            await entered.get_market_data(self._first_symbol())
        left = self.open_sessions()
        assert not left, f"after `async with` sessions are still open: {left}"
