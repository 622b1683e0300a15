"""A planted credentials folder cannot redirect keys (issue 14, item 1).

A key goes only to a host configured in the same source as the key; an endpoint from another
source is refused with one line naming both. Files (or folders) that others own or can write
are refused, not warned about.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from powertrader_core import ConfigurationError
from powertrader_core.credentials.manager import ExchangeConfigManager
from tests.credentials.conftest import key_secret

ELSEWHERE = "http://elsewhere.invalid"


def _plant(path: Path, config: dict[str, object], mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(json.dumps(config))
    path.chmod(mode)
    return path


def _env_keys(env: dict[str, str]) -> None:
    env.update({"TESTEX_API_KEY": key_secret()["api_key"],
                "TESTEX_API_SECRET": key_secret()["api_secret"]})


@pytest.mark.parametrize("field", ["base_url", "ws_url", "hostname", "https_proxy"])
def test_a_planted_endpoint_does_not_receive_keys_from_the_environment(
    manager: ExchangeConfigManager, env: dict[str, str], field: str
) -> None:
    _env_keys(env)
    planted = _plant(manager.plain_path("testex"), {field: ELSEWHERE})
    with pytest.raises(ConfigurationError) as caught:
        manager.load_exchange_config("testex")
    message = str(caught.value)
    assert "\n" not in message
    assert f"{field} from file {planted}" in message and "the environment" in message
    assert ELSEWHERE not in message and key_secret()["api_key"] not in message


def test_an_endpoint_from_the_environment_does_not_take_file_keys(
    manager: ExchangeConfigManager, env: dict[str, str]
) -> None:
    path = manager.save_exchange_config("testex", key_secret(), encrypt=False)
    env["TESTEX_BASE_URL"] = ELSEWHERE
    with pytest.raises(ConfigurationError, match=rf"base_url from the environment.*file {path}"):
        manager.load_exchange_config("testex")


def test_a_dotenv_file_is_its_own_source(
    manager: ExchangeConfigManager, env: dict[str, str], tmp_path: Path
) -> None:
    _env_keys(env)
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"TESTEX_BASE_URL={ELSEWHERE}\n")
    dotenv.chmod(0o600)
    with pytest.raises(ConfigurationError, match=r"base_url from \.env file"):
        manager.load_exchange_config("testex")


def test_an_endpoint_beside_the_keys_is_used(
    manager: ExchangeConfigManager, env: dict[str, str]
) -> None:
    manager.save_exchange_config("testex", key_secret(base_url="http://127.0.0.1:9"), encrypt=False)
    assert manager.load_exchange_config("testex")["base_url"] == "http://127.0.0.1:9"
    env.update({"TESTEX_API_KEY": "k" * 20, "TESTEX_API_SECRET": "s" * 20,
                "TESTEX_BASE_URL": "http://127.0.0.1:8"})
    manager.plain_path("testex").unlink()
    assert manager.load_exchange_config("testex")["base_url"] == "http://127.0.0.1:8"


def test_an_endpoint_without_keys_anywhere_is_allowed(manager: ExchangeConfigManager) -> None:
    _plant(manager.plain_path("testex"), {"base_url": "http://127.0.0.1:9"})
    assert manager.load_exchange_config("testex") == {"base_url": "http://127.0.0.1:9"}


@pytest.mark.parametrize("mode", [0o620, 0o602, 0o666])
def test_a_file_others_can_write_is_refused(manager: ExchangeConfigManager, mode: int) -> None:
    path = _plant(manager.plain_path("testex"), key_secret(), mode)
    with pytest.raises(ConfigurationError, match=rf"refusing {path}: .*writable by other users"):
        manager.load_exchange_config("testex")


def test_a_folder_others_can_write_is_refused(manager: ExchangeConfigManager) -> None:
    path = _plant(manager.plain_path("testex"), key_secret())
    path.parent.chmod(0o777)
    with pytest.raises(ConfigurationError, match=r"its folder .* writable by other users"):
        manager.load_exchange_config("testex")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_a_file_owned_by_another_user_is_refused(manager: ExchangeConfigManager) -> None:
    path = _plant(manager.plain_path("testex"), key_secret())
    os.chown(path, 4242, -1)
    with pytest.raises(ConfigurationError, match=r"owned by another user \(uid 4242\)"):
        manager.load_exchange_config("testex")


def test_a_writable_dotenv_is_refused(
    manager: ExchangeConfigManager, tmp_path: Path
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("TESTEX_API_KEY=abc\n")
    dotenv.chmod(0o666)
    with pytest.raises(ConfigurationError, match="writable by other users"):
        manager.load_exchange_config("testex")
