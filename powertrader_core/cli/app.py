"""The root ``powertrader`` app: global options, the command groups, plugin commands.

Commands live in modules by job (``market_cmd``: prices; ``trading_cmd``: order and
balances; ``orders_cmd``: orders and cancel; ``status_cmd``: exchanges and health;
``watch_cmd``: live prices; ``serve_cmd``: the dashboard; ``feed_cmd``: prices to Redis;
``config_cmd``, ``plugins_cmd``) and are registered here, each wrapped by
:func:`~powertrader_core.cli._context.with_global_options` so that every one of them takes
``--json``, ``--region`` and ``--debug``.

``powertrader --help`` must stay fast (a figure in ``bench/bench_cli.py``): the command
modules import only typer at module level, and help is plain text (``rich_markup_mode=None``),
which keeps rich from loading at all until a command draws a table.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer

from powertrader_core.cli import (
    feed_cmd,
    market_cmd,
    orders_cmd,
    serve_cmd,
    status_cmd,
    trading_cmd,
    watch_cmd,
)
from powertrader_core.cli._context import (
    DebugOption,
    JsonOption,
    RegionOption,
    root_options,
    with_global_options,
    wrap_typer_commands,
)
from powertrader_core.cli._group import ContractGroup
from powertrader_core.cli.config_cmd import config_app
from powertrader_core.cli.paper_cmd import paper_app
from powertrader_core.cli.plugins_cmd import plugins_command

app = typer.Typer(
    name="powertrader",
    cls=ContractGroup,
    epilog="Plugins add command groups of their own (the Robinhood plugin: `powertrader "
    "robinhood keygen`); `powertrader plugins` lists what is installed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_COMMANDS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("exchanges", status_cmd.exchanges_command),
    ("plugins", plugins_command),
    ("price", market_cmd.price_command),
    ("compare", market_cmd.compare_command),
    ("best", market_cmd.best_command),
    ("balances", trading_cmd.balances_command),
    ("order", trading_cmd.order_command),
    ("orders", orders_cmd.orders_command),
    ("cancel", orders_cmd.cancel_command),
    ("watch", watch_cmd.watch_command),
    ("status", status_cmd.status_command),
    ("serve", serve_cmd.serve_command),
    ("feed", feed_cmd.feed_command),
)
for _name, _command in _COMMANDS:
    app.command(_name)(with_global_options(_command))
app.add_typer(config_app, name="config")
app.add_typer(paper_app, name="paper")


def _version(value: bool) -> None:
    if value:
        from powertrader_core import __version__

        typer.echo(f"powertrader {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    as_json: JsonOption = False,
    region: RegionOption = None,
    debug: DebugOption = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Trade crypto on many exchanges through one API.

    Every command takes --json (JSON on stdout, nothing else), --region and --debug. Orders,
    balances and order lists use the paper exchange (no money) unless --live is given.
    """
    root_options(ctx, json=as_json, region=region, debug=debug)


_plugin_commands_added = False


def register_plugin_commands() -> None:
    """Let plugins add command groups (``powertrader robinhood ...``), once per process.

    A plugin whose hook fails is reported on stderr and the others' commands still load.
    """
    global _plugin_commands_added
    if _plugin_commands_added:
        return
    _plugin_commands_added = True
    from powertrader_core.plugins.registry import get_registry

    registry = get_registry()
    try:
        registry.pm.hook.powertrader_register_commands(app=app)
    except Exception as exc:  # noqa: BLE001 - a plugin's commands must not break the CLI
        typer.echo(f"powertrader: a plugin failed to add its commands: {exc}", err=True)
    wrap_typer_commands(app)


wrap_typer_commands(app)

_BUILT_IN = frozenset({*(name for name, _ in _COMMANDS), "config", "paper"})
_ROOT_OPTIONS_WITH_VALUE = frozenset({"--region"})


def needs_plugin_commands(args: Sequence[str]) -> bool:
    """True when the command typed may be a plugin's (``robinhood keygen``, a typo), or when
    there is none: the top-level help lists every command group, the plugins' included.

    Loading plugins imports every plugin's modules (a fifth of a second), which the built-in
    commands do not need for parsing, nor their own ``--help``; their exchanges still load
    when a command asks the factory for one.
    """
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _ROOT_OPTIONS_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            return arg not in _BUILT_IN
    return True  # no command: the top-level help, which lists the plugins' groups too


def main() -> None:
    """Entry point of the ``powertrader`` console script."""
    if needs_plugin_commands(sys.argv[1:]):
        register_plugin_commands()
    app()
