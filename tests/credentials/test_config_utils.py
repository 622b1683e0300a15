"""config_utils: validate a config, recommend exchanges for a region, test a connection."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import ClassVar

import pytest

from powertrader_core import ConfigurationError, ExchangeFactory, MarketData, Region, config_utils
from powertrader_core.credentials.manager import ExchangeConfigManager
from powertrader_core.symbols import SYMBOL_FORMATS
from tests.credentials.conftest import (
    TEST_PRIVATE_KEY,
    KeySecretExchange,
    key_secret,
)
from tests.fakes import registered


def test_validate_exchange_config() -> None:
    assert config_utils.validate_exchange_config("testex", key_secret()) is True
    assert config_utils.validate_exchange_config("testex", {"api_key": "k"}) is False
    assert config_utils.exchange_config_problems("testex", {}) == [
        "api_key is missing", "api_secret is missing",
    ]
    assert config_utils.validate_exchange_config(
        "keyex", {"api_key": "k", "private_key": TEST_PRIVATE_KEY}
    )
    problems = config_utils.exchange_config_problems("keyex", {"api_key": "k", "private_key": "?"})
    assert problems == ["private_key does not decode to an Ed25519 key"]
    with pytest.raises(ConfigurationError, match=r"unknown exchange 'nope'.*testex"):
        config_utils.validate_exchange_config("nope", {})


def test_a_plugin_check_that_crashes_is_a_problem_not_a_crash() -> None:
    class Broken(KeySecretExchange):
        name = "brokenex"

        @classmethod
        def check_config(cls, config: object) -> list[str]:
            raise RuntimeError("oops")

    ExchangeFactory.register_exchange("brokenex", Broken)
    try:
        assert config_utils.exchange_config_problems("brokenex", key_secret()) == [
            "Broken.check_config failed (RuntimeError)"
        ]
    finally:
        ExchangeFactory.unregister_exchange("brokenex")


def _kind(
    name: str, regions: tuple[str, ...], *, streaming: bool = False, default: bool = True
) -> type[KeySecretExchange]:
    attrs: dict[str, object] = {
        "name": name, "regions": regions, "streaming": streaming, "include_by_default": default
    }
    if name in SYMBOL_FORMATS:  # declared by the class, as the bundled plugins do
        attrs["symbol_format"] = SYMBOL_FORMATS[name]
    return type(f"Rank{name.title()}", (KeySecretExchange,), attrs)


@pytest.fixture
def ranked_exchanges() -> Iterator[list[str]]:
    # Formats from the symbol table: coinbase quotes real USD, binance substitutes USDT,
    # "zlocal" declares none.
    classes = {
        "coinbase": _kind("coinbase", ("us", "eu", "global"), streaming=True),
        "kraken": _kind("kraken", ("us", "eu", "global")),
        "binance": _kind("binance", ("eu", "global"), streaming=True),
        "zlocal": _kind("zlocal", ("eu",)),
        "zpaper": _kind("zpaper", ("us", "eu", "global"), default=False),
    }
    with registered(**classes):
        yield list(classes)


def test_recommended_exchanges_ranking(ranked_exchanges: list[str]) -> None:
    eu = [n for n in config_utils.get_recommended_exchanges("eu") if n in ranked_exchanges]
    # Real USD first (streaming breaks the tie), unknown next, USDT substitutes last; paper-like
    # exchanges are never recommended.
    assert eu == ["coinbase", "kraken", "zlocal", "binance"]
    us = [n for n in config_utils.get_recommended_exchanges(Region.US) if n in ranked_exchanges]
    assert us == ["coinbase", "kraken"]
    assert "zpaper" not in config_utils.get_recommended_exchanges("global")
    assert config_utils.get_recommended_exchanges(" US ") == config_utils.get_recommended_exchanges(
        "us"
    )
    with pytest.raises(ConfigurationError, match=r"unknown region 'mars'.*us, eu, global"):
        config_utils.get_recommended_exchanges("mars")


@pytest.fixture
def saved(manager: ExchangeConfigManager) -> ExchangeConfigManager:
    manager.save_exchange_config("testex", key_secret(), encrypt=False)
    return manager


async def test_connection_round_trip(saved: ExchangeConfigManager) -> None:
    before = KeySecretExchange.closed
    assert await config_utils.test_exchange_connection("testex", saved) is True
    assert KeySecretExchange.closed == before + 1


class _Fails(KeySecretExchange):
    name = "failex"
    mode: ClassVar[str] = "init-false"

    async def initialize(self) -> bool:
        if self.mode == "init-false":
            return False
        if self.mode == "slow":
            await asyncio.sleep(5)
        return True

    async def get_market_data(self, symbol: str) -> MarketData:
        raise ConnectionResetError("peer went away")


@pytest.mark.parametrize(
    ("mode", "reason"),
    [("init-false", "initialize returned False"), ("raises", "ConnectionResetError"),
     ("slow", "no answer within 0.05s")],
)
async def test_connection_failures_are_false_with_a_logged_reason(
    manager: ExchangeConfigManager, caplog: pytest.LogCaptureFixture, mode: str, reason: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_Fails, "mode", mode)
    ExchangeFactory.register_exchange("failex", _Fails)
    try:
        before = KeySecretExchange.closed
        with caplog.at_level(logging.WARNING, logger="powertrader_core.config_utils"):
            ok = await config_utils.test_exchange_connection("failex", manager, timeout=0.05)
        assert ok is False
        assert KeySecretExchange.closed == before + 1  # closed even on failure
        assert any(reason in r.getMessage() for r in caplog.records), caplog.text
    finally:
        ExchangeFactory.unregister_exchange("failex")


async def test_connection_with_bad_configuration_is_false(
    manager: ExchangeConfigManager, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert await config_utils.test_exchange_connection("unknownex", manager) is False
    assert "unknown exchange 'unknownex'" in caplog.text
    path = manager.plain_path("testex")
    path.parent.mkdir(parents=True)
    path.write_text("{")
    assert await config_utils.test_exchange_connection("testex", manager) is False
    assert "not valid JSON" in caplog.text


async def test_connection_default_manager(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("TESTEX_API_KEY", "k" * 16)
    monkeypatch.setenv("TESTEX_API_SECRET", "s" * 16)
    monkeypatch.setenv("POWERTRADER_CREDENTIALS_DIR", str(tmp_path))
    assert await config_utils.test_exchange_connection("testex") is True
