"""OKX (v5 API) through the ccxt plugin, replayed from ``cassettes/okx/``.

The cassettes hold OKX's real URLs, query strings, request bodies and response bodies (the
sources of each body are in ``cassettes/okx/README.md``). The fixture loads the markets from
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

EXCHANGE = "okx"
RECORDER = make_vcr(EXCHANGE, match_body=True)
MARKET_CID = "6f1c2e3a-8b4d-4c5e-9f60-718293a4b5c6"
LIMIT_CID = "0d9e8f7a-6b5c-4d3e-a2f1-0a1b2c3d4e5f"
MARKET_ID = "1339107111507525632"
LIMIT_ID = "2896576259728695296"


@pytest.fixture
async def okx(tmp_path: Path) -> AsyncIterator[AbstractExchange]:
    # With keys, ccxt asks for the currencies, then the spot instruments only.
    async with exchange_with_markets(EXCHANGE, RECORDER, tmp_path, TEST_SECRETS) as exchange:
        yield exchange


async def test_markets_are_the_spot_pairs_with_okx_rules(okx: AbstractExchange) -> None:
    markets = okx.client.markets  # type: ignore[attr-defined]
    assert set(markets) == {"BTC/USDT", "ETH/USDT"}
    btc = markets["BTC/USDT"]
    assert btc["id"] == "BTC-USDT" and btc["spot"] is True
    assert btc["limits"]["amount"]["min"] == 0.00001
    assert btc["precision"] == {"amount": 1e-08, "price": 0.1}


async def test_market_data_quotes_btc_usdt_for_btc_usd(okx: AbstractExchange) -> None:
    with played(RECORDER, "ticker", requests=1):
        data = await okx.get_market_data("BTC-USD")
    assert data.symbol == "BTC-USD"
    assert data.quoted_symbol == "BTC-USDT"
    assert data.price == Decimal("73384.8")
    assert data.bid == Decimal("73384.7")
    assert data.ask == Decimal("73384.8")
    assert data.volume == Decimal("21266.19145051")
    assert data.timestamp == datetime(2024, 3, 13, 11, 10, 43, 709000, tzinfo=UTC)


async def test_order_book_is_sorted_best_first(okx: AbstractExchange) -> None:
    with played(RECORDER, "order_book", requests=1):
        book = await okx.get_order_book("BTC-USDT", depth=20)
    assert [level.price for level in book.bids] == [Decimal("67973.3"), Decimal("67973.2")]
    assert [level.amount for level in book.bids] == [Decimal("0.05"), Decimal("0.00725939")]
    assert [level.price for level in book.asks] == [Decimal("67973.4"), Decimal("67975.9")]
    assert book.asks[0].amount == Decimal("1.40848059")
    assert book.bids[0].price < book.asks[0].price


async def test_balance_keeps_free_used_and_total(okx: AbstractExchange) -> None:
    with RECORDER.use_cassette("balance", allow_playback_repeats=True):
        details = await okx.get_balance_details()
        eth = await okx.get_balance("ETH")
    assert set(details) == {"BTC", "ETH", "USDT"}
    btc = details["BTC"]
    assert btc.free == Decimal("0.6612664522199999")
    assert btc.total == Decimal("1.06126645222")
    assert btc.used == btc.total - btc.free  # ccxt derives it, exactly, from the strings
    assert details["USDT"].free == Decimal("0")
    assert details["USDT"].total == Decimal("0.000258796")
    assert eth == {"ETH": Decimal("5")}


async def test_market_order_sends_32_hex_digits_as_cl_ord_id(okx: AbstractExchange) -> None:
    request = OrderRequest(
        symbol="BTC-USD", side="buy", order_type="market", amount="0.0001",
        client_order_id=MARKET_CID,
    )
    # OKX publishes no minimum cost for BTC-USDT, so no price is asked for first.
    with played(RECORDER, "market_order"):
        result = await okx.place_order(request)
    assert result.order_id == MARKET_ID
    assert result.client_order_id == MARKET_CID
    assert result.metadata["exchange_client_order_id"] == MARKET_CID.replace("-", "")
    assert result.metadata["quoted_symbol"] == "BTC-USDT"
    assert result.side is Side.BUY and result.order_type is OrderType.MARKET
    assert result.amount == Decimal("0.0001")


async def test_limit_order_sends_the_client_id_as_32_hex(okx: AbstractExchange) -> None:
    """The kit places this order too; what is OKX's: clOrdId takes no dashes."""
    request = OrderRequest(
        symbol="BTC-USDT", side="buy", order_type="limit", amount="0.0001", price="60000",
        client_order_id=LIMIT_CID,
    )
    with played(RECORDER, "limit_order"):
        result = await okx.place_order(request)
    assert result.order_id == LIMIT_ID
    assert result.client_order_id == LIMIT_CID
    assert result.metadata["exchange_client_order_id"] == LIMIT_CID.replace("-", "")


async def test_cancel_order(okx: AbstractExchange) -> None:
    with played(RECORDER, "cancel_order"):
        result = await okx.cancel_order(LIMIT_ID, "BTC-USDT")
    assert result.order_id == LIMIT_ID
    assert result.status is OrderStatus.CANCELED


async def test_fetch_order_reports_the_fill(okx: AbstractExchange) -> None:
    with played(RECORDER, "fetch_order"):
        result = await okx.get_order(MARKET_ID, "BTC-USDT")
    assert result.order_id == MARKET_ID
    assert result.status is OrderStatus.FILLED
    assert result.filled_amount == Decimal("0.0001")
    assert result.remaining_amount == Decimal("0")
    assert result.average_price == Decimal("73384.8")
    assert result.fees == {"BTC": Decimal("1E-7")}
    assert result.symbol == "BTC-USDT"


async def test_fetch_order_by_client_id(okx: AbstractExchange) -> None:
    # Asked by clOrdId, the UUID written as 32 hex digits.
    with played(RECORDER, "fetch_order_by_client_id"):
        result = await okx.get_order(symbol="BTC-USDT", client_order_id=MARKET_CID)
    assert result.order_id == MARKET_ID
    assert result.client_order_id == MARKET_CID
    assert result.status is OrderStatus.FILLED


async def test_too_small_order_is_refused_before_any_request(okx: AbstractExchange) -> None:
    request = OrderRequest(  # OKX's minimum for BTC-USDT is 0.00001 BTC
        symbol="BTC-USDT", side="buy", order_type="limit", amount="0.000005", price="60000",
        client_order_id=LIMIT_CID,
    )
    await assert_refused_unsent(okx, RECORDER, EXCHANGE, request)
