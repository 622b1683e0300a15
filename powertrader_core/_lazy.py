"""Lazy re-exports for package ``__init__`` modules (PEP 562), written once.

A package's public names load on first use, so importing one module of a package never runs
the others: ``powertrader_core.orders.safety`` can use ``powertrader_core.manager.calls``
without ``powertrader_core.manager`` importing its facade (which imports ``orders.safety``)
half-way through. Type checkers see the names through each package's ``TYPE_CHECKING`` imports.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, namespace: MutableMapping[str, Any], targets: Mapping[str, tuple[str, str]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: name -> (module, attribute or "").

    An empty attribute names the module itself. A loaded name is stored in the package's
    namespace, so it costs one dictionary look-up after the first use.
    """

    def __getattr__(name: str) -> Any:
        target = targets.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module_name, attribute = target
        module = importlib.import_module(module_name)
        value = getattr(module, attribute) if attribute else module
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(targets))

    return __getattr__, __dir__
