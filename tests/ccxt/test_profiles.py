"""The profile table, the seed's classes, ``ccxt:<id>``, and ccxt imported only when needed."""

from __future__ import annotations

import subprocess
import sys

import pytest
from powertrader_ccxt import PROFILES, CcxtExchange

from powertrader_core import ConfigurationError, ExchangeFactory, NotSupportedError
from tests.fakes import registered

SEVEN = ("kraken", "binance", "coinbase", "kucoin", "bitstamp", "bybit", "okx")

# shared/reference/exchanges.md
REGIONS = {
    "kraken": {"us", "eu", "global"},
    "binance": {"eu", "global"},
    "coinbase": {"us", "eu", "global"},
    "kucoin": {"eu", "global"},
    "bitstamp": {"us", "eu", "global"},
    "bybit": {"eu", "global"},
    "okx": {"eu", "global"},
}


def test_one_row_per_mainstream_exchange_with_its_facts() -> None:
    assert set(PROFILES) == set(SEVEN)
    for name, profile in PROFILES.items():
        assert profile.name == name
        assert set(profile.regions) == REGIONS[name]
    assert {n for n, p in PROFILES.items() if p.passphrase} == {"kucoin", "okx"}
    assert {n for n, p in PROFILES.items() if p.symbol_format.usd_substitute == "USDT"} == {
        "binance", "kucoin", "bybit", "okx"
    }
    assert {n for n, p in PROFILES.items() if p.sandbox} == {"binance", "bybit", "okx"}
    assert PROFILES["kraken"].symbol_format.aliases["BTC"] == "XBT"


@pytest.mark.parametrize(
    ("seed_name", "exchange"),
    [
        ("KrakenExchange", "kraken"),
        ("BinanceExchange", "binance"),
        ("CoinbaseExchange", "coinbase"),
        ("KuCoinExchange", "kucoin"),
        ("KucoinExchange", "kucoin"),
        ("BitstampExchange", "bitstamp"),
        ("BybitExchange", "bybit"),
        ("OKXExchange", "okx"),
        ("OkxExchange", "okx"),
    ],
)
def test_seed_classes_come_through_pt_exchanges(seed_name: str, exchange: str) -> None:
    import pt_exchanges

    cls = getattr(pt_exchanges, seed_name)
    assert issubclass(cls, CcxtExchange)
    assert cls.name == exchange
    assert cls.profile is PROFILES[exchange]
    assert set(cls.regions) == REGIONS[exchange]
    assert exchange in ExchangeFactory.get_available_exchanges()


def test_passphrase_exchanges_require_it() -> None:
    from powertrader_ccxt import KrakenExchange, KuCoinExchange, OKXExchange

    for cls in (KuCoinExchange, OKXExchange):
        assert "passphrase" in cls.required_credentials
        problems = cls.check_config({"api_key": "k", "api_secret": "s"})
        assert any("passphrase" in p for p in problems)
        assert cls.check_config({"api_key": "k", "api_secret": "s", "passphrase": "p"}) == []
    assert KrakenExchange.required_credentials == ("api_key", "api_secret")
    assert KrakenExchange.check_config({"api_key": "k", "api_secret": "s"}) == []


async def test_any_ccxt_exchange_as_ccxt_id() -> None:
    exchange = ExchangeFactory.create_exchange("ccxt:gemini")
    try:
        assert isinstance(exchange, CcxtExchange)
        assert exchange.name == "ccxt:gemini"
        assert exchange.get_supported_regions() == ["global"]
        assert exchange.client.id == "gemini"
        # the same class on every lookup
        assert type(exchange) is ExchangeFactory.get_exchange_class("ccxt:gemini")
        # a row's id through ccxt: gives the row's class
        assert ExchangeFactory.get_exchange_class("ccxt:kraken").profile is PROFILES["kraken"]
    finally:
        await exchange.close()


def test_an_unknown_ccxt_id_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="unknown exchange"):
        ExchangeFactory.create_exchange("ccxt:no_such_exchange")
    with pytest.raises(ConfigurationError):
        ExchangeFactory.create_exchange("ccxt:../etc")


async def test_generic_exchange_without_sandbox_is_refused_clearly() -> None:
    # ccxt raises a bare TypeError for bitvavo's missing test URL
    with pytest.raises(NotSupportedError, match=r"bitvavo.*sandbox"):
        ExchangeFactory.create_exchange("ccxt:bitvavo", {"sandbox": True})


def test_ccxt_is_imported_only_when_an_exchange_is_built() -> None:
    code = (
        "import sys\n"
        "import powertrader_ccxt.plugin, powertrader_ccxt\n"
        "from powertrader_core import ExchangeFactory\n"
        "names = ExchangeFactory.get_available_exchanges()\n"
        "assert 'kraken' in names, names\n"
        "ExchangeFactory.get_exchange_class('ccxt:gemini')\n"
        "assert not [m for m in sys.modules if m == 'ccxt' or m.startswith('ccxt.')]\n"
        "from powertrader_ccxt import KrakenExchange\n"
        "KrakenExchange()\n"
        "assert 'ccxt.async_support' in sys.modules\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


async def test_a_second_account_keeps_its_exchanges_symbol_rules() -> None:
    # The factory's own docstring example: the class, not the registered name, carries the
    # exchange's facts (issue 13; the name "kraken_sub" is in no table).
    from powertrader_ccxt import KrakenExchange

    with registered(kraken_sub=KrakenExchange):
        exchange = ExchangeFactory.create_exchange("kraken_sub", {})
        try:
            assert exchange.name == "kraken_sub"
            assert exchange.normalize_symbol("BTC-USD") == "XBTUSD"
            assert exchange.denormalize_symbol("XBTUSD") == "BTC-USD"
            assert exchange.denormalize_symbol("XXBTZUSD") == "BTC-USD"  # legacy codes
        finally:
            await exchange.close()


def test_profiles_reuse_the_cores_symbol_table() -> None:
    from powertrader_core.symbols import SYMBOL_FORMATS

    for name, profile in PROFILES.items():
        assert profile.symbol_format is SYMBOL_FORMATS[name], name
        assert ExchangeFactory.get_exchange_class(name).symbol_format is SYMBOL_FORMATS[name]


def test_a_ccxt_id_without_a_row_declares_its_usdt_stand_in() -> None:
    cls = ExchangeFactory.get_exchange_class("ccxt:gemini")
    assert cls.symbol_format.usd_substitute == "USDT"
    assert cls.symbol_format.quote_assets("USD") == ("USD", "USDT")
    assert not cls.simulated
