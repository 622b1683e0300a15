"""``powertrader paper show | reset``: see the paper account at a glance, and start it over.

The paper exchange keeps its account (balances, orders, fills) in SQLite under the data
folder, so every command sees what the one before did; until now nothing showed the account
as a whole or put it back to its starting balances. ``reset`` asks first at a terminal
(``--yes`` skips the question; without a terminal, ``--yes`` is needed).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import typer

from powertrader_core.cli._context import make_manager, options, regionless, run
from powertrader_core.cli._output import emit_json, escape, money, new_table, print_table
from powertrader_core.enums import PAPER

__all__ = ["paper_app"]


paper_app = typer.Typer(
    name="paper",
    help="The paper account (no money): show it, or reset it to its starting balances.",
    no_args_is_help=True,
)


async def _account() -> dict[str, Any]:
    async with make_manager([PAPER]) as manager:
        venue: Any = await manager.get_exchange(PAPER)
        balances: dict[str, Decimal] = await venue.get_balance()
        orders = await venue.get_orders() if hasattr(venue, "get_orders") else []
    open_orders = [o for o in orders if o.status.value in ("open", "partially_filled")]
    return {
        "exchange": PAPER,
        "balances": balances,
        "orders": len(orders),
        "open_orders": len(open_orders),
    }


@paper_app.command("show")
@regionless
def show_command() -> None:
    """Balances of the paper account, and how many orders it holds (open among them)."""
    record = run(_account())
    if options().json:
        emit_json(record)
        return
    table = new_table("asset", "balance", title="paper account", numbers=("balance",))
    for asset, amount in sorted(record["balances"].items()):
        table.add_row(escape(asset), money(amount))
    print_table(table)
    typer.echo(f"{record['orders']} orders, {record['open_orders']} open")


async def _reset(usd: Decimal | None) -> dict[str, Any]:
    async with make_manager([PAPER]) as manager:
        venue: Any = await manager.get_exchange(PAPER)
        await venue.reset(None if usd is None else {"USD": usd})
    return await _account()


@paper_app.command("reset")
@regionless
def reset_command(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    usd: Annotated[
        str | None,
        typer.Option("--usd", help="Start with this many USD (default: the configured "
                     "starting balances)."),
    ] = None,
) -> None:
    """Start the paper account over: no orders, no fills, the starting balances."""
    from powertrader_core.cli._context import parse_amount
    from powertrader_core.cli._prompts import at_terminal

    amount = None if usd is None else parse_amount(usd, "--usd")
    if not yes:
        if options().json or not at_terminal():
            raise ValueError("resetting the paper account needs --yes without a terminal")
        typer.confirm("Delete every paper order and fill, and reset the balances?",
                      abort=True, err=True)
    record = run(_reset(amount))
    if options().json:
        emit_json(record)
        return
    balances = ", ".join(f"{money(v)} {k}" for k, v in sorted(record["balances"].items()))
    typer.echo(f"paper account reset: {balances or 'no balance'}")
