"""The regional entities (Bybit EU, MyOKX, OKX US, Binance.US) replayed from their cassettes:
what is theirs beyond the conformance kit (``tests/conformance/test_ccxt_cassettes.py``).

Each folder's recordings live on the entity's own host only, so a request to the family's
host (``api.bybit.com``, ``www.okx.com``, ``api.binance.com``) would find no recording and
fail: these tests prove the markets and prices come from the entity a user's keys belong to.
Set-up (rate limiter off, every recording played): ``cassette_exchange.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cassette_support import TEST_SECRETS, make_vcr
from tests.ccxt.cassette_exchange import exchange_with_markets, played

#: entity -> (its host, the market its ticker recording quotes for BTC-USD)
ENTITIES = {
    "bybiteu": ("api.bybit.eu", "BTC-USDT"),
    "myokx": ("eea.okx.com", "BTC-USDT"),
    "okxus": ("us.okx.com", "BTC-USDT"),
    "binanceus": ("api.binance.us", "BTC-USDT"),
}


@pytest.mark.parametrize("name", sorted(ENTITIES))
async def test_markets_and_prices_come_from_the_entitys_own_host(
    name: str, tmp_path: Path
) -> None:
    host, quoted = ENTITIES[name]
    recorder = make_vcr(name, match_body=True)
    async with exchange_with_markets(name, recorder, tmp_path, TEST_SECRETS) as exchange:
        assert exchange.client.hostname in host  # type: ignore[attr-defined]
        with played(recorder, "ticker"):
            data = await exchange.get_market_data("BTC-USD")
    assert data.exchange == name
    assert data.symbol == "BTC-USD" and data.quoted_symbol == quoted
    assert data.source == f"ccxt:{name}"


async def test_binance_us_quotes_usd_as_usd_where_it_lists_it(tmp_path: Path) -> None:
    """Binance.US lists real USD markets (ETHUSD) beside USDT ones: ETH-USD is quoted on
    ETH/USD itself, while BTC-USD, recorded here only as BTCUSDT, stands in on BTC/USDT."""
    recorder = make_vcr("binanceus", match_body=True)
    async with exchange_with_markets("binanceus", recorder, tmp_path, TEST_SECRETS) as exchange:
        session: Any = exchange.session  # type: ignore[attr-defined]
        assert session.resolve("ETH-USD", "test")[1:3] == ("ETH/USD", None)
        assert session.resolve("BTC-USD", "test")[1:3] == ("BTC/USDT", "BTC-USDT")
