"""What every command shares: the global options, error reporting, and building a manager.

Every command takes ``--json``, ``--region`` and ``--debug``, after its name
(``powertrader compare BTC-USD --json``) or before it (``powertrader --json compare BTC-USD``).
Rather than repeat three parameters in every signature, :func:`with_global_options` adds the
ones a command does not declare itself to its signature, so typer parses and documents them
like any other option; the command reads them with :func:`options`. It wraps the command
registered by plugins too (``robinhood keygen``), so "every command" holds for them as well.

The same wrapper is where errors become one line: an :class:`ExchangeError` already names the
exchange and the operation (``kraken get_market_data: ...``), so the line is that message;
the exit code is 1 for a failure, 2 for bad input, 130 for Ctrl-C; a traceback only with
``--debug``. With ``--json`` the error is also printed on stdout as ``{"error": {...}}``, so a
script reading stdout always gets JSON.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import logging
import sys
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from powertrader_core.cli._output import emit_json_line
from powertrader_core.present import one_line as _one_line

if TYPE_CHECKING:
    from pathlib import Path

    from powertrader_core.credentials.manager import ExchangeConfigManager
    from powertrader_core.credentials.secret import Secret
    from powertrader_core.manager.facade import MultiExchangeManager
    from powertrader_core.settings import Settings

__all__ = [
    "DebugOption",
    "ExchangeOption",
    "ExchangesOption",
    "GlobalOptions",
    "JsonOption",
    "RegionOption",
    "SymbolArgument",
    "fail",
    "make_manager",
    "options",
    "parse_amount",
    "run",
    "with_global_options",
]

T = TypeVar("T")

JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Machine-readable output: JSON on stdout and nothing else."),
]
RegionOption = Annotated[
    str | None,
    typer.Option(
        "--region",
        metavar="REGION",
        help="us, eu or global: the exchanges serving it take part (default: settings).",
    ),
]
DebugOption = Annotated[
    bool, typer.Option("--debug", help="Show tracebacks and the library's debug log on stderr.")
]
def _canonical(value: str) -> str:
    """A malformed symbol is bad input (exit 2), refused before anything is built or sent."""
    from powertrader_core.models import canonical_symbol

    try:
        return canonical_symbol(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


SymbolArgument = Annotated[
    str,
    typer.Argument(
        metavar="SYMBOL", help="Market as BASE-QUOTE, e.g. BTC-USD.", callback=_canonical
    ),
]
ExchangeOption = Annotated[
    str | None, typer.Option("--exchange", "-e", help="Exchange name, e.g. kraken or paper.")
]
ExchangesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--exchange",
        "-e",
        help="Only these exchanges (repeatable; default: every exchange serving the region).",
    ),
]

# Global options: (option name, parameter name in the wrapper, annotation, default).
_GLOBALS: tuple[tuple[str, str, Any, Any], ...] = (
    ("--json", "pt_global_json", JsonOption, False),
    ("--region", "pt_global_region", RegionOption, None),
    ("--debug", "pt_global_debug", DebugOption, False),
)
_CTX_PARAM = "pt_global_ctx"
_WRAPPED = "__powertrader_global_options__"

#: Exit codes: a failure (an exchange, the network, configuration), bad input, Ctrl-C.
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class GlobalOptions:
    """The options every command takes; a command's own value wins over the root's."""

    json: bool = False
    region: str | None = None
    debug: bool = False

    def merged(self, **given: Any) -> GlobalOptions:
        changes = {key: value for key, value in given.items() if value not in (None, False)}
        return replace(self, **changes)


_DEFAULTS = GlobalOptions()
_current: contextvars.ContextVar[GlobalOptions | None] = contextvars.ContextVar(
    "powertrader_cli_options", default=None
)


def options() -> GlobalOptions:
    """The global options of the command running now."""
    return _current.get() or _DEFAULTS


def root_options(ctx: typer.Context, *, json: bool, region: str | None, debug: bool) -> None:
    """Remember the options given before the command name, for the command to merge."""
    ctx.obj = GlobalOptions(json=json, region=region, debug=debug)


# ---- the wrapper ---------------------------------------------------------------------------


def _declared_options(signature: inspect.Signature) -> dict[str, str]:
    """``{"--json": "as_json"}``: the global options a command already declares itself."""
    found: dict[str, str] = {}
    for parameter in signature.parameters.values():
        infos = [parameter.default, *getattr(parameter.annotation, "__metadata__", ())]
        for info in infos:
            if not isinstance(info, typer.models.OptionInfo):
                continue
            decls = list(info.param_decls or ())
            if isinstance(info.default, str) and info.default.startswith("-"):
                decls.append(info.default)  # Annotated style keeps the first name in default
            for name, *_ in _GLOBALS:
                if name in decls:
                    found[name] = parameter.name
    return found


_REGIONLESS = "__powertrader_no_region__"


def regionless(func: Callable[..., T]) -> Callable[..., T]:
    """Mark a command that no region changes (``plugins``, ``config``): it gets no
    ``--region`` (an option that does nothing is a lie in ``--help``)."""
    setattr(func, _REGIONLESS, True)
    return func


def with_global_options(func: Callable[..., T]) -> Callable[..., T]:
    """``func`` taking the global options it lacks, and reporting errors as one line."""
    if getattr(func, _WRAPPED, False):
        return func
    signature = inspect.signature(func, eval_str=True)
    declared = _declared_options(signature)
    if getattr(func, _REGIONLESS, False):
        declared.setdefault("--region", "")
    added = [
        inspect.Parameter(param, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=hint)
        for option, param, hint, default in _GLOBALS
        if option not in declared
    ]
    added.append(
        inspect.Parameter(_CTX_PARAM, inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)
    )

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        ctx: typer.Context = kwargs.pop(_CTX_PARAM)
        given: dict[str, Any] = {}
        for option, param, _hint, _default in _GLOBALS:
            key = option.removeprefix("--")
            if option in declared:
                given[key] = kwargs.get(declared[option]) if declared[option] else None
            else:
                given[key] = kwargs.pop(param, None)
        root = ctx.obj if isinstance(ctx.obj, GlobalOptions) else GlobalOptions()
        opts = root.merged(**given)
        if "--json" in declared and opts.json and not kwargs[declared["--json"]]:
            kwargs[declared["--json"]] = True  # `powertrader --json plugins` reaches the command
        token = _current.set(opts)
        try:
            with _debug_logging(opts.debug):
                return func(*args, **kwargs)
        except typer.Abort as exc:
            if interrupted(exc):  # Ctrl-C at a prompt: click says "Aborted!" and exits 1
                typer.echo("\ninterrupted", err=True)
                raise typer.Exit(EXIT_INTERRUPTED) from None
            raise
        except (typer.Exit, typer.TyperException):
            raise
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:  # noqa: BLE001 - every failure becomes one line and an exit code
            fail(exc)
        finally:
            _current.reset(token)

    parameters = [*signature.parameters.values(), *added]
    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    setattr(wrapper, _WRAPPED, True)
    return wrapper


def wrap_typer_commands(app: typer.Typer) -> None:
    """Give every command of ``app`` and of its sub-apps the global options (idempotent)."""
    for info in app.registered_commands:
        if info.callback is not None:
            info.callback = with_global_options(info.callback)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            wrap_typer_commands(group.typer_instance)


# ---- errors --------------------------------------------------------------------------------


def _describe(exc: BaseException) -> dict[str, Any]:
    from powertrader_core.errors import ExchangeError

    record: dict[str, Any] = {"type": type(exc).__name__, "message": _one_line(exc)}
    if isinstance(exc, ExchangeError):
        record["exchange"] = exc.exchange
        record["operation"] = exc.operation
        failures = getattr(exc, "failures", None)
        if isinstance(failures, dict):
            record["failures"] = {
                name: {"type": type(error).__name__, "message": str(error)}
                for name, error in failures.items()
            }
    return record


def fail(exc: BaseException) -> NoReturn:
    """Report ``exc`` (one line on stderr; JSON on stdout with --json) and exit non-zero."""
    from powertrader_core.errors import ExchangeError

    opts = options()
    if opts.debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    line = _one_line(exc)
    expected = isinstance(exc, (ExchangeError, ValueError))
    hint = "" if opts.debug or expected else " (--debug shows the traceback)"
    typer.echo(f"error: {line}{hint}", err=True)
    if opts.json:  # one line: a document of its own, also at the end of `watch`'s stream
        emit_json_line({"error": _describe(exc)})
    bad_input = isinstance(exc, ValueError) and not isinstance(exc, ExchangeError)
    raise typer.Exit(EXIT_BAD_INPUT if bad_input else EXIT_FAILURE)


class _PowertraderOnly(logging.Filter):
    """The library's and plugins' records at any level; other libraries' warnings only."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.startswith("powertrader") or record.levelno >= logging.WARNING


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # noqa: BLE001 - logging must never break the command
            self.handleError(record)


def interrupted(exc: BaseException) -> bool:
    """True for click's ``Abort`` standing for Ctrl-C (it keeps the KeyboardInterrupt as its
    cause or context), as opposed to end of input or a "no" to a confirmation."""
    return isinstance(exc.__cause__ or exc.__context__, KeyboardInterrupt)


@contextlib.contextmanager
def _debug_logging(enabled: bool) -> Iterator[None]:
    """With ``--debug``: the library's debug log on stderr for the length of the command.

    Without it, no log line at all: a failed command prints one line, and what the library
    logs as a warning (a feed down, an order reconciled) would otherwise reach stderr through
    Python's last-resort handler. The command's own output says what the user must know.
    """
    root = logging.getLogger()
    if not enabled:
        # Only the last resort (what prints when logging is not configured) is silenced: a
        # user's own logging set-up, and POWERTRADER_TRACE_PLUGINS, keep their handlers.
        last_resort = logging.lastResort
        logging.lastResort = logging.NullHandler()
        try:
            yield
        finally:
            logging.lastResort = last_resort
        return
    handler = _StderrHandler()
    handler.addFilter(_PowertraderOnly())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


# ---- settings, credentials, manager ---------------------------------------------------------


def load_settings(*, live: bool = False) -> Settings:
    """The user's settings, with ``--region`` applied and live trading only with ``--live``."""
    from pydantic import ValidationError

    from powertrader_core.settings import Settings

    settings = Settings.load()
    region = options().region
    if region is not None:
        try:
            settings.region = region  # type: ignore[assignment]  # validated on assignment
        except ValidationError:
            raise ValueError(f"--region must be us, eu or global, not {region!r}") from None
    settings.live_trading = live
    return settings


def config_manager(*, keys_needed: bool = False) -> ExchangeConfigManager:
    """Credentials from the user's folder (``paths.credentials_dir()``), the same from any
    working directory. The passphrase of encrypted files is settled here, before any spinner
    or event loop: asked only when ``keys_needed`` (live trading) and nobody set
    ``$POWERTRADER_PASSPHRASE``; public data never asks (locked keys keep their exchange
    from private calls only)."""
    from powertrader_core.cli._prompts import passphrase_now
    from powertrader_core.credentials.manager import ExchangeConfigManager
    from powertrader_core.kit.paths import credentials_dir

    folder = credentials_dir()
    if keys_needed and _asked.get(folder) is None:
        _asked[folder] = passphrase_now(folder, needed=True)  # asked once per command
    passphrase = _asked.get(folder) if keys_needed else None
    return ExchangeConfigManager(folder, passphrase=passphrase)


#: The passphrase asked for a folder in this process: a live order prices and places with
#: two managers, and the person is asked once.
_asked: dict[Path, Secret | None] = {}


def make_manager(
    exchanges: Sequence[str] | None = None,
    *,
    live: bool = False,
    price_source: str | None = None,
) -> MultiExchangeManager:
    """A manager over ``exchanges`` (default: the settings' set for the region); live prices
    from ``price_source`` (a ``redis://`` URL) instead of its own feeds when given."""
    from powertrader_core.manager.facade import MultiExchangeManager

    names = [name.strip().lower() for name in exchanges] if exchanges else None
    settings = load_settings(live=live)
    manager = MultiExchangeManager(
        config_manager(keys_needed=live), settings, names, price_source=price_source
    )
    if not options().json:
        for name in names or ():
            note = manager.outside_region(name)
            if note is not None:
                typer.echo(f"note: {note}", err=True)
    return manager


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a command's async body on a fresh event loop (asyncio loads here, not at --help)."""
    import asyncio

    return asyncio.run(coroutine)


def parse_amount(text: str, what: str) -> Decimal:
    """A positive, finite Decimal exactly as typed (``0.1`` stays ``0.1``), or a clear error."""
    from powertrader_core._types import to_decimal

    try:
        value = to_decimal(text)
    except ValueError:
        raise ValueError(f"{what} must be a number, not {text!r}") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"{what} must be a finite number greater than zero, not {text!r}")
    return value
