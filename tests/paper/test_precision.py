"""The paper exchange refuses what it could not keep exactly, as a real exchange would
(issue 14, item 16).

A 40-digit amount used to be rounded to 28 digits silently (the order ended ``expired`` with a
1e-29 remainder) and a 1e-400 BTC order was taken.
"""

from __future__ import annotations

import pytest
from powertrader_paper import PaperExchange

from powertrader_core import InvalidOrderError, OrderRequest


@pytest.mark.parametrize(
    ("amount", "price", "says"),
    [
        ("1234567890.123456789012345678901234567890", None, "has 39 digits"),
        ("1e-400", None, "below the paper exchange's minimum of 1E-8"),
        ("0.000000001", None, "below the paper exchange's minimum"),
        ("0.123456789", None, "has 9 decimals; the paper exchange keeps 8"),
        ("0.01", "65000.1234567890123", "price 65000.1234567890123 has 13 decimals"),
        ("0.01", "1" * 30, "price 1111"),
    ],
)
async def test_beyond_its_precision_or_below_its_minimum_is_refused(
    paper: PaperExchange, amount: str, price: str | None, says: str
) -> None:
    kind = {"order_type": "limit", "price": price} if price else {}
    before = await paper.get_balance()
    with pytest.raises(InvalidOrderError, match=says.replace("(", r"\(")) as caught:
        await paper.place_order(OrderRequest("BTC-USD", "buy", amount, **kind))
    assert "paper place_order" in str(caught.value)
    assert await paper.get_balance() == before  # nothing moved
    assert await paper.get_orders() == []  # nothing stored


async def test_the_smallest_step_is_taken_whole(paper: PaperExchange) -> None:
    result = await paper.place_order(OrderRequest("BTC-USD", "buy", "0.00000001"))
    assert result.status == "filled" and result.filled_amount == result.amount
