"""The pluggy entry point of powertrader-ccxt: the exchange classes it provides.

Importing this module imports no ccxt (the exchange classes import it when the first one is
built), so listing plugins stays fast.
"""

from __future__ import annotations

from powertrader_ccxt.named_exchanges import NAMED_CLASSES, class_for_ccxt_id
from powertrader_core import AbstractExchange, hookimpl
from powertrader_core.kit import exchange_key

POWERTRADER_HOOKSPEC_VERSION = 1


@hookimpl
def powertrader_exchanges() -> list[type[AbstractExchange]]:
    return list(NAMED_CLASSES)


@hookimpl
def powertrader_resolve_exchange(name: str) -> type[AbstractExchange] | None:
    """``ccxt:<id>`` for any exchange ccxt has (checked without importing ccxt)."""
    from powertrader_ccxt.ccxt_files import has_exchange

    key = exchange_key(name)
    if not key.startswith("ccxt:"):
        return None
    ccxt_id = key.removeprefix("ccxt:")
    if not has_exchange(ccxt_id):
        return None
    return class_for_ccxt_id(ccxt_id)
