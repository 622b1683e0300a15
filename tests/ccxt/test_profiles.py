"""The profile table, the seed's classes, ``ccxt:<id>``, and ccxt imported only when needed."""

from __future__ import annotations

import subprocess
import sys

import pytest
from powertrader_ccxt import PROFILES, CcxtExchange

from powertrader_core import (
    ConfigurationError,
    ExchangeFactory,
    NotSupportedError,
    SymbolNotSupportedError,
)
from tests.fakes import registered

SEVEN = ("kraken", "binance", "coinbase", "kucoin", "bitstamp", "bybit", "okx")
#: The regional entities with keys and hosts of their own (shared/reference/exchanges.md).
ENTITIES = ("bybiteu", "myokx", "okxus", "binanceus")

# shared/reference/exchanges.md: which entity serves whom
REGIONS = {
    "kraken": {"us", "eu", "global"},
    "binance": {"eu", "global"},
    "coinbase": {"us", "eu", "global"},
    "kucoin": {"eu", "global"},
    "bitstamp": {"us", "eu", "global"},
    "bybit": {"global"},  # excludes the US and the EEA (Bybit EU serves the EEA)
    "okx": {"global"},  # EEA customers use MyOKX, US customers OKX US
    "bybiteu": {"eu"},
    "myokx": {"eu"},
    "okxus": {"us"},
    "binanceus": {"us"},
}
FAMILY = {"bybiteu": "bybit", "myokx": "okx", "okxus": "okx", "binanceus": "binance"}


def test_one_row_per_mainstream_exchange_with_its_facts() -> None:
    assert set(PROFILES) == {*SEVEN, *ENTITIES}
    for name, profile in PROFILES.items():
        assert profile.name == name == profile.ccxt_id
        assert set(profile.regions) == REGIONS[name]
        assert profile.family == FAMILY.get(name, "")
    assert {n for n, p in PROFILES.items() if p.passphrase} == {"kucoin", "okx", "myokx", "okxus"}
    assert {n for n, p in PROFILES.items() if p.symbol_format.usd_substitute == "USDT"} == {
        "binance", "kucoin", "bybit", "okx", "bybiteu", "myokx"
    }  # Binance.US and OKX US list real USD markets: no stand-in there
    # no test environment is documented for the regional entities
    assert {n for n, p in PROFILES.items() if p.sandbox} == {"binance", "bybit", "okx"}
    assert {n for n, p in PROFILES.items() if p.streaming} == set(PROFILES) - {"bitstamp"}
    assert PROFILES["kraken"].symbol_format.aliases["BTC"] == "XBT"


@pytest.mark.parametrize("name", ENTITIES)
def test_an_entity_keeps_its_familys_api_rules(name: str) -> None:
    """Bybit EU, MyOKX, OKX US and Binance.US are subclasses of their family in ccxt: the same
    API, so the same client-id, lookup and symbol rules; hosts and regions are their own."""
    entity, family = PROFILES[name], PROFILES[FAMILY[name]]
    assert entity.client_id == family.client_id
    assert entity.client_id_lookup == family.client_id_lookup
    # the family's spelling; Binance.US and OKX US list USD markets, so USD is not USDT there
    assert entity.symbol_format.separator == family.symbol_format.separator
    assert entity.symbol_format.lowercase == family.symbol_format.lowercase
    us_entity = name in {"binanceus", "okxus"}
    assert entity.symbol_format.usd_substitute == (None if us_entity else "USDT")
    assert entity.passphrase == family.passphrase
    assert entity.order_deadline == family.order_deadline
    assert entity.hosts and not set(entity.hosts) & set(family.hosts)
    assert not set(entity.regions) & set(family.regions)


@pytest.mark.parametrize("name", [*SEVEN, *ENTITIES])
async def test_the_documented_host_is_where_ccxt_sends_requests(name: str) -> None:
    """Each row's first documented host is among the hosts ccxt's URLs for it name: a key
    made for one entity goes to that entity's host, not the family's."""
    from urllib.parse import urlsplit

    exchange = ExchangeFactory.create_exchange(name)
    try:
        client = exchange.client  # type: ignore[attr-defined]
        found: set[str] = set()

        def walk(value: object) -> None:
            if isinstance(value, str) and value.startswith("http"):
                url = value.replace("{hostname}", client.hostname or "")
                found.add(urlsplit(url).hostname or "")
            elif isinstance(value, dict):
                for item in value.values():
                    walk(item)

        walk(client.urls["api"])
        assert exchange.profile.hosts[0] in found, (name, sorted(found))  # type: ignore[attr-defined]
    finally:
        await exchange.close()


def test_binance_spot_client_ids_follow_the_spot_rule() -> None:
    """Binance spot's newClientOrderId rule is ^[a-zA-Z0-9-_]{1,36}$ (spot FIX docs); '.', ':'
    and '/' belong to the futures API's regex only, so an id holding one is converted."""
    from powertrader_ccxt.client_ids import to_exchange_client_id

    rule = PROFILES["binance"].client_id
    assert rule.accepts("pt-order_1") and rule.accepts("a" * 36)
    for refused in ("pt.order", "pt:order", "pt/order", "a" * 37, ""):
        assert not rule.accepts(refused), refused
    sent = to_exchange_client_id("grid:7.buy", rule)
    assert rule.accepts(sent) and len(sent) == 36
    assert PROFILES["binanceus"].client_id == rule


@pytest.mark.parametrize("name", ["myokx", "ccxt:myokx", "okxus", "ccxt:okxus"])
async def test_myokx_and_okx_us_send_okx_client_ids(name: str) -> None:
    """OKX's clOrdId is 1-32 letters and digits: a dashed UUID would refuse every order."""
    import uuid

    exchange = ExchangeFactory.create_exchange(name)
    try:
        ours = str(uuid.uuid4())
        sent = exchange.exchange_client_id(ours)  # type: ignore[attr-defined]
        assert sent == ours.replace("-", "")
        assert exchange.profile.passphrase  # type: ignore[attr-defined]
        assert "passphrase" in exchange.required_credentials
    finally:
        await exchange.close()


@pytest.mark.parametrize(
    ("ccxt_id", "family", "native"),
    [
        ("binanceusdm", "binance", "BTCUSDT"),
        ("bybitid", "bybit", "BTCUSDT"),
        ("kucoinfutures", "kucoin", "BTC-USDT"),
    ],
)
async def test_a_ccxt_id_takes_its_familys_rules(ccxt_id: str, family: str, native: str) -> None:
    """``ccxt:<id>`` without a row follows the row its ccxt class derives from: client ids,
    symbols and passphrase as the family's (regions unknown: global)."""
    exchange = ExchangeFactory.create_exchange(f"ccxt:{ccxt_id}")
    try:
        profile = exchange.profile  # type: ignore[attr-defined]
        assert profile.family == family
        assert profile.client_id == PROFILES[family].client_id
        assert profile.passphrase == PROFILES[family].passphrase
        assert exchange.get_supported_regions() == ["global"]
        assert exchange.normalize_symbol("BTC-USD") == native
        assert exchange.denormalize_symbol(native) == "BTC-USD"
    finally:
        await exchange.close()
    gemini = ExchangeFactory.get_exchange_class("ccxt:gemini")
    assert gemini.profile.family == ""  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "native"),
    [("bybiteu", "BTCUSDT"), ("myokx", "BTC-USDT")],
)
def test_entities_write_symbols_as_their_family(name: str, native: str) -> None:
    cls = ExchangeFactory.get_exchange_class(name)
    exchange = cls()
    assert exchange.normalize_symbol("BTC-USD") == native
    assert exchange.denormalize_symbol(native) == "BTC-USD"


@pytest.mark.parametrize(
    ("name", "usd", "usdt"),
    [("binanceus", "BTCUSD", "BTCUSDT"), ("okxus", "BTC-USD", "BTC-USDT")],
)
def test_us_entities_list_real_usd_markets(name: str, usd: str, usdt: str) -> None:
    """Binance.US and OKX US list USD *and* USDT markets (shared/reference/exchanges.md): their
    family's "USD means USDT" would quote a token for dollars and let USDT pay for a USD buy.
    They keep the family's spelling (concatenated, dashed), with USD as USD."""
    from powertrader_core.symbols import SYMBOL_FORMATS, normalize_symbol, to_exchange_format

    cls = ExchangeFactory.get_exchange_class(name)
    exchange = cls()
    assert cls.symbol_format is SYMBOL_FORMATS[name]  # the core's one row, reused
    assert exchange.normalize_symbol("BTC-USD") == usd
    assert exchange.normalize_symbol("BTC-USDT") == usdt
    assert exchange.denormalize_symbol(usd) == "BTC-USD"
    assert exchange.denormalize_symbol(usdt) == "BTC-USDT"  # a USDT market is not USD here
    assert cls.symbol_format.quote_assets("USD") == ("USD",)  # only dollars pay for BTC-USD
    assert cls.symbol_format.quote_assets("USDT") == ("USDT",)
    # the seed's name-based helpers read the same rows
    assert to_exchange_format("BTC-USD", name) == usd
    assert normalize_symbol(usdt, name) == "BTC-USDT"
    # the family still stands USDT in for USD
    family = ExchangeFactory.get_exchange_class(PROFILES[name].family)
    assert family.symbol_format.quote_assets("USD") == ("USD", "USDT")


def test_a_ccxt_class_under_another_name_keeps_its_symbol_rules() -> None:
    """The factory's own docstring example: Kraken registered under a second name still
    writes BTC as XBT (the rules follow the profile, not the registered name)."""
    from powertrader_ccxt import KrakenExchange

    ExchangeFactory.register_exchange("kraken_sub", KrakenExchange)
    try:
        exchange = ExchangeFactory.create_exchange("kraken_sub")
        assert exchange.normalize_symbol("BTC-USD") == "XBTUSD"
        assert exchange.denormalize_symbol("XBTUSD") == "BTC-USD"
        # errors from the session it holds carry the name the factory gave it
        with pytest.raises(SymbolNotSupportedError, match=r"^kraken_sub get_market_data:"):
            exchange.session.resolve("NOPE-USD", "get_market_data")  # type: ignore[attr-defined]
    finally:
        ExchangeFactory.unregister_exchange("kraken_sub")


@pytest.mark.parametrize(
    ("region", "named", "not_named"),
    [
        ("eu", {"bybiteu", "myokx", "kraken", "binance"}, {"bybit", "okx", "okxus", "binanceus"}),
        ("us", {"okxus", "binanceus", "kraken", "coinbase"}, {"binance", "bybit", "okx", "myokx",
                                                             "bybiteu", "kucoin"}),
        ("global", {"bybit", "okx", "binance"}, {"bybiteu", "myokx", "okxus", "binanceus"}),
    ],
)
def test_recommendations_name_the_entity_serving_the_region(
    region: str, named: set[str], not_named: set[str]
) -> None:
    from powertrader_core.config_utils import get_recommended_exchanges

    recommended = set(get_recommended_exchanges(region))
    assert named <= recommended, named - recommended
    assert not recommended & not_named, recommended & not_named


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
        ("BybitEUExchange", "bybiteu"),
        ("MyOKXExchange", "myokx"),
        ("OKXUSExchange", "okxus"),
        ("BinanceUSExchange", "binanceus"),
    ],
)
def test_seed_classes_come_through_pt_exchanges(seed_name: str, exchange: str) -> None:
    import powertrader_ccxt
    import pt_exchanges

    cls = getattr(pt_exchanges, seed_name, None) or getattr(powertrader_ccxt, seed_name)
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
    assert KrakenExchange.check_config({"api_key": "k", "api_secret": "c2VjcmV0"}) == []


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
        # an entity writes as its family unless it has a row of its own (the US entities)
        row = SYMBOL_FORMATS.get(name) or SYMBOL_FORMATS[FAMILY[name]]
        assert profile.symbol_format is row, name
        assert ExchangeFactory.get_exchange_class(name).symbol_format is row


def test_a_ccxt_id_without_a_row_declares_its_usdt_stand_in() -> None:
    cls = ExchangeFactory.get_exchange_class("ccxt:gemini")
    assert cls.symbol_format.usd_substitute == "USDT"
    assert cls.symbol_format.quote_assets("USD") == ("USD", "USDT")
    assert not cls.simulated


@pytest.mark.parametrize(
    ("name", "ws_host"),
    [
        ("bybiteu", "stream.bybit.eu"),
        ("myokx", "wseea.okx.com"),
        ("okxus", "wsus.okx.com"),
        ("binanceus", "stream.binance.us"),
    ],
)
async def test_an_entitys_prices_stream_from_its_own_websocket_host(
    name: str, ws_host: str
) -> None:
    """The websocket client ccxt.pro has for the entity (``streaming`` is on for each) talks
    to the entity's host, not the family's (MyOKX keys fail on OKX's global hosts)."""
    import ccxt.pro

    assert PROFILES[name].streaming
    client = getattr(ccxt.pro, name)()
    try:
        found: set[str] = set()

        def walk(value: object) -> None:
            if isinstance(value, str) and value.startswith("ws"):
                found.add(value.replace("{hostname}", client.hostname or ""))
            elif isinstance(value, dict):
                for item in value.values():
                    walk(item)

        walk(client.urls["api"]["ws"])
        spot = [url for url in found if ws_host in url]
        assert spot, (name, sorted(found))
    finally:
        await client.close()
