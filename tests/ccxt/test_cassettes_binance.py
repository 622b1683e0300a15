"""Binance through the ccxt plugin, replayed from ``cassettes/binance/``.

Each cassette is one session of real Binance spot traffic: what ``load_markets`` asks with the
plugin's spot-only options (``/api/v3/exchangeInfo`` trimmed to BTCUSDT, ETHUSDT and LTCUSDT,
and nothing else: ``fetchCurrencies`` is off, so no signed coin list even with keys), then the
call under test.
Bodies are ccxt's recorded responses and Binance's documented answers (see the cassettes'
README.md). Request bodies and query strings are matched less ``timestamp``, ``recvWindow`` and
``signature``, so ``newClientOrderId`` and every order field are checked as sent.

Binance has no USD market: ``BTC-USD`` is quoted on ``BTC/USDT``; results name ``BTC-USD``
with ``BTC-USDT`` as the market really quoted.
Set-up (rate limiter off, every recording played) and shared checks: ``cassette_exchange.py``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import OrderRequest, OrderStatus, OrderType, Side
from tests.ccxt.cassette_exchange import (
    Replay,
    assert_too_small_refused,
    replayer,
)

EXCHANGE = "binance"
# The client ids of the recorded orders (ccxt's broker-prefixed ids): the answers echo them.
MARKET_CID = "x-TKT5PX2F5e669e75b6c14f69a2c43e"
LIMIT_CID = "x-TKT5PX2F22ecb58eb9074fb1be018c"


@pytest.fixture
def replay(tmp_path: Path) -> Replay:
    return replayer(EXCHANGE, tmp_path)


async def test_markets_with_keys_make_no_coin_list_request(replay: Replay) -> None:
    """Regression: a cold start with keys asked the signed, weight-10 coin list every time."""

    async def scenario(exchange: AbstractExchange) -> Any:
        markets = exchange.client.markets  # type: ignore[attr-defined]
        return markets["BTC/USDT"]

    # markets.yaml holds exchangeInfo alone: a getall request would find no recording.
    btc = await replay("markets", scenario)
    # Precision and limits still come from exchangeInfo (LOT_SIZE, PRICE_FILTER, NOTIONAL).
    assert (btc["precision"]["amount"], btc["precision"]["price"]) == (1e-05, 0.01)
    assert btc["limits"]["amount"]["min"] == 1e-05
    assert btc["limits"]["cost"]["min"] == 5.0


async def test_markets_without_keys_give_published_fees(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_trading_fees("BTC-USD")

    # Without keys ccxt skips the signed coin list: exchangeInfo is the only request.
    fees = await replay("markets_public", scenario, keys=False)
    assert (fees.symbol, fees.maker, fees.taker, fees.source) == (
        "BTC-USD", Decimal("0.001"), Decimal("0.001"), "market"
    )


@pytest.mark.parametrize(
    ("amount", "price", "why"),
    [
        ("0.000005", "60000", "minimum"),  # LOT_SIZE minQty 0.00001
        ("0.0001", "40000", "minimum"),  # 4 USDT, under NOTIONAL minNotional 5
        ("0.000001", "60000", "precision"),  # stepSize 0.00001: rounds to zero
    ],
)
async def test_a_too_small_order_is_refused_before_any_request(
    replay: Replay, amount: str, price: str, why: str
) -> None:
    await assert_too_small_refused(replay, EXCHANGE, amount=amount, price=price, why=why)


async def test_ticker_quotes_btc_usdt_for_btc_usd(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_market_data("BTC-USD")

    data = await replay("ticker", scenario)
    assert data.symbol == "BTC-USD"
    assert data.quoted_symbol == "BTC-USDT"
    assert data.price == Decimal("73369.84")  # lastPrice
    assert data.bid == Decimal("73369.83")  # bidPrice
    assert data.ask == Decimal("73369.84")  # askPrice
    assert data.volume == Decimal("72140.348628")  # volume (base asset, 24 h)
    assert data.timestamp.timestamp() == 1710328245.391  # closeTime


async def test_order_book_sorted(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_order_book("BTC-USD", depth=20)

    book = await replay("order_book", scenario)
    assert (book.symbol, book.quoted_symbol) == ("BTC-USD", "BTC-USDT")
    assert [(lv.price, lv.amount) for lv in book.bids] == [
        (Decimal("42574.3"), Decimal("0.0107")), (Decimal("42574.2"), Decimal("0.00646"))
    ]
    assert [(lv.price, lv.amount) for lv in book.asks] == [
        (Decimal("42574.31"), Decimal("0.0087")), (Decimal("42574.8"), Decimal("0.00893"))
    ]


async def test_balance_free_used_total(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_balance_details(), await exchange.get_balance("LTC")

    details, ltc = await replay("balance", scenario)
    # The account holds LTC and ETH, nothing locked; the empty BTC line is left out.
    assert set(details) == {"LTC", "ETH"}
    assert (details["LTC"].free, details["LTC"].used, details["LTC"].total) == (
        Decimal("0.919741"), Decimal("0"), Decimal("0.919741")
    )
    assert details["ETH"].total == Decimal("0.02229833")
    assert ltc == {"LTC": Decimal("0.919741")}


async def test_market_order_filled(replay: Replay) -> None:
    request = OrderRequest(
        symbol="BTC-USD", side="buy", amount="0.0005", order_type="market",
        client_order_id=MARKET_CID,
    )

    async def scenario(exchange: AbstractExchange) -> Any:
        # No price seen yet: the plugin reads the ticker to check the 5 USDT minimum value.
        return await exchange.place_order(request)

    result = await replay("market_order", scenario)
    assert result.order_id == "5403233939"
    assert result.client_order_id == MARKET_CID
    # The symbol asked, with the market really traded beside it (as MarketData does).
    assert result.symbol == "BTC-USD"
    assert result.metadata["quoted_symbol"] == "BTC-USDT"
    assert result.status is OrderStatus.FILLED
    assert (result.side, result.order_type) == (Side.BUY, OrderType.MARKET)
    assert result.filled_amount == Decimal("0.0005")
    assert result.remaining_amount == Decimal("0")
    assert result.average_price == Decimal("58941.63")
    assert result.fees == {"BNB": Decimal("0.0000705")}


async def test_limit_order_open(replay: Replay) -> None:
    request = OrderRequest(
        symbol="BTC-USD", side="buy", amount="0.00085", order_type="limit", price="13500",
        client_order_id=LIMIT_CID,
    )

    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.place_order(request)

    result = await replay("limit_order", scenario)
    # The kit places this order too; what is Binance's: the USDT stand-in, and NEW is open.
    assert (result.symbol, result.metadata["quoted_symbol"]) == ("BTC-USD", "BTC-USDT")
    assert result.status is OrderStatus.OPEN


async def test_cancel_order(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.cancel_order("16383156620", "BTC-USD")

    result = await replay("cancel_order", scenario)
    assert result.order_id == "16383156620"
    # Regression: the answer's clientOrderId is the cancel request's own new id; the order's
    # is origClientOrderId.
    assert result.client_order_id == "web_3f6286480b194b079870ac75fb6978b7"
    assert (result.symbol, result.metadata["quoted_symbol"]) == ("BTC-USD", "BTC-USDT")
    assert result.status is OrderStatus.CANCELED
    assert result.amount == Decimal("0.0011")
    assert result.price == Decimal("14000")
    assert result.filled_amount == Decimal("0")


async def test_fetch_order_by_usd_name(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_order("3397148653", "LTC-USD")  # LTC/USDT on Binance

    result = await replay("fetch_order", scenario)
    assert result.order_id == "3397148653"
    assert result.symbol == "LTC-USD"  # the name asked; the market traded is beside it
    assert result.metadata["quoted_symbol"] == "LTC-USDT"
    assert result.status is OrderStatus.FILLED
    assert (result.side, result.order_type) == (Side.SELL, OrderType.MARKET)
    assert result.filled_amount == Decimal("0.1")
    assert result.average_price == Decimal("90.8")  # cummulativeQuoteQty 9.08 / 0.1
    assert result.client_order_id == "x-R4BD3S825806ed40c861260428a48c"
