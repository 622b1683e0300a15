"""Exchange names: one spelling for every registry, table and file name.

Exchanges are registered, configured and journalled under lower-case names. Callers write
``"Kraken"``, ``" kraken "`` or ``ExchangeType.KRAKEN``; :func:`exchange_key` makes all of them
``"kraken"``, so that a table keyed by name (the factory, the venues, the credentials, the
journal) never holds the same exchange twice. Region names (``Region.US``, ``"us"``) follow the
same rule and use the same function.
"""

from __future__ import annotations

__all__ = ["exchange_key"]


def exchange_key(name: object) -> str:
    """The lower-case key for an exchange name or an enum member (its ``value``).

    ``None`` is the empty key: "no exchange given", which each caller refuses in its own words.
    """
    if name is None:
        return ""
    return str(getattr(name, "value", name)).strip().lower()
