"""Keeping secrets out of reprs, logs and messages: ``Secret``, ``mask`` and ``ExchangeConfig``.

A secret that reaches a log line, a traceback or a bug report is a leaked secret. The defences
here are structural, not disciplinary: a ``Secret`` cannot print its value, and the mapping the
credential manager returns prints its secret fields masked, so ``print(config)`` or a debugger's
repr is safe by construction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["ELLIPSIS", "ExchangeConfig", "Secret", "is_secret_field", "mask", "reveal"]

ELLIPSIS = "…"
#: Below this length nothing of a secret is shown: a few characters would be a real share of it.
_MIN_MASKED_LENGTH = 16
#: Never more than this many characters in all, however long the secret.
_MAX_SHOWN = 8
_HIDDEN = "********"

# Field names that hold secrets even when a plugin forgot to declare them.
_SECRET_NAME = re.compile(r"(key|secret|pass|token|password|private|sign|seed|auth)", re.I)
_NOT_SECRET = frozenset({"base_url", "sandbox", "url", "hostname", "testnet", "options"})


def mask(value: object) -> str:
    """``"pt-test-key-0000000000001d6c"`` -> ``"pt-t…1d6c"``: enough to recognise, not to use.

    At most a quarter of the secret shows (and never more than 8 characters), half from each
    end; a secret under 16 characters shows nothing (``********``). ``None`` or empty gives
    ``""``.
    """
    text = reveal(value) if isinstance(value, Secret) else ("" if value is None else str(value))
    if not text:
        return ""
    if len(text) < _MIN_MASKED_LENGTH:
        return _HIDDEN
    shown = min(len(text) // 4, _MAX_SHOWN)
    head = shown // 2
    return f"{text[:head]}{ELLIPSIS}{text[len(text) - (shown - head):]}"


class Secret:
    """A string that never shows itself: ``repr``, ``str`` and f-strings print ``********``.

    ``get_secret_value()`` (or :func:`reveal`) gives the value to the one place that needs it.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str | Secret) -> None:
        self._value = reveal(value) if isinstance(value, Secret) else str(value)

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({_HIDDEN!r})" if self._value else "Secret('')"

    def __str__(self) -> str:
        return _HIDDEN if self._value else ""

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> Any:
        # Pickling would write the value; nobody needs a Secret to cross a process boundary.
        raise TypeError("a Secret cannot be pickled")


def reveal(value: str | Secret) -> str:
    """The plain value of a ``Secret`` (or the string itself)."""
    return value.get_secret_value() if isinstance(value, Secret) else value


def is_secret_field(name: str, declared: Iterable[str] = ()) -> bool:
    """Whether a configuration field holds a secret: declared credentials, or a telling name."""
    if name in _NOT_SECRET:
        return False
    return name in set(declared) or bool(_SECRET_NAME.search(name))


def _masked(values: Mapping[str, Any], declared: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if is_secret_field(str(key), declared):
            out[key] = mask(value)
        elif isinstance(value, Mapping):
            out[key] = _masked(value, declared)
        else:
            out[key] = value
    return out


class ExchangeConfig(dict[str, Any]):
    """A plain ``dict`` of an exchange's configuration whose repr masks the secret fields.

    It is what :meth:`ExchangeConfigManager.load_exchange_config` returns: exchanges read it
    like any dict (``config["api_key"]``), and printing it shows ``{'api_key': 'abcd…wxyz'}``.
    """

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, secret_fields: Iterable[str] = ()
    ) -> None:
        super().__init__(data or {})
        self.secret_fields = frozenset(secret_fields)

    def masked(self) -> dict[str, Any]:
        """A copy safe to print or log: secret fields masked, in nested mappings too (a
        paper exchange's ``source_config`` holds its source's keys)."""
        return _masked(self, self.secret_fields)

    def __repr__(self) -> str:
        return repr(self.masked())

    __str__ = __repr__
