"""The paper exchange's configuration: every knob, its default, and why it has that default.

The exchange receives a plain mapping (from the factory, the manager or a settings file);
:meth:`PaperConfig.from_mapping` turns it into a frozen, typed object once, when the exchange
is built, so a typo in a fee is a :class:`ConfigurationError` at creation rather than a wrong
fill later. Keys the paper exchange does not know are ignored: the same mapping may carry
settings meant for the manager.

=====================  =================  ====================================================
key                    default            meaning
=====================  =================  ====================================================
``source``             ``"sim"``          ``"sim"``: the simulated market of :mod:`.sim`;
                                          any other name: that exchange's public quotes and
                                          books, built by ``ExchangeFactory``
``source_config``      ``{}``             configuration for that exchange (rarely needed:
                                          public data needs no keys)
``seed``               ``0``              the simulated market's seed (same seed, same prices)
``tick_seconds``       ``1``              the simulated market moves one step per tick
``volatility``         ``0.0005``         the largest move of one step (0.05 %)
``spread``             ``0.0002``         the simulated bid/ask spread, relative to the mid
``book_levels``        ``10``             levels a side in the simulated order book
``level_notional``     ``25000``          USD value of the first book level; level *n* holds
                                          *n* times as much
``starting_prices``    ``{}``             ``{"BTC-USD": 65000}``: override a start price
``taker_fee``          ``0.001``          0.1 %: paid by orders that fill on arrival
``maker_fee``          ``0.0005``         0.05 %: paid by resting limit orders when crossed
``account``            ``"default"``      names the SQLite file, so accounts stay apart
``db_path``            under data dir     ``data_dir()/paper/<account>.sqlite3`` otherwise
``starting_balances``  ``{"USD": 10000}`` balances of a new (or reset) account
``clock``              UTC wall clock     a callable returning an aware ``datetime``; tests
                                          inject a fake one to drive the simulated market
=====================  =================  ====================================================

The fee defaults are the usual entry tier of large spot exchanges (0.1 % taker); the maker fee
is lower, as it is almost everywhere, so that resting orders are worth trying in a simulation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from powertrader_core.errors import ConfigurationError
from powertrader_core.kit import to_decimal, to_utc, utc_now

__all__ = ["SIM_SOURCE", "Clock", "PaperConfig"]

#: The name of the built-in simulated price source.
SIM_SOURCE = "sim"

Clock = Callable[[], datetime]

_ACCOUNT_RE = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_ASSET_RE = re.compile(r"^[A-Z0-9]{1,20}$")


def _wall_clock() -> datetime:
    return utc_now()


@dataclass(frozen=True)
class PaperConfig:
    """The validated configuration of one paper exchange (see the module docstring)."""

    source: str = SIM_SOURCE
    #: The source exchange's configuration may hold its keys: never in the repr.
    source_config: Mapping[str, Any] = field(default_factory=dict, repr=False)
    seed: int | str = 0
    tick_seconds: Decimal = Decimal(1)
    volatility: Decimal = Decimal("0.0005")
    spread: Decimal = Decimal("0.0002")
    book_levels: int = 10
    level_notional: Decimal = Decimal(25000)
    starting_prices: Mapping[str, Decimal] = field(default_factory=dict)
    taker_fee: Decimal = Decimal("0.001")
    maker_fee: Decimal = Decimal("0.0005")
    account: str = "default"
    db_path: Path | None = None
    starting_balances: Mapping[str, Decimal] = field(
        default_factory=lambda: {"USD": Decimal(10000)}
    )
    clock: Clock = _wall_clock

    @property
    def source_label(self) -> str:
        """What results say priced them: ``paper:sim`` or ``paper:kraken``."""
        return f"paper:{self.source}"

    def now(self) -> datetime:
        """The configured clock's time, timezone-aware UTC."""
        value = self.clock()
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ConfigurationError(
                "clock must return a timezone-aware datetime", exchange="paper", operation="clock"
            )
        return to_utc(value)

    def database_path(self) -> Path:
        """Where this account's balances, orders and fills live."""
        if self.db_path is not None:
            return self.db_path
        from powertrader_core.kit import data_dir  # deferred: platformdirs on first use

        return data_dir() / "paper" / f"{self.account}.sqlite3"

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> PaperConfig:
        """Validate ``config``; raises :class:`ConfigurationError` listing every problem."""
        problems: list[str] = []
        values: dict[str, Any] = {}

        def take(key: str, convert: Callable[[Any], Any]) -> None:
            if config.get(key) is None:
                return
            try:
                values[key] = convert(config[key])
            except (ValueError, TypeError) as exc:
                problems.append(f"{key}: {exc}")

        take("source", _source)
        take("source_config", _mapping)
        take("seed", _seed)
        take("tick_seconds", _positive)
        take("volatility", _fraction)
        take("spread", _fraction)
        take("book_levels", _levels)
        take("level_notional", _positive)
        take("starting_prices", _prices)
        take("taker_fee", _fee)
        take("maker_fee", _fee)
        take("account", _account)
        take("db_path", lambda value: Path(value).expanduser())
        take("starting_balances", _balances)
        take("clock", _clock)
        if problems:
            raise ConfigurationError(
                "invalid configuration: " + "; ".join(problems),
                exchange="paper",
                operation="configure",
            )
        return cls(**values)


# ---- converters: each raises ValueError with a message that names no configured secret -----


def _source(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be 'sim' or the name of an exchange such as 'kraken'")
    name = value.strip().lower()
    if name == "paper" or name.startswith("paper:"):
        raise ValueError("the paper exchange cannot price itself")
    return name


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError("must be a mapping")
    return dict(value)


def _seed(value: Any) -> int | str:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError("must be an integer or a string")
    return value


def _number(value: Any) -> Decimal:
    number = to_decimal(value)
    if not number.is_finite():
        raise ValueError("must be a finite number")
    return number


def _positive(value: Any) -> Decimal:
    number = _number(value)
    if number <= 0:
        raise ValueError("must be greater than zero")
    return number


def _fraction(value: Any) -> Decimal:
    number = _number(value)
    if not Decimal(0) <= number < Decimal("0.5"):
        raise ValueError("must be a fraction from 0 up to 0.5 (0.001 is 0.1 %)")
    return number


def _fee(value: Any) -> Decimal:
    number = _number(value)
    if not Decimal(0) <= number < Decimal("0.1"):
        raise ValueError("must be a rate from 0 up to 0.1 (0.001 is 0.1 %)")
    return number


def _levels(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
        raise ValueError("must be a whole number from 1 to 1000")
    return value


def _account(value: Any) -> str:
    if not isinstance(value, str) or not _ACCOUNT_RE.match(value):
        raise ValueError("must be 1 to 64 letters, digits, '_' or '-' (it names a file)")
    return value


def _asset(value: Any) -> str:
    if not isinstance(value, str) or not _ASSET_RE.match(value.strip().upper()):
        raise ValueError(f"{value!r} is not an asset code such as 'USD'")
    return value.strip().upper()


def _balances(value: Any) -> dict[str, Decimal]:
    if not isinstance(value, Mapping):
        raise ValueError("must map assets to amounts, for example {'USD': 10000}")
    result: dict[str, Decimal] = {}
    for asset, amount in value.items():
        number = _number(amount)
        if number < 0:
            raise ValueError(f"{asset}: must not be negative")
        result[_asset(asset)] = number
    return result


def _prices(value: Any) -> dict[str, Decimal]:
    from powertrader_core.models import canonical_symbol

    if not isinstance(value, Mapping):
        raise ValueError("must map symbols to prices, for example {'BTC-USD': 65000}")
    return {canonical_symbol(symbol): _positive(price) for symbol, price in value.items()}


def _clock(value: Any) -> Clock:
    if not callable(value):
        raise ValueError("must be a callable returning an aware datetime")
    clock: Clock = value
    return clock
