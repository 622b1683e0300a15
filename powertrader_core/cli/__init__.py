"""The ``powertrader`` command line (typer for parsing, rich for tables).

Each group of commands lives in its own module under ``powertrader_core/cli/``; plugins add
their own commands through the ``powertrader_register_commands`` hook (the Robinhood plugin's
``powertrader robinhood keygen`` comes that way). Heavy imports happen inside commands, so
``powertrader --help`` stays fast and never imports ccxt.
"""

from __future__ import annotations

from powertrader_core.cli.app import app, main

__all__ = ["app", "main"]
