"""Bitstamp through the ccxt plugin, replayed from ``cassettes/bitstamp/``.

Each cassette is one session of real Bitstamp traffic: ``GET /api/v2/markets/`` (trimmed to
BTC/USD, ETH/USD, ETH/USDT and one perpetual, which the plugin must drop), then the call under
test. Private calls are signed ``POST`` forms (``X-Auth-*`` headers, not recorded); bodies are
matched, so the order id sent to ``cancel_order``/``order_status`` and every order field are
checked. Response bodies are ccxt's recorded answers, and for new orders Bitstamp's documented
answer shape (see the cassettes' README.md, which says where each body came from).

Set-up (rate limiter off, every recording played) and shared checks: ``cassette_exchange.py``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from powertrader_core.errors import SymbolNotSupportedError
from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import OrderRequest, OrderStatus, OrderType, Side
from tests.ccxt.cassette_exchange import (
    Replay,
    assert_too_small_refused,
    replayer,
)

EXCHANGE = "bitstamp"


@pytest.fixture
def replay(tmp_path: Path) -> Replay:
    return replayer(EXCHANGE, tmp_path)


async def test_markets_are_spot_only_with_published_fees(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        # The listing has BTC/USD-PERP too: only spot markets are kept.
        assert set(exchange.client.markets) == {"BTC/USD", "ETH/USD", "ETH/USDT"}  # type: ignore[attr-defined]
        with pytest.raises(SymbolNotSupportedError):
            await exchange.get_trading_fees("LTC-USD")  # not listed
        return await exchange.get_trading_fees("BTC-USD")

    fees = await replay("markets", scenario, keys=False)
    assert (fees.symbol, fees.maker, fees.taker, fees.source) == (
        "BTC-USD", Decimal("0.004"), Decimal("0.004"), "market"
    )


@pytest.mark.parametrize(
    ("amount", "price", "why"),
    [
        ("0.0001", "26000", "minimum"),  # 2.6 USD, under minimum_order_value 10
        ("0.000000001", "26000", "precision"),  # base_decimals 8: rounds to zero
    ],
)
async def test_a_too_small_order_is_refused_before_any_request(
    replay: Replay, amount: str, price: str, why: str
) -> None:
    await assert_too_small_refused(replay, EXCHANGE, amount=amount, price=price, why=why)


async def test_ticker_in_decimals(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_market_data("BTC-USD")

    data = await replay("ticker", scenario)
    assert (data.symbol, data.quoted_symbol, data.exchange) == ("BTC-USD", None, "bitstamp")
    assert data.price == Decimal("26216")
    assert data.bid == Decimal("26208")
    assert data.ask == Decimal("26211")
    assert data.volume == Decimal("3563.13819902")
    assert data.timestamp.timestamp() == 1686068944


async def test_order_book_sorted(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_order_book("BTC-USD", depth=20)

    book = await replay("order_book", scenario)
    assert [(lv.price, lv.amount) for lv in book.bids] == [
        (Decimal("8750.00"), Decimal("1.33685271")),
        (Decimal("8749.39"), Decimal("0.077")),
        (Decimal("8746.98"), Decimal("0.074")),
    ]
    assert [lv.price for lv in book.asks] == [
        Decimal("8754.10"), Decimal("8754.71"), Decimal("8754.72")
    ]


async def test_balance_free_used_total(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_balance_details(), await exchange.get_balance("USDT")

    details, usdt = await replay("balance", scenario)
    assert set(details) == {"USDT"}
    assert (details["USDT"].free, details["USDT"].used, details["USDT"].total) == (
        Decimal("7"), Decimal("0"), Decimal("7")
    )
    assert usdt == {"USDT": Decimal("7")}


async def test_cancel_order(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.cancel_order("1453282316578816", "BTC-USD")

    result = await replay("cancel_order", scenario)
    assert result.order_id == "1453282316578816"
    assert result.status is OrderStatus.CANCELED
    assert (result.symbol, result.side) == ("BTC-USD", Side.BUY)  # type 0 is a buy
    assert result.amount == Decimal("0.02035278")
    assert result.price == Decimal("2100.45")


async def test_fetch_order_finished(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_order("1429545880227846")  # order_status needs no market

    result = await replay("fetch_order", scenario)
    assert result.order_id == "1429545880227846"
    assert result.status is OrderStatus.FILLED  # "Finished"
    assert result.symbol == "ETH-USDT"  # from the transaction's currencies
    assert result.filled_amount == Decimal("0.005")
    assert result.remaining_amount == Decimal("0")
    assert result.average_price == Decimal("4451.25")
    assert result.fees == {"USDT": Decimal("0.11128")}


MARKET_CID = "9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
LIMIT_CID = "2b3c4d5e-6f70-4a81-92a3-b4c5d6e7f809"


async def test_market_order(replay: Replay) -> None:
    request = OrderRequest(
        symbol="BTC-USD", side="buy", amount="0.001", order_type="market",
        client_order_id=MARKET_CID,
    )

    async def scenario(exchange: AbstractExchange) -> Any:
        # No price seen yet: one ticker request for the 10 USD minimum-value check, then
        # POST /api/v2/buy/market/btcusd/ with amount and client_order_id (bodies matched).
        return await exchange.place_order(request)

    result = await replay("market_order", scenario)
    assert result.order_id == "731693945"
    assert result.client_order_id == MARKET_CID
    assert result.metadata["exchange_client_order_id"] == MARKET_CID
    assert (result.symbol, result.side, result.order_type) == (
        "BTC-USD", Side.BUY, OrderType.MARKET
    )
    assert result.amount == Decimal("0.001")
    assert result.status is OrderStatus.PENDING  # the answer says nothing of fills


async def test_limit_order(replay: Replay) -> None:
    request = OrderRequest(
        symbol="BTC-USD", side="buy", amount="0.001", order_type="limit", price="25000",
        client_order_id=LIMIT_CID,
    )

    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.place_order(request)  # POST /api/v2/buy/btcusd/

    result = await replay("limit_order", scenario)
    # The kit places this order too; what is Bitstamp's: its datetime string is the time.
    assert result.timestamp.isoformat().startswith("2019-01-31T21:23:36")
