"""What plugin authors use: one of each mechanism, for every plugin.

A plugin imports these from here and nowhere else in the core:

- files: :func:`atomic_write_text` / :func:`atomic_write_bytes` (0600 files in 0700 folders,
  written whole or not at all), :func:`ensure_dir`, :func:`private_file` (a 0600 file in a
  0700 folder, for SQLite files written in place), :func:`untrusted_reason` (why a file read
  back must not be trusted: another user owns it, or others can write it or its folder);
- folders: :func:`data_dir`, :func:`cache_dir`, :func:`config_dir` (platformdirs, overridden by
  ``POWERTRADER_DATA_DIR`` / ``_CACHE_DIR`` / ``_CONFIG_DIR``);
- SQLite files: :func:`check_schema_version`;
- rate limits: :class:`RateLimiter` enforcing a :class:`Budget` of :class:`Pool` s (each
  exchange's documented figures, with their source), bucket state in a :class:`BucketStore`
  (:class:`FileStore`, shared by the machine's processes, by default; :class:`MemoryStore`);
  the pure arithmetic in ``gcra``;
- symbols: :func:`require_canonical` (a ``BASE-QUOTE`` symbol or a clear error);
  :class:`SymbolFormat` (how an exchange writes markets: declare it as the exchange class's
  ``symbol_format``), :data:`SYMBOL_FORMATS` (the bundled exchanges' formats, to reuse) and
  :data:`CANONICAL_FORMAT` (plain ``BASE-QUOTE``, the default);
- names: :func:`exchange_key` (``"Kraken"``, ``ExchangeType.KRAKEN`` -> ``"kraken"``);
- secrets: :func:`scrub` (configured secrets and signed parameters out of any text that leaves
  the process: messages, logs, reprs), :func:`protect_logs` (the same scrub on ccxt's,
  aiohttp's and urllib3's log records; every exchange built with secrets calls it);
- HTTP: :func:`parse_retry_after` (a ``Retry-After`` header in seconds or as a date, at most
  :data:`MAX_RETRY_AFTER`; :func:`cap_retry_after` bounds a wait read from elsewhere);
- money and time: :func:`to_decimal` (exact), :func:`utc_now`, :func:`to_utc`.
"""

from powertrader_core._types import to_decimal, to_utc, utc_now
from powertrader_core.kit.bucket_store import BucketStore, FileStore, MemoryStore
from powertrader_core.kit.budgets import Budget, Pool
from powertrader_core.kit.files import (
    atomic_write_bytes,
    atomic_write_text,
    ensure_dir,
    private_file,
)
from powertrader_core.kit.limiter import RateLimiter, key_fingerprint
from powertrader_core.kit.log_scrub import protect_logs
from powertrader_core.kit.names import exchange_key
from powertrader_core.kit.paths import cache_dir, config_dir, credentials_dir, data_dir
from powertrader_core.kit.retry_after import MAX_RETRY_AFTER, cap_retry_after, parse_retry_after
from powertrader_core.kit.secrets import MASK, scrub
from powertrader_core.kit.sqlite_schema import check_schema_version
from powertrader_core.kit.store_choice import default_store
from powertrader_core.kit.trust import untrusted_reason
from powertrader_core.symbols import (
    CANONICAL_FORMAT,
    SYMBOL_FORMATS,
    SymbolFormat,
    require_canonical,
)

__all__ = [
    "CANONICAL_FORMAT",
    "MASK",
    "MAX_RETRY_AFTER",
    "SYMBOL_FORMATS",
    "BucketStore",
    "Budget",
    "FileStore",
    "MemoryStore",
    "Pool",
    "RateLimiter",
    "SymbolFormat",
    "atomic_write_bytes",
    "atomic_write_text",
    "cache_dir",
    "cap_retry_after",
    "check_schema_version",
    "config_dir",
    "credentials_dir",
    "data_dir",
    "default_store",
    "ensure_dir",
    "exchange_key",
    "key_fingerprint",
    "parse_retry_after",
    "private_file",
    "protect_logs",
    "require_canonical",
    "scrub",
    "to_decimal",
    "to_utc",
    "untrusted_reason",
    "utc_now",
]
