"""AbstractExchange: the seed's custom-exchange shape works, defaults refuse clearly."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from powertrader_core import (
    AbstractExchange,
    ExchangeConnectionError,
    MarketData,
    NotSupportedError,
    OrderBook,
    OrderRequest,
    OrderResult,
    TradingFees,
)


class SeedStyleExchange(AbstractExchange):
    """Written like the seed's CustomExchange: super().__init__() with no arguments."""

    def __init__(self, config: dict[str, str] | None = None) -> None:
        super().__init__()
        self.config = config or {}
        self.closed_count = 0

    def get_supported_regions(self) -> list[str]:
        return ["us", "eu", "global"]

    async def initialize(self) -> bool:
        return True

    async def get_market_data(self, symbol: str) -> MarketData:
        return MarketData(symbol, 100, 99, 101, 5, datetime.now(UTC), self.name)

    async def place_order(self, order_request: OrderRequest) -> OrderResult:
        return OrderResult("1", "filled", order_request.amount, 0, 100, {}, datetime.now(UTC))

    async def get_balance(self, asset: str | None = None) -> dict[str, Decimal]:
        balances = {"USD": Decimal(1000), "BTC": Decimal("0.5")}
        return {asset: balances.get(asset, Decimal(0))} if asset else balances

    async def close(self) -> None:
        self.closed_count += 1
        await super().close()


class BookExchange(SeedStyleExchange):
    name = "bookish"

    async def get_order_book(self, symbol: str, depth: int = 20) -> OrderBook:
        return OrderBook(symbol=symbol, asks=[[100, 1], [110, 1]], bids=[[90, 1], [80, 5]])

    async def get_trading_fees(self, symbol: str) -> TradingFees:
        return TradingFees(symbol=symbol, maker="0.001", taker="0.01")


def test_name_defaults_from_class_and_repr_hides_config() -> None:
    exchange = SeedStyleExchange({"api_key": "k", "api_secret": "very-secret-value"})
    assert exchange.name == "seed_style"
    assert "very-secret-value" not in repr(exchange)
    assert BookExchange().name == "bookish"


async def test_missing_capabilities_raise_not_supported_naming_exchange() -> None:
    exchange = SeedStyleExchange()
    with pytest.raises(NotSupportedError) as info:
        await exchange.cancel_order("1")
    assert info.value.exchange == "seed_style"
    assert "cancel_order" in str(info.value)
    assert not exchange.supports("cancel_order")
    assert not exchange.supports("watch_market_data")
    assert BookExchange().supports("get_order_book")


async def test_estimate_fill_walks_the_book_and_adds_taker_fee() -> None:
    exchange = BookExchange()
    buy = await exchange.estimate_fill("BTC-USD", "buy", "1.5")
    assert buy.filled_amount == Decimal("1.5")
    assert buy.average_price == (Decimal(100) + Decimal(55)) / Decimal("1.5")
    assert buy.fee == Decimal("1.55")
    assert buy.total == Decimal("156.55")
    assert buy.exchange == "bookish"
    sell = await exchange.estimate_fill("BTC-USD", "sell", 10)
    assert not sell.complete
    assert sell.filled_amount == Decimal(6)
    assert sell.total == Decimal(490) - Decimal("4.90")


async def test_async_with_initialises_and_closes() -> None:
    exchange = SeedStyleExchange()
    async with exchange as entered:
        assert entered is exchange
        data = await exchange.get_market_data("BTC-USD")
        assert data.bid <= data.ask
    assert exchange.closed_count == 1


async def test_failed_initialise_is_a_connection_error_and_still_closes() -> None:
    class Failing(SeedStyleExchange):
        async def initialize(self) -> bool:
            return False

    exchange = Failing()
    with pytest.raises(ExchangeConnectionError, match="failing initialize"):
        async with exchange:
            pass
    assert exchange.closed_count == 1


async def test_batch_default_and_balance_details() -> None:
    exchange = SeedStyleExchange()
    batch = await exchange.get_market_data_batch(["BTC-USD", "ETH-USD"])
    assert set(batch) == {"BTC-USD", "ETH-USD"}
    details = await exchange.get_balance_details("BTC")
    assert details["BTC"].free == Decimal("0.5")
    assert exchange.has_credentials  # declares no required credentials


def test_symbol_rules_and_simulated_are_declared_on_the_class() -> None:
    from powertrader_core.symbols import SYMBOL_FORMATS, SymbolFormat

    class Plain(SeedStyleExchange):
        pass

    class Dollars(SeedStyleExchange):
        symbol_format = SYMBOL_FORMATS["binance"]

    assert Plain.symbol_format == SymbolFormat(separator="-") and not Plain.simulated
    # Registered (built) under a name in the core's table, the class still decides.
    plain = Plain()
    plain.name = "binance"
    assert plain.normalize_symbol("BTC-USD") == "BTC-USD"
    dollars = Dollars()
    dollars.name = "my_second_account"
    assert dollars.normalize_symbol("BTC-USD") == "BTCUSDT"
    assert dollars.denormalize_symbol("BTCUSDT") == "BTC-USD"
