"""Plugin discovery through real entry points: good plugins load, broken ones are reported."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from powertrader_core import ConfigurationError, ExchangeFactory, PluginError
from powertrader_core.plugins.registry import get_registry, reset_registry

GOOD_PLUGIN = '''
from decimal import Decimal
from powertrader_core import AbstractExchange, MarketData, hookimpl


class TinyExchange(AbstractExchange):
    name = "tiny"
    regions = ("eu",)

    async def initialize(self):
        return True

    async def get_market_data(self, symbol):
        return MarketData(symbol, 1, 1, 1, 0, exchange=self.name)

    async def place_order(self, order_request):
        raise NotImplementedError

    async def get_balance(self, asset=None):
        return {}


@hookimpl
def powertrader_exchanges():
    return [TinyExchange]
'''

BAD_IMPORT = "raise RuntimeError('this plugin is broken on purpose')\n"

BAD_RETURN = '''
from powertrader_core import hookimpl

@hookimpl
def powertrader_exchanges():
    return [object]
'''

OLD_VERSION = '''
from powertrader_core import hookimpl
POWERTRADER_HOOKSPEC_VERSION = 0

@hookimpl
def powertrader_exchanges():
    return []
'''


def _install(site: Path, dist: str, entry: str, module: str, source: str) -> None:
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[powertrader]\n{entry} = {module}\n")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(tmp_path))
    reset_registry()
    yield tmp_path
    for name in ("pt_test_good", "pt_test_bad_import", "pt_test_bad_return", "pt_test_old"):
        sys.modules.pop(name, None)
    reset_registry()


def test_entry_point_plugin_is_found_and_broken_ones_are_reported(site: Path) -> None:
    _install(site, "pt-test-bad-import", "bad_import", "pt_test_bad_import", BAD_IMPORT)
    _install(site, "pt-test-good", "good", "pt_test_good", GOOD_PLUGIN)
    _install(site, "pt-test-bad-return", "bad_return", "pt_test_bad_return", BAD_RETURN)
    _install(site, "pt-test-old", "old", "pt_test_old", OLD_VERSION)

    assert "tiny" in ExchangeFactory.get_available_exchanges()
    assert "tiny" in ExchangeFactory.get_available_exchanges("eu")
    assert "tiny" not in ExchangeFactory.get_available_exchanges("us")

    plugins = get_registry().plugins
    assert plugins["good"].ok and plugins["good"].exchanges == ["tiny"]
    assert plugins["good"].version == "1.0"
    assert "broken on purpose" in (plugins["bad_import"].error or "")
    assert "not an AbstractExchange subclass" in (plugins["bad_return"].error or "")
    assert "hookspec version 0" in (plugins["old"].error or "")

    exchange = ExchangeFactory.create_exchange("tiny", {"api_key": "k"})
    assert exchange.name == "tiny"
    assert exchange.config == {"api_key": "k"}


def test_disable_plugins_by_name(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install(site, "pt-test-good", "good", "pt_test_good", GOOD_PLUGIN)
    monkeypatch.setenv("POWERTRADER_DISABLE_PLUGINS", "good, other")
    assert "tiny" not in ExchangeFactory.get_available_exchanges()
    assert "good" not in get_registry().plugins


def test_trace_logs_hook_calls(
    site: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _install(site, "pt-test-good", "good", "pt_test_good", GOOD_PLUGIN)
    monkeypatch.setenv("POWERTRADER_TRACE_PLUGINS", "1")
    with caplog.at_level("INFO", logger="powertrader_core.plugins"):
        ExchangeFactory.get_available_exchanges()
    assert any("powertrader_exchanges" in r.getMessage() for r in caplog.records)


def test_unknown_exchange_lists_known_ones() -> None:
    with pytest.raises(ConfigurationError, match="unknown exchange 'nowhere'; known exchanges"):
        ExchangeFactory.create_exchange("nowhere")


def test_register_exchange_at_run_time_under_two_names() -> None:
    from tests.core.test_exchange_contract import SeedStyleExchange

    ExchangeFactory.register_exchange("custom", SeedStyleExchange)
    ExchangeFactory.register_exchange("custom_sub", SeedStyleExchange)
    try:
        assert {"custom", "custom_sub"} <= set(ExchangeFactory.get_available_exchanges("us"))
        first = ExchangeFactory.create_exchange("custom")
        second = ExchangeFactory.create_exchange("CUSTOM_SUB", {"api_key": "b"})
        assert (first.name, second.name) == ("custom", "custom_sub")
    finally:
        ExchangeFactory.unregister_exchange("custom")
        ExchangeFactory.unregister_exchange("custom_sub")
    with pytest.raises(ConfigurationError):
        ExchangeFactory.register_exchange("junk", dict)  # type: ignore[arg-type]
    assert issubclass(ConfigurationError, Exception) and PluginError
