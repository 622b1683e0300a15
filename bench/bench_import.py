"""Import cost: ``import powertrader_core`` against ``import ccxt.async_support``."""

from __future__ import annotations

from _harness import Figure, python_import_time


def run() -> list[Figure]:
    # Interleave the two so that a busy machine slows both alike.
    core = python_import_time("powertrader_core")
    ccxt = python_import_time("ccxt.async_support")
    return [
        Figure(
            name="import powertrader_core wall time",
            value=core * 1000,
            baseline=ccxt * 1000,
            unit="ms",
            baseline_name="import ccxt.async_support",
            goal="<= 0.30",
        )
    ]
