"""Coinbase (Advanced Trade) through the ccxt plugin, replayed from ``cassettes/coinbase/``.

Each cassette is one session of real Coinbase traffic: the six requests ``load_markets`` makes
(the v2 fiat and crypto currency lists and exchange rates, the v3 public product list trimmed to
BTC-USD, BTC-USDC and BTC-USDT, with keys the account's fee tier, and the futures list ccxt asks
for even for spot), then the call under test. Bodies are ccxt's recorded answers, and for the
orders Coinbase's documented Create Order answer (see the cassettes' README.md, which says
where each body came from).

Keys: Coinbase's CDP keys are a key name and an EC private key; ccxt signs each private request
with a short-lived ES256 JWT in the ``Authorization`` header (not recorded). The test makes a
fresh EC key for each run, so no key is stored anywhere. (The shared ``TEST_SECRETS`` secret
ends in ``=``, which ccxt reads as an Ed25519 CDP key and cannot load.)

Set-up (rate limiter off, every recording played) and shared checks: ``cassette_exchange.py``.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from powertrader_ccxt.lookup import IncompleteSearchError
from powertrader_ccxt.profiles import ExchangePaging, profile_for

from powertrader_core.errors import ExchangeConnectionError, OrderNotFoundError
from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import OrderRequest, OrderStatus, OrderType, Side
from tests.cassette_support import make_vcr
from tests.ccxt.cassette_exchange import (
    Replay,
    assert_too_small_refused,
    coinbase_cdp_keys,
    played,
    replayed_exchange,
    replayer,
)

EXCHANGE = "coinbase"


@pytest.fixture(scope="module")
def cdp_keys() -> dict[str, str]:
    return coinbase_cdp_keys()


@pytest.fixture
def replay(tmp_path: Path, cdp_keys: dict[str, str]) -> Replay:
    return replayer(EXCHANGE, tmp_path, cdp_keys)


async def test_markets_with_keys_give_the_account_fee_tier(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        markets = exchange.client.markets  # type: ignore[attr-defined]
        assert set(markets) == {"BTC/USD", "BTC/USDC", "BTC/USDT"}
        btc = markets["BTC/USD"]
        assert btc["limits"]["cost"]["min"] == 1  # quote_min_size
        assert btc["precision"] == {"amount": 1e-08, "price": 0.01}
        return btc["maker"], btc["taker"]

    maker, taker = await replay("markets", scenario)
    # transaction_summary: fee tier "Advanced 1", maker 0.006, taker 0.008.
    assert (maker, taker) == (0.006, 0.008)


async def test_markets_without_keys_give_published_fees(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_trading_fees("BTC-USD")

    fees = await replay("markets_public", scenario, keys=False)  # no transaction_summary
    assert (fees.maker, fees.taker, fees.source) == (Decimal("0.006"), Decimal("0.012"), "market")


@pytest.mark.parametrize(
    ("amount", "price", "why"),
    [
        ("0.00001", "50000", "minimum"),  # 0.5 USD, under quote_min_size 1
        ("0.000000001", "50000", "precision"),  # base_increment 0.00000001: rounds to zero
    ],
)
async def test_a_too_small_order_is_refused_before_any_request(
    replay: Replay, amount: str, price: str, why: str
) -> None:
    await assert_too_small_refused(replay, EXCHANGE, amount=amount, price=price, why=why)


async def test_ticker_in_decimals(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_market_data("BTC-USDC")

    data = await replay("ticker", scenario)
    assert (data.symbol, data.quoted_symbol, data.exchange) == ("BTC-USDC", None, "coinbase")
    assert data.price == Decimal("66363.03")  # the last trade
    assert data.bid == Decimal("66367.58")  # best_bid
    assert data.ask == Decimal("66367.59")  # best_ask
    assert data.timestamp.isoformat().startswith("2024-04-24T09:56:38.063")


async def test_order_book(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_order_book("BTC-USDT", depth=20)

    book = await replay("order_book", scenario)
    assert [(lv.price, lv.amount) for lv in book.bids] == [(Decimal("30757.85"), Decimal("0.115"))]
    assert [(lv.price, lv.amount) for lv in book.asks] == [
        (Decimal("30759.07"), Decimal("0.04877659"))
    ]
    assert book.best_bid is not None and book.best_ask is not None
    assert book.best_bid < book.best_ask


async def test_balance_free_used_total(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_balance_details(), await exchange.get_balance("ADA")

    details, ada = await replay("balance", scenario)
    # Two ADA wallets (22.314018 and 5.047160 staked) add up; the empty MASK wallet is left out.
    assert set(details) == {"ADA"}
    assert (details["ADA"].free, details["ADA"].used, details["ADA"].total) == (
        Decimal("27.361178"), Decimal("0"), Decimal("27.361178")
    )
    assert ada == {"ADA": Decimal("27.361178")}


async def test_cancel_order(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.cancel_order("bb8851a3-4fda-4a2c-aa06-9048db0e0f0d")

    result = await replay("cancel_order", scenario)
    assert result.order_id == "bb8851a3-4fda-4a2c-aa06-9048db0e0f0d"
    assert result.status is OrderStatus.CANCELED


async def test_fetch_order(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_order("9bc1eb3b-5b46-4b71-9628-ae2ed0cca75b")

    result = await replay("fetch_order", scenario)
    assert result.order_id == "9bc1eb3b-5b46-4b71-9628-ae2ed0cca75b"
    assert result.client_order_id == "e5fe8482-05bb-428f-ad4d-dbc8ce39239c"
    assert result.status is OrderStatus.OPEN
    assert (result.symbol, result.side, result.order_type) == (
        "LTC-BTC", Side.SELL, OrderType.LIMIT
    )
    assert result.amount == Decimal("0.2")
    assert result.price == Decimal("0.006")
    assert result.filled_amount == Decimal("0")


MARKET_CID = "4d760580-6fca-4094-a70b-ebcca8626288"
LIMIT_CID = "7c1e4f0a-2b3d-4e5f-8a9b-0c1d2e3f4a5b"


async def test_market_buy_sends_our_client_id_and_spends_amount_times_price(replay: Replay) -> None:
    """Regressions: ccxt replaced our client id by its own ``ccxt-<uuid>``, and refused every
    market BUY for want of a price (Coinbase sizes them in the quote currency)."""
    request = OrderRequest(
        symbol="BTC-USD", side="buy", amount="0.001", order_type="market",
        client_order_id=MARKET_CID,
    )

    async def scenario(exchange: AbstractExchange) -> Any:
        # No price seen yet: one ticker request (last trade 28208.1) serves the minimum-value
        # check and the amount to spend. The cassette matches the body: client_order_id is
        # ours and market_market_ioc.quote_size is 0.001 x 28208.1 at the quote increment.
        return await exchange.place_order(request)

    result = await replay("market_order", scenario)
    assert result.order_id == "52cfe5e2-0b29-4c19-a245-a6a773de5030"
    assert result.client_order_id == MARKET_CID
    assert result.metadata["exchange_client_order_id"] == MARKET_CID
    assert (result.symbol, result.side, result.order_type) == (
        "BTC-USD", Side.BUY, OrderType.MARKET
    )
    assert result.amount == Decimal("0.001")  # base units, as asked
    assert result.price is None  # the reference price is not an order price
    assert result.status is OrderStatus.PENDING  # Coinbase answers with the ids alone


async def test_limit_order_sends_our_client_id(replay: Replay) -> None:
    request = OrderRequest(
        symbol="BTC-USD", side="buy", amount="0.001", order_type="limit", price="25000",
        client_order_id=LIMIT_CID,
    )

    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.place_order(request)  # limit_limit_gtc, base_size 0.001

    result = await replay("limit_order", scenario)
    assert result.order_id == "bb8851a3-4fda-4a2c-aa06-9048db0e0f0d"
    assert result.client_order_id == LIMIT_CID
    assert (result.order_type, result.amount, result.price) == (
        OrderType.LIMIT, Decimal("0.001"), Decimal("25000")
    )


async def test_lookup_by_client_id_lists_every_status(replay: Replay) -> None:
    """List Orders has no client-id filter: open orders, then all orders with no
    ``order_status`` (ccxt's fetch_closed_orders would ask FILLED only and miss a cancelled
    or expired order)."""

    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_order(
            symbol="BTC-USDT", client_order_id="18eb9947-db49-4874-8e7b-39b8fe5f4317"
        )

    result = await replay("fetch_order_by_client_id", scenario)
    assert result.order_id == "813a53c5-3e39-47bb-863d-2faf685d22d8"
    assert result.status is OrderStatus.FILLED
    assert result.filled_amount == Decimal("0.000297920684505")
    assert result.fees == {"USDT": Decimal("0.0379324055666004")}


async def test_lookup_by_client_id_pages_through_a_busy_account(replay: Replay) -> None:
    """Regression: the all-orders list was read one page only, so an order on page 2 was
    "not found", which reconciliation reads as "never arrived": a resend, a double order.
    The lookup follows Coinbase's cursor to the second page (every request played)."""

    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_order(
            symbol="BTC-USDT", client_order_id="18eb9947-db49-4874-8e7b-39b8fe5f4317"
        )

    result = await replay("fetch_order_by_client_id_two_pages", scenario)
    assert result.order_id == "813a53c5-3e39-47bb-863d-2faf685d22d8"
    assert result.client_order_id == "18eb9947-db49-4874-8e7b-39b8fe5f4317"


async def test_a_search_cut_off_by_its_page_bound_is_unknown_not_absent(
    tmp_path: Path, cdp_keys: dict[str, str]
) -> None:
    """With one page allowed, page 1 ends with a cursor: the lookup raises an error that is
    neither "not found" nor retried, and page 2 is never asked."""
    exchange = replayed_exchange(EXCHANGE, {**cdp_keys, "markets_cache_dir": str(tmp_path)})
    profile = exchange.profile  # type: ignore[attr-defined]
    paging = dataclasses.replace(profile.paging, max_pages=1)
    exchange.profile = dataclasses.replace(profile, paging=paging)  # type: ignore[attr-defined]
    markets_and_two_lists = 8  # six for load_markets, open orders, page 1 of all orders
    with played(make_vcr(EXCHANGE, match_body=True), "fetch_order_by_client_id_two_pages",
                requests=markets_and_two_lists):
        async with exchange:
            with pytest.raises(IncompleteSearchError) as cut_off:
                await exchange.get_order(
                    symbol="BTC-USDT", client_order_id="18eb9947-db49-4874-8e7b-39b8fe5f4317"
                )
    error = cut_off.value
    assert isinstance(error, ExchangeConnectionError)
    assert not isinstance(error, OrderNotFoundError) and error.retryable is False
    assert str(error).startswith("coinbase get_order: client order id ")
    assert "not proof of absence" in str(error) and "fetch_orders" in str(error)


def test_coinbase_pages_by_cursor_within_a_bound() -> None:
    paging = profile_for("coinbase").paging
    assert paging == ExchangePaging(
        page_size=100, max_pages=10, cursor_param="cursor", cursor_key="cursor"
    )
