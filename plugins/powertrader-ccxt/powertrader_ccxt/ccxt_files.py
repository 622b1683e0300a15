"""What ccxt has, read from its source files without importing it (ccxt's import takes about
a second; listing plugins and resolving ``ccxt:<id>`` must stay fast).

- :func:`has_exchange`: whether ``ccxt.async_support`` has a class for an id.
- :func:`ccxt_parent`: the ccxt class an exchange's class derives from (``myokx`` -> ``okx``,
  ``binanceus`` -> ``binance``; ``Exchange`` -> None): an exchange that is a subclass of
  another in ccxt speaks that one's API, so it takes that family's rules (``profiles.py``).
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path

__all__ = ["ccxt_parent", "has_exchange"]


def _source(ccxt_id: str) -> Path | None:
    if not ccxt_id.isidentifier() or ccxt_id.startswith("_"):
        return None
    spec = importlib.util.find_spec("ccxt")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / "async_support" / f"{ccxt_id}.py"
        if path.is_file():
            return path
    return None


def has_exchange(ccxt_id: str) -> bool:
    """Whether ccxt has an async exchange ``ccxt_id``, without importing ccxt."""
    return _source(ccxt_id) is not None


@functools.cache
def ccxt_parent(ccxt_id: str) -> str | None:
    """The exchange class ``ccxt_id``'s class derives from in ccxt, or None (a class of its
    own, deriving from ccxt's ``Exchange`` base, or no such exchange).

    Read from the class statement of ``ccxt/async_support/<id>.py``
    (``class myokx(okx, ImplicitAPI):``), whose first base is the parent exchange.
    """
    path = _source(ccxt_id)
    if path is None:
        return None
    found = re.search(
        rf"^class {re.escape(ccxt_id)}\((\w+)", path.read_text(encoding="utf-8"), re.MULTILINE
    )
    if found is None or found.group(1) == "Exchange" or not has_exchange(found.group(1)):
        return None
    return found.group(1)
