"""Asking the person at the terminal: only when there is one, and never under a spinner.

A prompt inside a running command is a trap twice over: a spinner redraws over it, and inside
the event loop a blocking read keeps Ctrl-C from being delivered (asyncio turns SIGINT into a
task cancellation the blocked loop never sees). So what a command must ask (the passphrase of
encrypted credentials) is asked *before* its event loop starts; public data never asks at all.
Without a terminal, nothing is asked: the command fails at once saying which variable to set.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from powertrader_core.credentials.secret import Secret

__all__ = [
    "ask_secret",
    "at_terminal",
    "has_encrypted_files",
    "passphrase_now",
    "passphrase_prompt",
    "require_terminal",
]

PASSPHRASE_ENV = "POWERTRADER_PASSPHRASE"


def at_terminal() -> bool:
    """A person can answer: stdin is a terminal."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def require_terminal(what: str, instead: str) -> None:
    """Fail at once (exit 1, one line) when nobody can be asked for ``what``."""
    if not at_terminal():
        from powertrader_core.errors import ConfigurationError

        raise ConfigurationError(
            f"{what} is needed and there is no terminal to ask it: {instead}",
            operation="prompt",
        )


def ask_secret(label: str, *, confirm: bool = False) -> str:
    """Hidden input on stderr (stdout stays clean for --json)."""
    value: str = typer.prompt(
        label, hide_input=True, confirmation_prompt=confirm, default="",
        show_default=False, err=True,
    )
    return value


def has_encrypted_files(folder: Path) -> bool:
    try:
        return any(path.name.endswith("_config.enc") for path in folder.iterdir())
    except OSError:
        return False


def passphrase_now(folder: Path, *, needed: bool) -> Secret | None:
    """The passphrase for the credentials manager, decided before any event loop starts.

    None when ``$POWERTRADER_PASSPHRASE`` is set (the manager reads it), when keys are not
    ``needed`` (public data, paper trading: locked keys then only keep their exchange from
    private calls), or when no file is encrypted. Otherwise asked now at a terminal, and
    without one a clear failure naming the variable.
    """
    if os.environ.get(PASSPHRASE_ENV) or not needed or not has_encrypted_files(folder):
        return None
    return _ask_passphrase(confirm=False)


def passphrase_prompt(*, confirm: bool = False) -> Callable[[], Secret | None]:
    """For commands without an event loop (``config``): ask on first need, if at all."""

    def ask() -> Secret | None:
        if os.environ.get(PASSPHRASE_ENV):
            from powertrader_core.credentials.secret import Secret

            return Secret(os.environ[PASSPHRASE_ENV])
        return _ask_passphrase(confirm=confirm)

    return ask


def _ask_passphrase(*, confirm: bool) -> Secret | None:
    from powertrader_core.credentials.secret import Secret

    require_terminal("the passphrase of encrypted credentials", f"set {PASSPHRASE_ENV}")
    value = ask_secret("Passphrase for encrypted credentials", confirm=confirm)
    return Secret(value) if value else None
