"""The order path does not turn back into the manager (issue 13): order safety sends orders
itself, takes no callbacks into the manager's private methods and passes nothing through."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import powertrader_core.orders as orders_package
from powertrader_core.manager.facade import MultiExchangeManager
from powertrader_core.orders.safety import OrderSafety


def test_orders_never_import_the_manager_facade() -> None:
    folder = Path(orders_package.__file__).parent
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("powertrader_core.manager.facade"), path.name


def test_order_safety_takes_no_callbacks_and_passes_nothing_through() -> None:
    params = inspect.signature(OrderSafety.__init__).parameters
    assert set(params) == {"self", "journal", "caller", "settler", "live", "policy"}
    assert not hasattr(OrderSafety, "reconcile") and not hasattr(OrderSafety, "get_order")
    assert not hasattr(MultiExchangeManager, "_send_order")
    assert not hasattr(MultiExchangeManager, "_check_live")
