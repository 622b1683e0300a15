"""Limit and stop orders: they rest, hold funds, and fill when the market crosses them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from powertrader_paper import PaperExchange

from powertrader_core import (
    InsufficientFundsError,
    InvalidOrderError,
    OrderNotFoundError,
    OrderRequest,
    OrderStatus,
)
from tests.paper.conftest import FakeClock, MakePaper

TAKER = Decimal("0.001")
MAKER = Decimal("0.0005")


def limit(side: str, amount: str, price: str, **extra: str) -> OrderRequest:
    return OrderRequest(symbol="BTC-USD", side=side, amount=amount, order_type="limit",
                        price=price, **extra)


async def test_limit_buy_rests_holds_funds_and_fills_when_crossed(
    paper: PaperExchange, clock: FakeClock
) -> None:
    placed = await paper.place_order(limit("buy", "0.1", "59900"))
    assert placed.status is OrderStatus.OPEN
    assert placed.filled_amount == 0 and placed.remaining_amount == Decimal("0.1")
    held = Decimal("0.1") * 59900 * (1 + MAKER)
    usd = (await paper.get_balance_details())["USD"]
    assert (usd.total, usd.used, usd.free) == (Decimal(10000), held, 10000 - held)
    assert [o.order_id for o in await paper.get_open_orders()] == [placed.order_id]

    # Drive the seeded walk one tick at a time: the order stays open while the best ask is
    # above its price and fills on the first quote that reaches it.
    for _ in range(5000):
        clock.advance(1)
        quote = await paper.get_market_data("BTC-USD")
        order = await paper.get_order(placed.order_id)
        if quote.ask > 59900:
            assert order.status is OrderStatus.OPEN
            continue
        break
    else:
        pytest.fail("the seeded walk never reached the limit price")

    assert order.status is OrderStatus.FILLED
    assert order.average_price == Decimal(59900)  # its own price, as a maker
    assert order.fees == {"USD": Decimal("0.1") * 59900 * MAKER}
    assert await paper.get_balance() == {"BTC": Decimal("0.1"), "USD": 10000 - held}
    assert (await paper.get_balance_details())["USD"].used == 0
    assert await paper.get_open_orders() == []
    fills = await paper.get_fills(placed.order_id)
    assert [(f.price, f.amount, f.liquidity) for f in fills] == [
        (Decimal(59900), Decimal("0.1"), "maker")
    ]


async def test_limit_sell_fills_when_the_bid_rises_to_it(make_paper: MakePaper) -> None:
    paper = await make_paper(starting_balances={"BTC": "1"})
    placed = await paper.place_order(limit("sell", "0.4", "61000"))
    assert placed.status is OrderStatus.OPEN
    btc = (await paper.get_balance_details())["BTC"]
    assert (btc.used, btc.free) == (Decimal("0.4"), Decimal("0.6"))

    paper.simulated_market.set_price("BTC-USD", Decimal("60990"))
    assert (await paper.get_order(placed.order_id)).status is OrderStatus.OPEN  # bid 60983.90
    paper.simulated_market.set_price("BTC-USD", Decimal("61010"))
    await paper.get_market_data("BTC-USD")  # a price update settles it
    done = await paper.get_order(placed.order_id)
    assert done.status is OrderStatus.FILLED
    proceeds = Decimal("0.4") * 61000
    assert await paper.get_balance() == {"BTC": Decimal("0.6"), "USD": proceeds * (1 - MAKER)}


async def test_order_book_fetch_settles_too(paper: PaperExchange) -> None:
    placed = await paper.place_order(limit("buy", "0.01", "59000"))
    paper.simulated_market.set_price("BTC-USD", Decimal("58000"))
    await paper.get_order_book("BTC-USD", 5)
    orders = await paper.get_orders()
    assert [(o.order_id, o.status) for o in orders] == [(placed.order_id, OrderStatus.FILLED)]


async def test_marketable_limit_takes_the_book_up_to_its_price(make_paper: MakePaper) -> None:
    paper = await make_paper(starting_balances={"USD": 1_000_000})
    book = await paper.get_order_book("BTC-USD", 10)
    first, second = book.asks[0], book.asks[1]
    amount = first.amount + second.amount + 1  # more than the two levels at or under the limit
    placed = await paper.place_order(limit("buy", str(amount), str(second.price)))

    taken = first.amount * first.price + second.amount * second.price
    rest = Decimal(1)
    assert placed.status is OrderStatus.PARTIALLY_FILLED
    assert placed.filled_amount == first.amount + second.amount
    assert placed.remaining_amount == rest
    assert placed.fees == {"USD": taken * TAKER}
    usd = (await paper.get_balance_details())["USD"]
    assert usd.total == 1_000_000 - taken * (1 + TAKER)
    assert usd.used == rest * second.price * (1 + MAKER)


async def test_ioc_and_fok(make_paper: MakePaper) -> None:
    paper = await make_paper(starting_balances={"USD": 1_000_000})
    book = await paper.get_order_book("BTC-USD", 10)
    top = book.asks[0]
    too_much = str(top.amount + 1)

    ioc = await paper.place_order(limit("buy", too_much, str(top.price), time_in_force="IOC"))
    assert ioc.status is OrderStatus.EXPIRED
    assert ioc.filled_amount == top.amount
    fok = await paper.place_order(limit("buy", too_much, str(top.price), time_in_force="FOK"))
    assert fok.status is OrderStatus.EXPIRED
    assert fok.filled_amount == 0
    assert "fill or kill" in fok.metadata["reason"]
    assert (await paper.get_balance_details())["USD"].used == 0
    assert (await paper.get_balance())["BTC"] == top.amount  # only the IOC filled


async def test_cancel_releases_the_funds(paper: PaperExchange) -> None:
    placed = await paper.place_order(limit("buy", "0.1", "59000", client_order_id="mine"))
    assert (await paper.get_balance_details())["USD"].used > 0
    canceled = await paper.cancel_order(placed.order_id, "BTC-USD")
    assert canceled.status is OrderStatus.CANCELED
    usd = (await paper.get_balance_details())["USD"]
    assert (usd.total, usd.used, usd.free) == (Decimal(10000), Decimal(0), Decimal(10000))
    assert await paper.get_open_orders() == []
    # Cancelling again returns the same state; the price crossing later fills nothing.
    assert (await paper.cancel_order("mine")).status is OrderStatus.CANCELED
    paper.simulated_market.set_price("BTC-USD", Decimal("50000"))
    await paper.get_market_data("BTC-USD")
    assert await paper.get_balance() == {"USD": Decimal(10000)}


async def test_cancel_refusals(paper: PaperExchange) -> None:
    filled = await paper.place_order(OrderRequest("BTC-USD", "buy", "0.01"))
    with pytest.raises(InvalidOrderError, match="filled"):
        await paper.cancel_order(filled.order_id)
    with pytest.raises(OrderNotFoundError):
        await paper.cancel_order("paper-nothing", "BTC-USD")
    resting = await paper.place_order(limit("buy", "0.01", "50000"))
    with pytest.raises(OrderNotFoundError):
        await paper.cancel_order(resting.order_id, "ETH-USD")  # not that market's order
    assert (await paper.get_order(resting.order_id)).status is OrderStatus.OPEN


async def test_held_funds_cannot_be_spent_twice(paper: PaperExchange) -> None:
    await paper.place_order(limit("buy", "0.1", "59000"))  # holds ~5 903 USD
    with pytest.raises(InsufficientFundsError):
        await paper.place_order(limit("buy", "0.1", "59000"))
    with pytest.raises(InsufficientFundsError):
        await paper.place_order(OrderRequest("BTC-USD", "buy", "0.07"))  # ~4 200 USD
    assert len(await paper.get_orders()) == 1


async def test_limit_too_large_is_refused_before_anything(paper: PaperExchange) -> None:
    with pytest.raises(InsufficientFundsError):
        await paper.place_order(limit("buy", "1", "50000", time_in_force="FOK"))
    assert await paper.get_orders() == []
    assert await paper.get_balance() == {"USD": Decimal(10000)}


async def test_stop_loss_triggers_when_the_price_falls(make_paper: MakePaper) -> None:
    paper = await make_paper(starting_balances={"BTC": "1"})
    stop = await paper.place_order(
        OrderRequest("BTC-USD", "sell", "0.4", order_type="stop", stop_price="59000")
    )
    assert stop.status is OrderStatus.OPEN
    assert stop.metadata["triggered"] is False
    assert (await paper.get_balance_details())["BTC"].used == Decimal("0.4")

    paper.simulated_market.set_price("BTC-USD", Decimal("59500"))
    assert (await paper.get_order(stop.order_id)).status is OrderStatus.OPEN
    paper.simulated_market.set_price("BTC-USD", Decimal("58900"))
    book = await paper.get_order_book("BTC-USD", 1)
    done = await paper.get_order(stop.order_id)
    assert done.status is OrderStatus.FILLED
    assert done.metadata["triggered"] is True
    assert done.average_price == book.bids[0].price  # filled as a market sell at trigger
    proceeds = Decimal("0.4") * book.bids[0].price
    assert await paper.get_balance() == {"BTC": Decimal("0.6"), "USD": proceeds * (1 - TAKER)}
    assert [f.liquidity for f in await paper.get_fills(stop.order_id)] == ["taker"]


async def test_stop_limit_buy_becomes_a_resting_limit(paper: PaperExchange) -> None:
    order = OrderRequest(
        "BTC-USD", "buy", "0.1", order_type="stop_limit", stop_price="61000", price="61050"
    )
    placed = await paper.place_order(order)
    assert placed.status is OrderStatus.OPEN
    held = Decimal("0.1") * 61050 * (1 + TAKER)
    assert (await paper.get_balance_details())["USD"].used == held

    # The price jumps past both trigger and limit: the triggered order finds no ask at or
    # under 61050 and rests as a limit order, holding what it will pay as a maker.
    paper.simulated_market.set_price("BTC-USD", Decimal("61200"))
    resting = await paper.get_order(placed.order_id)
    assert resting.status is OrderStatus.OPEN
    assert resting.metadata["triggered"] is True
    assert (await paper.get_balance_details())["USD"].used == Decimal("0.1") * 61050 * (1 + MAKER)

    paper.simulated_market.set_price("BTC-USD", Decimal("61000"))
    filled = await paper.get_order(placed.order_id)
    assert filled.status is OrderStatus.FILLED
    assert filled.average_price == Decimal(61050)
    cost = Decimal("0.1") * 61050
    assert await paper.get_balance() == {"BTC": Decimal("0.1"), "USD": 10000 - cost * (1 + MAKER)}


async def test_stop_already_crossed_triggers_at_once(paper: PaperExchange) -> None:
    result = await paper.place_order(
        OrderRequest("BTC-USD", "buy", "0.01", order_type="stop", stop_price="59000")
    )
    assert result.status is OrderStatus.FILLED
    assert result.average_price == Decimal("60006.00")


async def test_triggered_stop_that_cannot_pay_is_rejected(make_paper: MakePaper) -> None:
    paper = await make_paper(starting_balances={"USD": "700"})
    stop = await paper.place_order(
        OrderRequest("BTC-USD", "buy", "0.01", order_type="stop", stop_price="61000")
    )
    held = Decimal("0.01") * 61000 * (1 + TAKER)
    assert (await paper.get_balance_details())["USD"].used == held
    paper.simulated_market.set_price("BTC-USD", Decimal("80000"))  # gaps far past the trigger
    rejected = await paper.get_order(stop.order_id)
    assert rejected.status is OrderStatus.REJECTED
    assert "needs" in rejected.metadata["reason"]
    assert set(await paper.get_balance_details()) == {"USD"}  # no BTC was bought
    usd = (await paper.get_balance_details())["USD"]
    assert (usd.total, usd.used) == (Decimal(700), Decimal(0))


async def test_stop_beyond_the_balance_is_refused(paper: PaperExchange) -> None:
    with pytest.raises(InsufficientFundsError):
        await paper.place_order(
            OrderRequest("BTC-USD", "buy", "1", order_type="stop", stop_price="61000")
        )
    assert await paper.get_orders() == []
