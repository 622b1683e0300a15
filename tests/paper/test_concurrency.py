"""Orders placed at the same time never spend the same money twice."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from powertrader_paper import PaperExchange

from powertrader_core import InsufficientFundsError, OrderRequest, OrderStatus
from tests.paper.conftest import MakePaper

TAKER = Decimal("0.001")


async def test_twenty_concurrent_market_buys_keep_balances_consistent(
    paper: PaperExchange,
) -> None:
    # Each buy costs 0.01 * 60006 * 1.001 = 600.66 USD: 16 fit into 10 000, 4 do not.
    orders = [OrderRequest("BTC-USD", "buy", "0.01") for _ in range(20)]
    outcomes = await asyncio.gather(*(paper.place_order(o) for o in orders), return_exceptions=True)

    filled = [o for o in outcomes if not isinstance(o, BaseException)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert all(isinstance(error, InsufficientFundsError) for error in refused)
    assert len(filled) == 16 and len(refused) == 4
    assert all(result.status is OrderStatus.FILLED for result in filled)

    spent = sum(r.filled_amount * r.average_price + r.fees["USD"] for r in filled)
    assert await paper.get_balance() == {"BTC": Decimal("0.16"), "USD": 10000 - spent}
    assert len(await paper.get_orders()) == 16
    assert len(await paper.get_fills()) == 16


async def test_concurrent_limits_cancels_and_quotes_agree(make_paper: MakePaper) -> None:
    paper = await make_paper(starting_balances={"USD": "100000", "BTC": "2"})
    buys = [
        OrderRequest("BTC-USD", "buy", "0.1", order_type="limit", price=str(59000 - i))
        for i in range(10)
    ]
    sells = [
        OrderRequest("BTC-USD", "sell", "0.1", order_type="limit", price=str(61000 + i))
        for i in range(10)
    ]
    placed = await asyncio.gather(*(paper.place_order(o) for o in buys + sells))
    assert all(result.status is OrderStatus.OPEN for result in placed)

    to_cancel = placed[::2]
    await asyncio.gather(
        *(paper.cancel_order(r.order_id) for r in to_cancel),
        *(paper.get_market_data("BTC-USD") for _ in range(5)),
    )
    still_open = await paper.get_open_orders()
    assert len(still_open) == 10
    details = await paper.get_balance_details()
    held_usd = sum(
        o.remaining_amount * o.price * Decimal("1.0005")  # type: ignore[operator]
        for o in still_open
        if o.side == "buy"
    )
    held_btc = sum(o.remaining_amount for o in still_open if o.side == "sell")
    assert details["USD"].used == held_usd
    assert details["BTC"].used == held_btc
    assert details["USD"].total == Decimal(100000) and details["BTC"].total == Decimal(2)


async def test_two_instances_on_one_account_share_the_balance(make_paper: MakePaper) -> None:
    """Two exchanges (as two processes would be) on the same file: one ledger, one lock."""
    first = await make_paper()
    second = await make_paper()
    orders = [OrderRequest("BTC-USD", "buy", "0.01") for _ in range(20)]
    outcomes = await asyncio.gather(
        *(
            (first if index % 2 else second).place_order(order)
            for index, order in enumerate(orders)
        ),
        return_exceptions=True,
    )
    filled = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(filled) == 16
    assert await first.get_balance() == await second.get_balance()
    assert (await first.get_balance())["BTC"] == Decimal("0.16")
