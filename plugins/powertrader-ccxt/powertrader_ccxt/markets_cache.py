"""Markets on disk, per exchange, so a second process does not download them again.

``load_markets`` is the slowest thing an exchange does (Binance's and OKX's lists are several
megabytes, Kraken's takes two requests), and the lists change rarely. The cache is one JSON file
per exchange and endpoint set (a simulator's or testnet's markets never mix with the real
ones), written atomically (temporary file + ``os.replace``) so a reader in another process never
sees half a file, and refused when older than its time to live or written by another ccxt
version (whose market structure may differ). A file or folder that another user owns or can
write is neither read nor written, and what is read is checked before use
(:mod:`powertrader_ccxt.cache_checks`); a file that fails is fetched again and rewritten. A
``saved_at`` in the future (a clock set back, or a forged stamp) is stale.

What is stored: the markets as ccxt's ``fetch_markets`` parsed them (``set_markets`` adds the
fee tiers and defaults again when they are loaded, which keeps the file a third of the size),
ccxt's ``currencies``, and the options a ccxt exchange names in
``options['marketHelperProps']`` (Kraken's ``marketsByAltname``), which ccxt builds while
fetching markets and needs afterwards. Those indexes of markets are stored as indexes of
symbols (:func:`compact_helpers`) and rebuilt from the loaded markets (:func:`expand_helpers`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from powertrader_ccxt.cache_checks import SYMBOL_INDEX, checked_helpers, markets_problem
from powertrader_core import atomic_write_text
from powertrader_core.kit import untrusted_reason

__all__ = [
    "DEFAULT_TTL",
    "CachedMarkets",
    "MarketsCache",
    "compact_helpers",
    "default_cache_dir",
    "expand_helpers",
]

#: Markets change rarely (a listing, a precision tweak); six hours keeps them fresh enough.
DEFAULT_TTL = 6 * 3600.0
_FORMAT = 1

log = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """``<user cache dir>/ccxt`` (``POWERTRADER_CACHE_DIR`` overrides the user cache dir)."""
    from powertrader_core.kit import cache_dir

    return cache_dir() / "ccxt"


def _without_nones(market: dict[str, Any]) -> dict[str, Any]:
    """A market without its None fields (``info``, the exchange's own text, is kept whole).

    Lossless for ccxt: ``set_markets`` drops None fields itself and deep-merges each market
    over its full default structure, which puts every one of them back.
    """
    out: dict[str, Any] = {}
    for key, value in market.items():
        if value is None:
            continue
        if isinstance(value, dict) and key != "info":
            value = _without_nones(value)
        out[key] = value
    return out


def compact_helpers(helpers: dict[str, Any]) -> dict[str, Any]:
    """Indexes of market dicts (``{altname: market}``) as indexes of symbols."""
    compact: dict[str, Any] = {}
    for key, value in helpers.items():
        if (
            isinstance(value, dict)
            and value
            and all(isinstance(v, dict) and "symbol" in v for v in value.values())
        ):
            compact[key] = {SYMBOL_INDEX: {k: v["symbol"] for k, v in value.items()}}
        else:
            compact[key] = value
    return compact


def expand_helpers(helpers: dict[str, Any], markets: Any) -> dict[str, Any]:
    """The inverse of :func:`compact_helpers`, against the markets now loaded."""
    expanded: dict[str, Any] = {}
    for key, value in helpers.items():
        if isinstance(value, dict) and set(value) == {SYMBOL_INDEX}:
            expanded[key] = {
                k: markets[symbol]
                for k, symbol in value[SYMBOL_INDEX].items()
                if symbol in markets
            }
        else:
            expanded[key] = value
    return expanded


@dataclass
class CachedMarkets:
    markets: dict[str, Any]
    currencies: dict[str, Any] | None
    helper_options: dict[str, Any]
    saved_at: float


class MarketsCache:
    """One exchange's markets file: ``<dir>/<ccxt id>[-<variant>].json``.

    ``variant`` distinguishes endpoint sets: empty for the real exchange, a short hash of the
    base URL and sandbox flag otherwise.
    """

    def __init__(
        self,
        directory: Path,
        exchange_id: str,
        *,
        ttl: float = DEFAULT_TTL,
        variant: str = "",
        ccxt_version: str = "",
    ) -> None:
        self.directory = Path(directory)
        suffix = f"-{hashlib.sha256(variant.encode()).hexdigest()[:10]}" if variant else ""
        self.path = self.directory / f"{exchange_id}{suffix}.json"
        self.ttl = float(ttl)
        self.ccxt_version = ccxt_version

    def load(self) -> CachedMarkets | None:
        """The cached markets when present, trusted, well formed, fresh and of this ccxt
        version; else None (the caller fetches them again and rewrites the file)."""
        if self.ttl <= 0:
            return None
        try:
            with self.path.open(encoding="utf-8") as handle:
                reason = untrusted_reason(self.path, os.fstat(handle.fileno()))
                if reason is not None:
                    log.warning("refusing markets cache %s: %s", self.path, reason)
                    return None
                data = json.load(handle)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError) as exc:
            log.warning("ignoring unreadable markets cache %s: %s", self.path, exc)
            return None
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            return None
        if data.get("ccxt_version") != self.ccxt_version:
            return None
        saved_at = data.get("saved_at")
        now = time.time()
        if (
            isinstance(saved_at, bool)
            or not isinstance(saved_at, (int, float))
            or not 0 <= now - saved_at <= self.ttl  # a stamp from the future is stale too
        ):
            return None
        markets = data.get("markets")
        problem = markets_problem(markets)
        helpers = checked_helpers(data.get("helper_options"), markets or {})
        if problem is None and helpers is None:
            problem = "an index of markets names markets that do not bear the name"
        if problem is not None:
            log.warning("ignoring markets cache %s (fetching again): %s", self.path, problem)
            return None
        assert isinstance(markets, dict) and helpers is not None
        currencies = data.get("currencies")
        return CachedMarkets(
            markets=markets,
            currencies=currencies if isinstance(currencies, dict) else None,
            helper_options=helpers,
            saved_at=float(saved_at),
        )

    def save(
        self,
        markets: dict[str, Any],
        currencies: dict[str, Any] | None,
        helper_options: dict[str, Any] | None = None,
    ) -> None:
        """Write atomically; a failure to write is logged, never raised (the cache is a help)."""
        if self.ttl <= 0:
            return
        payload = {
            "format": _FORMAT,
            "ccxt_version": self.ccxt_version,
            "saved_at": time.time(),
            "markets": {symbol: _without_nones(m) for symbol, m in markets.items()},
            "currencies": currencies,
            "helper_options": helper_options or {},
        }
        reason = untrusted_reason(self.path)
        if reason is not None:
            log.warning("not writing markets cache %s: %s", self.path, reason)
            return
        try:
            text = json.dumps(payload, separators=(",", ":"), default=str)
            atomic_write_text(self.path, text, dir_mode=0o700)  # ours alone: see load()
        except (OSError, TypeError, ValueError) as exc:
            log.warning("could not write markets cache %s: %s", self.path, exc)
