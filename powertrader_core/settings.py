"""``Settings``: what the user chose (region, exchanges, coins, the trading strategy's knobs).

The trading keys, their defaults and their forgiving validation come from the PowerTrader hub's
``gui_settings.json`` (see ``reference/settings.md``): a user's existing file loads unchanged,
"0.5%" is read as 0.5, a negative percentage becomes 0 and a level outside 1..7 is clamped
(each change logged as a warning naming the key, never silent),
because the hub did exactly that and users' files rely on it. Values that cannot mean anything
(a region of "mars", a level of "high") are refused with a :class:`ConfigurationError` naming
the file (and line) or the environment variable they came from.

Percentages and the DCA multiplier are ``Decimal``: they multiply account values and prices,
which are ``Decimal`` everywhere in the library, and a float here would smuggle binary rounding
into money arithmetic (``Decimal("100") * 0.005`` is not even allowed). They are written to files
as plain JSON/TOML numbers so the files stay hand-editable.

Where values come from, later wins::

    defaults  <  file (JSON or TOML)  <  POWERTRADER_<KEY> environment variables

The file is the ``path`` given to :meth:`Settings.load`, else ``$POWERTRADER_SETTINGS``, else
``settings.toml`` or ``settings.json`` in :func:`powertrader_core.kit.paths.config_dir` if present.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from powertrader_core._types import to_decimal
from powertrader_core.errors import ConfigurationError
from powertrader_core.kit.names import exchange_key

__all__ = ["ENV_PREFIX", "SETTINGS_ENV", "Settings"]

log = logging.getLogger(__name__)

#: Prefix of the environment variables that override single settings.
ENV_PREFIX = "POWERTRADER_"
#: Environment variable naming the settings file.
SETTINGS_ENV = "POWERTRADER_SETTINGS"

#: Marks "no default given" in :meth:`Settings.get` (None is a default a caller may give).
_NO_DEFAULT: Any = object()

_DEFAULT_COINS = ("BTC", "ETH", "XRP", "BNB", "DOGE")
_DEFAULT_DCA_LEVELS = ("-2.5", "-5", "-10", "-20", "-30", "-40", "-50")


# ---- field conversions ---------------------------------------------------------------------


def _number(value: Any) -> Decimal:
    """A number from a number or a string such as ``"0.5%"`` (the % is the unit, not /100)."""
    if isinstance(value, str):
        value = value.strip().removesuffix("%").strip()
    number = to_decimal(value)
    if not number.is_finite():
        raise ValueError("must be a finite number")
    return number


def _adjusted(info: ValidationInfo, given: Any, used: Any, rule: str) -> None:
    """The hub's forgiving rules change a value; say so, once per load, naming the key: a
    setting that silently means something else than what was written is a trap."""
    log.warning("settings: %s = %r %s; using %s", info.field_name, given, rule, used)


def _non_negative(value: Any, info: ValidationInfo) -> Decimal:
    """The hub's rule for percentages and multipliers: a negative becomes 0 (and says so)."""
    number = _number(value)
    if number >= 0:
        return number
    _adjusted(info, value, 0, "is negative")
    return Decimal(0)


def _decimal_out(value: Decimal) -> float | str:
    """Write a Decimal as a JSON number when that is exact (it always is for settings)."""
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else str(value)


def _int_from(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int):
        return value
    number = _number(value)
    return int(number)


def _clamp_level(value: Any, info: ValidationInfo) -> int:
    level = _int_from(value)
    clamped = max(1, min(7, level))
    if clamped != level:
        _adjusted(info, value, clamped, "is outside 1..7")
    return clamped


def _at_least_zero(value: Any, info: ValidationInfo) -> int:
    number = _int_from(value)
    if number < 0:
        _adjusted(info, value, 0, "is negative")
        return 0
    return number


def _split(value: Any) -> Any:
    """Lists may be given as ``"BTC,ETH"`` (environment variables, quick edits)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not a valid list: {exc.msg}") from None
        return [part for part in text.split(",") if part.strip()]
    return value


def _coins(value: Any) -> list[str]:
    items = _split(value)
    if not isinstance(items, (list, tuple)):
        raise ValueError("must be a list of coin symbols")
    seen: list[str] = []
    for item in items:
        coin = str(item).strip().upper()
        if coin and coin not in seen:
            seen.append(coin)
    return seen


def _dca_levels(value: Any) -> list[Decimal]:
    """Drop what is not a number, as the hub did (a stray "" or "abc" in a hand-edited file)."""
    items = _split(value)
    if not isinstance(items, (list, tuple)):
        raise ValueError("must be a list of percentages")
    levels: list[Decimal] = []
    for item in items:
        try:
            levels.append(_number(item))
        except (ValueError, TypeError):
            log.warning("settings: dca_levels entry %r is not a number; dropped", item)
    return levels


def _exchanges(value: Any) -> list[str] | None:
    if value is None:
        return None
    items = _split(value)
    if not isinstance(items, (list, tuple)):
        raise ValueError("must be a list of exchange names")
    names: list[str] = []
    for item in items:
        name = exchange_key(item)
        if name and name not in names:
            names.append(name)
    return names


Percent = Annotated[
    Decimal,
    BeforeValidator(_non_negative),
    PlainSerializer(_decimal_out, when_used="json"),
]
"""A percentage in percent units (``0.5`` is half a percent); "0.5%" accepted; negative -> 0."""

Coins = Annotated[list[str], BeforeValidator(_coins)]
DcaLevels = Annotated[
    list[Decimal],
    BeforeValidator(_dca_levels),
    PlainSerializer(lambda v: [_decimal_out(x) for x in v], when_used="json"),
]
Level = Annotated[int, BeforeValidator(_clamp_level)]
NonNegativeInt = Annotated[int, BeforeValidator(_at_least_zero)]
ExchangeNames = Annotated[list[str] | None, BeforeValidator(_exchanges)]


def _positive_timeout(value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise ValueError("must be a number of seconds greater than 0")
    return value


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bool(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError("must be true or false (1/0, yes/no, on/off)")
    return value


Flag = Annotated[bool, BeforeValidator(_bool)]
Timeout = Annotated[float, AfterValidator(_positive_timeout)]


# ---- the model ------------------------------------------------------------------------------


class Settings(BaseModel):
    """The user's settings, validated; unknown keys from the hub's file are kept as they are.

    ``settings.get(key, fallback)`` works like the seed's examples (and ``dict.get``): the
    fallback is returned for a key the user did not set (file, environment, assignment),
    so an unset ``primary_exchange`` answers the caller's ``"robinhood"``, not ``""``.
    """

    model_config = ConfigDict(extra="allow", validate_assignment=True)

    # ---- trading (the hub's keys) ----
    coins: Coins = Field(default_factory=lambda: list(_DEFAULT_COINS))
    trade_start_level: Level = 3
    #: Percent of the account's value for a first buy: ``5.0`` is 5 % (the seed's fallback),
    #: the hub's default ``0.005`` is 0.005 % (reference/settings.md); "5%" is read as 5.0.
    start_allocation_pct: Percent = Decimal("0.005")
    dca_multiplier: Percent = Decimal("2.0")
    dca_levels: DcaLevels = Field(default_factory=lambda: [Decimal(x) for x in _DEFAULT_DCA_LEVELS])
    max_dca_buys_per_24h: NonNegativeInt = 2
    pm_start_pct_no_dca: Percent = Decimal("5.0")
    pm_start_pct_with_dca: Percent = Decimal("2.5")
    trailing_gap_pct: Percent = Decimal("0.5")

    # ---- exchanges ----
    region: Literal["us", "eu", "global"] = "us"
    primary_exchange: str = ""
    price_comparison_enabled: Flag = True
    auto_best_price: Flag = False
    #: Seconds the manager waits for one exchange before reporting it failed.
    exchange_timeout: Timeout = 10.0
    #: Restrict the manager to these exchanges (None: every installed one for the region).
    exchanges: ExchangeNames = None
    #: Orders go to real exchanges only when this is True; otherwise to the paper exchange.
    live_trading: Flag = False
    #: The order journal's SQLite file (None: ``journal.sqlite3`` in the user data directory).
    journal_path: Path | None = None
    #: A Redis that holds the rate-limit budgets of every process and machine using it
    #: (``redis://HOST:PORT/DB``; ``POWERTRADER_REDIS_URL`` too). None: this machine's files.
    #: May carry a password: kept out of repr (``redis://:secret@host``).
    redis_url: str | None = Field(default=None, repr=False)

    _source: Path | None = PrivateAttr(default=None)

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, value: Any) -> Any:
        return exchange_key(value)

    @field_validator("primary_exchange", mode="before")
    @classmethod
    def _primary(cls, value: Any) -> Any:
        return exchange_key(value)

    # ---- the seed's dict-like access ----------------------------------------------------

    def get(self, key: str, default: Any = _NO_DEFAULT) -> Any:
        """The value the user set for ``key``; else ``default``; else the built-in default.

        As in the seed's examples (``settings.get("primary_exchange", "robinhood")``) and
        ``dict.get``: a key the user never set (in the file, the environment or by assignment),
        or set to nothing (None, or ``""`` for a name), is absent, so the caller's ``default``
        applies. Without a ``default``, an absent key answers its built-in default (None for an
        unknown key).
        """
        fields = type(self).model_fields
        if key in fields:
            value = getattr(self, key) if key in self.model_fields_set else None
            builtin = getattr(self, key)
        else:
            value = builtin = (self.model_extra or {}).get(key)
        if value is not None and value != "":
            return value
        return builtin if default is _NO_DEFAULT else default

    def __getitem__(self, key: str) -> Any:
        if key in type(self).model_fields:
            return getattr(self, key)
        extra = self.model_extra or {}
        if key in extra:
            return extra[key]
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (
            key in type(self).model_fields or key in (self.model_extra or {})
        )

    def keys(self) -> Iterator[str]:
        yield from type(self).model_fields
        yield from self.model_extra or {}

    @property
    def source(self) -> Path | None:
        """The file these settings were read from, if any."""
        return self._source

    # ---- loading and saving -------------------------------------------------------------

    @classmethod
    def load(
        cls, path: str | os.PathLike[str] | None = None, *, env: Mapping[str, str] | None = None
    ) -> Settings:
        """Defaults, then the settings file, then ``POWERTRADER_*`` environment variables.

        A file named explicitly (``path`` or ``$POWERTRADER_SETTINGS``) must exist; the default
        location is used only when a file is there. ``env`` replaces ``os.environ`` (tests).
        """
        environ = os.environ if env is None else env
        file = _find_file(path, environ)
        data: dict[str, Any] = {}
        text = ""
        if file is not None:
            text, data = _read_file(file)
        overrides = _env_overrides(environ)
        try:
            settings = cls.model_validate({**data, **overrides})
        except ValidationError as exc:
            raise _explain(exc, file, text, overrides) from None
        settings._source = file
        unknown = sorted(set(data) - set(cls.model_fields))
        if unknown:
            log.debug("settings: keeping keys this version does not use: %s", ", ".join(unknown))
        return settings

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the settings (JSON, or TOML for a ``.toml`` path) atomically; returns the path.

        Without ``path``: the file they were loaded from, else ``settings.json`` in the
        configuration directory.
        """
        if path is not None:
            target = Path(path).expanduser()
        elif self._source is not None:
            target = self._source
        else:
            from powertrader_core.kit.paths import config_dir

            target = config_dir() / "settings.json"
        # Only what was set: a key left to its default stays absent, so that
        # ``get(key, fallback)`` still answers the caller's fallback after a save.
        data = self.model_dump(
            mode="json", exclude_unset=True, exclude_none=target.suffix.lower() == ".toml"
        )
        if target.suffix.lower() == ".toml":
            text = _to_toml(data)
        else:
            text = json.dumps(data, indent=2) + "\n"
        from powertrader_core.kit.files import atomic_write_text

        atomic_write_text(target, text, mode=0o644)
        self._source = target
        return target


# ---- files and environment ------------------------------------------------------------------


def _find_file(path: str | os.PathLike[str] | None, environ: Mapping[str, str]) -> Path | None:
    named = path if path is not None else environ.get(SETTINGS_ENV) or None
    if named is not None:
        file = Path(named).expanduser()
        if not file.is_file():
            how = "" if path is not None else f" (from ${SETTINGS_ENV})"
            raise ConfigurationError(
                f"{file}{how} does not exist", operation="load settings"
            )
        return file
    from powertrader_core.kit.paths import config_dir

    folder = config_dir()
    for name in ("settings.toml", "settings.json"):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def _too_deep(file: Path) -> ConfigurationError:
    """A file nested deeper than Python's parsers recurse: no settings file is (a crafted
    or broken one), said as such instead of an internal RecursionError."""
    return ConfigurationError(
        f"{file} nests values too deeply to be a settings file (settings are at most a few "
        "levels deep)",
        operation="load settings",
    )


def _read_file(file: Path) -> tuple[str, dict[str, Any]]:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigurationError(
            f"cannot read {file}: {reason}", operation="load settings"
        ) from None
    as_toml = file.suffix.lower() == ".toml" or (
        file.suffix.lower() != ".json" and not text.lstrip().startswith("{")
    )
    if as_toml:
        import tomllib

        try:
            data: Any = tomllib.loads(text)
        except RecursionError:
            raise _too_deep(file) from None
        except tomllib.TOMLDecodeError as exc:
            # Python 3.11's message ends with "(at line N, column M)".
            reason = str(exc)
            if "at end of document" in reason:
                reason += f" (line {text.count(chr(10)) + 1})"
            raise ConfigurationError(
                f"{file} is not valid TOML: {reason}", operation="load settings"
            ) from None
    else:
        try:
            data = json.loads(text) if text.strip() else {}
        except RecursionError:
            raise _too_deep(file) from None
        except json.JSONDecodeError as exc:
            raise ConfigurationError(
                f"{file} is not valid JSON: {exc.msg} "
                f"(at line {exc.lineno}, column {exc.colno})",
                operation="load settings",
            ) from None
    if not isinstance(data, dict):
        raise ConfigurationError(
            f"{file} must hold an object of key/value pairs, not "
            f"{type(data).__name__}",
            operation="load settings",
        )
    return text, data


def _env_overrides(environ: Mapping[str, str]) -> dict[str, str]:
    """``POWERTRADER_REGION=eu`` -> ``{"region": "eu"}``, for the model's own fields only."""
    found: dict[str, str] = {}
    for field in Settings.model_fields:
        value = environ.get(ENV_PREFIX + field.upper())
        if value is not None:
            found[field] = value
    return found


def _line_of(text: str, key: str) -> int | None:
    match = re.search(rf'^\s*"?{re.escape(key)}"?\s*[:=]', text, flags=re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _explain(
    exc: ValidationError, file: Path | None, text: str, overrides: Mapping[str, str]
) -> ConfigurationError:
    """One message listing every bad value and where it came from (never the whole input)."""
    problems: list[str] = []
    for error in exc.errors(include_input=False, include_url=False):
        key = str(error["loc"][0]) if error["loc"] else "settings"
        reason = str(error["msg"]).removeprefix("Value error, ")
        if key in overrides:
            where = f"${ENV_PREFIX}{key.upper()}"
        elif file is not None:
            line = _line_of(text, key)
            where = f"{file}" + (f" line {line}" if line else "")
        else:
            where = "settings"
        problems.append(f"{key} ({where}): {reason}")
    return ConfigurationError("invalid settings: " + "; ".join(problems), operation="load settings")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # TOML basic strings share JSON's escapes
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise ConfigurationError(
        f"cannot write a {type(value).__name__} to TOML", operation="save settings"
    )


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _to_toml(data: Mapping[str, Any]) -> str:
    """A flat TOML document (settings are flat; nested extras become inline tables)."""
    lines = [f"{_toml_key(key)} = {_toml_value(value)}" for key, value in data.items()]
    return "\n".join(lines) + "\n"
