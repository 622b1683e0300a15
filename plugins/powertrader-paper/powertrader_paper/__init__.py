"""PowerTrader's paper-trading exchange: trades without money, offline by default.

Read the modules in this order to see how a complete exchange plugin is built:

1. ``plugin.py``: the entry point, a single hook returning the exchange class;
2. ``exchange.py``: ``PaperExchange``, the contract's methods, wiring the parts below;
3. ``config.py``: every setting, validated once when the exchange is built;
4. ``sources.py`` and ``sim.py``: where prices come from (a seeded simulation or a real
   exchange's public data);
5. ``matching.py`` and ``engine.py``: how orders fill and what they cost;
6. ``records.py`` and ``store.py``: the account's orders, fills and balances in SQLite.
"""

from __future__ import annotations

from powertrader_paper.config import PaperConfig
from powertrader_paper.exchange import PaperExchange
from powertrader_paper.records import FillRecord
from powertrader_paper.sim import SimulatedMarket

__all__ = ["FillRecord", "PaperConfig", "PaperExchange", "SimulatedMarket"]
