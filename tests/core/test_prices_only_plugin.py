"""A plugin that only serves prices is a real plugin (issue 15, item 1).

Only ``get_market_data`` is abstract; an operation a plugin lacks answers NotSupportedError
naming the exchange and the operation; the kit reports what it supports; the factory reads
regions from the class without building it; and a class that cannot be built is refused at
``register_exchange`` with the kit's words.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

import pytest

from powertrader_core import (
    AbstractExchange,
    ConfigurationError,
    ExchangeFactory,
    MarketData,
    NotSupportedError,
    OrderRequest,
)
from powertrader_core.factory import regions_of
from powertrader_core.testing import (
    check_balance,
    check_exchange_class,
    check_order_refused,
    exchange_class_problems,
    supported_operations,
)


class PricesOnly(AbstractExchange):
    """Written like the seed's template, minus everything but a quote."""

    built: ClassVar[int] = 0

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        super().__init__()
        type(self).built += 1
        self.config = config or {}

    def get_supported_regions(self) -> list[str]:
        return ["us", "eu", "global"]

    async def get_market_data(self, symbol: str) -> MarketData:
        return MarketData(symbol, 100, 99, 101, 5, datetime.now(UTC), self.name)


async def test_missing_operations_refuse_naming_exchange_and_operation() -> None:
    exchange = PricesOnly()
    assert await exchange.initialize() is True  # nothing to connect: ready
    order = OrderRequest(symbol="BTC-USD", side="buy", amount="0.001")
    for operation, call in (
        ("place_order", exchange.place_order(order)),
        ("get_balance", exchange.get_balance()),
        ("get_balance", exchange.get_balance_details()),
    ):
        with pytest.raises(NotSupportedError) as info:
            await call
        assert info.value.exchange == "prices_only" and info.value.operation == operation
        assert "prices_only" in str(info.value) and operation in str(info.value)
    assert (await exchange.get_market_data("BTC-USD")).price == Decimal(100)


def test_the_kit_reports_what_a_plugin_supports() -> None:
    report = supported_operations(PricesOnly)
    assert report["get_market_data"] is True
    assert report["place_order"] is False and report["get_balance"] is False
    assert {"cancel_order", "find_orders", "get_orders_by_id", "watch_market_data"} <= set(report)
    assert not any(ok for op, ok in report.items() if op != "get_market_data")
    assert supported_operations(PricesOnly()) == report
    assert exchange_class_problems(PricesOnly) == []
    check_exchange_class(PricesOnly)


async def test_the_kit_checks_accept_a_refusal_that_names_itself() -> None:
    exchange = PricesOnly()
    await check_balance(exchange)
    order = OrderRequest(symbol="BTC-USD", side="buy", amount="0.001")
    await check_order_refused(exchange, order, (), lambda: 0, "a prices-only plugin")


def test_regions_are_read_from_the_class_without_building_it() -> None:
    before = PricesOnly.built
    assert regions_of(PricesOnly) == ["us", "eu", "global"]
    assert PricesOnly.regions == ("us", "eu", "global")  # copied when the class was defined
    ExchangeFactory.register_exchange("prices_only_regions", PricesOnly)
    try:
        assert "prices_only_regions" in ExchangeFactory.get_available_exchanges("us")
    finally:
        ExchangeFactory.unregister_exchange("prices_only_regions")
    assert PricesOnly.built == before


def test_a_regions_method_that_needs_an_instance_keeps_the_declared_regions() -> None:
    class FromConfig(PricesOnly):
        regions = ("eu",)

        def get_supported_regions(self) -> list[str]:
            return list(self.config["regions"])

    class FromConfigUndeclared(PricesOnly):
        def get_supported_regions(self) -> list[str]:
            return list(self.config["regions"])

    assert regions_of(FromConfig) == ["eu"]
    assert regions_of(FromConfigUndeclared) == ["us", "eu", "global"]  # inherited


def test_registering_a_class_that_cannot_be_built_fails_with_the_kit_message() -> None:
    class NoQuotes(AbstractExchange):
        async def get_balance(self, asset: str | None = None) -> dict[str, Decimal]:
            return {}

    with pytest.raises(ConfigurationError) as info:
        ExchangeFactory.register_exchange("no_quotes", NoQuotes)
    text = str(info.value)
    assert "NoQuotes (registered as 'no_quotes') breaks the exchange contract" in text
    assert "abstract methods not implemented: get_market_data" in text
    assert info.value.operation == "register_exchange"
    with pytest.raises(ConfigurationError, match="unknown exchange 'no_quotes'"):
        ExchangeFactory.create_exchange("no_quotes")
