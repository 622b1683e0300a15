"""Reading a ccxt exchange's configuration dict, as the credentials manager saved it.

Keys (all optional; keys are needed only for private calls):

==================== ========================================================================
``api_key``          the API key (``apiKey`` accepted too)
``api_secret``       the API secret (``secret`` accepted too)
``passphrase``       the key's passphrase, where the exchange has one (``password`` too)
``sandbox``          use the exchange's test environment; refused where ccxt knows none
``base_url``         ``scheme://host[:port]`` replacing the origin of every REST URL
``markets_cache_dir``  where markets are cached (default ``<user cache dir>/ccxt``)
``markets_cache_ttl``  seconds a cached market list stays good (default 6 h; 0 disables)
``rate_limit``       the core's rate limiter on the exchange's documented budget (default
                     on; ``budgets.py``); off only for benchmarks and for a proxy that
                     limits on its own
``tier``             the account's rate-limit tier where the exchange has them (Kraken:
                     ``starter``, the default, ``intermediate`` or ``pro``; Bybit:
                     ``default``, ``vip1``...``vip5``, ``supreme``; KuCoin: ``vip0``,
                     ``vip1``, ``vip2``, ``vip3``, ``vip12``); an unknown one is refused
``rate_limit_ms``    one request per this many milliseconds, no burst, instead of the
                     documented budget (a proxy that meters on its own terms; tests)
``timeout``          seconds before a request is abandoned (default 10)
``order_deadline``   seconds after sending past which the exchange must refuse an order
                     request rather than execute it late (default: ``timeout``; kept within
                     the exchange's bounds; ``false`` or 0 sends none). Where the exchange
                     takes one: ``profiles.RequestDeadline``
==================== ========================================================================

Values may arrive as strings (environment variables, JSON written by hand): booleans accept
``true/false/1/0/yes/no/on/off``. Problems are reported naming the field, never its value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from powertrader_ccxt.markets_cache import DEFAULT_TTL
from powertrader_ccxt.urls import parse_base_url

__all__ = ["CcxtSettings", "config_problems"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
DEFAULT_TIMEOUT = 10.0


def _text(config: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = config.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def _bool(config: Mapping[str, Any], name: str, default: bool) -> bool:
    value = config.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{name} must be true or false")


def _number(config: Mapping[str, Any], name: str, default: float, *, positive: bool) -> float:
    value = config.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be a finite number")
    if positive and number <= 0:
        raise ValueError(f"{name} must be greater than zero")
    if number < 0:
        raise ValueError(f"{name} must not be negative")
    return number


@dataclass(frozen=True)
class CcxtSettings:
    """The parsed configuration. ``repr`` hides the secrets."""

    api_key: str | None = None
    api_secret: str | None = None
    passphrase: str | None = None
    sandbox: bool = False
    base_url: str | None = None
    markets_cache_dir: Path | None = None
    markets_cache_ttl: float = DEFAULT_TTL
    rate_limit: bool = True
    rate_limit_ms: float | None = None
    tier: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    #: Seconds; None: no deadline sent (see the module docstring).
    order_deadline: float | None = DEFAULT_TIMEOUT

    def __repr__(self) -> str:
        return (
            f"CcxtSettings(api_key={'***' if self.api_key else None}, "
            f"api_secret={'***' if self.api_secret else None}, "
            f"passphrase={'***' if self.passphrase else None}, sandbox={self.sandbox}, "
            f"base_url={self.base_url!r}, rate_limit={self.rate_limit}, timeout={self.timeout})"
        )

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret configured: scrubbed from any message."""
        return tuple(s for s in (self.api_key, self.api_secret, self.passphrase) if s)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> CcxtSettings:
        """Parse ``config``; ValueError (naming the field) on a malformed value."""
        base_url = _text(config, "base_url")
        if base_url is not None:
            parse_base_url(base_url)
            base_url = base_url.rstrip("/")
        cache_dir = _text(config, "markets_cache_dir")
        timeout = _number(config, "timeout", DEFAULT_TIMEOUT, positive=True)
        return cls(
            api_key=_text(config, "api_key", "apiKey"),
            api_secret=_text(config, "api_secret", "secret"),
            passphrase=_text(config, "passphrase", "password"),
            sandbox=_bool(config, "sandbox", False),
            base_url=base_url,
            markets_cache_dir=Path(cache_dir).expanduser() if cache_dir else None,
            markets_cache_ttl=_number(config, "markets_cache_ttl", DEFAULT_TTL, positive=False),
            rate_limit=_bool(config, "rate_limit", True),
            rate_limit_ms=_optional_ms(config),
            tier=_tier(config),
            timeout=timeout,
            order_deadline=_order_deadline(config, timeout),
        )


def _order_deadline(config: Mapping[str, Any], timeout: float) -> float | None:
    """``order_deadline``: seconds; missing or true: the timeout; false, "off" or 0: none."""
    value = config.get("order_deadline")
    word = value.strip().lower() if isinstance(value, str) else None
    if value is None or value is True or word in ("", "true", "yes", "on"):
        return timeout
    if value is False or word in ("false", "no", "off"):
        return None
    seconds = _number(config, "order_deadline", timeout, positive=False)
    return seconds or None


def _optional_ms(config: Mapping[str, Any]) -> float | None:
    if config.get("rate_limit_ms") in (None, ""):
        return None
    return _number(config, "rate_limit_ms", 0.0, positive=True)


def _tier(config: Mapping[str, Any]) -> str | None:
    value = _text(config, "tier")
    if value is None:
        return None
    if not value.replace("_", "").replace("-", "").isalnum():
        raise ValueError("tier must be a tier name such as starter or pro")
    return value.lower()


def config_problems(config: Mapping[str, Any]) -> list[str]:
    """Every malformed field of ``config``, one message each (empty when well formed)."""
    problems: list[str] = []
    checks = (
        lambda: _bool(config, "sandbox", False),
        lambda: _bool(config, "rate_limit", True),
        lambda: _number(config, "timeout", DEFAULT_TIMEOUT, positive=True),
        lambda: _number(config, "markets_cache_ttl", DEFAULT_TTL, positive=False),
        lambda: _optional_ms(config),
        lambda: _tier(config),
        lambda: _order_deadline(config, DEFAULT_TIMEOUT),
        lambda: parse_base_url(str(config["base_url"])) if _text(config, "base_url") else None,
    )
    for check in checks:
        try:
            check()
        except ValueError as exc:
            problems.append(str(exc))
    return problems
