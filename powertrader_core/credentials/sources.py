"""Where an exchange's configuration comes from: environment, ``.env``, encrypted and plain files.

Each source yields a :class:`Found`: the values it holds and, per value, a label saying where
it came from (``$KRAKEN_API_KEY``, ``/path/kraken_config.enc``). Labels never hold values, so
they are safe to print and log. Combining sources is the manager's job
(:mod:`powertrader_core.credentials.manager`).

Environment variable names are derived from the field names the exchange's class declares
(``required_credentials`` + ``optional_credentials``)::

    api_key      -> KRAKEN_API_KEY
    api_secret   -> KRAKEN_API_SECRET        (also KRAKEN_SECRET)
    secret       -> KRAKEN_API_SECRET        (also KRAKEN_SECRET)
    passphrase   -> KRAKEN_API_PASSPHRASE    (also KRAKEN_PASSPHRASE)
    private_key  -> ROBINHOOD_PRIVATE_KEY    (also ROBINHOOD_API_PRIVATE_KEY)
    base_url     -> KRAKEN_BASE_URL
    anything_else -> KRAKEN_ANYTHING_ELSE    (also KRAKEN_API_ANYTHING_ELSE)

The first name in each row is the documented one; the others are accepted spellings.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from powertrader_core.errors import ConfigurationError

__all__ = [
    "Found",
    "check_private_mode",
    "env_names",
    "env_prefix",
    "from_environment",
    "open_if_exists",
    "parse_plain",
    "read_dotenv",
]

log = logging.getLogger("powertrader_core.credentials")

#: Fields whose environment names are fixed by convention (documented, then accepted).
_KNOWN: Mapping[str, tuple[str, ...]] = {
    "api_key": ("API_KEY",),
    "api_secret": ("API_SECRET", "SECRET"),
    "secret": ("API_SECRET", "SECRET"),
    "passphrase": ("API_PASSPHRASE", "PASSPHRASE"),
    "api_passphrase": ("API_PASSPHRASE", "PASSPHRASE"),
    "password": ("API_PASSWORD", "PASSWORD"),
    "private_key": ("PRIVATE_KEY", "API_PRIVATE_KEY"),
    "base_url": ("BASE_URL",),
    "sandbox": ("SANDBOX",),
}
_BOOLEAN_FIELDS = frozenset({"sandbox", "testnet"})
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


@dataclass
class Found:
    """What one source holds for one exchange: values, and a label per value."""

    kind: str  # "environment", "encrypted", "file"
    values: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


def env_prefix(exchange: str) -> str:
    """``kraken`` -> ``KRAKEN``; ``ccxt:gemini`` -> ``CCXT_GEMINI``."""
    return re.sub(r"[^A-Z0-9]+", "_", exchange.upper()).strip("_")


def env_names(exchange: str, field_name: str) -> tuple[str, ...]:
    """The environment variables that may hold ``field_name``, the documented one first."""
    prefix = env_prefix(exchange)
    suffixes = _KNOWN.get(field_name)
    if suffixes is None:
        upper = re.sub(r"[^A-Z0-9]+", "_", field_name.upper())
        alternative = upper[4:] if upper.startswith("API_") else f"API_{upper}"
        suffixes = (upper, alternative)
    return tuple(f"{prefix}_{suffix}" for suffix in suffixes)


def _env_value(field_name: str, raw: str, variable: str) -> Any:
    if field_name not in _BOOLEAN_FIELDS:
        return raw
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigurationError(
        f"${variable} must be true or false", operation="load_exchange_config"
    )


def from_environment(
    exchange: str,
    fields: Iterable[str],
    environ: Mapping[str, str],
    dotenv: Mapping[str, str],
    dotenv_path: Path | None,
) -> Found:
    """Values from process variables, then from the ``.env`` file for variables not set."""
    found = Found("environment")
    for field_name in fields:
        for variable in env_names(exchange, field_name):
            raw = environ.get(variable)
            label = f"${variable}"
            if not raw:
                raw = dotenv.get(variable)
                label = f"${variable} from {dotenv_path}"
            if raw:
                found.values[field_name] = _env_value(field_name, raw.strip(), variable)
                found.labels[field_name] = label
                break
    return found


def read_dotenv(path: Path) -> dict[str, str]:
    """The variables a ``.env`` file sets (python-dotenv's parser), empty when it is absent."""
    handle = open_if_exists(path, what=".env file")
    if handle is None:
        return {}
    with handle:
        check_private_mode(path, handle)
        text = handle.read().decode("utf-8", errors="replace")
    import io

    from dotenv import dotenv_values

    values = dotenv_values(stream=io.StringIO(text))
    return {key: value for key, value in values.items() if value is not None}


def open_if_exists(path: Path, *, what: str) -> IO[bytes] | None:
    """``path`` opened for reading, ``None`` when it does not exist.

    Opening directly (no exists-then-open) avoids a race; any other failure (permissions, a
    folder in the way) becomes a ``ConfigurationError`` naming the path and the reason.
    """
    try:
        return path.open("rb")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigurationError(
            f"cannot read {what} {path}: {reason}", operation="load_exchange_config"
        ) from None


#: (path, mode) pairs already warned about in this process.
_WARNED: set[tuple[str, int]] = set()


def check_private_mode(path: Path, handle: IO[bytes]) -> None:
    """Refuse a secrets file others could have written; warn when others can read it.

    A file (or its folder) that another user owns or can write may have been planted: it
    could point the keys at another host. Such a file is a ``ConfigurationError``, never
    read. A file others can only read is a leak to fix, logged as a warning.
    """
    if os.name != "posix":
        return
    from powertrader_core.kit.trust import untrusted_reason

    status = os.fstat(handle.fileno())
    reason = untrusted_reason(path, status)
    if reason is not None:
        raise ConfigurationError(
            f"refusing {path}: {reason}; it may have been planted "
            f"(fix with: chown $USER {path} && chmod 600 {path}, and chmod go-w on its folder)",
            operation="load_exchange_config",
        )
    mode = stat.S_IMODE(status.st_mode)
    if mode & 0o077 and (str(path), mode) not in _WARNED:
        _WARNED.add((str(path), mode))  # once per file and mode: it is read per exchange
        log.warning(
            "%s is accessible to other users (mode %03o); restrict it with: chmod 600 %s",
            path,
            mode,
            path,
        )


def parse_plain(data: bytes, path: Path, exchange: str) -> dict[str, Any]:
    """A plain JSON credentials file; errors name the file and line, never its content."""
    try:
        text = data.decode("utf-8")
        config = json.loads(text) if text.strip() else {}
    except UnicodeDecodeError:
        raise ConfigurationError(
            f"{path} is not UTF-8 text", exchange=exchange, operation="load_exchange_config"
        ) from None
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"{path} is not valid JSON: {exc.msg} (at line {exc.lineno}, column {exc.colno})",
            exchange=exchange,
            operation="load_exchange_config",
        ) from None
    if not isinstance(config, dict):
        raise ConfigurationError(
            f"{path} must hold a JSON object of settings, not {type(config).__name__}",
            exchange=exchange,
            operation="load_exchange_config",
        )
    return config
