"""How commands speak: JSON for scripts, rich tables for people, a spinner while they wait.

Two audiences, two channels. With ``--json`` stdout carries exactly one JSON document (``watch``:
one per line) and nothing else, so ``powertrader balances --json | jq`` always parses; money
goes out as strings (``"0.01"``), because a JSON number is a binary float to most readers and
``0.1`` must stay ``0.1``. Without ``--json`` stdout gets tables. Everything meant for a person
who is waiting (the spinner, confirmations, error lines, warnings) goes to stderr.

rich is imported inside the functions that draw: ``powertrader --help`` never pays for it.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import typer

from powertrader_core.present import reason, to_jsonable

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

__all__ = [
    "console",
    "emit_json",
    "error_console",
    "money",
    "new_table",
    "print_table",
    "spinner",
    "to_jsonable",
]


def emit_json(data: Any) -> None:
    """Print one JSON document on stdout (the only thing ``--json`` prints there)."""
    typer.echo(json.dumps(to_jsonable(data), indent=2))


def emit_json_line(data: Any) -> None:
    """One compact JSON document per line, flushed (``watch --json``: a stream of updates)."""
    sys.stdout.write(json.dumps(to_jsonable(data), separators=(",", ":")) + "\n")
    sys.stdout.flush()


#: Decimal places shown in tables at most (JSON keeps every digit).
TABLE_PLACES = 8


def money(value: Decimal | None, *, places: int | None = None) -> str:
    """A Decimal for a table: no exponent, no trailing zeros, at most ``TABLE_PLACES``
    decimals (an average price of ``60007.00000008000...`` reads ``60007.00000008``), ``-``
    for nothing. JSON output is never rounded."""
    if value is None:
        return "-"
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    elif value.is_finite() and value.as_tuple().exponent < -TABLE_PLACES:  # type: ignore[operator]
        value = value.quantize(Decimal(1).scaleb(-TABLE_PLACES))
    text = format(value, "f")
    if "." in text and places is None:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


#: Width for tables written to a pipe or file: no terminal wraps them, so none is squeezed.
PIPE_WIDTH = 200


def console() -> Console:
    """The stdout console for tables (rich loads on first use).

    At a terminal, its width; into a pipe or file (``| less``, ``> orders.txt``), rich would
    assume 80 columns and cut order ids to ``pap…``, so tables get their natural width there
    (up to ``PIPE_WIDTH``) unless ``$COLUMNS`` says otherwise.
    """
    import os

    from rich.console import Console

    width = None if _is_terminal(sys.stdout) or os.environ.get("COLUMNS") else PIPE_WIDTH
    return Console(highlight=False, width=width)


def error_console() -> Console:
    """The stderr console: spinner, confirmations, warnings."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def new_table(
    *columns: str, title: str | None = None, numbers: Sequence[str] = ()
) -> Table:
    """A table with our columns that fits a standard 80-column terminal.

    Rules under the header only (no side or inner frame: 2 spaces between columns), so
    the width goes to the data. Columns named in ``numbers`` are right-aligned and never
    wrapped: when space runs short, rich narrows the text columns (which wrap at spaces)
    first, so a price is never cut to ``59959.…``.
    """
    from rich import box
    from rich.table import Table

    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
        show_edge=False, collapse_padding=True,
    )
    for column in columns:
        if column in numbers:
            table.add_column(column, justify="right", no_wrap=True)
        else:
            table.add_column(column)
    return table


def print_table(table: Table) -> None:
    console().print(table)


def failure_cell(exchange: str, error: str) -> str:
    """A failure's reason as a red table cell (markup-safe)."""
    return f"[red]{escape(reason(exchange, error))}[/]"


def escape(text: str) -> str:
    """Text that rich must print as is (exchange error messages may contain ``[...]``)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


@contextlib.contextmanager
def spinner(message: str, *, enabled: bool = True) -> Iterator[None]:
    """A spinner on stderr while the network is asked; only for a person at a terminal.

    Off with ``--json``, and when stderr is not a terminal (pipes, CI, tests), where it would
    only write escape codes into a log.
    """
    if not enabled or not _is_terminal(sys.stderr):
        yield
        return
    with error_console().status(message, spinner="dots"):
        yield


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
