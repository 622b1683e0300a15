"""The root command group: how the command line's contract holds before a command runs.

click reports a usage error (``order buy BTC-USD -1``, a bad side) as usage text and exit 2,
and Ctrl-C or end of input at a prompt as "Aborted!" and exit 1, before any of our code runs.
With ``--json`` a script reading stdout must still get one JSON document, and Ctrl-C must end
every command with 130, so the group runs click non-standalone and reports these itself.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import typer
from typer._click.exceptions import ClickException, UsageError  # typer vendors its click
from typer.core import TyperGroup

__all__ = ["ContractGroup"]

EXIT_INTERRUPTED = 130


class ContractGroup(TyperGroup):
    """``TyperGroup`` whose usage errors are JSON under ``--json``, and Ctrl-C is exit 130."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if not standalone_mode:
            return super().main(argv, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(argv, prog_name, complete_var, False, **extra)
        except typer.Abort as exc:
            _abort(exc)
        except ClickException as exc:
            _usage_error(exc, json="--json" in argv)
        sys.exit(result if isinstance(result, int) else 0)


def _abort(exc: typer.Abort) -> NoReturn:
    from powertrader_core.cli._context import interrupted

    if interrupted(exc):
        typer.echo("\ninterrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    typer.echo("Aborted!", err=True)
    sys.exit(1)


def _usage_error(exc: ClickException, *, json: bool) -> NoReturn:
    message = getattr(exc, "message", None)
    if isinstance(message, str):  # typer checks values with pydantic, which says "Value error,"
        exc.message = message.replace("Value error, ", "")
    if not json:
        exc.show()
        sys.exit(exc.exit_code)
    from powertrader_core.cli._output import emit_json_line

    message = " ".join(exc.format_message().split())
    typer.echo(f"error: {message}", err=True)
    kind = "UsageError" if isinstance(exc, UsageError) else type(exc).__name__
    emit_json_line({"error": {"type": kind, "message": message}})
    sys.exit(exc.exit_code)


def _plain_help() -> None:
    """Help that speaks the user's language, not Python's.

    This typer renders an option's value as its Python type (``--exchange <str>``,
    ``--count <int range>``, ``<list[str]>``), an argument with its type beside its name
    (``SYMBOL <str>``) and required arguments in braces (``price [OPTIONS] {SYMBOL}``). Here an
    option's value is named after the option (``--exchange EXCHANGE``) unless it declares a
    metavar, choices read ``buy|sell``, and arguments are their names. Applied once, at import;
    a typer without these hooks keeps its own rendering.
    """
    from typer import core

    argument, option = getattr(core, "TyperArgument", None), getattr(core, "TyperOption", None)
    if argument is None or option is None:
        return
    if not all(hasattr(argument, n) for n in ("display_type_rich", "_usage_display_name")):
        return
    if not hasattr(option, "display_type_rich"):
        return
    original = option.display_type_rich

    def option_value(self: Any, ctx: Any) -> str | None:
        if self.metavar is not None:
            return str(self.metavar)
        shown: object = original(self, ctx)
        if shown is None:
            return None
        text = str(shown).removesuffix("...")
        if "|" in text and "list[" not in text:
            return text.strip("<>")
        longest = max(self.opts, key=len).lstrip("-")
        return str(longest).replace("-", "_").upper()

    def argument_usage(self: Any) -> str:
        name = str(self.metavar or self.name.upper())
        name = name if self.required else f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")

    def argument_name(self: Any) -> str:
        return str(self.metavar or self.name.upper()) + ("..." if self.nargs != 1 else "")

    option.display_type_rich = option_value
    argument._rich_display_name = argument_name
    argument.display_type_rich = lambda self, ctx: None
    argument._usage_display_name = argument_usage


_plain_help()
