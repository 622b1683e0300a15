"""The seed's ``pt_hub`` module: ``PowerTraderHub``, built headless, with its ``settings``."""

from typing import Any

__all__ = ["PowerTraderHub"]


def __getattr__(name: str) -> Any:
    if name == "PowerTraderHub":
        from powertrader_core.hub import PowerTraderHub

        return PowerTraderHub
    raise AttributeError(f"module 'pt_hub' has no attribute {name!r}")
