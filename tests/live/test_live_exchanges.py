"""Live checks against the real exchanges: read-only, marked ``live``, skipped by default.

They need the network, which the machines that run CI do not have, so each is skipped unless
asked for: public data with ``POWERTRADER_LIVE_TESTS=1``, private data only when that exchange's
credentials are in the environment as well (``KRAKEN_API_KEY`` and ``KRAKEN_API_SECRET``, ...,
``ROBINHOOD_API_KEY`` and ``ROBINHOOD_PRIVATE_KEY``). No test here places an order.

    POWERTRADER_LIVE_TESTS=1 KRAKEN_API_KEY=... KRAKEN_API_SECRET=... python -m pytest -m live
"""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

from powertrader_core import ExchangeConfigManager, ExchangeFactory

pytestmark = pytest.mark.live

CCXT_EXCHANGES = ["kraken", "binance", "coinbase", "kucoin", "bitstamp", "bybit", "okx"]
LIVE = os.environ.get("POWERTRADER_LIVE_TESTS", "").strip().lower() in {"1", "true", "yes"}
needs_live = pytest.mark.skipif(not LIVE, reason="set POWERTRADER_LIVE_TESTS=1 to run live tests")


def _credentials(exchange: str) -> dict[str, object] | None:
    """The exchange's configuration from the environment, or None when incomplete."""
    config = dict(ExchangeConfigManager().load_exchange_config(exchange))
    cls = ExchangeFactory.get_exchange_class(exchange)
    return config if not cls.check_config(config) else None


@needs_live
@pytest.mark.parametrize("exchange", CCXT_EXCHANGES)
async def test_public_quote_is_sane(exchange: str) -> None:
    async with ExchangeFactory.create_exchange(exchange) as venue:
        quote = await venue.get_market_data("BTC-USD")
    assert isinstance(quote.bid, Decimal) and isinstance(quote.ask, Decimal)
    assert Decimal(0) < quote.bid <= quote.ask
    assert quote.timestamp.utcoffset() is not None
    assert quote.exchange == exchange


@needs_live
@pytest.mark.parametrize("exchange", CCXT_EXCHANGES)
async def test_public_order_book_and_fill_estimate(exchange: str) -> None:
    async with ExchangeFactory.create_exchange(exchange) as venue:
        book = await venue.get_order_book("BTC-USD", depth=10)
        estimate = await venue.estimate_fill("BTC-USD", "buy", "0.01")
    assert book.best_bid is not None and book.best_ask is not None
    assert book.best_bid <= book.best_ask
    assert estimate.average_price >= book.best_ask


@needs_live
@pytest.mark.parametrize("exchange", [*CCXT_EXCHANGES, "robinhood"])
async def test_private_balance_with_real_keys(exchange: str) -> None:
    config = _credentials(exchange)
    if config is None:
        pytest.skip(f"no complete {exchange} credentials in the environment")
    async with ExchangeFactory.create_exchange(exchange, config) as venue:
        balances = await venue.get_balance()
    assert all(isinstance(amount, Decimal) for amount in balances.values())
