"""``config validate`` checks each exchange's key formats and types (issue 14, item 5).

It used to say "kraken: ok" for a secret that could never sign. Now: base64 secrets (Kraken),
PEM or base64 Ed25519 keys (Coinbase; Robinhood's private key), and text, never a number or a
list, for every credential.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from powertrader_core import ExchangeFactory
from powertrader_core.cli.app import app
from powertrader_core.credentials.manager import ExchangeConfigManager
from tests.cassette_support import TEST_SECRETS
from tests.ccxt.cassette_exchange import coinbase_cdp_keys
from tests.credentials.conftest import TEST_PRIVATE_KEY

KEY, SECRET = TEST_SECRETS["api_key"], TEST_SECRETS["api_secret"]
BROKEN_PEM = "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----"


def _problems(name: str, config: dict[str, Any]) -> list[str]:
    return ExchangeFactory.get_exchange_class(name).check_config(config)


@pytest.mark.parametrize(
    ("name", "config", "expected"),
    [
        ("kraken", {"api_key": KEY, "api_secret": "not base64!"}, "api_secret is not base64"),
        ("kraken", {"api_key": KEY, "api_secret": "abc"}, "api_secret is not base64"),
        ("kraken", {"api_key": 12345, "api_secret": SECRET}, "api_key must be text, not int"),
        ("kraken", {"api_key": KEY, "api_secret": [SECRET]}, "api_secret must be text, not list"),
        ("okx", {**TEST_SECRETS, "passphrase": 1234}, "passphrase must be text, not int"),
        ("coinbase", {"api_key": "organizations/x/apiKeys/y", "api_secret": "plain text"},
         "api_secret is neither a PEM private key nor base64 of an Ed25519 key"),
        ("coinbase", {"api_key": "organizations/x/apiKeys/y", "api_secret": BROKEN_PEM},
         "api_secret is a PEM block that does not load"),
        ("robinhood", {"api_key": KEY, "private_key": "not a key"}, "private_key"),
    ],
)
def test_malformed_keys_are_named(name: str, config: dict[str, Any], expected: str) -> None:
    problems = _problems(name, config)
    assert any(expected in problem for problem in problems), problems
    for value in config.values():
        if isinstance(value, str) and len(value) > 4:
            assert all(value not in problem for problem in problems)


@pytest.mark.parametrize(
    ("name", "config"),
    [
        ("kraken", {"api_key": KEY, "api_secret": SECRET}),
        ("coinbase", coinbase_cdp_keys()),
        ("coinbase", {"api_key": "organizations/x/apiKeys/y",
                      "api_secret": base64.b64encode(bytes(64)).decode()}),
        ("binance", {"api_key": KEY, "api_secret": "plain-hmac-secret-0000"}),
        ("robinhood", {"api_key": KEY, "private_key": TEST_PRIVATE_KEY}),
    ],
)
def test_well_formed_keys_pass(name: str, config: dict[str, Any]) -> None:
    assert _problems(name, config) == []


def test_config_validate_reports_a_kraken_secret_that_cannot_sign(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for variable in ("KRAKEN_API_KEY", "KRAKEN_API_SECRET", "POWERTRADER_PASSPHRASE"):
        monkeypatch.delenv(variable, raising=False)
    folder = tmp_path / "creds"
    ExchangeConfigManager(folder, env_file=None).save_exchange_config(
        "kraken", {"api_key": KEY, "api_secret": "not base64!"}, encrypt=False
    )
    result = CliRunner().invoke(
        app, ["config", "validate", "kraken", "--json", "--config-dir", str(folder)]
    )
    assert result.exit_code == 1
    report = json.loads(result.output)["kraken"]
    assert report["valid"] is False
    assert any("api_secret is not base64" in p for p in report["problems"])
