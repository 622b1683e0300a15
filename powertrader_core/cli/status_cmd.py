"""``powertrader exchanges | status``: what is installed, configured, and answering now.

``exchanges`` is the inventory and costs no network: every registered exchange, the regions it
serves, whether it takes part by default, whether its credentials are configured. ``--check``
adds a live probe.

``status`` is the probe: each exchange of the region (or those named) is asked for one quote
through the manager, which records the outcome in its health tracker. A command line run is a
fresh process, so the tracker starts empty and its verdict after one call is tentative (one
failure reads "degraded" until the circuit opens after several); the status shown here is the
probe's own outcome, with the tracker's snapshot beside it in ``--json``:

- ``connected``: it answered (or refused the request itself, e.g. a market it does not list:
  the exchange is up);
- ``not configured``: it needs configuration (keys, even for prices) that it does not have;
- ``unauthenticated``: it refused the credentials it was given;
- ``down``: no answer (connection, timeout, server error), with the reason.

``status`` exits 1 when no exchange is connected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from powertrader_core.cli._context import (
    EXIT_FAILURE,
    ExchangesOption,
    config_manager,
    load_settings,
    make_manager,
    options,
    run,
)
from powertrader_core.cli._output import (
    console,
    emit_json,
    escape,
    new_table,
    print_table,
    spinner,
)
from powertrader_core.present import reason

if TYPE_CHECKING:
    from powertrader_core.errors import ExchangeError
    from powertrader_core.manager.facade import MultiExchangeManager

__all__ = ["exchanges_command", "status_command"]

ProbeSymbol = Annotated[
    str, typer.Option("--symbol", "-s", help="Market asked for in the probe.")
]


def _verdict(error: ExchangeError | None) -> str:
    from powertrader_core.errors import ConfigurationError, ExchangeAuthenticationError
    from powertrader_core.manager.health import counts_against_health

    if error is None or not counts_against_health(error):
        return "connected"
    if isinstance(error, ExchangeAuthenticationError):
        return "unauthenticated"
    if isinstance(error, ConfigurationError):
        return "not configured"
    return "down"


async def probe(manager: MultiExchangeManager, symbol: str) -> dict[str, dict[str, Any]]:
    """Ask every exchange of ``manager`` for one quote; ``{name: {status, latency_ms, error}}``."""
    count = len(manager.get_available_exchanges())
    with spinner(f"checking {count} exchanges", enabled=not options().json):
        fan = await manager.compare_prices_detailed(symbol)
    health = manager.get_exchange_status()
    report: dict[str, dict[str, Any]] = {}
    for name in manager.get_available_exchanges():
        error = fan.errors.get(name)
        quote = fan.results.get(name)
        latency = quote.latency_ms if quote is not None else None
        snapshot = health.get(name, {})
        report[name] = {
            "status": _verdict(error),
            "latency_ms": latency if latency is not None else snapshot.get("latency"),
            "error": None if error is None else str(error),
            "health": snapshot,
        }
    return report


# ---- exchanges -----------------------------------------------------------------------------


def exchanges_command(
    check: Annotated[
        bool, typer.Option("--check", help="Also ask each exchange of the region for a quote.")
    ] = False,
    symbol: ProbeSymbol = "BTC-USD",
) -> None:
    """Every installed exchange: regions, taking part by default, configured, status."""
    rows = _inventory()
    if check:
        region = load_settings().region
        names = [row["name"] for row in rows if region in row["regions"]]

        async def checked() -> dict[str, dict[str, Any]]:
            async with make_manager(names) as manager:
                return await probe(manager, symbol)

        results = run(checked()) if names else {}
        for row in rows:
            found = results.get(row["name"])
            if found is not None:
                row.update(status=found["status"], latency_ms=found["latency_ms"],
                           error=found["error"])
    if options().json:
        emit_json(rows)
        return
    table = new_table("exchange", "regions", "in region", "default", "configured", "status")
    for row in rows:
        status = row["status"]
        if row.get("error"):
            status += f": {reason(row['name'], row['error'])}"
        table.add_row(
            escape(row["name"]),
            ", ".join(row["regions"]),
            "yes" if row["in_region"] else "no",
            "yes" if row["default"] else "only when named",
            "no" if not row["configured"] else row["configured_text"],
            escape(status),
        )
    print_table(table)
    if any(not row["configured"] for row in rows):
        console().print(  # wrapped to the terminal, as the table is
            "`powertrader config validate` says what is missing; "
            "`powertrader config set EXCHANGE` stores it. Prices need no keys on most exchanges.",
            markup=False,
        )


def _inventory() -> list[dict[str, Any]]:
    """One row per registered exchange, from classes and configuration only (no network)."""
    from powertrader_core.factory import ExchangeFactory, regions_of

    region = load_settings().region
    credentials = config_manager()
    rows = []
    for name in ExchangeFactory.get_available_exchanges():
        cls = ExchangeFactory.get_exchange_class(name)
        regions = [str(getattr(r, "value", r)).lower() for r in regions_of(cls)]
        needed = list(cls.required_credentials)
        problems = credentials.config_problems(name) if needed else []
        rows.append(
            {
                "name": name,
                "regions": regions,
                "in_region": region in regions,
                "default": bool(cls.include_by_default),
                "credentials_required": needed,
                "configured": not problems,
                "configured_text": (
                    "not needed" if not needed else "yes" if not problems else
                    "no (" + "; ".join(problems) + ")"
                ),
                "problems": problems,
                "status": "not checked",
                "latency_ms": None,
                "error": None,
            }
        )
    return rows


# ---- status --------------------------------------------------------------------------------


def status_command(exchange: ExchangesOption = None, symbol: ProbeSymbol = "BTC-USD") -> None:
    """Ask each exchange of the region (or those named) for a quote; report who answers."""
    record = run(_status(exchange, symbol))
    if options().json:
        emit_json(record)
    else:
        table = new_table("exchange", "status", "latency ms", "private calls", "detail")
        for name, entry in record["exchanges"].items():
            colour = {"connected": "green", "down": "red"}.get(entry["status"], "yellow")
            latency = entry["latency_ms"]
            table.add_row(
                escape(name),
                f"[{colour}]{entry['status']}[/]",
                "-" if latency is None else f"{latency:.0f}",
                escape(str(entry["health"].get("private_calls", "-"))),
                escape(reason(name, entry["error"] or "")),
            )
        print_table(table)
        summary = record["summary"]
        typer.echo(
            f"{summary['overall']}: {summary['connected']} of {summary['total']} exchanges "
            f"answered (region {record['region']})"
        )
    if record["summary"]["connected"] == 0:
        raise typer.Exit(EXIT_FAILURE)


async def _status(exchanges: Sequence[str] | None, symbol: str) -> dict[str, Any]:
    from powertrader_core._types import utc_now

    async with make_manager(exchanges) as manager:
        report = await probe(manager, symbol)
        settings = manager.settings
    connected = sum(1 for entry in report.values() if entry["status"] == "connected")
    total = len(report)
    overall = "connected" if connected == total else "down" if connected == 0 else "degraded"
    return {
        "region": settings.region,
        "checked_at": utc_now(),
        "summary": {"overall": overall, "connected": connected, "total": total},
        "exchanges": report,
    }
