"""The command line's own cost: ``powertrader price --help`` against importing ccxt.

The goal (issue 9) is help in at most 0.4 of ccxt's import time: help must not import ccxt
(nor rich), because a person typing ``--help`` should not wait for an exchange library. The
top-level ``powertrader --help`` also loads the plugins, to list their command groups (issue
16): its figure is kept beside, without a goal. Another figure is a whole paper order, the
first thing the README asks a new user to type, against the same baseline: it runs with no
network and never imports ccxt either.

Both commands run as fresh processes of the installed ``powertrader`` script, interleaved with
the baseline so that a busy machine slows them alike; the paper order's data folders are
temporary.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from _harness import Figure


def _script() -> list[str]:
    beside = Path(sys.executable).with_name("powertrader")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("powertrader")
    if found:
        return [found]
    return [sys.executable, "-c", "from powertrader_core.cli import main; main()"]


def _once(argv: Sequence[str], env: Mapping[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def run(repeat: int = 7) -> list[Figure]:
    script = _script()
    ccxt = [sys.executable, "-c", "import ccxt.async_support"]
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ)
        for variable in ("DATA", "CACHE", "CONFIG", "CREDENTIALS"):
            env[f"POWERTRADER_{variable}_DIR"] = str(Path(home) / variable.lower())
        order = [*script, "order", "buy", "BTC-USD", "0.001", "--json"]
        help_times, top_times, order_times, ccxt_times = [], [], [], []
        _once([*script, "--help"])  # warm the file cache for everyone alike
        _once(ccxt)
        for _ in range(repeat):
            help_times.append(_once([*script, "price", "--help"]))
            top_times.append(_once([*script, "--help"]))
            ccxt_times.append(_once(ccxt))
            order_times.append(_once(order, env))
    baseline = statistics.median(ccxt_times) * 1000
    return [
        Figure(
            name="powertrader price --help wall time",
            value=statistics.median(help_times) * 1000,
            baseline=baseline,
            unit="ms",
            baseline_name="import ccxt.async_support",
            goal="<= 0.40",
        ),
        Figure(
            name="powertrader --help (plugins listed) wall time",
            value=statistics.median(top_times) * 1000,
            baseline=baseline,
            unit="ms",
            baseline_name="import ccxt.async_support",
        ),
        Figure(
            name="powertrader order buy BTC-USD 0.001 (paper) wall time",
            value=statistics.median(order_times) * 1000,
            baseline=baseline,
            unit="ms",
            baseline_name="import ccxt.async_support",
        ),
    ]
