"""In-process simulated venues for the manager's tests: prices, depth, latency and faults.

Each venue is its own ``AbstractExchange`` subclass (built by :func:`venue`) whose knobs live on
the class, so a test can change them after the manager built its instance (make a venue hang,
fail, or run out of money) and read back what was asked of it (``knobs.calls``).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from powertrader_core import (
    AbstractExchange,
    MarketData,
    OrderBook,
    OrderRequest,
    OrderResult,
    SymbolNotSupportedError,
    TradingFees,
)
from powertrader_core.retry import RetryPolicy
from powertrader_core.settings import Settings
from tests.cassette_support import TEST_SECRETS

ALL_REGIONS = ("us", "eu", "global")
FAST_RETRY = RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.005)


@dataclass
class Knobs:
    """One venue's market and behaviour. Prices are symmetric around ``mid``."""

    mid: Decimal
    spread: Decimal = Decimal("2")
    level_amount: Decimal = Decimal("1")  # amount at each book level
    levels: int = 10
    step: Decimal = Decimal("1")  # price distance between levels
    fee: Decimal = Decimal("0.001")
    latency: float = 0.0
    hang: bool = False
    error: BaseException | None = None  # raised by every call while set
    errors: list[BaseException] = field(default_factory=list)  # raised once each, in order
    balances: dict[str, Decimal] = field(default_factory=dict)
    listed: set[str] | None = None  # None: every symbol
    book: bool = True
    order_error: BaseException | None = None  # raised by place_order only
    calls: Counter[str] = field(default_factory=Counter)
    # time.monotonic() as the venue saw each call: when it came in, and when its wait (latency,
    # hang) was over; a call cancelled while waiting never finishes. Tests check concurrency
    # from these, not from a wall clock that counts a loaded machine's scheduling.
    started: list[float] = field(default_factory=list)
    finished: list[float] = field(default_factory=list)
    orders: list[OrderRequest] = field(default_factory=list)
    closed: int = 0

    @property
    def bid(self) -> Decimal:
        return self.mid - self.spread / 2

    @property
    def ask(self) -> Decimal:
        return self.mid + self.spread / 2


class FakeVenue(AbstractExchange):
    """A venue answering from its class's :class:`Knobs`."""

    knobs: ClassVar[Knobs]
    regions: ClassVar[Sequence[str]] = ALL_REGIONS
    required_credentials: ClassVar[Sequence[str]] = ("api_key",)

    async def _act(self, operation: str, symbol: str | None = None) -> None:
        knobs = self.knobs
        knobs.calls[operation] += 1
        knobs.started.append(time.monotonic())
        if knobs.hang:
            await asyncio.Event().wait()
        if knobs.latency:
            await asyncio.sleep(knobs.latency)
        knobs.finished.append(time.monotonic())
        if knobs.errors:
            raise knobs.errors.pop(0)
        if knobs.error is not None:
            raise knobs.error
        if symbol is not None and knobs.listed is not None and symbol not in knobs.listed:
            raise SymbolNotSupportedError(
                f"{symbol} is not listed", exchange=self.name, operation=operation
            )

    async def initialize(self) -> bool:
        self.knobs.calls["initialize"] += 1
        return True

    async def get_market_data(self, symbol: str) -> MarketData:
        await self._act("get_market_data", symbol)
        k = self.knobs
        return MarketData(symbol, k.mid, k.bid, k.ask, 100, exchange=type(self).name)

    async def get_order_book(self, symbol: str, depth: int = 20) -> OrderBook:
        if not self.knobs.book:
            raise self._unsupported("get_order_book")
        await self._act("get_order_book", symbol)
        k = self.knobs
        count = min(depth, k.levels)
        return OrderBook(
            symbol=symbol,
            asks=[(k.ask + i * k.step, k.level_amount) for i in range(count)],
            bids=[(k.bid - i * k.step, k.level_amount) for i in range(count)],
            exchange=self.name,
        )

    async def get_trading_fees(self, symbol: str) -> TradingFees:
        return TradingFees(symbol=symbol, maker=self.knobs.fee, taker=self.knobs.fee)

    async def place_order(self, order_request: OrderRequest) -> OrderResult:
        await self._act("place_order", order_request.symbol)
        k = self.knobs
        if k.order_error is not None:
            raise k.order_error
        k.orders.append(order_request)
        price = k.ask if order_request.side == "buy" else k.bid
        return OrderResult(
            order_id=f"{self.name}-{len(k.orders)}",
            status="filled",
            filled_amount=order_request.amount,
            remaining_amount=0,
            average_price=price,
            fees={"USD": order_request.amount * price * k.fee},
            client_order_id=order_request.client_order_id,
            symbol=order_request.symbol,
        )

    async def get_balance(self, asset: str | None = None) -> dict[str, Decimal]:
        await self._act("get_balance")
        balances = dict(self.knobs.balances)
        return {asset: balances.get(asset, Decimal(0))} if asset else balances

    async def close(self) -> None:
        self.knobs.closed += 1
        await super().close()


def venue(
    name: str, mid: Any, *, regions: Sequence[str] = ALL_REGIONS, **knobs: Any
) -> type[FakeVenue]:
    """A new venue class named ``name`` quoting around ``mid``."""
    balances = {k: Decimal(str(v)) for k, v in knobs.pop("balances", {}).items()}
    for key in ("spread", "level_amount", "step", "fee"):
        if key in knobs:
            knobs[key] = Decimal(str(knobs[key]))
    attrs = {
        "name": name,
        "regions": tuple(regions),
        "knobs": Knobs(mid=Decimal(str(mid)), balances=balances, **knobs),
    }
    return type(f"Fake_{name}", (FakeVenue,), attrs)


class DictConfig:
    """A stand-in configuration manager: configuration per exchange from a dict."""

    def __init__(self, configs: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.configs = {name: dict(config) for name, config in (configs or {}).items()}

    def load_exchange_config(self, exchange_name: str) -> dict[str, Any]:
        return dict(self.configs.get(exchange_name, {}))

    def save_exchange_config(self, exchange_name: str, config: Mapping[str, Any]) -> None:
        self.configs[exchange_name] = dict(config)


def keys() -> dict[str, str]:
    """Fake credentials (the suite's shared test secrets)."""
    return {"api_key": TEST_SECRETS["api_key"], "api_secret": TEST_SECRETS["api_secret"]}


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"region": "us", "exchange_timeout": 0.5, "live_trading": True}
    values.update(overrides)
    return Settings(**values)
