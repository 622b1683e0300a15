"""Checks on a configuration's content: the plugin's ``check_config``, and what can be stored.

Kept apart from the manager so that ``config_utils`` can validate a config without a manager.
Neither function ever puts a configured value in its output: problems name fields only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from powertrader_core.credentials.secret import Secret, reveal
from powertrader_core.errors import ConfigurationError
from powertrader_core.exchange import AbstractExchange

__all__ = ["check_with", "plain_values"]


def check_with(cls: type[AbstractExchange], config: Mapping[str, Any]) -> list[str]:
    """``cls.check_config(config)``; a plugin bug there becomes a problem, not a crash."""
    try:
        return [str(problem) for problem in cls.check_config(config)]
    except Exception as exc:  # noqa: BLE001 - a plugin's check must not break validation
        # The exception's text is not shown: a careless plugin might have put a value in it.
        return [f"{cls.__name__}.check_config failed ({type(exc).__name__})"]


def plain_values(exchange: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """The config as JSON-ready values (Secrets revealed); a bad value is named, not shown."""
    values: dict[str, Any] = {}
    for key, value in config.items():
        if not isinstance(key, str):
            raise ConfigurationError(
                "config keys must be strings", exchange=exchange, operation="save_exchange_config"
            )
        plain = reveal(value) if isinstance(value, Secret) else value
        try:
            json.dumps(plain)
        except (TypeError, ValueError):
            raise ConfigurationError(
                f"{key}: a {type(plain).__name__} cannot be stored (use text, numbers, booleans)",
                exchange=exchange,
                operation="save_exchange_config",
            ) from None
        values[key] = plain
    return values
