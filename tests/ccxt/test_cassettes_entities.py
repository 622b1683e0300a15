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

from powertrader_core.errors import SymbolNotSupportedError
from tests.cassette_support import TEST_SECRETS, make_vcr
from tests.ccxt.cassette_exchange import exchange_with_markets, played

#: entity -> (its host, the symbol asked, the market its ticker recording quotes for it)
ENTITIES = {
    "bybiteu": ("api.bybit.eu", "BTC-USD", "BTC-USDT"),
    "myokx": ("eea.okx.com", "BTC-USD", "BTC-USDT"),
    # the US entities list USD markets too, so USD is never USDT there: the recorded USDT
    # market is asked for by its own name and quoted on itself
    "okxus": ("us.okx.com", "BTC-USDT", None),
    "binanceus": ("api.binance.us", "BTC-USDT", None),
}


@pytest.mark.parametrize("name", sorted(ENTITIES))
async def test_markets_and_prices_come_from_the_entitys_own_host(
    name: str, tmp_path: Path
) -> None:
    host, asked, quoted = ENTITIES[name]
    recorder = make_vcr(name, match_body=True)
    async with exchange_with_markets(name, recorder, tmp_path, TEST_SECRETS) as exchange:
        assert exchange.client.hostname in host  # type: ignore[attr-defined]
        with played(recorder, "ticker"):
            data = await exchange.get_market_data(asked)
    assert data.exchange == name
    assert data.symbol == asked and data.quoted_symbol == quoted
    assert data.source == f"ccxt:{name}"


@pytest.mark.parametrize("name", ["binanceus", "okxus"])
async def test_us_entities_never_stand_usdt_in_for_usd(name: str, tmp_path: Path) -> None:
    """Binance.US and OKX US list real USD markets beside USDT ones (Binance.US: ETHUSD in
    the recording). A USD market they do not list is refused before any request, never
    quoted on its USDT market: dollars and a token are different money there."""
    recorder = make_vcr(name, match_body=True)
    async with exchange_with_markets(name, recorder, tmp_path, TEST_SECRETS) as exchange:
        session: Any = exchange.session  # type: ignore[attr-defined]
        with pytest.raises(SymbolNotSupportedError, match=rf"^{name} get_market_data: BTC-USD"):
            await exchange.get_market_data("BTC-USD")  # recorded: BTC-USDT only
        assert session.resolve("BTC-USDT", "test")[1:3] == ("BTC/USDT", None)
        if name == "binanceus":
            assert session.resolve("ETH-USD", "test")[1:3] == ("ETH/USD", None)
