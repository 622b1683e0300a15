"""Market orders fill against the book, level by level, with exact fees and balances."""

from __future__ import annotations

from decimal import Decimal

import pytest
from powertrader_paper import PaperExchange

from powertrader_core import (
    InsufficientFundsError,
    InvalidOrderError,
    OrderRequest,
    OrderStatus,
)
from tests.paper.conftest import MakePaper

TAKER = Decimal("0.001")


async def test_market_buy_one_level(paper: PaperExchange) -> None:
    result = await paper.place_order(OrderRequest("BTC-USD", "buy", "0.01"))
    assert result.status is OrderStatus.FILLED
    assert result.exchange == "paper"
    assert result.filled_amount == Decimal("0.01")
    assert result.remaining_amount == 0
    assert result.average_price == Decimal("60006.00")  # the best ask
    cost = Decimal("0.01") * Decimal("60006.00")
    assert result.fees == {"USD": cost * TAKER}
    assert result.metadata["price_source"] == "paper:sim"
    assert result.timestamp.utcoffset() is not None
    assert await paper.get_balance() == {
        "BTC": Decimal("0.01"),
        "USD": Decimal(10000) - cost - cost * TAKER,
    }
    assert await paper.get_balance("USD") == {"USD": Decimal("9399.3399400")}
    assert await paper.get_balance("ETH") == {"ETH": Decimal(0)}


async def test_market_buy_walks_the_levels(make_paper: MakePaper) -> None:
    paper = await make_paper(starting_balances={"USD": 1_000_000})
    book = await paper.get_order_book("BTC-USD", depth=10)
    first, second = book.asks[0], book.asks[1]
    amount = first.amount + Decimal("0.5")  # all of level 1, part of level 2
    result = await paper.place_order(OrderRequest("BTC-USD", "buy", amount))

    cost = first.amount * first.price + Decimal("0.5") * second.price
    assert result.status is OrderStatus.FILLED
    assert result.filled_amount == amount
    assert result.average_price == cost / amount
    assert result.fees == {"USD": cost * TAKER}
    assert await paper.get_balance() == {"BTC": amount, "USD": 1_000_000 - cost * (1 + TAKER)}

    fills = await paper.get_fills(result.order_id)
    assert [(f.price, f.amount, f.liquidity) for f in fills] == [
        (first.price, first.amount, "taker"),
        (second.price, Decimal("0.5"), "taker"),
    ]
    assert sum(f.fee for f in fills) == cost * TAKER


async def test_market_sell_receives_less_the_fee(make_paper: MakePaper) -> None:
    paper = await make_paper(starting_balances={"BTC": "1", "USD": "0"})
    result = await paper.place_order(OrderRequest("BTC-USD", "sell", "0.25"))
    proceeds = Decimal("0.25") * Decimal("59994.00")  # the best bid
    assert result.status is OrderStatus.FILLED
    assert result.average_price == Decimal("59994.00")
    assert result.fees == {"USD": proceeds * TAKER}
    assert await paper.get_balance() == {"BTC": Decimal("0.75"), "USD": proceeds * (1 - TAKER)}


async def test_configured_fee(make_paper: MakePaper) -> None:
    paper = await make_paper(taker_fee="0.0026")
    result = await paper.place_order(OrderRequest("BTC-USD", "buy", "0.1"))
    assert result.fees == {"USD": Decimal("0.1") * Decimal("60006.00") * Decimal("0.0026")}
    fees = await paper.get_trading_fees("BTC-USD")
    assert (fees.maker, fees.taker) == (Decimal("0.0005"), Decimal("0.0026"))
    assert fees.exchange == "paper"


async def test_estimate_fill_matches_the_fill(make_paper: MakePaper) -> None:
    paper = await make_paper(starting_balances={"USD": 1_000_000})
    estimate = await paper.estimate_fill("BTC-USD", "buy", "2")
    result = await paper.place_order(OrderRequest("BTC-USD", "buy", "2"))
    assert estimate.average_price == result.average_price
    assert estimate.fee == result.fees["USD"]
    assert estimate.exchange == "paper"


async def _unchanged(paper: PaperExchange, balances: dict[str, Decimal]) -> None:
    assert await paper.get_balance() == balances
    assert await paper.get_orders() == []
    assert await paper.get_fills() == []


async def test_buy_beyond_the_balance_changes_nothing(paper: PaperExchange) -> None:
    before = await paper.get_balance()
    with pytest.raises(InsufficientFundsError) as info:
        await paper.place_order(OrderRequest("BTC-USD", "buy", "0.2"))  # ~12 000 USD
    assert info.value.exchange == "paper"
    assert info.value.operation == "place_order"
    assert "USD" in str(info.value)
    await _unchanged(paper, before)


async def test_fee_counts_towards_the_balance(make_paper: MakePaper) -> None:
    price = Decimal("60006.00")
    exact = Decimal("0.01") * price  # enough for the coins, not for the fee
    paper = await make_paper(starting_balances={"USD": exact})
    with pytest.raises(InsufficientFundsError):
        await paper.place_order(OrderRequest("BTC-USD", "buy", "0.01"))
    await _unchanged(paper, {"USD": exact})
    await paper.reset({"USD": exact * (1 + TAKER)})
    result = await paper.place_order(OrderRequest("BTC-USD", "buy", "0.01"))
    assert result.status is OrderStatus.FILLED
    assert await paper.get_balance() == {"BTC": Decimal("0.01")}  # USD is spent to the cent


async def test_sell_beyond_the_holding_changes_nothing(make_paper: MakePaper) -> None:
    paper = await make_paper(starting_balances={"BTC": "0.1"})
    with pytest.raises(InsufficientFundsError, match="BTC"):
        await paper.place_order(OrderRequest("BTC-USD", "sell", "0.2"))
    await _unchanged(paper, {"BTC": Decimal("0.1")})


async def test_market_order_larger_than_the_book_is_refused(make_paper: MakePaper) -> None:
    paper = await make_paper(starting_balances={"USD": 10**9}, book_levels=2)
    with pytest.raises(InvalidOrderError, match="book holds only"):
        await paper.place_order(OrderRequest("BTC-USD", "buy", "5"))
    await _unchanged(paper, {"USD": Decimal(10**9)})


async def test_wrong_argument_is_refused(paper: PaperExchange) -> None:
    with pytest.raises(InvalidOrderError):
        await paper.place_order({"symbol": "BTC-USD"})  # type: ignore[arg-type]


async def test_same_client_order_id_is_one_order(paper: PaperExchange) -> None:
    request = OrderRequest("BTC-USD", "buy", "0.01", client_order_id="retry-1")
    first = await paper.place_order(request)
    again = await paper.place_order(
        OrderRequest("BTC-USD", "buy", "0.01", client_order_id="retry-1")
    )
    assert again.order_id == first.order_id
    assert again.client_order_id == "retry-1"
    assert len(await paper.get_orders()) == 1
    assert (await paper.get_balance())["BTC"] == Decimal("0.01")  # bought once

    with pytest.raises(InvalidOrderError, match="already used"):
        await paper.place_order(OrderRequest("BTC-USD", "buy", "0.02", client_order_id="retry-1"))
    assert len(await paper.get_orders()) == 1


async def test_get_order_by_either_id(paper: PaperExchange) -> None:
    from powertrader_core import OrderNotFoundError

    placed = await paper.place_order(OrderRequest("BTC-USD", "buy", "0.01", client_order_id="c1"))
    assert (await paper.get_order(placed.order_id)).client_order_id == "c1"
    assert (await paper.get_order(client_order_id="c1")).order_id == placed.order_id
    assert (await paper.get_order(placed.order_id, "BTC-USD")).status is OrderStatus.FILLED
    with pytest.raises(OrderNotFoundError):
        await paper.get_order(placed.order_id, "ETH-USD")
    with pytest.raises(OrderNotFoundError):
        await paper.get_order("paper-missing")
    with pytest.raises(OrderNotFoundError):
        await paper.get_order(client_order_id="c2")
    with pytest.raises(InvalidOrderError):
        await paper.get_order()


async def test_a_buy_larger_than_the_book_does_not_quote_the_books_cost(
    paper: PaperExchange,
) -> None:
    """100 and 1,000 BTC used to read as the same cost (what the whole book costs)."""
    messages = []
    for amount in ("1000", "100000"):
        with pytest.raises(InsufficientFundsError) as info:
            await paper.place_order(OrderRequest("BTC-USD", "buy", amount))
        messages.append(str(info.value))
    for amount, message in zip(("1000", "100000"), messages, strict=True):
        assert f"buy {amount} BTC-USD needs more than " in message
        assert "the book holds cost alone" in message
