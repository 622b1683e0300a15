"""Encrypted and plain files: modes, atomic writes, tampering, wrong passphrases, bad input."""

from __future__ import annotations

import base64
import json
import logging
import stat
from pathlib import Path
from typing import Any

import pytest

from powertrader_core import ConfigurationError
from powertrader_core.credentials.encrypted import decrypt_config, encrypt_config
from powertrader_core.credentials.manager import ExchangeConfigManager
from tests.credentials.conftest import SHIPPED_SCRYPT_N, TEST_PASSPHRASE, key_secret


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _assert_private(manager: ExchangeConfigManager) -> None:
    assert _mode(manager.config_dir) == 0o700
    files = list(manager.config_dir.iterdir())
    assert files, "nothing written"
    for path in files:
        assert _mode(path) == 0o600, path
        assert not path.name.endswith(".tmp"), f"temporary file left: {path}"


def test_modes_after_every_write(manager: ExchangeConfigManager, env: dict[str, str]) -> None:
    manager.config_dir.mkdir(mode=0o755)
    manager.config_dir.chmod(0o755)  # an existing, too open folder is tightened
    manager.save_exchange_config("testex", key_secret(), encrypt=False)
    _assert_private(manager)
    env["POWERTRADER_PASSPHRASE"] = TEST_PASSPHRASE
    manager.save_exchange_config("keyex", {"api_key": "k" * 20}, encrypt=False)
    _assert_private(manager)
    manager.encrypt_exchange_config("keyex")
    _assert_private(manager)
    manager.save_exchange_config("testex", key_secret(passphrase="p" * 12))
    _assert_private(manager)
    assert sorted(p.name for p in manager.config_dir.iterdir()) == [
        "keyex_config.enc", "testex_config.enc",
    ]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    manager: ExchangeConfigManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = manager.save_exchange_config("testex", key_secret(), encrypt=False)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("powertrader_core.kit.files.os.replace", refuse)
    with pytest.raises(ConfigurationError, match="No space left"):
        manager.save_exchange_config("testex", key_secret(api_key="n" * 20), encrypt=False)
    assert json.loads(path.read_text()) == key_secret()
    assert [p.name for p in manager.config_dir.iterdir()] == ["testex_config.json"]


def test_group_or_world_readable_file_warns(
    manager: ExchangeConfigManager, caplog: pytest.LogCaptureFixture
) -> None:
    path = manager.save_exchange_config("testex", key_secret(), encrypt=False)
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        assert manager.load_exchange_config("testex") == key_secret()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings and "accessible to other users" in warnings[0].getMessage()
    assert str(path) in warnings[0].getMessage() and "chmod 600" in warnings[0].getMessage()
    caplog.clear()
    path.chmod(0o600)
    manager.load_exchange_config("testex")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_encrypted_format_is_versioned_with_fresh_salt_and_nonce() -> None:
    first = json.loads(encrypt_config("testex", key_secret(), TEST_PASSPHRASE))
    second = json.loads(encrypt_config("testex", key_secret(), TEST_PASSPHRASE))
    assert first["format"] == "powertrader-credentials" and first["version"] == 1
    assert first["kdf"]["name"] == "scrypt" and first["cipher"]["name"] == "AES-256-GCM"
    assert first["kdf"]["salt"] != second["kdf"]["salt"]
    assert first["cipher"]["nonce"] != second["cipher"]["nonce"]
    assert len(base64.b64decode(first["kdf"]["salt"])) == 16
    assert len(base64.b64decode(first["cipher"]["nonce"])) == 12


def test_default_cost_is_real_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    # The suite's fast setting off: new files use the shipped cost.
    monkeypatch.setattr("powertrader_core.credentials.encrypted.SCRYPT_N", SHIPPED_SCRYPT_N)
    data = encrypt_config("testex", key_secret(), TEST_PASSPHRASE)
    assert json.loads(data)["kdf"]["n"] >= 2**15
    assert decrypt_config(data, TEST_PASSPHRASE, exchange="testex", where="f") == key_secret()


def test_wrong_passphrase(manager: ExchangeConfigManager, env: dict[str, str]) -> None:
    env["POWERTRADER_PASSPHRASE"] = TEST_PASSPHRASE
    path = manager.save_exchange_config("testex", key_secret())
    env["POWERTRADER_PASSPHRASE"] = "not the passphrase"
    with pytest.raises(ConfigurationError, match="wrong passphrase") as info:
        manager.load_exchange_config("testex")
    assert str(path) in str(info.value) and "testex" in str(info.value)
    assert manager.validate_config("testex") is False
    assert "wrong passphrase" in manager.config_problems("testex")[0]


def _tamper(path: Path, change: Any) -> None:
    envelope = json.loads(path.read_text())
    change(envelope)
    path.write_text(json.dumps(envelope))


def _flip_ciphertext(envelope: dict[str, Any]) -> None:
    raw = bytearray(base64.b64decode(envelope["ciphertext"]))
    raw[3] ^= 0x01
    envelope["ciphertext"] = base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_flip_ciphertext, "modified"),
        (lambda e: e["kdf"].update(n=2**11), "modified"),
        (lambda e: e.update(exchange="keyex"), "modified"),
        (lambda e: e["cipher"].update(nonce=base64.b64encode(b"\0" * 12).decode()), "modified"),
        (lambda e: e["kdf"].update(n=2**30), "parameters refused"),
        (lambda e: e.update(version=99), "format version 99"),
        (lambda e: e.update(ciphertext="%%%"), "not base64"),
        (lambda e: e.pop("kdf"), "damaged"),
        (lambda e: e.update(format="something-else"), "not an encrypted credentials file"),
    ],
)
def test_tampered_file(
    manager: ExchangeConfigManager, env: dict[str, str], change: Any, message: str
) -> None:
    env["POWERTRADER_PASSPHRASE"] = TEST_PASSPHRASE
    path = manager.save_exchange_config("testex", key_secret())
    _tamper(path, change)
    with pytest.raises(ConfigurationError, match=message):
        manager.load_exchange_config("testex")


def test_file_of_another_exchange_renamed_into_place(
    manager: ExchangeConfigManager, env: dict[str, str]
) -> None:
    env["POWERTRADER_PASSPHRASE"] = TEST_PASSPHRASE
    other = manager.save_exchange_config("keyex", {"api_key": "k" * 16})
    other.rename(manager.encrypted_path("testex"))
    with pytest.raises(ConfigurationError, match="holds credentials for 'keyex'"):
        manager.load_exchange_config("testex")


def test_truncated_encrypted_file(manager: ExchangeConfigManager, env: dict[str, str]) -> None:
    env["POWERTRADER_PASSPHRASE"] = TEST_PASSPHRASE
    path = manager.save_exchange_config("testex", key_secret())
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(ConfigurationError, match="not an encrypted credentials file"):
        manager.load_exchange_config("testex")


def test_encrypting_needs_a_passphrase(manager: ExchangeConfigManager, env: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match="POWERTRADER_PASSPHRASE"):
        manager.save_exchange_config("testex", key_secret(), encrypt=True)
    assert not manager.config_dir.exists() or not list(manager.config_dir.iterdir())
    env["POWERTRADER_PASSPHRASE"] = TEST_PASSPHRASE
    manager.save_exchange_config("testex", key_secret())
    del env["POWERTRADER_PASSPHRASE"]
    # The file is encrypted: saving again without the passphrase must not quietly go plain.
    with pytest.raises(ConfigurationError, match="is encrypted"):
        manager.save_exchange_config("testex", key_secret())


def test_corrupt_json_names_file_and_line(manager: ExchangeConfigManager) -> None:
    path = manager.plain_path("testex")
    path.parent.mkdir(parents=True)
    path.write_text('{\n  "api_key": "abc",\n  "api_secret": \n}\n')
    with pytest.raises(ConfigurationError) as info:
        manager.load_exchange_config("testex")
    assert str(path) in str(info.value) and "line 4" in str(info.value)
    path.write_text('["api_key"]')
    with pytest.raises(ConfigurationError, match="must hold a JSON object"):
        manager.load_exchange_config("testex")


def test_unknown_exchange_lists_the_known_ones(manager: ExchangeConfigManager) -> None:
    for call in (
        lambda: manager.load_exchange_config("nosuchex"),
        lambda: manager.save_exchange_config("nosuchex", key_secret()),
        lambda: manager.validate_config("nosuchex"),
    ):
        with pytest.raises(ConfigurationError, match="unknown exchange 'nosuchex'") as info:
            call()
        assert "testex" in str(info.value) and "keyex" in str(info.value)


def test_missing_fields_are_named(manager: ExchangeConfigManager) -> None:
    manager.save_exchange_config("testex", {"api_key": "k" * 16}, encrypt=False)
    assert manager.config_problems("testex") == ["api_secret is missing"]
    assert manager.validate_config("testex") is False
    manager.save_exchange_config("keyex", {"api_key": "k" * 16, "private_key": "bm9wZQ=="})
    assert manager.config_problems("keyex") == ["private_key does not decode to an Ed25519 key"]
    manager.save_exchange_config("keyex", {})
    assert manager.config_problems("keyex") == ["api_key is missing", "private_key is missing"]


def test_unsavable_values_are_refused(manager: ExchangeConfigManager) -> None:
    with pytest.raises(ConfigurationError, match="api_secret: a bytes cannot be stored"):
        manager.save_exchange_config("testex", {"api_key": "k", "api_secret": b"raw"})
    with pytest.raises(ConfigurationError, match="must be a mapping"):
        manager.save_exchange_config("testex", [("api_key", "k")])  # type: ignore[arg-type]


def test_unreadable_directory(
    manager: ExchangeConfigManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root ignores chmod, so the refusal the kernel would give is simulated."""
    manager.save_exchange_config("testex", key_secret(), encrypt=False)
    real_open, real_iterdir = Path.open, Path.iterdir
    folder = manager.config_dir

    def refusing_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.parent == folder:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    def refusing_iterdir(self: Path) -> Any:
        if self == folder:
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(Path, "open", refusing_open)
    monkeypatch.setattr(Path, "iterdir", refusing_iterdir)
    with pytest.raises(ConfigurationError, match=r"cannot read credentials file .*Permission"):
        manager.load_exchange_config("testex")
    assert manager.validate_config("testex") is False
    with pytest.raises(ConfigurationError, match=r"cannot read credentials folder .*Permission"):
        manager.get_configured_exchanges()


def test_unwritable_directory(
    manager: ExchangeConfigManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("powertrader_core.kit.files.tempfile.mkstemp", refuse)
    with pytest.raises(ConfigurationError, match=r"cannot write .*testex_config.json"):
        manager.save_exchange_config("testex", key_secret(), encrypt=False)


@pytest.mark.parametrize(("n", "r", "p"), [(2**20, 32, 1), (2**18, 8, 1), (2**15, 8, 16)])
def test_a_header_asking_for_costly_key_derivation_is_refused_before_deriving(
    monkeypatch: pytest.MonkeyPatch, n: int, r: int, p: int
) -> None:
    """Issue 14, item 6: n·r = 2**25 used to be accepted (4 GiB, over a minute per attempt)."""
    envelope = json.loads(encrypt_config("testex", key_secret(), TEST_PASSPHRASE))
    envelope["kdf"].update(n=n, r=r, p=p)

    def no_derivation(*args: Any) -> bytes:
        raise AssertionError("scrypt ran on parameters that should have been refused")

    monkeypatch.setattr("powertrader_core.credentials.encrypted._derive", no_derivation)
    with pytest.raises(ConfigurationError, match=r"key derivation cost .* tampered"):
        decrypt_config(json.dumps(envelope).encode(), TEST_PASSPHRASE, exchange="testex",
                       where="f")


def test_what_the_project_writes_stays_within_the_bound() -> None:
    from powertrader_core.credentials import encrypted

    assert SHIPPED_SCRYPT_N * encrypted.SCRYPT_R * encrypted.SCRYPT_P <= (
        encrypted.MAX_SCRYPT_WORK // 4
    )
    assert 128 * encrypted.MAX_SCRYPT_WORK <= 256 * 2**20  # memory: 128·n·r bytes


def test_a_readable_env_file_is_warned_about_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Every exchange's configuration reads .env: its warning used to print per read."""
    env_file = tmp_path / ".env"
    env_file.write_text("TESTEX_API_KEY=abc\n")
    env_file.chmod(0o644)
    manager = ExchangeConfigManager(tmp_path / "creds", env_file=env_file)
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            manager.load_exchange_config("testex")
            manager.load_exchange_config("keyex")
    warned = [r for r in caplog.records if "accessible to other users" in r.getMessage()]
    assert len(warned) == 1 and str(env_file) in warned[0].getMessage()
