"""Loading order: environment (with .env) > encrypted file > plain JSON, each alone and together."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from powertrader_core import ConfigurationError, ExchangeFactory
from powertrader_core.credentials.manager import ExchangeConfigManager
from tests.cassette_support import TEST_SECRETS
from tests.credentials.conftest import TEST_PASSPHRASE, TEST_PRIVATE_KEY, key_secret

KEY, SECRET = TEST_SECRETS["api_key"], TEST_SECRETS["api_secret"]


def _write_plain(manager: ExchangeConfigManager, name: str, config: dict[str, object]) -> Path:
    path = manager.plain_path(name)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(json.dumps(config))
    path.chmod(0o600)
    return path


def test_nothing_anywhere_gives_an_empty_config(manager: ExchangeConfigManager) -> None:
    config, sources = manager.load_exchange_config("testex", with_sources=True)
    assert config == {} and sources == {}
    assert manager.validate_config("testex") is False


def test_plain_file_alone(manager: ExchangeConfigManager) -> None:
    path = manager.save_exchange_config("testex", key_secret(), encrypt=False)
    assert path == manager.plain_path("testex") and path.name == "testex_config.json"
    config, sources = manager.load_exchange_config("testex", with_sources=True)
    assert config == key_secret()
    assert sources == {"api_key": f"file {path}", "api_secret": f"file {path}"}
    assert manager.validate_config("testex") is True


def test_encrypted_file_alone(manager: ExchangeConfigManager, env: dict[str, str]) -> None:
    env["POWERTRADER_PASSPHRASE"] = TEST_PASSPHRASE
    path = manager.save_exchange_config("testex", key_secret())  # a passphrase: encrypts
    assert path == manager.encrypted_path("testex") and path.name == "testex_config.enc"
    assert not manager.plain_path("testex").exists()
    raw = path.read_text()
    assert KEY not in raw and SECRET not in raw
    config, sources = manager.load_exchange_config("testex", with_sources=True)
    assert config == key_secret()
    assert set(sources.values()) == {f"encrypted file {path}"}


def test_environment_alone(manager: ExchangeConfigManager, env: dict[str, str]) -> None:
    env.update({"TESTEX_API_KEY": KEY, "TESTEX_API_SECRET": SECRET,
                "TESTEX_API_PASSPHRASE": TEST_SECRETS["passphrase"]})
    config, sources = manager.load_exchange_config("testex", with_sources=True)
    assert config == key_secret(passphrase=TEST_SECRETS["passphrase"])
    assert sources == {"api_key": "$TESTEX_API_KEY", "api_secret": "$TESTEX_API_SECRET",
                       "passphrase": "$TESTEX_API_PASSPHRASE"}
    assert manager.validate_config("testex") is True


def test_robinhood_style_names(manager: ExchangeConfigManager, env: dict[str, str]) -> None:
    env.update({"KEYEX_API_KEY": KEY, "KEYEX_PRIVATE_KEY": TEST_PRIVATE_KEY})
    expected = {"api_key": KEY, "private_key": TEST_PRIVATE_KEY}
    assert manager.load_exchange_config("keyex") == expected
    assert manager.env_variables("keyex")["private_key"][0] == "KEYEX_PRIVATE_KEY"
    assert manager.validate_config("keyex") is True


def test_generic_fields_for_a_class_declaring_none(
    manager: ExchangeConfigManager, env: dict[str, str]
) -> None:
    env.update({"BAREEX_API_KEY": KEY, "BAREEX_API_SECRET": SECRET, "BAREEX_BASE_URL": "http://127.0.0.1:9"})
    assert manager.load_exchange_config("bareex") == key_secret(base_url="http://127.0.0.1:9")


def test_dotenv_fills_in_without_overriding(
    manager: ExchangeConfigManager, env: dict[str, str], tmp_path: Path
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(f'TESTEX_API_KEY="from-dotenv-key"\nTESTEX_API_SECRET={SECRET}\n')
    dotenv.chmod(0o600)
    env["TESTEX_API_KEY"] = KEY
    config, sources = manager.load_exchange_config("testex", with_sources=True)
    assert config == key_secret()
    assert sources["api_key"] == "$TESTEX_API_KEY"
    assert sources["api_secret"] == f"$TESTEX_API_SECRET from {dotenv}"
    assert "TESTEX_API_SECRET" not in os.environ  # read, not injected into the process


def test_all_three_together_first_found_wins(
    manager: ExchangeConfigManager, env: dict[str, str]
) -> None:
    env["POWERTRADER_PASSPHRASE"] = TEST_PASSPHRASE
    enc = manager.save_exchange_config(
        "testex", {"api_key": "enc-key-000000", "api_secret": "enc-secret-00000", "sandbox": True},
        encrypt=True,
    )
    plain = _write_plain(manager, "testex", {
        "api_key": "plain-key-00000", "api_secret": "plain-secret-000",
        "passphrase": "plain-pass-0000", "account": "sub1", "sandbox": False,
    })
    env.update({"TESTEX_API_KEY": KEY, "TESTEX_API_SECRET": SECRET})

    config, sources = manager.load_exchange_config("testex", with_sources=True)
    # Credentials come together from the environment (never a plain-file passphrase mixed in);
    # other keys merge, the higher source winning per key.
    assert config == {"api_key": KEY, "api_secret": SECRET, "sandbox": True, "account": "sub1"}
    assert sources["api_key"] == "$TESTEX_API_KEY"
    assert sources["sandbox"] == f"encrypted file {enc}"
    assert sources["account"] == f"file {plain}"

    del env["TESTEX_API_KEY"], env["TESTEX_API_SECRET"]
    config = manager.load_exchange_config("testex")
    assert (config["api_key"], config["api_secret"]) == ("enc-key-000000", "enc-secret-00000")
    assert "passphrase" not in config

    enc.unlink()
    config = manager.load_exchange_config("testex")
    assert config["api_key"] == "plain-key-00000" and config["passphrase"] == "plain-pass-0000"


def test_environment_without_credentials_does_not_take_over(
    manager: ExchangeConfigManager, env: dict[str, str]
) -> None:
    path = manager.save_exchange_config("testex", key_secret(), encrypt=False)
    env.update({"TESTEX_SANDBOX": "yes"})
    config, sources = manager.load_exchange_config("testex", with_sources=True)
    assert config == key_secret(sandbox=True)
    assert sources["api_key"] == f"file {path}" and sources["sandbox"] == "$TESTEX_SANDBOX"
    env["TESTEX_SANDBOX"] = "perhaps"
    with pytest.raises(ConfigurationError, match=r"\$TESTEX_SANDBOX must be true or false"):
        manager.load_exchange_config("testex")


def test_environment_credentials_skip_an_encrypted_file_without_passphrase(
    manager: ExchangeConfigManager, env: dict[str, str]
) -> None:
    env["POWERTRADER_PASSPHRASE"] = TEST_PASSPHRASE
    manager.save_exchange_config("testex", {"api_key": "x" * 16, "api_secret": "y" * 16})
    del env["POWERTRADER_PASSPHRASE"]
    with pytest.raises(ConfigurationError, match="POWERTRADER_PASSPHRASE"):
        manager.load_exchange_config("testex")
    env.update({"TESTEX_API_KEY": KEY, "TESTEX_API_SECRET": SECRET})
    assert manager.load_exchange_config("testex") == key_secret()


def test_prompting_passphrase_is_asked_once(creds_dir: Path, tmp_path: Path) -> None:
    asked: list[int] = []

    def prompt() -> str:
        asked.append(1)
        return TEST_PASSPHRASE

    manager = ExchangeConfigManager(creds_dir, passphrase=prompt, environ={}, env_file=None)
    manager.save_exchange_config("testex", key_secret(), encrypt=False)
    assert asked == []  # auto mode never prompts just to decide
    manager.save_exchange_config("testex", key_secret(), encrypt=True)
    assert manager.load_exchange_config("testex") == key_secret()
    assert manager.load_exchange_config("keyex") == {}
    assert asked == [1]


def test_extra_keys_reach_the_exchange_unchanged(manager: ExchangeConfigManager) -> None:
    stored = key_secret(base_url="http://127.0.0.1:5", sandbox=True, options={"timeout": 3})
    manager.save_exchange_config("testex", stored, encrypt=False)
    config = manager.load_exchange_config("testex")
    exchange = ExchangeFactory.create_exchange("testex", config)
    assert exchange.config == stored


def test_get_configured_exchanges(
    manager: ExchangeConfigManager, env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    assert manager.get_configured_exchanges() == []
    manager.save_exchange_config("testex", key_secret(), encrypt=False)
    manager.save_exchange_config("keyex", {"api_key": KEY}, encrypt=False)  # incomplete
    env.update({"BAREEX_API_KEY": KEY})
    _write_plain(manager, "ghost", {"api_key": "whatever-key"})  # no plugin provides it
    assert manager.stored_exchanges() == ["ghost", "keyex", "testex"]
    configured = manager.get_configured_exchanges()
    assert "testex" in configured and "bareex" in configured and "keyex" not in configured
    assert "ghost" not in configured
    assert any("keyex" in r.getMessage() and "private_key is missing" in r.getMessage()
               for r in caplog.records)


def test_one_broken_exchange_does_not_hide_the_others(
    manager: ExchangeConfigManager,
) -> None:
    manager.save_exchange_config("testex", key_secret(), encrypt=False)
    _write_plain(manager, "keyex", {})
    manager.plain_path("keyex").write_text("{not json")
    assert manager.get_configured_exchanges() == ["testex"]


def test_delete_removes_both_forms(manager: ExchangeConfigManager, env: dict[str, str]) -> None:
    env["POWERTRADER_PASSPHRASE"] = TEST_PASSPHRASE
    enc = manager.save_exchange_config("testex", key_secret())
    plain = _write_plain(manager, "testex", key_secret())
    assert sorted(manager.delete_exchange_config("testex")) == sorted([plain, enc])
    assert manager.delete_exchange_config("testex") == []
    assert manager.load_exchange_config("testex") == {}


def test_saving_replaces_the_other_form(
    manager: ExchangeConfigManager, env: dict[str, str]
) -> None:
    manager.save_exchange_config("testex", key_secret(), encrypt=False)
    env["POWERTRADER_PASSPHRASE"] = TEST_PASSPHRASE
    manager.save_exchange_config("testex", key_secret(), encrypt=True)
    assert not manager.plain_path("testex").exists()
    manager.save_exchange_config("testex", key_secret(), encrypt=False)
    assert not manager.encrypted_path("testex").exists()
    assert manager.load_exchange_config("testex") == key_secret()


def test_default_folder_from_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("POWERTRADER_CREDENTIALS_DIR", str(tmp_path / "elsewhere"))
    assert ExchangeConfigManager().config_dir == tmp_path / "elsewhere"
    monkeypatch.delenv("POWERTRADER_CREDENTIALS_DIR")
    assert ExchangeConfigManager().config_dir == Path("credentials")
    assert ExchangeConfigManager("x").config_dir == Path("x")
