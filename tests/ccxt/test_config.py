"""Configuration: keys as saved, sandbox refusal, and base_url rewriting for every profile."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from powertrader_ccxt import PROFILES
from powertrader_ccxt.named_exchanges import NAMED_CLASSES
from powertrader_ccxt.settings import CcxtSettings
from powertrader_ccxt.urls import parse_base_url, rewrite_api_urls

from powertrader_core import ConfigurationError, ExchangeFactory, NotSupportedError
from tests.cassette_support import TEST_SECRETS


def _urls(node: Any, prefix: str = "") -> dict[str, str]:
    """Every URL string in ccxt's nested urls['api'], by its key path."""
    if isinstance(node, str):
        return {prefix: node}
    if isinstance(node, dict):
        found: dict[str, str] = {}
        for key, value in node.items():
            found.update(_urls(value, f"{prefix}/{key}"))
        return found
    return {}


async def test_base_url_replaces_every_rest_origin_and_keeps_paths() -> None:
    base = "http://127.0.0.1:9100"
    for cls in NAMED_CLASSES:
        plain = cls()
        pointed = cls({"base_url": base})
        try:
            before, after = _urls(plain.client.urls["api"]), _urls(pointed.client.urls["api"])
            assert before.keys() == after.keys()
            assert before, cls.name
            for key, original in before.items():
                new = after[key]
                if urlsplit(original).scheme in ("ws", "wss"):
                    assert new == original, (cls.name, key)
                    continue
                assert new.startswith(base), (cls.name, key, new)
                assert urlsplit(new).path == urlsplit(original).path, (cls.name, key)
        finally:
            await plain.close()
            await pointed.close()


def test_rewrite_keeps_websockets_lists_and_placeholders() -> None:
    api = {
        "rest": "https://{hostname}/api/v5",
        "ws": {"public": "wss://ws.example.com/ws"},
        "list": ["https://a.example.com/x", 3],
    }
    rewritten = rewrite_api_urls(api, "https://proxy.local:8443")
    assert rewritten["rest"] == "https://proxy.local:8443/api/v5"
    assert rewritten["ws"] == api["ws"]
    assert rewritten["list"] == ["https://proxy.local:8443/x", 3]


@pytest.mark.parametrize(
    "bad", ["127.0.0.1:9100", "ftp://host", "http://host/path", "http://u:p@host", "http://h:x"]
)
def test_a_malformed_base_url_is_refused_by_name(bad: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        parse_base_url(bad)


def test_malformed_config_is_a_configuration_error_naming_the_field() -> None:
    from powertrader_ccxt import KrakenExchange

    for config, field in (
        ({"base_url": "localhost:1"}, "base_url"),
        ({"timeout": "soon"}, "timeout"),
        ({"timeout": 0}, "timeout"),
        ({"rate_limit": "maybe"}, "rate_limit"),
        ({"markets_cache_ttl": -1}, "markets_cache_ttl"),
    ):
        with pytest.raises(ConfigurationError, match=field) as caught:
            KrakenExchange(config)
        assert "kraken configure" in str(caught.value)
        assert any(field in p for p in KrakenExchange.check_config(config))


async def test_config_as_saved_reaches_ccxt() -> None:
    """A dict as the credentials manager saves it: strings everywhere, extra keys ignored."""
    from powertrader_ccxt import OKXExchange

    saved = {
        **TEST_SECRETS,
        "sandbox": "false",
        "rate_limit": "true",
        "timeout": "7.5",
        "base_url": "http://127.0.0.1:9",
        "note": "my main account",
    }
    exchange = OKXExchange(saved)
    try:
        assert exchange.client.apiKey == TEST_SECRETS["api_key"]
        assert exchange.client.secret == TEST_SECRETS["api_secret"]
        assert exchange.client.password == TEST_SECRETS["passphrase"]
        assert exchange.client.timeout == 7500
        assert exchange.client.enableRateLimit is False  # ours limits, not ccxt's
        assert exchange.client.options["maxRetriesOnFailure"] == 0
        assert exchange.limiter is not None
        assert exchange.has_credentials
        for secret in TEST_SECRETS.values():
            assert secret not in repr(exchange)
            assert secret not in repr(exchange.settings)
    finally:
        await exchange.close()


async def test_spot_only_market_options_are_set() -> None:
    for cls in NAMED_CLASSES:
        exchange = cls()
        try:
            options = exchange.client.options
            fetch_markets = options.get("fetchMarkets")
            if isinstance(fetch_markets, dict) and "types" in fetch_markets:
                assert fetch_markets["types"] == ["spot"], cls.name
            if "defaultType" in options:
                assert options["defaultType"] == "spot", cls.name
        finally:
            await exchange.close()


@pytest.mark.parametrize("name", sorted(PROFILES))
async def test_sandbox_where_ccxt_has_one_and_a_clear_refusal_elsewhere(name: str) -> None:
    profile = PROFILES[name]
    if not profile.sandbox:
        with pytest.raises(NotSupportedError, match="no sandbox") as caught:
            ExchangeFactory.create_exchange(name, {"sandbox": True})
        assert str(caught.value).startswith(f"{name} configure:")
        problems = ExchangeFactory.get_exchange_class(name).check_config({"sandbox": True})
        assert any(p.startswith("sandbox") for p in problems)
        return
    live = ExchangeFactory.create_exchange(name)
    test = ExchangeFactory.create_exchange(name, {"sandbox": "yes"})
    try:
        assert test.client.isSandboxModeEnabled
        assert not live.client.isSandboxModeEnabled
        if name != "okx":  # OKX's demo trading is a header on the same host
            assert _urls(test.client.urls["api"]) != _urls(live.client.urls["api"])
    finally:
        await live.close()
        await test.close()


def test_settings_parse_strings_and_aliases() -> None:
    settings = CcxtSettings.from_config(
        {"apiKey": "k", "secret": "s", "password": "p", "sandbox": "ON", "rate_limit": 0}
    )
    assert (settings.api_key, settings.api_secret, settings.passphrase) == ("k", "s", "p")
    assert settings.sandbox is True
    assert settings.rate_limit is False
    assert settings.secrets == ("k", "s", "p")
