"""Quotes, estimates, fees and the missing order book, replayed from cassettes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import vcr
from powertrader_robinhood import RobinhoodExchange

from powertrader_core import (
    FillEstimate,
    MarketData,
    NotSupportedError,
    Side,
    SymbolNotSupportedError,
)


async def test_one_quote_has_spread_inclusive_bid_ask_and_mid_price(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    with rh_vcr.use_cassette("best_bid_ask_single.yaml") as cassette:
        quote = await exchange.get_market_data("BTC-USD")
    assert cassette.all_played
    assert isinstance(quote, MarketData)
    assert quote.symbol == "BTC-USD" and quote.exchange == "robinhood"
    assert quote.bid == Decimal("67059.08") and quote.ask == Decimal("67600.73")
    assert quote.price == Decimal("67329.905")
    assert quote.bid <= quote.price <= quote.ask
    assert quote.timestamp == datetime(2024, 4, 15, 18, 2, 11, 389011, tzinfo=UTC)
    assert quote.source == "best_bid_ask"


async def test_batch_is_one_request_for_many_symbols(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    before = datetime.now(UTC)
    with rh_vcr.use_cassette("best_bid_ask_batch.yaml") as cassette:
        quotes = await exchange.get_market_data_batch(["BTC-USD", "eth-usd", "DOGE/USD"])
    assert cassette.play_count == 1 and cassette.all_played
    assert list(quotes) == ["BTC-USD", "eth-usd", "DOGE/USD"]
    btc, eth, doge = quotes.values()
    # numbers as strings
    assert btc.bid == Decimal("67059.08")
    # numbers as JSON numbers, read exactly (never through a binary float)
    assert eth.symbol == "ETH-USD"
    assert eth.bid == Decimal("3128.67") and eth.ask == Decimal("3153.83")
    assert eth.price == Decimal("3141.25")
    assert eth.timestamp == datetime(2024, 4, 15, 18, 2, 11, 389011, tzinfo=UTC)
    # a null timestamp becomes the time the answer was received
    assert before <= doge.timestamp <= datetime.now(UTC) + timedelta(seconds=1)
    assert doge.timestamp.tzinfo is not None
    for quote in quotes.values():
        assert all(isinstance(v, Decimal) for v in (quote.price, quote.bid, quote.ask))
        assert quote.bid <= quote.ask


async def test_estimate_fill_comes_from_the_estimated_price_endpoint(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    with rh_vcr.use_cassette("estimated_price.yaml") as cassette:
        buy = await exchange.estimate_fill("BTC-USD", "buy", "0.5")
        sell = await exchange.estimate_fill("BTC-USD", Side.SELL, 0.5)
    assert cassette.all_played
    assert isinstance(buy, FillEstimate) and buy.source == "estimated_price"
    assert buy.average_price == Decimal("67606.35")  # the ask, spread included
    assert buy.total == Decimal("0.5") * Decimal("67606.35")
    assert buy.fee == 0 and buy.complete
    assert sell.average_price == Decimal("67051.33")  # the bid, from a JSON number
    assert sell.total == Decimal("33525.665")
    assert sell.exchange == "robinhood"


async def test_fees_are_zero_because_the_spread_is_in_the_price(
    exchange: RobinhoodExchange,
) -> None:
    fees = await exchange.get_trading_fees("BTC-USD")
    assert (fees.maker, fees.taker, fees.source) == (Decimal(0), Decimal(0), "spread")
    assert exchange._http is None  # no request needed


async def test_order_book_is_not_supported(exchange: RobinhoodExchange) -> None:
    assert not exchange.supports("get_order_book")
    with pytest.raises(NotSupportedError) as info:
        await exchange.get_order_book("BTC-USD")
    assert "robinhood get_order_book" in str(info.value)


async def test_non_usd_and_malformed_symbols_are_refused_without_a_request(
    exchange: RobinhoodExchange,
) -> None:
    with pytest.raises(SymbolNotSupportedError, match="USD pairs only"):
        await exchange.get_market_data("BTC-USDT")
    with pytest.raises(SymbolNotSupportedError):
        await exchange.get_market_data("not a symbol")
    assert exchange._http is None
    assert await exchange.get_market_data_batch([]) == {}


async def test_symbol_robinhood_rejects_is_symbol_not_supported(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    with rh_vcr.use_cassette("error_unknown_symbol.yaml"), pytest.raises(
        SymbolNotSupportedError
    ) as info:
        await exchange.get_market_data("NOPE-USD")
    assert "Invalid symbol NOPE-USD" in str(info.value)
    assert str(info.value).startswith("robinhood get_market_data:")
