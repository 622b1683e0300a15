"""Kraken through the ccxt plugin, replayed from ``cassettes/kraken/``.

Each cassette is one session of real Kraken traffic: the two requests ``load_markets`` makes
(``Assets``, ``AssetPairs``, trimmed to the pairs used) and then the call under test. Bodies are
Kraken's documentation examples and ccxt's recorded responses (see the cassettes' README.md).
Request bodies are matched too (``match_body``), less the nonce, so what the plugin sends is
checked field by field: ``cl_ord_id`` carries our client order id.

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

EXCHANGE = "kraken"


@pytest.fixture
def replay(tmp_path: Path) -> Replay:
    return replayer(EXCHANGE, tmp_path)


async def test_markets_give_published_fees_and_spot_pairs(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_trading_fees("BTC-USD")

    fees = await replay("markets", scenario, keys=False)
    assert fees.maker == Decimal("0.0016")  # fees_maker [0, 0.16] %
    assert fees.taker == Decimal("0.0026")  # fees [0, 0.26] %
    assert fees.source == "market"


@pytest.mark.parametrize(
    ("amount", "price", "why"),
    [
        ("0.0001", "1000", "minimum"),  # 0.1 USD, under costmin 0.5
        ("0.000000001", "30000", "precision"),  # lot_decimals 8: rounds to zero
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
    assert data.quoted_symbol is None  # Kraken has a USD market (XXBTZUSD)
    assert data.price == Decimal("30303.2")  # c[0]
    assert data.bid == Decimal("30300.0")  # b[0]
    assert data.ask == Decimal("30300.1")  # a[0]
    assert data.volume == Decimal("4412.73601799")  # v[1], last 24 h


async def test_order_book_sorted(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_order_book("BTC-USD", depth=20)

    book = await replay("order_book", scenario)
    assert [level.price for level in book.bids] == [
        Decimal("30297.0"), Decimal("30296.7"), Decimal("30289.8")
    ]
    assert [level.amount for level in book.bids] == [
        Decimal("1.115"), Decimal("2.002"), Decimal("5.001")
    ]
    assert [level.price for level in book.asks] == [
        Decimal("30384.1"), Decimal("30387.9"), Decimal("30393.7")
    ]


async def test_balance_free_used_total(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_balance_details(), await exchange.get_balance("BTC")

    details, btc = await replay("balance", scenario)
    # BalanceEx: balance is the total, hold_trade is held in orders; free is the difference.
    assert details["USD"].total == Decimal("25435.21")
    assert details["USD"].used == Decimal("8249.76")
    assert details["USD"].free == Decimal("17185.45")
    assert details["BTC"].total == Decimal("1.2435")
    assert details["BTC"].used == Decimal("0.8423")
    assert details["BTC"].free == Decimal("0.4012")
    assert btc == {"BTC": Decimal("1.2435")}


async def test_market_order(replay: Replay, monkeypatch: pytest.MonkeyPatch) -> None:
    request = OrderRequest(
        symbol="LTC-USDT", side="buy", amount="0.1", order_type="market",
        client_order_id="pt-market-1",
    )

    async def scenario(exchange: AbstractExchange) -> Any:
        # The plugin checks a market order's value against the pair's cost minimum with a
        # recent price, asking for a ticker when it has none. The recorded session has no
        # LTC/USDT ticker, so the price is the fill price of the recorded LTC/USDT market order.
        monkeypatch.setattr(exchange, "_recent_price", lambda canonical: Decimal("71.05741"))
        return await exchange.place_order(request)

    result = await replay("market_order", scenario)
    assert result.order_id == "OL7LNO-R4SAD-6UINEU"
    assert result.client_order_id == "pt-market-1"
    assert result.metadata["exchange_client_order_id"] == "pt-market-1"  # sent as cl_ord_id
    assert result.status in (OrderStatus.PENDING, OrderStatus.OPEN)  # AddOrder gives no state
    assert (result.symbol, result.side, result.order_type) == (
        "LTC-USDT", Side.BUY, OrderType.MARKET
    )
    assert result.amount == Decimal("0.1")


async def test_cancel_order(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.cancel_order("OUF4EM-FRGI2-MQMWZD", "BTC-USD")

    result = await replay("cancel_order", scenario)
    # CancelOrder answers {"count": 1} only: the id is the one asked for.
    assert result.order_id == "OUF4EM-FRGI2-MQMWZD"
    assert result.status is OrderStatus.CANCELED


async def test_fetch_order(replay: Replay) -> None:
    async def scenario(exchange: AbstractExchange) -> Any:
        return await exchange.get_order("OR6EGN-KQSEG-AMI6CL", "LTC-USDT")

    result = await replay("fetch_order", scenario)
    assert result.order_id == "OR6EGN-KQSEG-AMI6CL"
    # Regression: the answer has no cl_ord_id and userref "0", which ccxt copied into the
    # client id: an order placed without one has none.
    assert result.client_order_id is None
    assert result.status is OrderStatus.OPEN
    assert (result.symbol, result.side, result.order_type) == (
        "LTC-USDT", Side.BUY, OrderType.LIMIT
    )
    assert result.amount == Decimal("0.1")
    assert result.price == Decimal("50")
    assert result.filled_amount == Decimal("0")
    assert result.remaining_amount == Decimal("0.1")
