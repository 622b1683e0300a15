"""The seed's ``pt_multi_exchange`` module: re-exports from ``powertrader_core``.

Names load on first access, so importing this module stays as cheap as the core.
"""

from typing import Any

import powertrader_core
from powertrader_core import OrderRequest

__all__ = ["ExchangeConfigManager", "MultiExchangeManager", "OrderRequest", "config_utils"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(powertrader_core, name)
    raise AttributeError(f"module 'pt_multi_exchange' has no attribute {name!r}")
