"""source=<exchange>: a real exchange's public data prices the paper account, never the sim."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from powertrader_paper import PaperExchange

from powertrader_core import (
    AbstractExchange,
    ConfigurationError,
    ExchangeConnectionError,
    ExchangeFactory,
    MarketData,
    NotSupportedError,
    OrderBook,
    OrderRequest,
    OrderResult,
    OrderStatus,
    SymbolNotSupportedError,
)

QUOTED_AT = datetime(2024, 5, 1, 12, tzinfo=UTC)


class FakePriceExchange(AbstractExchange):
    """A tiny exchange with fixed public data, and a switch to make it fail."""

    name = "fakeprice"
    failing = False
    instances: list[FakePriceExchange] = []  # noqa: RUF012 - a test's record of what was built

    def __init__(self, config: dict[str, object] | None = None) -> None:
        super().__init__(config)
        self.closed = False
        FakePriceExchange.instances.append(self)

    async def initialize(self) -> bool:
        return True

    def _check(self, symbol: str, operation: str) -> None:
        if FakePriceExchange.failing:
            raise ExchangeConnectionError("timed out", exchange=self.name, operation=operation)
        if symbol != "BTC-USD":
            raise SymbolNotSupportedError(f"no {symbol}", exchange=self.name, operation=operation)

    async def get_market_data(self, symbol: str) -> MarketData:
        self._check(symbol, "get_market_data")
        return MarketData(
            symbol=symbol, price=100, bid=99, ask=101, volume=5, timestamp=QUOTED_AT,
            exchange=self.name,
        )

    async def get_order_book(self, symbol: str, depth: int = 20) -> OrderBook:
        self._check(symbol, "get_order_book")
        return OrderBook(
            symbol=symbol, bids=[[99, 1], [98, 2]], asks=[[101, 1], [102, 2]],
            timestamp=QUOTED_AT, exchange=self.name,
        )

    async def place_order(self, order_request: OrderRequest) -> OrderResult:
        raise AssertionError("the paper exchange must never trade on its price source")

    async def get_balance(self, asset: str | None = None) -> dict[str, Decimal]:
        raise AssertionError("the paper exchange must never read its price source's balance")

    async def close(self) -> None:
        self.closed = True
        await super().close()


@pytest.fixture(autouse=True)
def fake_exchange() -> Iterator[type[FakePriceExchange]]:
    ExchangeFactory.register_exchange("fakeprice", FakePriceExchange)
    FakePriceExchange.failing = False
    FakePriceExchange.instances = []
    yield FakePriceExchange
    ExchangeFactory.unregister_exchange("fakeprice")


@pytest.fixture
def config(tmp_path: Path) -> dict[str, object]:
    return {"source": "fakeprice", "db_path": tmp_path / "real.sqlite3"}


async def test_quotes_come_from_the_source_and_say_so(config: dict[str, object]) -> None:
    async with PaperExchange(config) as paper:
        quote = await paper.get_market_data("BTC-USD")
        assert (quote.price, quote.bid, quote.ask) == (100, 99, 101)
        assert quote.exchange == "paper"
        assert quote.source == "paper:fakeprice"
        book = await paper.get_order_book("BTC-USD", 5)
        assert book.exchange == "paper"
        assert book.best_ask == 101
        batch = await paper.get_market_data_batch(["BTC-USD"])
        assert batch["BTC-USD"].source == "paper:fakeprice"
        with pytest.raises(NotSupportedError):
            _ = paper.simulated_market


async def test_orders_fill_against_the_sources_book(config: dict[str, object]) -> None:
    async with PaperExchange(config) as paper:
        result = await paper.place_order(OrderRequest("BTC-USD", "buy", "1.5"))
        cost = Decimal(101) + Decimal("0.5") * 102
        assert result.status is OrderStatus.FILLED
        assert result.average_price == cost / Decimal("1.5")
        assert result.metadata["price_source"] == "paper:fakeprice"
        assert await paper.get_balance() == {
            "BTC": Decimal("1.5"),
            "USD": 10000 - cost * Decimal("1.001"),
        }
        resting = await paper.place_order(
            OrderRequest("BTC-USD", "sell", "1", order_type="limit", price="150")
        )
        assert (await paper.get_order(resting.order_id)).status is OrderStatus.OPEN
    assert FakePriceExchange.instances[-1].closed  # the source is closed with the paper exchange


async def test_source_failure_surfaces_and_is_never_replaced_by_the_sim(
    config: dict[str, object],
) -> None:
    async with PaperExchange(config) as paper:
        FakePriceExchange.failing = True
        with pytest.raises(ExchangeConnectionError) as info:
            await paper.get_market_data("BTC-USD")
        assert info.value.exchange == "fakeprice"
        with pytest.raises(ExchangeConnectionError):
            await paper.place_order(OrderRequest("BTC-USD", "buy", "0.1"))
        assert await paper.get_orders() == []  # nothing happened
        assert await paper.get_balance() == {"USD": Decimal(10000)}
        # A market the source does not list is its refusal, not a simulated price.
        FakePriceExchange.failing = False
        with pytest.raises(SymbolNotSupportedError):
            await paper.get_market_data("ETH-USD")


async def test_unknown_source_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="nosuchexchange"):
        PaperExchange({"source": "nosuchexchange", "db_path": tmp_path / "x.sqlite3"})
    problems = PaperExchange.check_config({"source": "paper"})
    assert problems and "cannot price itself" in problems[0]


async def test_source_that_cannot_start_fails_initialize(
    config: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refuse(self: FakePriceExchange) -> bool:
        return False

    monkeypatch.setattr(FakePriceExchange, "initialize", refuse)
    paper = PaperExchange(config)
    with pytest.raises(ExchangeConnectionError) as info:
        await paper.get_market_data("BTC-USD")
    assert info.value.exchange == "fakeprice"
    await paper.close()


async def test_reopening_builds_a_fresh_source(config: dict[str, object]) -> None:
    paper = PaperExchange(config)
    await paper.get_market_data("BTC-USD")
    await paper.close()
    first = FakePriceExchange.instances[-1]
    assert first.closed
    await paper.get_market_data("BTC-USD")  # reopens with a new source exchange
    assert FakePriceExchange.instances[-1] is not first
    await paper.close()
    assert all(instance.closed for instance in FakePriceExchange.instances)


async def test_kraken_through_the_ccxt_plugin_replayed(tmp_path: Path) -> None:
    """The real thing: source="kraken" builds the ccxt plugin's Kraken, replayed offline."""
    from tests.cassette_support import make_vcr

    config = {
        "source": "kraken",
        "source_config": {"markets_cache_dir": str(tmp_path), "rate_limit": False},
        "db_path": tmp_path / "kraken.sqlite3",
    }
    with make_vcr("kraken").use_cassette("ticker") as recorded:
        async with PaperExchange(config) as paper:
            quote = await paper.get_market_data("BTC-USD")
        assert recorded.all_played
    assert (quote.price, quote.bid, quote.ask) == (
        Decimal("30303.2"),
        Decimal("30300.0"),
        Decimal("30300.1"),
    )
    assert (quote.exchange, quote.source) == ("paper", "paper:kraken")


async def test_kraken_unreachable_is_an_error_naming_kraken(tmp_path: Path) -> None:
    """Offline (the suite blocks the network), a Kraken source fails loudly: no sim prices."""
    config = {
        "source": "kraken",
        "source_config": {"markets_cache_dir": str(tmp_path), "rate_limit": False},
        "db_path": tmp_path / "kraken.sqlite3",
    }
    paper = PaperExchange(config)
    try:
        with pytest.raises(ExchangeConnectionError) as info:
            await paper.get_market_data("BTC-USD")
        assert info.value.exchange == "kraken"
    finally:
        await paper.close()
