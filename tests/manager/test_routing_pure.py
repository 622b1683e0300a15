"""The pure routing functions the manager's best execution is built on."""

from __future__ import annotations

from decimal import Decimal as D

from powertrader_core import FillEstimate, MarketData
from powertrader_core.routing import estimate_from_quote, funds_shortfall, rank_for_amount


def _fill(exchange: str, side: str, filled: str, total: str, avg: str = "100") -> FillEstimate:
    return FillEstimate(
        symbol="BTC-USD", side=side, amount=D("2"), filled_amount=D(filled),
        average_price=D(avg), fee=D(0), fee_rate=D("0.01"), total=D(total), exchange=exchange,
    )


def test_estimate_from_quote_uses_the_side_of_the_book_and_the_fee() -> None:
    quote = MarketData("BTC-USD", 100, 99, 101, 5, exchange="k")
    buy = estimate_from_quote(quote, "buy", D(2), D("0.01"))
    assert (buy.average_price, buy.fee, buy.total, buy.source) == (
        D(101), D("2.02"), D("204.02"), "top_of_book"
    )
    sell = estimate_from_quote(quote, "sell", D(2), D("0.01"))
    assert (sell.average_price, sell.total, sell.exchange) == (D(99), D("196.02"), "k")
    empty = estimate_from_quote(MarketData("BTC-USD", 1, 0, 0), "buy", D(1), D(0))
    assert not empty.complete and empty.total == 0


def test_rank_for_amount_prefers_complete_fills_then_the_largest_partial() -> None:
    ranked = rank_for_amount([
        _fill("tiny", "buy", "0.1", "10"),
        _fill("dear", "buy", "2", "250"),
        _fill("cheap", "buy", "2", "200"),
        _fill("half", "buy", "1", "100"),
    ])
    assert [e.exchange for e in ranked] == ["cheap", "dear", "half", "tiny"]
    sells = rank_for_amount([_fill("low", "sell", "2", "190"), _fill("high", "sell", "2", "199")])
    assert [e.exchange for e in sells] == ["high", "low"]


def test_rank_for_amount_keeps_the_callers_order_among_ties() -> None:
    tied = [_fill("first", "buy", "2", "200"), _fill("second", "buy", "2", "200")]
    ranked = rank_for_amount(tied)
    assert [e.exchange for e in ranked] == ["first", "second"]


def test_funds_shortfall_for_buys_and_sells() -> None:
    buy = _fill("k", "buy", "2", "202")
    assert funds_shortfall(buy, {"USD": D(202)}, base="BTC", quote_assets=["USD"]) is None
    reason = funds_shortfall(buy, {"USD": D(50)}, base="BTC", quote_assets=["USD"])
    assert reason == "needs 202 USD, has 50 USD"
    # An exchange quoting USDT for USD is paid in either.
    assert funds_shortfall(buy, {"USDT": D(300)}, base="BTC", quote_assets=["USD", "USDT"]) is None
    # A limit buy needs its limit price's worth.
    limit = funds_shortfall(buy, {"USD": D(250)}, base="BTC", quote_assets=["USD"],
                            limit_price=D(150))
    assert limit is not None and "needs 303" in limit
    # A partial estimate is scaled to the whole amount.
    partial = _fill("k", "buy", "1", "101", avg="100")
    assert "needs 202" in str(funds_shortfall(partial, {}, base="BTC", quote_assets=["USD"]))
    sell = _fill("k", "sell", "2", "198")
    assert funds_shortfall(sell, {"BTC": D(2)}, base="BTC", quote_assets=["USD"]) is None
    assert funds_shortfall(sell, {"BTC": D(1)}, base="BTC", quote_assets=["USD"]) == (
        "needs 2 BTC, has 1"
    )
