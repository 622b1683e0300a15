"""The plugin system (pluggy): hookspecs, and the registry that loads entry points.

Reading order:

1. ``hookspecs``: the hooks a plugin may implement, their version, ``hookimpl``.
2. ``registry``: loading the ``powertrader`` entry points one by one (a broken plugin is
   recorded, never fatal), and the exchange classes they gave.
"""

from powertrader_core.plugins.hookspecs import (
    ENTRY_POINT_GROUP,
    HOOKSPEC_VERSION,
    PROJECT_NAME,
    hookimpl,
    hookspec,
)
from powertrader_core.plugins.registry import (
    PluginInfo,
    PluginRegistry,
    get_registry,
    plugin_records,
    reset_registry,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "HOOKSPEC_VERSION",
    "PROJECT_NAME",
    "PluginInfo",
    "PluginRegistry",
    "get_registry",
    "hookimpl",
    "hookspec",
    "plugin_records",
    "reset_registry",
]
