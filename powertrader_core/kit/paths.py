"""Where PowerTrader keeps files: user data, cache and configuration directories.

One place decides, so the journal, the paper exchange, the markets cache and credentials agree.
Each honours an environment variable first (tests point them at temporary folders), then the
platform's conventional user directory (platformdirs).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir", "config_dir", "credentials_dir", "data_dir"]

_APP = "powertrader"


def _chosen(variable: str, default: str) -> Path:
    override = os.environ.get(variable)
    path = Path(override).expanduser() if override else Path(default)
    return path


def data_dir() -> Path:
    """Journal, paper exchange state: ``POWERTRADER_DATA_DIR`` or the user data directory."""
    from platformdirs import user_data_dir

    return _chosen("POWERTRADER_DATA_DIR", user_data_dir(_APP, appauthor=False))


def cache_dir() -> Path:
    """Markets caches: ``POWERTRADER_CACHE_DIR`` or the user cache directory."""
    from platformdirs import user_cache_dir

    return _chosen("POWERTRADER_CACHE_DIR", user_cache_dir(_APP, appauthor=False))


def config_dir() -> Path:
    """Settings files: ``POWERTRADER_CONFIG_DIR`` or the user configuration directory."""
    from platformdirs import user_config_dir

    return _chosen("POWERTRADER_CONFIG_DIR", user_config_dir(_APP, appauthor=False))


def credentials_dir() -> Path:
    """The command line's credentials folder: ``POWERTRADER_CREDENTIALS_DIR`` or
    ``credentials`` in the user configuration directory.

    The same wherever the command runs (a relative ``./credentials`` would hide keys set from
    another folder, and read a folder someone else may control). The library's
    ``ExchangeConfigManager()`` keeps the seed's default for code written from the seed.
    """
    override = os.environ.get("POWERTRADER_CREDENTIALS_DIR")
    return Path(override).expanduser() if override else config_dir() / "credentials"
