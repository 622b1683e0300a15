"""The installed ``powertrader`` script in fresh processes: the README's first four commands
with no network (paper state persisting between runs), and ``--help`` without ccxt or rich."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.cli.processes import private_env, run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The conftest's private folders, passed on to the child process explicitly."""
    return private_env(tmp_path)


def as_json(completed: subprocess.CompletedProcess[str]) -> Any:
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)  # stdout is one JSON document and nothing else


def test_readme_first_commands_in_separate_processes(env: dict[str, str]) -> None:
    order = as_json(run(env, "order", "buy", "BTC-USD", "0.01", "--json"))["order"]
    assert order["exchange"] == "paper" and order["status"] == "filled"

    balances = as_json(run(env, "balances", "--json"))["balances"]["paper"]
    assert Decimal(balances["BTC"]) == Decimal("0.01") and Decimal(balances["USD"]) < 10000

    orders = as_json(run(env, "orders", "--json"))["orders"]
    assert [o["order_id"] for o in orders] == [order["order_id"]]

    compared = as_json(run(env, "compare", "BTC-USD", "--exchange", "paper", "--json"))
    assert compared["best_ask"]["exchange"] == "paper"

    # The same four as a person types them: tables on stdout, nothing on stderr.
    for args in (
        ("order", "buy", "BTC-USD", "0.01"),
        ("balances",),
        ("orders",),
        ("compare", "BTC-USD", "--exchange", "paper"),
    ):
        completed = run(env, *args)
        assert completed.returncode == 0, (args, completed.stderr)
        assert completed.stderr == "" and "paper" in completed.stdout
    assert len(as_json(run(env, "orders", "--json"))["orders"]) == 2


def test_error_in_a_process_is_one_line_and_exit_1(env: dict[str, str]) -> None:
    completed = run(env, "cancel", "no-such-order")
    assert completed.returncode == 1 and completed.stdout == ""
    assert completed.stderr == "error: paper cancel_order: no order 'no-such-order'\n"


def test_help_lists_the_plugins_groups_without_ccxt() -> None:
    """The top-level help lists every command group, the plugins' too (`robinhood`), and
    still imports neither ccxt nor aiohttp (a command's own help loads no plugin)."""
    probe = (
        "import sys; sys.argv = ['powertrader', '--help']\n"
        "from powertrader_core.cli import main\n"
        "try:\n    main()\n"
        "except SystemExit:\n    pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'ccxt', 'aiohttp'})\n"
        "print(heavy, file=sys.stderr)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert "Usage: powertrader" in completed.stdout
    for command in ("order", "compare", "watch", "status", "config", "plugins", "robinhood"):
        assert f"  {command} " in completed.stdout
    assert completed.stderr.strip() == "[]"


def test_plugin_commands_load_for_a_command_that_is_not_built_in(env: dict[str, str]) -> None:
    completed = run(env, "robinhood", "keygen", "--json")
    keys = as_json(completed)
    assert keys["public_key"] and keys["private_key"]
