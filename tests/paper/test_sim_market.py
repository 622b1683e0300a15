"""The simulated market: sensible, exact, deterministic for a seed, moving with its clock."""

from __future__ import annotations

from decimal import Decimal

import pytest
from powertrader_paper import PaperExchange

from powertrader_core import ExchangeFactory, SymbolNotSupportedError
from tests.paper.conftest import FakeClock, MakePaper


async def test_quote_is_exact_labelled_and_sensible(paper: PaperExchange) -> None:
    quote = await paper.get_market_data("BTC-USD")
    assert quote.symbol == "BTC-USD"
    assert quote.exchange == "paper"
    assert quote.source == "paper:sim"
    assert all(isinstance(v, Decimal) for v in (quote.price, quote.bid, quote.ask, quote.volume))
    assert quote.price == Decimal("60000.00")  # the start price, before the clock moves
    assert quote.bid < quote.price < quote.ask
    # The default spread is 2 basis points around the mid: 59994 / 60006.
    assert (quote.bid, quote.ask) == (Decimal("59994.00"), Decimal("60006.00"))
    assert quote.timestamp.utcoffset() is not None


@pytest.mark.parametrize(
    ("symbol", "low", "high"),
    [
        ("ETH-USD", 2900, 3100),
        ("ETH-BTC", Decimal("0.04"), Decimal("0.06")),
        ("BTC-EUR", 50000, 60000),
        ("DOGE-USDT", Decimal("0.1"), Decimal("0.2")),
        ("ZZZNEW-USD", Decimal("0.1"), 100),  # unknown coins get a seeded start price
    ],
)
async def test_any_base_quote_is_priced(
    paper: PaperExchange, symbol: str, low: Decimal, high: Decimal
) -> None:
    quote = await paper.get_market_data(symbol)
    assert low <= quote.price <= high
    assert 0 < quote.bid < quote.ask


async def test_symbols_are_validated(paper: PaperExchange) -> None:
    assert (await paper.get_market_data("btc/usd")).symbol == "BTC-USD"
    for bad in ("BTC-BTC", "BTCUSD", "", "BTC-US D"):
        with pytest.raises(SymbolNotSupportedError) as info:
            await paper.get_market_data(bad)
        assert info.value.exchange == "paper"
        assert info.value.operation == "get_market_data"


async def test_prices_move_with_the_clock_not_with_requests(
    paper: PaperExchange, clock: FakeClock
) -> None:
    first = await paper.get_market_data("BTC-USD")
    again = await paper.get_market_data("BTC-USD")
    assert again.price == first.price  # same tick, same quote
    clock.advance(0.5)
    assert (await paper.get_market_data("BTC-USD")).price == first.price  # still tick 0
    prices = set()
    for _ in range(20):
        clock.advance(1)
        prices.add((await paper.get_market_data("BTC-USD")).price)
    assert len(prices) > 10
    # A step moves the mid by at most the volatility (0.05 %) of the previous mid.
    assert all(abs(p - first.price) < first.price * Decimal("0.0005") * 21 for p in prices)


async def test_same_seed_same_prices_other_seed_other_prices(make_paper: MakePaper) -> None:
    async def path(seed: int, symbols: list[str]) -> list[Decimal]:
        clock = FakeClock()
        exchange = await make_paper(seed=seed, clock=clock, db_path=None, account=f"s{seed}")
        seen = []
        for _ in range(30):
            clock.advance(1)
            quotes = await exchange.get_market_data_batch(symbols)
            seen.append(quotes["BTC-USD"].price)
        return seen

    a = await path(7, ["BTC-USD"])
    # Asking for another symbol as well does not change BTC's path.
    b = await path(7, ["ETH-USD", "BTC-USD"])
    c = await path(8, ["BTC-USD"])
    assert a == b
    assert a != c


async def test_time_jump_moves_the_price_sensibly(paper: PaperExchange, clock: FakeClock) -> None:
    clock.advance(3600)
    far = await paper.get_market_data("BTC-USD")
    assert far.price != Decimal("60000.00")
    assert abs(far.price - 60000) < 60000 * Decimal("0.5")  # an hour is not a crash


async def test_order_book_levels(paper: PaperExchange) -> None:
    book = await paper.get_order_book("BTC-USD", depth=3)
    assert book.exchange == "paper"
    assert len(book.bids) == len(book.asks) == 3
    assert [level.price for level in book.asks] == [
        Decimal("60006.00"),
        Decimal("60012.00"),
        Decimal("60018.00"),
    ]
    assert [level.price for level in book.bids] == [
        Decimal("59994.00"),
        Decimal("59988.00"),
        Decimal("59982.00"),
    ]
    # Level n holds n times 25 000 USD worth of BTC, in satoshis.
    assert [level.amount for level in book.asks] == [
        Decimal("0.41666666"),
        Decimal("0.83333333"),
        Decimal("1.25000000"),
    ]
    deep = await paper.get_order_book("BTC-USD", depth=500)
    assert len(deep.asks) == 10  # book_levels


async def test_order_book_depth_is_validated(paper: PaperExchange) -> None:
    from powertrader_core import ExchangeError

    with pytest.raises(ExchangeError, match="depth"):
        await paper.get_order_book("BTC-USD", depth=0)


async def test_configured_start_price_spread_and_levels(make_paper: MakePaper) -> None:
    exchange = await make_paper(
        starting_prices={"BTC-USD": "50000"}, spread="0.001", book_levels=2
    )
    quote = await exchange.get_market_data("BTC-USD")
    assert (quote.bid, quote.price, quote.ask) == (
        Decimal("49975.00"),
        Decimal("50000.00"),
        Decimal("50025.00"),
    )
    assert len((await exchange.get_order_book("BTC-USD", 50)).bids) == 2


async def test_set_price_moves_the_simulation(paper: PaperExchange, clock: FakeClock) -> None:
    paper.simulated_market.set_price("BTC-USD", Decimal("65000"))
    quote = await paper.get_market_data("BTC-USD")
    assert quote.price == Decimal("65000.00")
    clock.advance(1)
    assert (await paper.get_market_data("BTC-USD")).price != quote.price  # the walk goes on


async def test_registered_as_a_plugin_and_only_where_named() -> None:
    cls = ExchangeFactory.get_exchange_class("paper")
    assert cls is PaperExchange
    assert cls.include_by_default is False
    assert list(cls.regions) == ["us", "eu", "global"]
    assert cls.required_credentials == ()
    exchange = ExchangeFactory.create_exchange("paper")
    assert exchange.has_credentials
    assert "paper" in ExchangeFactory.get_available_exchanges("eu")
    await exchange.close()
