"""``powertrader plugins``: broken plugins are reported by name with their error, others work."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from powertrader_core import ExchangeFactory
from powertrader_core.cli import app
from powertrader_core.plugins.registry import get_registry, reset_registry
from tests.plugin_kit.fake_dists import BROKEN, EXPECTED_ERRORS, install_broken, install_dist

ACME_PLUGIN = "tests.plugin_kit.acme_plugin.powertrader_acme.plugin"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path holding the example plugin and every broken one."""
    monkeypatch.syspath_prepend(str(tmp_path))
    install_dist(tmp_path, "powertrader-acme", "acme", ACME_PLUGIN)
    install_broken(tmp_path)
    reset_registry()
    yield tmp_path
    for _, _, module, _ in BROKEN:
        sys.modules.pop(module, None)
    reset_registry()


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["plugins", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_reports_each_broken_plugin_by_name_and_the_others_work(site: Path) -> None:
    code, out, _ = _run("--json")
    assert code == 0
    records = {record["name"]: record for record in json.loads(out)}  # stdout is only JSON

    acme = records["acme"]
    assert acme["ok"] and acme["error"] is None
    assert (acme["distribution"], acme["version"], acme["exchanges"]) == (
        "powertrader-acme", "1.0", ["acme"]
    )
    for name, fragment in EXPECTED_ERRORS.items():
        assert not records[name]["ok"] and records[name]["exchanges"] == []
        assert fragment in records[name]["error"], (name, records[name]["error"])
    # The plugins of this repository load beside the broken ones.
    assert all(records[name]["ok"] for name in ("paper", "ccxt", "robinhood") if name in records)

    assert "acme" in ExchangeFactory.get_available_exchanges()
    assert "acme" in ExchangeFactory.get_available_exchanges("eu")
    assert ExchangeFactory.create_exchange("acme").name == "acme"


def test_table_shows_versions_exchanges_and_errors(site: Path) -> None:
    code, out, _ = _run()
    assert code == 0
    flat = " ".join(out.split())  # the table wraps long cells
    for name in ("acme", *EXPECTED_ERRORS):
        assert name in flat
    assert "powertrader-acme" in flat and "1.0" in flat
    assert "hookspec version 2" in flat
    assert f"{len(EXPECTED_ERRORS)} broken" in flat


def test_hookspec_version_mismatch_is_refused_and_says_so(site: Path) -> None:
    info = get_registry().plugins["kit_future"]
    assert not info.ok
    assert info.error is not None and "hookspec version 2" in info.error
    assert "speaks version 1" in info.error
    registered = [name for name, _ in get_registry().pm.list_name_plugin()]
    assert "kit_future" not in registered and "acme" in registered


def test_disabled_plugins_are_not_loaded(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTRADER_DISABLE_PLUGINS", "kit_raises,acme")
    code, out, _ = _run("--json")
    names = {record["name"] for record in json.loads(out)}
    assert code == 0 and "acme" not in names and "kit_raises" not in names
    assert "kit_future" in names


def test_trace_logs_each_hook_call_and_each_load(
    site: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("POWERTRADER_TRACE_PLUGINS", "1")
    with caplog.at_level("INFO", logger="powertrader_core.plugins"):
        _run("--json")
    messages = [record.getMessage() for record in caplog.records]
    assert f"loading plugin acme from {ACME_PLUGIN}" in messages
    assert "hook powertrader_exchanges called on ['acme'] with {}" in messages
    assert any(m.startswith("hook powertrader_exchanges returned [[<class") for m in messages)
    assert any("returned error LookupError('no exchanges today')" in m for m in messages)
