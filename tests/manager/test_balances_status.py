"""Balances across exchanges, exchange status, system status, and the circuit in fan-out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from powertrader_core import (
    ConfigurationError,
    ExchangeAuthenticationError,
    ExchangeConnectionError,
    MultiExchangeManager,
)
from powertrader_core.manager.health import HealthTracker
from tests.fakes import registered
from tests.manager.conftest import MakeManager
from tests.manager.fakes import FAST_RETRY, DictConfig, keys, settings, venue
from tests.manager.test_health import FakeClock


@pytest.fixture
def three():
    venues = [
        venue("ka", 100, balances={"BTC": "0.5", "USD": 1000}),
        venue("kb", 101, balances={"ETH": 2}),
        venue("kc", 102, balances={"USD": 5}),
    ]
    with registered(*venues) as by_name:
        yield by_name


async def test_balances_from_every_configured_exchange(three, make_manager: MakeManager):
    configs = {"ka": keys(), "kb": keys(), "kc": {}}
    async with make_manager(list(three), configs=configs) as manager:
        everything = await manager.get_balances()
        one = await manager.get_balances("ka")
        status = manager.get_exchange_status()
    assert everything == {
        "ka": {"BTC": Decimal("0.5"), "USD": Decimal(1000)},
        "kb": {"ETH": Decimal(2)},
    }
    assert one == {"ka": {"BTC": Decimal("0.5"), "USD": Decimal(1000)}}
    assert one.get("ka", {}).get("BTC", 0) == Decimal("0.5")  # the seed's way of reading it
    assert status["kc"]["has_credentials"] is False
    assert status["kc"]["private_calls"] == (
        "skipped: no credentials configured (api_key is missing)"
    )
    assert status["ka"]["private_calls"] == "available"
    assert three["kc"].knobs.calls.total() == 0


async def test_naming_an_exchange_without_credentials_says_what_is_missing(three, make_manager):
    async with make_manager(list(three), configs={}) as manager:
        with pytest.raises(ExchangeAuthenticationError, match=r"kc get_balance: no credentials"):
            await manager.get_balances("kc")
        with pytest.raises(ExchangeAuthenticationError) as caught:
            await manager.get_balances()
        # Public data still works without credentials.
        assert (await manager.get_market_data("BTC-USD", "kc")).price == 102
    assert str(caught.value).startswith("get_balances: all 3 exchanges failed")
    assert all(cls.knobs.calls["get_balance"] == 0 for cls in three.values())


async def test_status_before_and_after_calls(three, make_manager):
    three["kb"].knobs.error = ExchangeConnectionError("refused", exchange="kb")
    async with make_manager(list(three)) as manager:
        fresh = manager.get_system_status()
        assert fresh["overall"] == "unknown"
        assert (fresh["available_count"], fresh["total_count"]) == (3, 3)
        assert set(manager.get_exchange_status()) == {"ka", "kb", "kc"}
        assert manager.get_exchange_status()["ka"]["status"] == "unknown"
        assert manager.get_exchange_status()["ka"]["has_credentials"] is None
        await manager.compare_prices("BTC-USD")
        status = manager.get_exchange_status()
        system = manager.get_system_status()
    assert status["ka"]["status"] == "connected" and status["ka"]["latency"] is not None
    assert status["ka"]["regions"] == ["us", "eu", "global"]
    assert status["kb"]["status"] == "degraded"
    assert status["kb"]["last_error"] == "kb: refused"
    assert system["overall"] == "degraded"
    assert (system["connected"], system["degraded"], system["down"]) == (2, 1, 0)
    assert system["exchanges"] == {"ka": "connected", "kb": "degraded", "kc": "connected"}


async def test_an_open_circuit_keeps_an_exchange_out_until_the_probe(three, make_manager):
    clock = FakeClock()
    health = HealthTracker(failure_threshold=2, cooldown=30, clock=clock)
    knobs = three["kb"].knobs
    knobs.error = ExchangeConnectionError("refused", exchange="kb")
    async with make_manager(list(three), health=health) as manager:
        await manager.compare_prices("BTC-USD")
        await manager.compare_prices("BTC-USD")
        asked = knobs.calls["get_market_data"]
        assert manager.get_exchange_status()["kb"]["status"] == "down"
        system = manager.get_system_status()
        assert (system["overall"], system["available_count"]) == ("degraded", 2)
        detailed = await manager.compare_prices_detailed("BTC-USD")
        assert "circuit open after 2 consecutive failures" in str(detailed.errors["kb"])
        assert knobs.calls["get_market_data"] == asked  # not asked while open
        clock.now += 30
        knobs.error = None
        quotes = await manager.compare_prices("BTC-USD")  # the probe goes through
        assert "kb" in quotes and manager.get_exchange_status()["kb"]["status"] == "connected"


async def test_every_exchange_down_is_overall_down(three, make_manager):
    health = HealthTracker(failure_threshold=1)
    for name in three:
        health.record_failure(name, ExchangeConnectionError("x", exchange=name))
    async with make_manager(list(three), health=health) as manager:
        assert manager.get_system_status()["overall"] == "down"
        assert manager.get_system_status()["available_count"] == 0
        with pytest.raises(ExchangeConnectionError, match="circuit open"):
            await manager.compare_prices("BTC-USD")


class _Locked(DictConfig):
    """``ace``'s keys sit in an encrypted file nobody gave the passphrase for."""

    def load_exchange_config(self, exchange_name: str) -> dict[str, Any]:
        if exchange_name == "ace":
            raise ConfigurationError(
                "ace_config.enc is encrypted: set POWERTRADER_PASSPHRASE", exchange="ace"
            )
        return super().load_exchange_config(exchange_name)


async def test_an_exchange_whose_keys_cannot_be_read_still_serves_public_data(eight) -> None:
    names = ["ace", "bex"]
    config = _Locked({name: keys() for name in names})
    async with MultiExchangeManager(
        config, settings(), exchanges=names, retry=FAST_RETRY
    ) as manager:
        quotes = await manager.compare_prices("BTC-USD")
        assert sorted(quotes) == names  # the locked exchange is not dropped from compare
        with pytest.raises(ConfigurationError, match=r"credentials cannot be read: .*encrypted"):
            await manager.get_balances("ace")
    assert eight["ace"].knobs.calls["get_balance"] == 0  # refused before anything was sent
