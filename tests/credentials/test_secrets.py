"""Secrets never appear in a repr, a str, a log record, an exception or the CLI's output."""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from powertrader_core import ExchangeAuthenticationError, ExchangeFactory, config_utils
from powertrader_core.cli.app import app
from powertrader_core.credentials.manager import ExchangeConfig, ExchangeConfigManager, Secret, mask
from powertrader_core.hub import PowerTraderHub
from tests.cassette_support import TEST_SECRETS
from tests.credentials.conftest import (
    ALL_SECRETS,
    TEST_PASSPHRASE,
    TEST_PRIVATE_KEY,
    KeySecretExchange,
    key_secret,
)


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def every_logger_at_debug() -> Iterator[_Everything]:
    """A handler on the root and on every logger that exists, all at DEBUG."""
    handler = _Everything()
    loggers = [logging.getLogger()] + [
        logger for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    for name in ("powertrader_core", "powertrader_core.credentials.manager",
                 "powertrader_core.config_utils", "powertrader_core.settings"):
        loggers.append(logging.getLogger(name))
    saved = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger, level in saved:
            logger.setLevel(level)
            logger.removeHandler(handler)


class FailingAuthExchange(KeySecretExchange):
    name = "failauth"

    async def initialize(self) -> bool:
        raise ExchangeAuthenticationError("key refused", exchange=self.name, operation="initialize")


def test_mask_and_secret() -> None:
    assert mask(TEST_SECRETS["api_key"]) == "pt…d6c"  # 22 characters: 5 shown
    assert mask("short") == "********" and mask("") == "" and mask(None) == ""
    assert mask(Secret("abcdefghijklmnop")) == "ab…op"
    secret = Secret("abcdefghwxyz")
    assert "abcdefghwxyz" not in f"{secret!r} {secret} {secret:>20}"
    assert secret.get_secret_value() == "abcdefghwxyz" and secret == Secret("abcdefghwxyz")
    config = ExchangeConfig(key_secret(base_url="http://127.0.0.1:1"), secret_fields=["api_key"])
    assert TEST_SECRETS["api_key"] not in repr(config)
    assert TEST_SECRETS["api_secret"] not in str(config)
    assert "http://127.0.0.1:1" in repr(config)  # not a secret: shown as is


@pytest.mark.parametrize("length", [1, 8, 12, 15, 16, 17, 20, 31, 32, 64, 200])
def test_mask_shows_at_most_a_quarter_and_nothing_under_16(length: int) -> None:
    """Issue 14, item 7: the old mask showed 8 of a 12-character secret's characters."""
    secret = "".join(chr(ord("A") + i % 26) + str(i % 10) for i in range(length))[:length]
    shown = mask(secret).replace("…", "")
    if length < 16:
        assert mask(secret) == "********"
    else:
        assert 0 < len(shown) <= min(length // 4, 8)
        assert secret.startswith(mask(secret).split("…")[0])
        assert secret.endswith(mask(secret).split("…")[1])


def test_no_secret_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    texts: list[str] = []
    errors: list[BaseException] = []

    def attempt(call: Callable[[], Any]) -> Any:
        try:
            result = call()
        except Exception as exc:
            errors.append(exc)
            return None
        texts.extend([repr(result), str(result)])
        return result

    ExchangeFactory.register_exchange("failauth", FailingAuthExchange)
    folder = tmp_path / "creds"
    manager = ExchangeConfigManager(folder, environ=env, env_file=tmp_path / ".env")
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    try:
        with every_logger_at_debug() as captured:
            # Environment source.
            env.update({"TESTEX_API_KEY": TEST_SECRETS["api_key"],
                        "TESTEX_API_SECRET": TEST_SECRETS["api_secret"],
                        "TESTEX_API_PASSPHRASE": TEST_SECRETS["passphrase"],
                        "KEYEX_API_KEY": TEST_SECRETS["api_key"],
                        "KEYEX_PRIVATE_KEY": TEST_PRIVATE_KEY})
            attempt(lambda: manager.load_exchange_config("testex"))
            attempt(lambda: manager.load_exchange_config("keyex", with_sources=True))
            attempt(lambda: manager.describe_sources("testex"))
            attempt(lambda: manager.validate_config("keyex"))
            attempt(lambda: manager.get_configured_exchanges())
            env.clear()
            # Plain and encrypted files.
            attempt(lambda: manager.save_exchange_config("testex", key_secret(), encrypt=False))
            attempt(lambda: manager.save_exchange_config(
                "keyex", {"api_key": TEST_SECRETS["api_key"], "private_key": TEST_PRIVATE_KEY}
            ))
            env["POWERTRADER_PASSPHRASE"] = TEST_PASSPHRASE
            attempt(lambda: manager.encrypt_exchange_config("testex"))
            attempt(lambda: manager.load_exchange_config("testex"))
            attempt(lambda: manager.stored_config("testex"))
            attempt(lambda: manager.get_configured_exchanges())
            attempt(lambda: manager)
            # Failures.
            env["POWERTRADER_PASSPHRASE"] = "wrong " + TEST_PASSPHRASE
            attempt(lambda: manager.load_exchange_config("testex"))
            attempt(lambda: manager.validate_config("testex"))
            attempt(lambda: manager.save_exchange_config("testex", key_secret(), encrypt=True))
            env["POWERTRADER_PASSPHRASE"] = TEST_PASSPHRASE
            corrupt = manager.plain_path("keyex")
            corrupt.write_text(json.dumps({"private_key": TEST_PRIVATE_KEY})[:-3])
            attempt(lambda: manager.load_exchange_config("keyex"))
            attempt(lambda: manager.save_exchange_config(
                "keyex",
                {"api_key": TEST_SECRETS["api_key"], "private_key": TEST_SECRETS["api_secret"]},
                encrypt=False,
            ))
            attempt(lambda: manager.config_problems("keyex"))
            attempt(lambda: manager.save_exchange_config(
                "testex", {"api_key": TEST_SECRETS["api_key"], "api_secret": object()}
            ))
            env["TESTEX_SANDBOX"] = TEST_SECRETS["api_secret"]
            attempt(lambda: manager.load_exchange_config("testex"))
            del env["TESTEX_SANDBOX"]
            attempt(lambda: manager.load_exchange_config("no-such-exchange"))
            # The seed's helpers.
            attempt(lambda: config_utils.validate_exchange_config("testex", key_secret()))
            attempt(lambda: config_utils.validate_exchange_config(
                "keyex", {"api_key": TEST_SECRETS["api_key"], "private_key": TEST_PASSPHRASE}
            ))
            manager.save_exchange_config("failauth", key_secret())
            attempt(lambda: asyncio.run(config_utils.test_exchange_connection("failauth", manager)))
            attempt(lambda: asyncio.run(config_utils.test_exchange_connection("testex", manager)))
            attempt(lambda: ExchangeFactory.create_exchange("testex", key_secret()))
            attempt(lambda: PowerTraderHub(config_dir=folder).config_manager)
            # The command line, with the passphrase in the process environment.
            monkeypatch.setenv("POWERTRADER_PASSPHRASE", TEST_PASSPHRASE)
            for args in (
                ["config", "show", "--config-dir", str(folder)],
                ["config", "show", "--config-dir", str(folder), "--json"],
                ["config", "validate", "--config-dir", str(folder)],
                ["config", "set", "testex", "--config-dir", str(folder),
                 "--api-key", TEST_SECRETS["api_key"], "--api-secret", TEST_SECRETS["api_secret"]],
                ["config", "set", "keyex", "--config-dir", str(folder), "--json",
                 "--private-key", "not-a-key-but-secret-ish"],
            ):
                result = runner.invoke(app, args)
                texts.extend([result.output, str(result.exception or "")])
        for exc in errors:
            texts.extend([str(exc), repr(exc), "".join(traceback.format_exception(exc))])
        for record in captured.records:
            texts.append(record.getMessage())
            if record.exc_info:
                texts.append("".join(traceback.format_exception(*record.exc_info)))
    finally:
        ExchangeFactory.unregister_exchange("failauth")

    assert len(errors) >= 5 and len(captured.records) >= 10  # the failures really happened
    assert any("wrong passphrase" in str(e) for e in errors)
    haystack = "\n".join(texts)
    leaked = [mask(secret) for secret in ALL_SECRETS if secret in haystack]
    if leaked:  # not a bare assert: its introspection would print the secrets
        pytest.fail(f"secrets leaked: {leaked}", pytrace=False)
    assert "not-a-key-but-secret-ish" not in haystack
