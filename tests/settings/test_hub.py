"""``PowerTraderHub``: headless, with the settings the seed's examples read."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from powertrader_core.credentials.manager import ExchangeConfigManager
from powertrader_core.hub import PowerTraderHub


def test_seed_example_reads_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing set: every key of the seed's example answers the example's own fallback."""
    from pt_hub import PowerTraderHub as SeedHub

    assert SeedHub is PowerTraderHub
    hub = SeedHub()
    settings = hub.settings
    assert settings.get("primary_exchange", "robinhood") == "robinhood"
    assert settings.get("region", "us") == "us"
    assert settings.get("price_comparison_enabled", True) is True
    assert settings.get("coins", ["BTC", "ETH"]) == ["BTC", "ETH"]
    assert settings.get("trade_start_level", 3) == 3
    assert settings.get("start_allocation_pct", 5.0) == 5.0
    # Without a fallback, an absent key answers the hub's own default.
    assert settings.get("primary_exchange") == ""
    assert settings.get("start_allocation_pct") == Decimal("0.005")
    assert settings.get("coins") == ["BTC", "ETH", "XRP", "BNB", "DOGE"]
    assert settings.get("no_such_key") is None


def test_set_keys_win_over_the_fallback(tmp_path: Path) -> None:
    """What the user set answers, in the seed's form: 5.0 is 5 percent, as is "5%"."""
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({
        "primary_exchange": "Kraken", "region": "eu", "price_comparison_enabled": False,
        "coins": ["sol"], "trade_start_level": 9, "start_allocation_pct": 5.0,
    }))
    settings = PowerTraderHub(path).settings
    assert settings.get("primary_exchange", "robinhood") == "kraken"
    assert settings.get("region", "us") == "eu"
    assert settings.get("price_comparison_enabled", True) is False
    assert settings.get("coins", ["BTC", "ETH"]) == ["SOL"]
    assert settings.get("trade_start_level", 3) == 7  # clamped to 1..7, as the hub did
    assert settings.get("start_allocation_pct", 5.0) == Decimal("5.0")
    path.write_text(json.dumps({"start_allocation_pct": "5%", "primary_exchange": ""}))
    settings = PowerTraderHub(path).settings
    assert settings.get("start_allocation_pct", 1) == Decimal("5")
    # The hub writes "" for "no primary exchange": that is absent, not a name.
    assert settings.get("primary_exchange", "robinhood") == "robinhood"


def test_a_saved_file_keeps_unset_keys_absent(tmp_path: Path) -> None:
    hub = PowerTraderHub()
    hub.settings.region = "eu"
    target = hub.save_settings(tmp_path / "settings.json")
    assert json.loads(target.read_text()) == {"region": "eu"}
    again = PowerTraderHub(target).settings
    assert again.get("primary_exchange", "robinhood") == "robinhood"
    assert again.get("region", "us") == "eu"


def test_hub_reads_the_default_file_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    from powertrader_core.kit.paths import config_dir

    folder = config_dir()
    folder.mkdir(parents=True)
    (folder / "settings.json").write_text(json.dumps({"primary_exchange": "kraken"}))
    monkeypatch.setenv("POWERTRADER_REGION", "eu")
    hub = PowerTraderHub()
    assert hub.settings.get("primary_exchange", "robinhood") == "kraken"
    assert hub.settings.region == "eu"
    hub.settings.coins = ["sol"]
    hub.save_settings()
    assert json.loads((folder / "settings.json").read_text())["coins"] == ["SOL"]
    monkeypatch.setenv("POWERTRADER_REGION", "global")
    assert hub.reload_settings().region == "global" and hub.settings.coins == ["SOL"]
    assert "settings.json" in repr(hub)


def test_hub_builds_credentials_lazily(tmp_path: Path) -> None:
    hub = PowerTraderHub(config_dir=tmp_path / "creds")
    manager = hub.config_manager
    assert isinstance(manager, ExchangeConfigManager) and hub.config_manager is manager
    assert manager.config_dir == tmp_path / "creds"


async def test_hub_manager_shares_settings_and_credentials(tmp_path: Path) -> None:
    hub = PowerTraderHub(config_dir=tmp_path / "creds")
    manager = hub.manager
    assert hub.manager is manager
    assert manager.settings is hub.settings
    await manager.close()


def test_hub_is_headless() -> None:
    code = (
        "import sys\nfrom pt_hub import PowerTraderHub\nPowerTraderHub()\n"
        "assert not {'tkinter', '_tkinter', 'ccxt', 'aiohttp'} & set(sys.modules), sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
