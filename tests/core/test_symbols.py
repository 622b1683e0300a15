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


def test_require_canonical_canonicalises_good_symbols() -> None:
    from powertrader_core.symbols import require_canonical

    assert require_canonical("btc/usd", exchange="kraken", operation="get_market_data") == "BTC-USD"
    assert require_canonical(" eth-usdt ", exchange="x", operation="y") == "ETH-USDT"


@pytest.mark.parametrize("bad", ["BTCUSD", "", "BTC-US D", "BTC-USD-EUR", None, 42])
def test_require_canonical_names_exchange_and_operation(bad: object) -> None:
    from powertrader_core.symbols import require_canonical

    with pytest.raises(SymbolNotSupportedError) as info:
        require_canonical(bad, exchange="kraken", operation="place_order")
    error = info.value
    assert (error.exchange, error.operation) == ("kraken", "place_order")
    assert str(error).startswith("kraken place_order: ")
    assert "BTC-USD" in str(error)  # says what a symbol should look like
    assert error.__cause__ is None and error.__suppress_context__  # no ValueError chained on


def test_symbols_module_stays_free_of_pydantic_until_used() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import powertrader_core.symbols as symbols\n"
        "assert 'pydantic' not in sys.modules, 'import pulled pydantic'\n"
        "assert symbols.require_canonical('btc/usd', exchange='e', operation='o') == 'BTC-USD'\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_a_symbol_format_is_data_any_class_can_declare() -> None:
    from powertrader_core.kit import CANONICAL_FORMAT, SYMBOL_FORMATS, SymbolFormat

    kraken = SYMBOL_FORMATS["kraken"]
    assert kraken.to_exchange("BTC-USD") == "XBTUSD"
    assert kraken.from_exchange("XXBTZUSD") == "BTC-USD" == kraken.from_exchange("XBTUSD")
    assert kraken.from_exchange("XTZUSD") == "XTZ-USD"  # Tezos is not a legacy-prefixed code
    assert kraken.quote_assets("USD") == ("USD",)
    assert SYMBOL_FORMATS["okx"].quote_assets("usd") == ("USD", "USDT")
    assert SYMBOL_FORMATS["okx"].quote_assets("EUR") == ("EUR",)
    # Legacy codes are Kraken's fact, declared, not a name check: elsewhere 8 letters split.
    assert SymbolFormat().from_exchange("XXBTZUSD") == "XXBTZ-USD"
    own = SymbolFormat(separator="_", lowercase=True)
    assert own.to_exchange("ETH-EUR") == "eth_eur" and own.from_exchange("eth_eur") == "ETH-EUR"
    assert CANONICAL_FORMAT.to_exchange("btc/usd") == "BTC-USD"
    # The seed's name-based helpers read the same rows.
    assert symbol_utils.to_kraken_format("BTC-USD") == kraken.to_exchange("BTC-USD")
