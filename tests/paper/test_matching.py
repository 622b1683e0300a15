"""The pure matching rules, without a database or an event loop."""

from __future__ import annotations

from decimal import Decimal

from powertrader_paper.matching import (
    Fill,
    filled_amount,
    limit_crossed,
    notional,
    stop_triggered,
    take_liquidity,
)

from powertrader_core import MarketData, OrderBook, Side

BOOK = OrderBook(
    symbol="BTC-USD",
    bids=[[99, 1], [98, 2], [97, 3]],
    asks=[[101, 1], [102, 2], [103, 3]],
)


def quote(price: int, bid: int, ask: int) -> MarketData:
    return MarketData(symbol="BTC-USD", price=price, bid=bid, ask=ask)


def test_take_walks_best_first() -> None:
    fills = take_liquidity(BOOK, Side.BUY, Decimal("2.5"))
    assert fills == [Fill(Decimal(101), Decimal(1)), Fill(Decimal(102), Decimal("1.5"))]
    assert filled_amount(fills) == Decimal("2.5")
    assert notional(fills) == Decimal(101) + Decimal("1.5") * 102
    sells = take_liquidity(BOOK, Side.SELL, Decimal(4))
    assert [f.price for f in sells] == [Decimal(99), Decimal(98), Decimal(97)]


def test_take_stops_at_the_limit_and_at_the_end_of_the_book() -> None:
    assert filled_amount(take_liquidity(BOOK, Side.BUY, Decimal(10), Decimal(102))) == 3
    assert filled_amount(take_liquidity(BOOK, Side.SELL, Decimal(10), Decimal(99))) == 1
    assert take_liquidity(BOOK, Side.BUY, Decimal(1), Decimal(100)) == []
    assert filled_amount(take_liquidity(BOOK, Side.BUY, Decimal(100))) == 6


def test_limit_crossed_by_the_other_side_of_the_quote() -> None:
    assert limit_crossed(Side.BUY, Decimal(101), quote(100, 99, 101))
    assert not limit_crossed(Side.BUY, Decimal("100.99"), quote(100, 99, 101))
    assert limit_crossed(Side.SELL, Decimal(99), quote(100, 99, 101))
    assert not limit_crossed(Side.SELL, Decimal("99.01"), quote(100, 99, 101))
    assert not limit_crossed(Side.BUY, Decimal(5), quote(0, 0, 0))  # an empty market


def test_stop_triggered_by_the_last_price() -> None:
    assert stop_triggered(Side.SELL, Decimal(100), quote(100, 99, 101))
    assert not stop_triggered(Side.SELL, Decimal(99), quote(100, 98, 101))
    assert stop_triggered(Side.BUY, Decimal(100), quote(100, 99, 101))
    assert not stop_triggered(Side.BUY, Decimal(101), quote(100, 99, 102))
