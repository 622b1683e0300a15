"""``AbstractExchange``: the contract every exchange plugin implements.

A plugin subclasses it, names itself (``name``), declares the regions it serves and the
credential fields it needs, and implements ``get_market_data``: the one thing every exchange
must do, so the only abstract method (a plugin that only serves prices is a real plugin).
Everything else has a default: ``initialize`` is ready at once; an operation the plugin does
not implement (``place_order``, ``get_balance``, ``cancel_order``, ...) raises
:class:`NotSupportedError` naming the exchange and the operation, never a silent ``None``, and
``supports(operation)`` says which it implements; ``estimate_fill`` walks the order book and
applies the taker fee, and ``get_market_data_batch`` asks for each symbol concurrently.

Use it as ``async with exchange:``: entering initialises, leaving closes every session.
"""

from __future__ import annotations

import abc
import re
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from powertrader_core import symbols
from powertrader_core._types import to_decimal
from powertrader_core.errors import ExchangeConnectionError, NotSupportedError
from powertrader_core.models import (
    Balance,
    FillEstimate,
    MarketData,
    OrderBook,
    OrderRequest,
    OrderResult,
    Side,
    TradingFees,
)
from powertrader_core.routing import estimate_from_book

__all__ = [
    "OPTIONAL_OPERATIONS",
    "AbstractExchange",
    "contract_message",
    "operation_supported",
    "unbuildable_problem",
]

#: The contract's methods that have a default; a plugin "supports" one when it overrides it.
OPTIONAL_OPERATIONS = (
    "place_order",
    "get_balance",
    "cancel_order",
    "get_order",
    "get_open_orders",
    "find_orders",
    "get_orders_by_id",
    "get_order_book",
    "get_trading_fees",
    "watch_market_data",
)


def contract_message(subject: str, problems: Sequence[str]) -> str:
    """How the conformance kit (and ``register_exchange``) words a broken contract."""
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return f"{subject} breaks the exchange contract:\n{lines}"


def unbuildable_problem(cls: type) -> str | None:
    """The kit's problem for a class that cannot be built (abstract methods left), or None."""
    missing = sorted(getattr(cls, "__abstractmethods__", ()))
    return f"abstract methods not implemented: {', '.join(missing)}" if missing else None


def operation_supported(cls: type[AbstractExchange], operation: str) -> bool:
    """True when ``cls`` implements ``operation`` rather than inheriting the refusal."""
    method = getattr(cls, operation, None)
    base = getattr(AbstractExchange, operation, None)
    if method is None:
        return False
    if operation == "watch_market_data":
        return cls.streaming and method is not base
    return base is None or method is not base


def _regions_from_override(cls: type[AbstractExchange]) -> Sequence[str] | None:
    """Regions of a class that overrides ``get_supported_regions`` instead of setting ``regions``.

    The seed's examples write ``def get_supported_regions(self): return ["us", "eu"]``. Such a
    method depends on nothing but the class, so it is asked once, when the class is defined,
    with the class standing in for ``self``; its answer becomes the ``regions`` attribute that
    the factory reads, and no instance is ever built just to learn it. A method that needs a
    real instance (reads ``self.config``) keeps the declared ``regions``.
    """
    method = cls.__dict__.get("get_supported_regions")
    if method is None or "regions" in cls.__dict__ or not callable(method):
        return None
    try:
        answer = method(cls)
    except Exception:  # noqa: BLE001 - needs an instance: keep the declared regions
        return None
    if isinstance(answer, str) or not isinstance(answer, (list, tuple)):
        return None
    regions = [str(getattr(region, "value", region)) for region in answer]
    return tuple(regions) if regions else None


def _default_name(cls_name: str) -> str:
    base = re.sub(r"Exchange$", "", cls_name) or cls_name
    return re.sub(r"(?<!^)(?=[A-Z])", "_", base).lower()


class AbstractExchange(abc.ABC):
    """Base class for all exchange implementations.

    Class attributes a plugin sets:

    - ``name``: the registered name (``"kraken"``). Defaults to the class name without
      ``Exchange`` in snake case. An instance created under another name (a second account)
      carries that name instead.
    - ``regions``: the regions served (``"us"``, ``"eu"``, ``"global"``).
    - ``required_credentials``: configuration keys private calls need (``api_key``, ...).
    - ``optional_credentials``: keys some accounts need (``passphrase``) or that tune access.
    - ``streaming``: True when ``watch_market_data`` pushes updates (websockets).
    - ``include_by_default``: False for exchanges that take part only where named (paper).
    - ``symbol_format``: how the exchange writes markets (a
      :class:`~powertrader_core.symbols.SymbolFormat`: separator, case, asset aliases, the stable
      coin standing in for USD). ``normalize_symbol``, ``denormalize_symbol`` and the manager's
      funds check read it from the class, so a second account registered under another name
      (``register_exchange("kraken_sub", KrakenExchange)``) keeps Kraken's rules. Default:
      canonical ``BASE-QUOTE``.
    - ``simulated``: True for exchanges that trade no real money (the paper exchange). The
      live-money gate reads this and nothing else: with live trading off, orders go only to
      classes declaring ``simulated = True``, whatever they are named.
    """

    name: str = ""
    regions: ClassVar[Sequence[str]] = ("global",)
    required_credentials: ClassVar[Sequence[str]] = ()
    optional_credentials: ClassVar[Sequence[str]] = ()
    streaming: ClassVar[bool] = False
    include_by_default: ClassVar[bool] = True
    symbol_format: ClassVar[symbols.SymbolFormat] = symbols.CANONICAL_FORMAT
    simulated: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("name"):
            cls.name = _default_name(cls.__name__)
        regions = _regions_from_override(cls)
        if regions is not None:
            cls.regions = regions

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        # The configuration holds secrets: a dict whose repr masks them, so ``repr``,
        # ``str`` and ``vars(exchange)`` never print one, wherever the config is kept.
        from powertrader_core.credentials.secret import ExchangeConfig, is_secret_field

        fields = (*self.required_credentials, *self.optional_credentials)
        values = dict(config or {})
        secret_fields = [key for key in values if is_secret_field(key, fields)]
        self.config: dict[str, Any] = ExchangeConfig(values, secret_fields=secret_fields)
        if secret_fields:
            # ccxt, aiohttp and urllib3 may log what we send: their records are scrubbed.
            from powertrader_core.kit.log_scrub import protect_logs

            protect_logs(values[key] for key in secret_fields)
        self.name = type(self).name
        self._initialized = False
        self._closed = False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"

    # ---- the seed's contract -------------------------------------------------------------

    async def initialize(self) -> bool:
        """Connect (load markets, check credentials); True when ready.

        The default has nothing to connect: ready at once.
        """
        return True

    @abc.abstractmethod
    async def get_market_data(self, symbol: str) -> MarketData:
        """The current quote for a canonical symbol (``BTC-USD``): every exchange has one."""

    async def place_order(self, order_request: OrderRequest) -> OrderResult:
        """Send an order; the request was validated when it was built."""
        raise self._unsupported("place_order")

    async def get_balance(self, asset: str | None = None) -> dict[str, Decimal]:
        """Total balance per asset; with ``asset``, a one-entry dict for that asset."""
        raise self._unsupported("get_balance")

    def get_supported_regions(self) -> list[str]:
        """The regions this exchange serves."""
        return list(self.regions)

    def normalize_symbol(self, symbol: str) -> str:
        """Canonical ``BASE-QUOTE`` to the exchange's own form (per ``symbol_format``)."""
        return type(self).symbol_format.to_exchange(symbol)

    def denormalize_symbol(self, exchange_symbol: str) -> str:
        """The exchange's own form back to canonical ``BASE-QUOTE`` (per ``symbol_format``)."""
        return type(self).symbol_format.from_exchange(exchange_symbol)

    # ---- what trading needs beyond the seed ------------------------------------------------

    async def cancel_order(self, order_id: str, symbol: str | None = None) -> OrderResult:
        """Cancel an open order; returns its state after the cancel."""
        raise self._unsupported("cancel_order")

    async def get_order(
        self,
        order_id: str | None = None,
        symbol: str | None = None,
        *,
        client_order_id: str | None = None,
    ) -> OrderResult:
        """One order, by the exchange's id or by our ``client_order_id``."""
        raise self._unsupported("get_order")

    def engine_deadline(self, seconds: float) -> datetime | None:
        """The deadline an order request sent now would carry, asking the exchange to refuse it
        after about ``seconds``, or None when the exchange's matching engine enforces none.

        Why it matters: when an order's answer is lost, the order may still be on its way (in
        the network, in the exchange's queue). Only a deadline the matching engine itself
        enforces (Kraken's AddOrder ``deadline``) means that, once it passed, an order not
        found will never appear: the manager then proves absence and may resend. A window
        checked when the request arrives (Binance's and Bybit's ``recvWindow``) or only an
        authentication timestamp is not such a deadline: return None, and an order whose
        answer was lost there stays ``unknown`` until it is found or the user settles it.

        The value is clamped to what the exchange accepts and in the form it is sent (Kraken:
        whole seconds, now + 2 s to now + 60 s); the plugin sends ``OrderRequest.deadline``
        as it is. The manager writes it to the journal before sending, so it survives a crash.
        """
        return None

    async def find_orders(
        self, client_order_ids: Sequence[str], since: datetime | None = None
    ) -> dict[str, OrderResult]:
        """Many orders by our client ids in as few requests as the exchange allows (listing
        its orders since ``since``, the oldest send): ``{client_order_id: order}``; an id
        missing from the answer is not at the exchange (a search that could not be completed
        raises instead). Reconciliation uses it to settle many journal entries at once;
        ``NotSupportedError`` (the default) makes it look them up one by one."""
        raise self._unsupported("find_orders")

    async def get_orders_by_id(self, order_ids: Sequence[str]) -> dict[str, OrderResult]:
        """Many orders by the exchange's ids in as few requests as it allows:
        ``{order_id: order}`` (an unknown id is left out). ``NotSupportedError`` by default."""
        raise self._unsupported("get_orders_by_id")

    async def get_open_orders(self, symbol: str | None = None) -> list[OrderResult]:
        """Orders still open, for reconciliation where lookup by client id is impossible."""
        raise self._unsupported("get_open_orders")

    async def get_order_book(self, symbol: str, depth: int = 20) -> OrderBook:
        """Bids and asks, ``depth`` levels a side at most."""
        raise self._unsupported("get_order_book")

    async def get_trading_fees(self, symbol: str) -> TradingFees:
        """Maker and taker rates: the account's own where known, else the published ones."""
        raise self._unsupported("get_trading_fees")

    async def get_balance_details(self, asset: str | None = None) -> dict[str, Balance]:
        """Free, used and total per asset. The default knows only totals (all free)."""
        totals = await self.get_balance(asset)
        return {
            name: Balance(asset=name, free=amount, used=Decimal(0), total=amount)
            for name, amount in totals.items()
        }

    async def get_market_data_batch(self, symbols: Sequence[str]) -> dict[str, MarketData]:
        """Quotes for many symbols. Plugins with a batched endpoint override this."""
        import asyncio  # deferred: keeps the core's import light

        results = await asyncio.gather(*(self.get_market_data(s) for s in symbols))
        return dict(zip(symbols, results, strict=True))

    def watch_market_data(self, symbols: Sequence[str]) -> AsyncIterator[MarketData]:
        """Pushed quote updates (websockets). Only where ``streaming`` is True."""
        raise self._unsupported("watch_market_data")

    async def estimate_fill(
        self, symbol: str, side: Side | str, amount: Decimal | float | str
    ) -> FillEstimate:
        """Average price, fee and total cost of filling ``amount`` now.

        The default walks the order book and applies the taker fee; a plugin with a better
        source (an exchange-side quote for a size) overrides it.
        """
        import asyncio

        size = to_decimal(amount)
        book, fees = await asyncio.gather(
            self.get_order_book(symbol, depth=100), self.get_trading_fees(symbol)
        )
        estimate = estimate_from_book(book, side, size, fees.taker)
        return estimate.model_copy(update={"exchange": self.name})

    async def close(self) -> None:
        """Release sessions and connections. Safe to call more than once.

        The default closes an open ``aiohttp.ClientSession`` kept in ``self.session``: the
        seed's custom-exchange template opens one there in ``initialize`` and writes no
        ``close``, and the manager that closes its exchanges must not leave it unclosed.
        """
        self._closed = True
        aiohttp = sys.modules.get("aiohttp")  # never imported here: only if already in use
        session = vars(self).get("session")
        if aiohttp is not None and isinstance(session, aiohttp.ClientSession):
            if not session.closed:
                await session.close()

    # ---- helpers for plugins and callers ---------------------------------------------------

    @classmethod
    def check_config(cls, config: Mapping[str, Any]) -> list[str]:
        """Problems that keep ``config`` from serving private calls, each naming its field.

        Empty when usable. Plugins extend it with their own checks (a key that must decode),
        and must never put a configured value in a problem's text.
        """
        problems = [f"{key} is missing" for key in cls.required_credentials if not config.get(key)]
        for key in dict.fromkeys([*cls.required_credentials, *cls.optional_credentials]):
            value = config.get(key)
            if value is not None and not isinstance(value, str) and not hasattr(
                value, "get_secret_value"
            ):
                # A number or a list (JSON written by hand) would be signed as its repr.
                problems.append(f"{key} must be text, not {type(value).__name__}")
        return problems

    @property
    def has_credentials(self) -> bool:
        """True when every field in ``required_credentials`` is configured."""
        return all(self.config.get(key) for key in self.required_credentials)

    def supports(self, operation: str) -> bool:
        """True when this exchange implements ``operation`` rather than inheriting the refusal."""
        return operation_supported(type(self), operation)

    async def ensure_initialized(self) -> None:
        """Initialise once, on first use; a failed initialise raises a connection error."""
        if self._initialized:
            return
        if not await self.initialize():
            raise ExchangeConnectionError(
                "could not initialise", exchange=self.name, operation="initialize"
            )
        self._initialized = True

    def _unsupported(self, operation: str) -> NotSupportedError:
        return NotSupportedError(
            f"{type(self).__name__} does not support {operation}",
            exchange=self.name,
            operation=operation,
        )

    async def __aenter__(self) -> AbstractExchange:
        try:
            await self.ensure_initialized()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
