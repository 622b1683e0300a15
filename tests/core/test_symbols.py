"""The seed's symbol_utils examples and the per-exchange formats."""

from __future__ import annotations

import pytest

from powertrader_core import SymbolNotSupportedError, symbol_utils


def test_seed_examples() -> None:
    from pt_exchanges import symbol_utils as seed_utils

    assert seed_utils.to_binance_format("BTC-USD") == "BTCUSDT"
    assert seed_utils.to_kraken_format("BTC-USD") == "XBTUSD"
    assert seed_utils.to_coinbase_format("BTC-USD") == "BTC-USD"
    assert seed_utils.normalize_symbol("BTCUSDT", "binance") == "BTC-USD"


@pytest.mark.parametrize(
    ("exchange", "native"),
    [
        ("kraken", "XBTUSD"),
        ("binance", "BTCUSDT"),
        ("coinbase", "BTC-USD"),
        ("kucoin", "BTC-USDT"),
        ("bitstamp", "btcusd"),
        ("bybit", "BTCUSDT"),
        ("okx", "BTC-USDT"),
        ("robinhood", "BTC-USD"),
    ],
)
def test_round_trip_per_exchange(exchange: str, native: str) -> None:
    assert symbol_utils.to_exchange_format("BTC-USD", exchange) == native
    assert symbol_utils.from_exchange_format(native, exchange) == "BTC-USD"


def test_kraken_response_keys_and_aliases() -> None:
    assert symbol_utils.normalize_symbol("XXBTZUSD", "kraken") == "BTC-USD"
    assert symbol_utils.normalize_symbol("XETHZEUR", "kraken") == "ETH-EUR"
    assert symbol_utils.to_kraken_format("DOGE-USD") == "XDGUSD"


def test_split_prefers_three_letter_bases() -> None:
    assert symbol_utils.split_symbol("XBTUSD") == ("XBT", "USD")
    assert symbol_utils.split_symbol("OPUSDT") == ("OP", "USDT")
    assert symbol_utils.normalize_symbol("eth/usdc") == "ETH-USDC"


def test_unreadable_symbol_is_a_clear_error() -> None:
    with pytest.raises(SymbolNotSupportedError, match="BASE-QUOTE"):
        symbol_utils.split_symbol("???")
