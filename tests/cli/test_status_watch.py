"""``exchanges``, ``status``, ``watch``, and the commands that already existed (``plugins``,
``config``, ``robinhood keygen``) taking the global options too."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from powertrader_core.cli.app import register_plugin_commands
from tests.cli.conftest import Invoke, parsed


def test_exchanges_inventory_needs_no_network(cli: Invoke) -> None:
    result = cli("exchanges", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in parsed(result)}
    assert {"kraken", "paper", "robinhood"} <= set(rows)
    paper = rows["paper"]
    assert paper["configured"] is True and paper["credentials_required"] == []
    assert paper["default"] is False and paper["in_region"] is True
    assert paper["status"] == "not checked"
    assert rows["kraken"]["configured"] is False and rows["kraken"]["default"] is True
    assert "api_key is missing" in rows["kraken"]["problems"]
    assert rows["robinhood"]["regions"] == ["us"]
    assert parsed(cli("exchanges", "--region", "eu", "--json"))[0]["name"] == "binance"
    eu = {row["name"]: row for row in parsed(cli("exchanges", "--region", "eu", "--json"))}
    assert eu["robinhood"]["in_region"] is False and eu["binance"]["in_region"] is True
    assert "only when named" in cli("exchanges").stdout


def test_exchanges_configured_from_the_environment(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KRAKEN_API_KEY", "key-for-tests")
    monkeypatch.setenv("KRAKEN_API_SECRET", "c2VjcmV0LWZvci10ZXN0cw==")
    rows = {row["name"]: row for row in parsed(cli("exchanges", "--json"))}
    assert rows["kraken"]["configured"] is True, rows["kraken"]
    assert "key-for-tests" not in cli("exchanges").output


def test_status_of_the_paper_exchange(cli: Invoke) -> None:
    result = cli("status", "--exchange", "paper", "--json")
    assert result.exit_code == 0, result.output
    record = parsed(result)
    assert record["summary"] == {"overall": "connected", "connected": 1, "total": 1}
    entry = record["exchanges"]["paper"]
    assert entry["status"] == "connected" and entry["error"] is None
    assert entry["health"]["status"] == "connected" and entry["latency_ms"] is not None
    assert "connected: 1 of 1" in cli("status", "-e", "paper").stdout


def test_status_and_exchanges_check_without_network(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTRADER_EXCHANGE_TIMEOUT", "1")
    result = cli("status", "--json")
    assert result.exit_code == 1
    record = parsed(result)
    assert record["summary"]["overall"] == "down" and record["summary"]["connected"] == 0
    assert record["exchanges"]["kraken"]["status"] == "down"
    assert record["exchanges"]["robinhood"]["status"] == "not configured"
    assert record["exchanges"]["kraken"]["error"].startswith("kraken ")

    checked = cli("exchanges", "--check", "--json")
    assert checked.exit_code == 0, checked.output
    rows = {row["name"]: row for row in parsed(checked)}
    assert rows["paper"]["status"] == "connected"
    assert rows["kraken"]["status"] == "down" and rows["kraken"]["error"]
    assert rows["binance"]["status"] == "not checked"  # not in region us


def test_watch_counts_quotes_as_json_lines(cli: Invoke) -> None:
    result = cli(
        "watch", "BTC-USD", "ETH-USD", "-e", "paper", "--count", "4", "--interval", "0.1",
        "--json",
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 4
    assert {line["symbol"] for line in lines} == {"BTC-USD", "ETH-USD"}
    for line in lines:
        assert line["exchange"] == "paper" and Decimal(line["bid"]) < Decimal(line["ask"])


def test_watch_table_and_duration(cli: Invoke) -> None:
    result = cli("watch", "BTC-USD", "-e", "paper", "--duration", "0.5", "--interval", "0.1")
    assert result.exit_code == 0, result.output
    assert "BTC-USD" in result.stdout and "paper" in result.stdout


def test_watch_without_network_reports_errors_and_exits_1(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTRADER_EXCHANGE_TIMEOUT", "1")
    result = cli("watch", "BTC-USD", "-e", "kraken", "--duration", "3", "--json")
    assert result.exit_code == 1
    *lines, last = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines and all(line["exchange"] == "kraken" and line["error"] for line in lines)
    assert "nothing to watch for BTC-USD" in last["error"]["message"]  # ends, saying why
    assert "Traceback" not in result.output


def test_existing_commands_take_the_global_options(cli: Invoke) -> None:
    plugins = cli("plugins", "--debug", "--json")  # no --region: no region changes plugins
    assert plugins.exit_code == 0, plugins.output
    assert {record["name"] for record in parsed(plugins)} >= {"ccxt", "paper", "robinhood"}
    before = cli("--json", "plugins")  # a global option before the command reaches it
    assert [r["name"] for r in parsed(before)] == [r["name"] for r in parsed(plugins)]
    shown = cli("config", "show", "--json", "--debug")
    assert shown.exit_code == 0 and parsed(shown) == {}
    validated = cli("config", "validate", "--json")
    assert validated.exit_code == 0 and parsed(validated) == {}


def test_robinhood_keygen_through_the_plugin_hook(cli: Invoke) -> None:
    register_plugin_commands()
    register_plugin_commands()  # once per process, however often asked
    result = cli("robinhood", "keygen", "--json", "--region", "us")
    assert result.exit_code == 0, result.output
    keys = parsed(result)
    assert keys["public_key"] and keys["private_key"] and keys["steps"]
