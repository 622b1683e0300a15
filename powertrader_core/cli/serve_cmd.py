"""``powertrader serve [SYMBOL ...]``: the live dashboard in the browser.

Quotes come from the manager's price monitoring (websockets where an exchange has them,
polling elsewhere) over the region's exchanges, with ``paper`` always among them so the page
works with no network at all. The page is read-only for real money: its only order form
places paper orders (see :mod:`powertrader_core.web`).

Safe by default: it listens on 127.0.0.1; another address needs an access token (``--token``
or ``$POWERTRADER_SERVE_TOKEN``), checked on every request; see
:mod:`powertrader_core.web.security`. The bind rule is checked before anything starts, and
starlette and uvicorn (the ``web`` extra) are imported only when this command runs, so
``powertrader --help`` does not pay for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from powertrader_core.cli._context import (
    EXIT_INTERRUPTED,
    ExchangesOption,
    make_manager,
    options,
    run,
)
from powertrader_core.cli._output import emit_json_line
from powertrader_core.enums import PAPER

__all__ = ["DEFAULT_SYMBOLS", "serve_command"]

DEFAULT_SYMBOLS = ("BTC-USD", "ETH-USD")
_TOKEN_ENV = "POWERTRADER_SERVE_TOKEN"  # one name: powertrader_core.web.security.TOKEN_ENV


def _require_web_extra() -> None:
    from importlib.util import find_spec

    from powertrader_core.errors import ConfigurationError

    missing = [name for name in ("starlette", "uvicorn") if find_spec(name) is None]
    if missing:
        raise ConfigurationError(
            f"`powertrader serve` needs {' and '.join(missing)}: "
            "pip install 'powertrader-core[web]'",
            operation="serve",
        )


async def exchange_names(exchanges: Sequence[str] | None) -> list[str]:
    """The exchanges asked for (default: the region's), with ``paper`` always there."""
    if exchanges:
        names = [name.strip().lower() for name in exchanges]
    else:
        async with make_manager(None) as manager:  # builds nothing: only the region's list
            names = manager.get_available_exchanges()
    return list(dict.fromkeys([*names, PAPER]))


async def _serve(
    symbols: Sequence[str],
    exchanges: Sequence[str] | None,
    host: str,
    port: int,
    token: str | None,
    interval: float,
    allow_hosts: Sequence[str] = (),
    source: str | None = None,
) -> int:
    """Serve until SIGINT or SIGTERM; returns the signal that stopped it, once all is closed."""
    import asyncio
    import signal

    from powertrader_core.models import canonical_symbol
    from powertrader_core.web import LiveBoard, Policy, create_app, running

    wanted = list(dict.fromkeys(canonical_symbol(symbol) for symbol in symbols))
    names = await exchange_names(exchanges)
    policy = Policy(host, token, extra_hosts=frozenset(allow_hosts))
    async with make_manager(names, price_source=source) as manager:
        board = LiveBoard(manager, wanted, names, poll_interval=interval)
        async with board, running(create_app(board, policy), board, host, port) as url:
            loop = asyncio.get_running_loop()
            stopped: asyncio.Future[int] = loop.create_future()

            def stop(number: int) -> None:
                if not stopped.done():
                    stopped.set_result(number)

            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop, int(sig))
            try:
                _announce(url, wanted, names, token is not None)
                stopped_by = await stopped
            finally:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(sig)
    return stopped_by


def _announce(url: str, symbols: Sequence[str], names: Sequence[str], token: bool) -> None:
    if options().json:
        emit_json_line({"url": url, "symbols": symbols, "exchanges": names, "token": token})
        return
    typer.echo(f"PowerTrader dashboard: {url}")
    typer.echo(f"  {', '.join(symbols)} from {', '.join(names)}; Ctrl-C stops")
    if token:
        typer.echo(
            "  access token required: open the URL once with ?token=<your token> "
            "(the browser keeps it in a cookie), or send Authorization: Bearer <token>"
        )


def serve_command(
    symbols: Annotated[
        list[str] | None,
        typer.Argument(metavar="SYMBOL", help="Markets (default: BTC-USD ETH-USD)."),
    ] = None,
    exchange: ExchangesOption = None,
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on; beyond loopback needs --token."),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port (0: any free port).")
    ] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar=_TOKEN_ENV,
            show_default=False,
            help="Access token every request must carry (required beyond loopback).",
        ),
    ] = None,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, help="Seconds between polls of an exchange.")
    ] = 1.0,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Another name the browser may use for this server (repeatable), e.g. a "
            "host name on your network; every other Host header is refused.",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="URL",
            help="Show the prices a `powertrader feed` publishes (redis://HOST:PORT/DB) "
            "instead of asking the exchanges for them.",
        ),
    ] = None,
) -> None:
    """A live dashboard in the browser: quotes, chart, health, balances, orders, plugins.

    Listens on 127.0.0.1:8000 by default and prints the URL; paper is always among the
    exchanges, so it works offline. Example: `serve BTC-USD --exchange paper --port 0`.
    """
    import signal

    from powertrader_core.web.security import check_bind

    check_bind(host, token or None)  # before anything starts: a ValueError exits 2
    _require_web_extra()
    stopped_by = run(
        _serve(symbols or list(DEFAULT_SYMBOLS), exchange, host, port, token or None, interval,
               allow_host or (), source)
    )
    if stopped_by == signal.SIGINT:  # Ctrl-C, after a clean shutdown: 130 as every command
        raise typer.Exit(EXIT_INTERRUPTED)
