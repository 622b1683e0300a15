"""The ccxt plugin's streaming hooks: which exchanges stream, the ws_url option, refusals."""

from __future__ import annotations

import pytest

from powertrader_core import ConfigurationError, NotSupportedError, SymbolNotSupportedError
from tests.simulators.fixtures import kraken_config

pytest.importorskip("powertrader_ccxt")

from powertrader_ccxt import (
    PROFILES,
    BitstampExchange,
    CcxtExchange,
    KrakenExchange,
)
from powertrader_ccxt.named_exchanges import NAMED_CLASSES, class_for_ccxt_id
from powertrader_ccxt.streaming import rewrite_ws_urls


def test_streaming_follows_the_profile() -> None:
    for cls in NAMED_CLASSES:
        assert cls.streaming is PROFILES[cls.profile.name].streaming
    assert KrakenExchange.streaming and not BitstampExchange.streaming
    assert not class_for_ccxt_id("gemini").streaming and not CcxtExchange.streaming
    assert KrakenExchange().supports("watch_market_data")
    assert not BitstampExchange().supports("watch_market_data")


def test_a_non_streaming_exchange_refuses_at_once() -> None:
    with pytest.raises(NotSupportedError, match="bitstamp watch_market_data"):
        BitstampExchange().watch_market_data(["BTC-USD"])


def test_ws_url_rewrites_only_websocket_origins_and_keeps_paths() -> None:
    api = {
        "ws": {"publicV2": "wss://ws.kraken.com/v2", "public": "wss://ws.kraken.com"},
        "public": "https://api.kraken.com",
        "list": ["wss://stream.binance.com:9443/ws", "https://x.test/a"],
    }
    rewritten = rewrite_ws_urls(api, "ws://127.0.0.1:9300")
    assert rewritten == {
        "ws": {"publicV2": "ws://127.0.0.1:9300/v2", "public": "ws://127.0.0.1:9300"},
        "public": "https://api.kraken.com",
        "list": ["ws://127.0.0.1:9300/ws", "https://x.test/a"],
    }
    assert api["ws"]["publicV2"] == "wss://ws.kraken.com/v2"  # a copy


@pytest.mark.parametrize(
    "bad", ["http://127.0.0.1:1", "ws://127.0.0.1:1/v2", "ws://user:pw@host", "ws://host:99999"]
)
def test_a_malformed_ws_url_is_refused_when_built(bad: str) -> None:
    with pytest.raises(ConfigurationError, match="kraken configure: ws_url"):
        KrakenExchange({"ws_url": bad})


async def test_an_unlisted_symbol_is_refused_before_connecting(kraken_sim, tmp_path) -> None:
    config = kraken_config(kraken_sim, tmp_path, ws_url="ws://127.0.0.1:9", rate_limit_ms=5)
    async with KrakenExchange(config) as kraken:
        updates = kraken.watch_market_data(["BTC-USD", "NOPE-USD"])
        with pytest.raises(SymbolNotSupportedError, match="NOPE-USD"):
            await anext(updates)
        await updates.aclose()  # type: ignore[attr-defined]
