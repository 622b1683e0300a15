"""Settings: the hub's defaults and forgiving validation, files (JSON/TOML), env overrides."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from powertrader_core import ConfigurationError
from powertrader_core.settings import Settings


def test_defaults_match_the_hub() -> None:
    s = Settings()
    assert s.coins == ["BTC", "ETH", "XRP", "BNB", "DOGE"]
    assert s.trade_start_level == 3
    assert s.start_allocation_pct == Decimal("0.005")
    assert s.dca_multiplier == Decimal("2.0")
    assert s.dca_levels == [Decimal(x) for x in ("-2.5", "-5", "-10", "-20", "-30", "-40", "-50")]
    assert s.max_dca_buys_per_24h == 2
    assert (s.pm_start_pct_no_dca, s.pm_start_pct_with_dca) == (Decimal("5.0"), Decimal("2.5"))
    assert s.trailing_gap_pct == Decimal("0.5")
    assert (s.region, s.primary_exchange) == ("us", "")
    assert s.price_comparison_enabled is True and s.auto_best_price is False
    assert s.exchange_timeout == 10.0 and s.exchanges is None and s.live_trading is False


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("5%", Decimal("5")), ("0.5%", Decimal("0.5")), (" 2.5 % ", Decimal("2.5")),
     (0.1, Decimal("0.1")), (-3, Decimal(0)), ("-1%", Decimal(0))],
)
def test_percentages_accept_percent_strings_and_negatives_become_zero(
    raw: object, expected: Decimal
) -> None:
    s = Settings(start_allocation_pct=raw, trailing_gap_pct=raw, pm_start_pct_no_dca=raw)
    assert s.start_allocation_pct == expected
    assert s.trailing_gap_pct == expected and s.pm_start_pct_no_dca == expected
    assert isinstance(s.start_allocation_pct, Decimal)


def test_hub_validation_rules() -> None:
    s = Settings(
        coins=[" btc", "Eth ", "", "BTC"],
        trade_start_level=12,
        dca_multiplier=-2,
        dca_levels=[-1, "abc", "-7.5%", None, "", 3.5],
        max_dca_buys_per_24h=-4,
        region=" EU ",
        primary_exchange=" Kraken ",
    )
    assert s.coins == ["BTC", "ETH"]
    assert s.trade_start_level == 7
    assert s.dca_multiplier == 0
    assert s.dca_levels == [Decimal(-1), Decimal("-7.5"), Decimal("3.5")]
    assert s.max_dca_buys_per_24h == 0
    assert s.region == "eu" and s.primary_exchange == "kraken"
    assert Settings(trade_start_level=0).trade_start_level == 1
    assert Settings(trade_start_level="4").trade_start_level == 4


@pytest.mark.parametrize(
    ("field", "value"),
    [("region", "mars"), ("trade_start_level", "high"), ("exchange_timeout", "0"),
     ("exchange_timeout", "-1"), ("start_allocation_pct", "nan"), ("live_trading", "maybe")],
)
def test_meaningless_values_are_refused_naming_the_variable(field: str, value: str) -> None:
    variable = f"POWERTRADER_{field.upper()}"
    with pytest.raises(ConfigurationError, match=rf"{field} \(\${variable}\)"):
        Settings.load(env={variable: value})


def test_wrong_types_in_a_file_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"coins": 5, "dca_levels": {"a": 1}}))
    with pytest.raises(ConfigurationError, match=r"coins .*dca_levels"):
        Settings.load(path, env={})


def test_get_returns_fallback_for_what_was_not_set() -> None:
    s = Settings(coins=["SOL"])
    assert s.get("coins", ["BTC", "ETH"]) == ["SOL"]
    assert s.get("start_allocation_pct", 5.0) == 5.0  # unset: the caller's fallback
    assert s.get("start_allocation_pct") == Decimal("0.005")  # no fallback: the default
    assert s.start_allocation_pct == Decimal("0.005")
    assert s.get("exchanges", ["kraken"]) == ["kraken"]  # None -> fallback
    assert s.get("no_such_key", 42) == 42
    assert s.get("no_such_key") is None
    assert s["region"] == "us" and "region" in s and "nope" not in s
    with pytest.raises(KeyError):
        s["nope"]


def test_json_file_then_env_overrides(tmp_path: Path) -> None:
    path = tmp_path / "gui_settings.json"
    path.write_text(json.dumps({
        "coins": ["btc", "sol"], "region": "eu", "trade_start_level": 5,
        "main_neural_dir": "/old/hub/folder",  # a hub key this version does not use: kept
    }))
    env = {"POWERTRADER_REGION": "global", "POWERTRADER_COINS": "ada, dot",
           "POWERTRADER_EXCHANGE_TIMEOUT": "2.5", "POWERTRADER_EXCHANGES": "Kraken,coinbase",
           "POWERTRADER_LIVE_TRADING": "yes", "POWERTRADER_DCA_LEVELS": "[-1, -2]"}
    s = Settings.load(path, env=env)
    assert s.region == "global" and s.coins == ["ADA", "DOT"]
    assert s.trade_start_level == 5
    assert s.exchange_timeout == 2.5 and s.exchanges == ["kraken", "coinbase"]
    assert s.live_trading is True and s.dca_levels == [Decimal(-1), Decimal(-2)]
    assert s.get("main_neural_dir") == "/old/hub/folder"
    assert s.source == path


def test_toml_file_and_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('region = "eu"\nstart_allocation_pct = "0.5%"\ncoins = ["eth"]\n')
    s = Settings.load(path, env={})
    assert (s.region, s.start_allocation_pct, s.coins) == ("eu", Decimal("0.5"), ["ETH"])
    s.trade_start_level = 6
    s.save()
    again = Settings.load(path, env={})
    assert again == s
    out = s.save(tmp_path / "copy.json")
    data = json.loads(out.read_text())
    assert data["start_allocation_pct"] == 0.5  # a plain number, hand-editable
    assert Settings.load(out, env={}) == s


def test_file_named_by_env_and_default_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from powertrader_core.kit.paths import config_dir

    assert Settings.load(env={}) == Settings()  # nothing anywhere: defaults
    default = config_dir() / "settings.json"
    default.parent.mkdir(parents=True, exist_ok=True)
    default.write_text('{"region": "eu"}')
    assert Settings.load(env={}).region == "eu"
    named = tmp_path / "other.toml"
    named.write_text('region = "global"\n')
    monkeypatch.setenv("POWERTRADER_SETTINGS", str(named))
    assert Settings.load().region == "global"
    monkeypatch.setenv("POWERTRADER_SETTINGS", str(tmp_path / "missing.json"))
    with pytest.raises(ConfigurationError, match=r"missing.json.*does not exist"):
        Settings.load()


def test_corrupt_files_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "settings.json"
    bad.write_text('{\n  "coins": ["BTC"],\n  "region": \n}\n')
    with pytest.raises(ConfigurationError) as info:
        Settings.load(bad, env={})
    assert str(bad) in str(info.value) and "line 4" in str(info.value)

    bad_toml = tmp_path / "settings.toml"
    bad_toml.write_text('region = "eu"\ncoins = [\n')
    with pytest.raises(ConfigurationError, match=r"settings.toml.*line 3"):
        Settings.load(bad_toml, env={})
    bad_toml.write_text('region = "eu"\ncoins = \ntrade_start_level = 3\n')
    with pytest.raises(ConfigurationError, match=r"settings.toml.*line 2"):
        Settings.load(bad_toml, env={})

    invalid = tmp_path / "invalid.json"
    invalid.write_text('{\n  "coins": ["BTC"],\n  "region": "mars"\n}\n')
    with pytest.raises(ConfigurationError, match=r"region \(.*invalid.json line 3\)"):
        Settings.load(invalid, env={})

    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]")
    with pytest.raises(ConfigurationError, match="object"):
        Settings.load(listed, env={})
