"""``powertrader config set|show|validate|delete|encrypt``."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from powertrader_core.cli.app import app
from powertrader_core.credentials.manager import ExchangeConfigManager
from tests.cassette_support import TEST_SECRETS
from tests.credentials.conftest import TEST_PASSPHRASE, TEST_PRIVATE_KEY, key_secret

KEY, SECRET = TEST_SECRETS["api_key"], TEST_SECRETS["api_secret"]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env from the checkout
    for variable in ("POWERTRADER_PASSPHRASE", "TESTEX_API_KEY", "TESTEX_API_SECRET"):
        monkeypatch.delenv(variable, raising=False)
    return tmp_path / "creds"


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A person at the terminal answers the prompts (the runner's input stands in)."""
    monkeypatch.setattr("powertrader_core.cli._prompts.at_terminal", lambda: True)


def run(folder: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(app, ["config", *args, "--config-dir", str(folder)], input=input)


def _manager(folder: Path) -> ExchangeConfigManager:
    return ExchangeConfigManager(folder, env_file=None)


def test_set_prompts_for_missing_secrets_hidden(folder: Path, terminal: None) -> None:
    result = run(folder, "set", "testex", "--api-key", KEY, input=f"{SECRET}\n")
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output  # hidden input is not echoed
    assert "saved testex" in result.output
    assert _manager(folder).load_exchange_config("testex") == key_secret()
    path = folder / "testex_config.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_set_keeps_other_fields_and_takes_extras(folder: Path) -> None:
    run(folder, "set", "testex", "--api-key", KEY, "--api-secret", SECRET)
    result = run(folder, "set", "testex", "--passphrase", "pp-000000000000",
                 "--base-url", "http://127.0.0.1:7", "--set", "account=sub1", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["problems"] == []
    assert _manager(folder).load_exchange_config("testex") == key_secret(
        passphrase="pp-000000000000", base_url="http://127.0.0.1:7", account="sub1"
    )
    bad = run(folder, "set", "testex", "--set", "novalue")
    assert bad.exit_code == 2 and "KEY=VALUE" in bad.output


def test_set_encrypted_with_prompted_passphrase(folder: Path, terminal: None) -> None:
    result = run(
        folder, "set", "keyex", "--api-key", KEY, "--private-key", TEST_PRIVATE_KEY, "--encrypt",
        input=f"{TEST_PASSPHRASE}\n{TEST_PASSPHRASE}\n",
    )
    assert result.exit_code == 0, result.output
    assert TEST_PASSPHRASE not in result.output
    assert [p.name for p in folder.iterdir()] == ["keyex_config.enc"]
    manager = ExchangeConfigManager(folder, passphrase=TEST_PASSPHRASE, env_file=None)
    assert manager.load_exchange_config("keyex")["private_key"] == TEST_PRIVATE_KEY


def test_set_json_refuses_to_prompt(folder: Path) -> None:
    result = run(folder, "set", "testex", "--api-key", KEY, "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {
        "error": "api_secret is required: give it with --api-secret or --set api_secret=VALUE "
        "(nothing asked without a terminal)"
    }


def test_without_a_terminal_nothing_is_asked(folder: Path) -> None:
    """No terminal: fail at once naming what to give, instead of a prompt that reads a pipe
    with an echo warning and ends in "Aborted!"."""
    missing = run(folder, "set", "testex", "--api-key", KEY, input="ignored\n")
    assert missing.exit_code == 2 and "give it with --api-secret" in missing.stderr
    run(folder, "set", "testex", "--api-key", KEY, "--api-secret", SECRET)
    encrypt = run(folder, "encrypt", input="pass\npass\n")
    assert encrypt.exit_code == 2  # config's errors are bad input: what to give is missing
    assert "set POWERTRADER_PASSPHRASE" in encrypt.stderr and "Aborted" not in encrypt.output


def test_show_masks_and_names_sources(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(folder, "set", "testex", "--api-key", KEY, "--api-secret", SECRET,
        "--set", "account=sub1")
    monkeypatch.setenv("TESTEX_API_KEY", "env-key-abcdefgh1234")
    monkeypatch.setenv("TESTEX_API_SECRET", "env-secret-abcdefgh5678")
    result = run(folder, "show", "testex", "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)["testex"]
    assert shown["values"]["api_key"] == {"value": "en…234", "source": "$TESTEX_API_KEY"}
    assert shown["values"]["api_secret"]["value"] == "en…678"
    assert shown["values"]["account"] == {
        "value": "sub1", "source": f"file {folder / 'testex_config.json'}"
    }
    table = run(folder, "show")
    assert table.exit_code == 0 and "en…234" in table.output and "testex" in table.output
    assert "env-key-abcdefgh1234" not in table.output + result.output


def test_show_refuses_an_endpoint_from_another_source_than_the_keys(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(folder, "set", "testex", "--api-key", KEY, "--api-secret", SECRET,
        "--base-url", "http://127.0.0.1:7")
    monkeypatch.setenv("TESTEX_API_KEY", "env-key-abcdefgh1234")
    monkeypatch.setenv("TESTEX_API_SECRET", "env-secret-abcdefgh5678")
    result = run(folder, "show", "testex", "--json")
    assert "refusing base_url from file" in result.output
    assert "env-key-abcdefgh1234" not in result.output


def test_show_reports_a_broken_exchange_and_goes_on(folder: Path) -> None:
    run(folder, "set", "testex", "--api-key", KEY, "--api-secret", SECRET)
    (folder / "keyex_config.json").write_text("{oops")
    result = run(folder, "show", "--json")
    report = json.loads(result.stdout)
    assert "not valid JSON" in report["keyex"]["error"]
    assert report["testex"]["problems"] == []
    assert result.exit_code == 1 and "error: keyex: " in result.stderr


def test_validate_exit_codes(folder: Path) -> None:
    run(folder, "set", "testex", "--api-key", KEY, "--api-secret", SECRET)
    ok = run(folder, "validate", "testex")
    assert ok.exit_code == 0 and "testex: ok" in ok.output
    _manager(folder).save_exchange_config("keyex", {"api_key": KEY})
    bad = run(folder, "validate", "--json")
    assert bad.exit_code == 1
    expected = {"valid": False, "problems": ["private_key is missing"]}
    assert json.loads(bad.output)["keyex"] == expected
    unknown = run(folder, "validate", "nosuchex")
    assert unknown.exit_code == 2 and "known exchanges:" in unknown.output


def test_delete(folder: Path) -> None:
    run(folder, "set", "testex", "--api-key", KEY, "--api-secret", SECRET)
    aborted = run(folder, "delete", "testex", input="n\n")
    assert aborted.exit_code != 0 and (folder / "testex_config.json").exists()
    result = run(folder, "delete", "testex", "--json")
    assert json.loads(result.output)["removed"] == [str(folder / "testex_config.json")]
    assert run(folder, "delete", "testex", "--yes").output.strip() == "nothing stored for testex"


def test_encrypt_existing_files(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(folder, "set", "testex", "--api-key", KEY, "--api-secret", SECRET)
    run(folder, "set", "keyex", "--api-key", KEY, "--private-key", TEST_PRIVATE_KEY)
    monkeypatch.setenv("POWERTRADER_PASSPHRASE", TEST_PASSPHRASE)
    result = run(folder, "encrypt", "--json")
    assert result.exit_code == 0, result.output
    assert sorted(json.loads(result.output)["encrypted"]) == ["keyex", "testex"]
    assert sorted(p.name for p in folder.iterdir()) == ["keyex_config.enc", "testex_config.enc"]
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _manager(folder).load_exchange_config("testex") == key_secret()
    monkeypatch.setenv("POWERTRADER_PASSPHRASE", "wrong")
    shown = run(folder, "show", "testex")
    assert shown.exit_code == 1  # not 0 with the error on stdout
    assert "wrong passphrase" in shown.stderr and "wrong passphrase" not in shown.stdout
    monkeypatch.delenv("POWERTRADER_PASSPHRASE")
    locked = run(folder, "show", "testex")
    assert locked.exit_code == 1 and "set POWERTRADER_PASSPHRASE" in locked.stderr


def test_config_help_is_listed() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0 and "config" in result.output


def test_encrypt_with_another_passphrase_warns(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(folder, "set", "testex", "--api-key", KEY, "--api-secret", SECRET)
    run(folder, "set", "keyex", "--api-key", KEY, "--private-key", TEST_PRIVATE_KEY)
    monkeypatch.setenv("POWERTRADER_PASSPHRASE", TEST_PASSPHRASE)
    assert run(folder, "encrypt", "testex").exit_code == 0
    monkeypatch.setenv("POWERTRADER_PASSPHRASE", "another passphrase entirely")
    result = run(folder, "encrypt", "keyex", "--json")
    assert result.exit_code == 0, result.output
    [warning] = json.loads(result.stdout)["warnings"]
    assert "testex_config.enc was encrypted with another passphrase" in warning
    assert "warning: " in result.stderr
    same = run(folder, "encrypt", "keyex", "--json")  # already encrypted with this one
    assert json.loads(same.stdout).get("warnings", []) in ([], [warning])


def test_a_partial_environment_says_the_files_secret_is_not_used(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only TESTEX_API_KEY in the environment: the file's secret is not mixed in, and the
    problem says so instead of a bare "api_secret is missing"."""
    run(folder, "set", "testex", "--api-key", KEY, "--api-secret", SECRET)
    monkeypatch.setenv("TESTEX_API_KEY", "env-key-abcdefgh1234")
    result = run(folder, "validate", "testex", "--json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["testex"]["problems"]
    assert problems[0] == "api_secret is missing"
    assert problems[1].startswith(
        f"api_secret from file {folder / 'testex_config.json'} not used: the keys come from "
        "$TESTEX_API_KEY only"
    )
    assert SECRET not in result.output
