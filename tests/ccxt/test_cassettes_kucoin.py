"""KuCoin through the ccxt plugin, replayed from ``cassettes/kucoin/``.

The cassettes hold KuCoin's real URLs, query strings, request bodies and response bodies (the
sources of each body are in ``cassettes/kucoin/README.md``). The fixture loads the markets from
``markets.yaml``; each test then plays one operation's cassette (set-up and shared checks:
``cassette_exchange.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import OrderRequest, OrderStatus, OrderType, Side
from tests.cassette_support import TEST_SECRETS, make_vcr
from tests.ccxt.cassette_exchange import (
    assert_refused_unsent,
    exchange_with_markets,
    played,
)

EXCHANGE = "kucoin"
RECORDER = make_vcr(EXCHANGE, match_body=True)
MARKET_CID = "6f1c2e3a-8b4d-4c5e-9f60-718293a4b5c6"
LIMIT_CID = "0d9e8f7a-6b5c-4d3e-a2f1-0a1b2c3d4e5f"
MARKET_ID = "65e371dd0ddaa40007cb437b"
LIMIT_ID = "6556088034d111000738f7b8"


@pytest.fixture
async def kucoin(tmp_path: Path) -> AsyncIterator[AbstractExchange]:
    # Keys are set, so ccxt asks for currencies, symbols, both margin lists, the tickers
    # (for fees) and whether the account trades on the high-frequency engine.
    async with exchange_with_markets(EXCHANGE, RECORDER, tmp_path, TEST_SECRETS) as exchange:
        yield exchange


async def test_markets_are_the_spot_pairs_with_kucoin_rules(kucoin: AbstractExchange) -> None:
    markets = kucoin.client.markets  # type: ignore[attr-defined]
    assert set(markets) == {"BTC/USDT", "ETH/USDT"}
    btc = markets["BTC/USDT"]
    assert btc["id"] == "BTC-USDT" and btc["spot"] is True
    assert btc["limits"]["amount"]["min"] == 0.00001
    assert btc["limits"]["cost"]["min"] == 0.1
    assert btc["precision"] == {"amount": 1e-08, "price": 0.1}


async def test_market_data_quotes_btc_usdt_for_btc_usd(kucoin: AbstractExchange) -> None:
    with played(RECORDER, "ticker", requests=1):
        data = await kucoin.get_market_data("BTC-USD")
    assert data.symbol == "BTC-USD"
    assert data.quoted_symbol == "BTC-USDT"
    assert data.price == Decimal("67400")
    assert data.bid == Decimal("67399.9")
    assert data.ask == Decimal("67400")
    assert data.volume == Decimal("6442.17728633")
    assert data.timestamp == datetime(2024, 3, 8, 11, 35, 10, 12000, tzinfo=UTC)


async def test_order_book_is_sorted_best_first(kucoin: AbstractExchange) -> None:
    with played(RECORDER, "order_book", requests=1):
        book = await kucoin.get_order_book("BTC-USDT", depth=20)
    assert [level.price for level in book.bids] == [Decimal("67539.7"), Decimal("67538.5")]
    assert [level.amount for level in book.bids] == [Decimal("1.1829567"), Decimal("0.25229199")]
    assert [level.price for level in book.asks] == [Decimal("67539.8"), Decimal("67539.9")]
    assert book.asks[1].amount == Decimal("0.0001")
    assert book.bids[0].price < book.asks[0].price


async def test_balance_keeps_free_used_and_total(kucoin: AbstractExchange) -> None:
    with RECORDER.use_cassette("balance", allow_playback_repeats=True):
        details = await kucoin.get_balance_details()
        usdt = await kucoin.get_balance("USDT")
    assert set(details) == {"USDT", "LTC"}  # zero balances are left out
    assert details["USDT"].free == Decimal("40.12618754")
    assert details["USDT"].used == Decimal("0")
    assert details["USDT"].total == Decimal("40.12618754")
    assert details["LTC"].total == Decimal("0.171021")
    assert usdt == {"USDT": Decimal("40.12618754")}


async def test_market_order_sends_the_client_id_as_client_oid(kucoin: AbstractExchange) -> None:
    request = OrderRequest(
        symbol="BTC-USD", side="buy", order_type="market", amount="0.0001",
        client_order_id=MARKET_CID,
    )
    # The price for the minimum-cost check comes from one ticker request, then the order.
    with played(RECORDER, "market_order"):
        result = await kucoin.place_order(request)
    assert result.order_id == MARKET_ID
    assert result.client_order_id == MARKET_CID
    assert result.metadata["exchange_client_order_id"] == MARKET_CID
    assert result.metadata["quoted_symbol"] == "BTC-USDT"
    assert result.status is OrderStatus.PENDING  # KuCoin answers with the id alone
    assert result.side is Side.BUY and result.order_type is OrderType.MARKET
    assert result.amount == Decimal("0.0001")


async def test_cancel_order(kucoin: AbstractExchange) -> None:
    with played(RECORDER, "cancel_order"):
        result = await kucoin.cancel_order(LIMIT_ID, "BTC-USDT")
    assert result.order_id == LIMIT_ID
    assert result.status is OrderStatus.CANCELED


async def test_fetch_order_reports_the_fill(kucoin: AbstractExchange) -> None:
    with played(RECORDER, "fetch_order"):
        result = await kucoin.get_order(MARKET_ID, "BTC-USDT")
    assert result.order_id == MARKET_ID
    assert result.client_order_id == MARKET_CID
    assert result.status is OrderStatus.FILLED
    assert result.filled_amount == Decimal("0.0001")
    assert result.remaining_amount == Decimal("0")
    assert result.average_price == Decimal("67400")
    assert result.fees == {"USDT": Decimal("0.00674")}
    assert result.symbol == "BTC-USDT"


async def test_fetch_order_by_client_id(kucoin: AbstractExchange) -> None:
    with played(RECORDER, "fetch_order_by_client_id"):
        result = await kucoin.get_order(symbol="BTC-USDT", client_order_id=MARKET_CID)
    assert result.order_id == MARKET_ID
    assert result.status is OrderStatus.FILLED


async def test_too_small_order_is_refused_before_any_request(kucoin: AbstractExchange) -> None:
    request = OrderRequest(
        symbol="BTC-USDT", side="buy", order_type="limit", amount="0.000005", price="60000",
        client_order_id=LIMIT_CID,
    )
    await assert_refused_unsent(kucoin, RECORDER, EXCHANGE, request)
