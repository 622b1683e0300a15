"""Bybit (v5 API, unified account) through the ccxt plugin, replayed from ``cassettes/bybit/``.

The cassettes hold Bybit's real URLs, query strings, request bodies and response bodies (the
sources of each body are in ``cassettes/bybit/README.md``). The fixture loads the markets from
``markets.yaml``; each test then plays one operation's cassette (set-up and shared checks:
``cassette_exchange.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
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

EXCHANGE = "bybit"
RECORDER = make_vcr(EXCHANGE, match_body=True)
MARKET_CID = "6f1c2e3a-8b4d-4c5e-9f60-718293a4b5c6"
LIMIT_CID = "0d9e8f7a-6b5c-4d3e-a2f1-0a1b2c3d4e5f"
MARKET_ID = "1609602210852247040"
LIMIT_ID = "1609920528435648000"


@pytest.fixture
async def bybit(tmp_path: Path) -> AsyncIterator[AbstractExchange]:
    # With keys, ccxt asks for the coin list, then the spot instruments (nothing else:
    # the profile's spot-only options spare the linear, inverse and option lists).
    async with exchange_with_markets(EXCHANGE, RECORDER, tmp_path, TEST_SECRETS) as exchange:
        yield exchange


async def test_markets_are_the_spot_pairs_with_bybit_rules(bybit: AbstractExchange) -> None:
    markets = bybit.client.markets  # type: ignore[attr-defined]
    assert set(markets) == {"BTC/USDT", "ETH/USDT"}
    btc = markets["BTC/USDT"]
    assert btc["id"] == "BTCUSDT" and btc["spot"] is True
    assert btc["limits"]["amount"]["min"] == 0.000011
    assert btc["limits"]["cost"]["min"] == 5
    assert btc["precision"] == {"amount": 0.000001, "price": 0.1}


async def test_market_data_quotes_btc_usdt_for_btc_usd(bybit: AbstractExchange) -> None:
    with played(RECORDER, "ticker", requests=1):
        data = await bybit.get_market_data("BTC-USD")
    assert data.symbol == "BTC-USD"
    assert data.quoted_symbol == "BTC-USDT"
    assert data.price == Decimal("20533.13")
    assert data.bid == Decimal("20517.96")
    assert data.ask == Decimal("20527.77")
    assert data.volume == Decimal("11801.27771")


async def test_order_book_is_sorted_best_first(bybit: AbstractExchange) -> None:
    with played(RECORDER, "order_book", requests=1):
        book = await bybit.get_order_book("BTC-USDT", depth=20)
    assert [level.price for level in book.bids] == [Decimal("29861"), Decimal("29829.3")]
    assert [level.amount for level in book.bids] == [Decimal("0.00101"), Decimal("0.000667")]
    assert [level.price for level in book.asks] == [Decimal("29971.81"), Decimal("29988.93")]
    assert book.asks[1].amount == Decimal("0.112648")
    assert book.bids[0].price < book.asks[0].price


async def test_balance_keeps_free_used_and_total(bybit: AbstractExchange) -> None:
    with RECORDER.use_cassette("balance", allow_playback_repeats=True):
        details = await bybit.get_balance_details()
        btc = await bybit.get_balance("BTC")
    assert set(details) == {"USDC", "BTC", "ETH", "ADA", "XRP", "USDT", "LTC"}
    usdt = details["USDT"]
    # Unified account: used = the coin's locked amount plus the margin its positions hold.
    assert usdt.free == Decimal("3229.64065465")
    assert usdt.used == Decimal("92.61831144")
    assert usdt.total == Decimal("3322.25896609")
    assert details["BTC"].free == details["BTC"].total == Decimal("0.85581394")
    assert btc == {"BTC": Decimal("0.85581394")}


async def test_market_order_sends_the_client_id_as_order_link_id(bybit: AbstractExchange) -> None:
    request = OrderRequest(
        symbol="BTC-USD", side="buy", order_type="market", amount="0.001",
        client_order_id=MARKET_CID,
    )
    # The price for the minimum-cost check comes from one ticker request, then the order.
    with played(RECORDER, "market_order"):
        result = await bybit.place_order(request)
    assert result.order_id == MARKET_ID
    assert result.client_order_id == MARKET_CID
    assert result.metadata["exchange_client_order_id"] == MARKET_CID
    assert result.metadata["quoted_symbol"] == "BTC-USDT"
    assert result.status is OrderStatus.PENDING  # Bybit answers with the ids alone
    assert result.side is Side.BUY and result.order_type is OrderType.MARKET
    assert result.amount == Decimal("0.001")


async def test_cancel_order(bybit: AbstractExchange) -> None:
    with played(RECORDER, "cancel_order"):
        result = await bybit.cancel_order(LIMIT_ID, "BTC-USDT")
    assert result.order_id == LIMIT_ID
    assert result.status is OrderStatus.CANCELED


async def test_fetch_order_reports_the_fill(bybit: AbstractExchange) -> None:
    with played(RECORDER, "fetch_order"):
        result = await bybit.get_order(MARKET_ID, "BTC-USDT")
    assert result.order_id == MARKET_ID
    assert result.client_order_id == MARKET_CID
    assert result.status is OrderStatus.FILLED
    assert result.filled_amount == Decimal("0.001")
    assert result.remaining_amount == Decimal("0")
    assert result.average_price == Decimal("30966.41")
    assert result.fees == {"BTC": Decimal("0.000001")}
    assert result.symbol == "BTC-USDT"


async def test_fetch_order_by_client_id(bybit: AbstractExchange) -> None:
    # Open orders first (no match), then the filled ones.
    with played(RECORDER, "fetch_order_by_client_id"):
        result = await bybit.get_order(symbol="BTC-USDT", client_order_id=MARKET_CID)
    assert result.order_id == MARKET_ID
    assert result.status is OrderStatus.FILLED


async def test_too_small_order_is_refused_before_any_request(bybit: AbstractExchange) -> None:
    request = OrderRequest(  # 0.0002 BTC at 19000 is 3.8 USDT, under Bybit's 5 USDT minimum
        symbol="BTC-USDT", side="buy", order_type="limit", amount="0.0002", price="19000",
        client_order_id=LIMIT_CID,
    )
    await assert_refused_unsent(bybit, RECORDER, EXCHANGE, request)


async def test_lookup_by_client_id_finds_an_order_cancelled_after_a_partial_fill(
    bybit: AbstractExchange,
) -> None:
    """Regression: finished orders were asked with orderStatus=Filled, which Bybit applies:
    an order that ended PartiallyFilledCanceled (or Cancelled) was "not found", the signal a
    reconciliation reads as "never arrived, send again"."""
    # Open orders (none), then order/history with no orderStatus.
    with played(RECORDER, "fetch_order_by_client_id_canceled"):
        result = await bybit.get_order(symbol="BTC-USD", client_order_id="1551741421621614081")
    assert result.order_id == "1551741421621614080"
    assert result.client_order_id == "1551741421621614081"
    # ccxt says "closed"; Bybit says PartiallyFilledCanceled: cancelled after a partial fill.
    assert result.status is OrderStatus.CANCELED
    assert result.filled_amount == Decimal("0.000299")
    assert result.average_price == Decimal("33393.46")
    assert (result.symbol, result.metadata["quoted_symbol"]) == ("BTC-USD", "BTC-USDT")
