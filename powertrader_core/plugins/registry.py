"""Plugin discovery with pluggy: the plugin manager, entry point loading, what each plugin gave.

A plugin is a module with ``@hookimpl`` functions, named by an entry point in the group
``powertrader``::

    [project.entry-points.powertrader]
    myexchange = "my_package.plugin"

Entry points are loaded one by one, so a plugin that fails to import, targets another version
of the hookspecs, or returns something that is not an exchange class is recorded with its error
(``powertrader plugins`` shows it) while the others still load. pluggy's own
``load_setuptools_entrypoints`` stops at the first failure, which is why it is not used.

Environment:

- ``POWERTRADER_DISABLE_PLUGINS=name,name`` skips those entry points.
- ``POWERTRADER_TRACE_PLUGINS=1`` logs every hook call (logger ``powertrader_core.plugins``).
"""

from __future__ import annotations

import logging
import os
import reprlib
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from importlib import metadata

from powertrader_core.errors import PluginError
from powertrader_core.exchange import AbstractExchange
from powertrader_core.plugins.hookspecs import (
    ENTRY_POINT_GROUP,
    HOOKSPEC_VERSION,
    PROJECT_NAME,
    HookSpecs,
)

__all__ = [
    "PluginInfo",
    "PluginRegistry",
    "get_registry",
    "plugin_records",
    "reset_registry",
]

log = logging.getLogger("powertrader_core.plugins")


@dataclass
class PluginInfo:
    """What is known of one plugin: where it came from, what it gave, what went wrong."""

    name: str
    module: str
    distribution: str | None = None
    version: str | None = None
    exchanges: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _disabled_names() -> set[str]:
    raw = os.environ.get("POWERTRADER_DISABLE_PLUGINS", "")
    return {part.strip().lower() for part in raw.split(",") if part.strip()}


def _trace_enabled() -> bool:
    return os.environ.get("POWERTRADER_TRACE_PLUGINS", "").strip().lower() in {"1", "true", "yes"}


def _show_trace_log() -> None:
    """Make the trace visible: INFO on this logger, and stderr when nothing is configured.

    Without this the trace would vanish in the command line, where logging is not set up
    (Python's last-resort handler shows warnings only). An application that configured
    logging keeps its own handlers.
    """
    if log.getEffectiveLevel() > logging.INFO:
        log.setLevel(logging.INFO)
    if not log.hasHandlers():
        handler = logging.StreamHandler()  # stderr: stdout stays machine-readable
        handler.setFormatter(logging.Formatter("powertrader trace: %(message)s"))
        log.addHandler(handler)


class PluginRegistry:
    """The plugin manager and what it loaded: plugins and the exchange classes they gave."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(PROJECT_NAME)
        self.pm.add_hookspecs(HookSpecs)
        self.plugins: dict[str, PluginInfo] = {}
        self.exchanges: dict[str, type[AbstractExchange]] = {}
        self._exchange_owner: dict[str, str] = {}
        if _trace_enabled():
            self._enable_tracing()

    def _enable_tracing(self) -> None:
        _show_trace_log()

        def before(hook_name: str, impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
            names = [impl.plugin_name for impl in impls]
            log.info("hook %s called on %s with %s", hook_name, names, dict(kwargs))

        def after(outcome: Any, hook_name: str, impls: Sequence[Any], kwargs: Any) -> None:
            exc = outcome.exception
            shown = f"error {exc!r}" if exc else reprlib.repr(outcome.get_result())
            log.info("hook %s returned %s", hook_name, shown)

        self.pm.add_hookcall_monitoring(before, after)

    # ---- loading ----------------------------------------------------------------------------

    def load_entry_points(self, entry_points: Iterable[metadata.EntryPoint] | None = None) -> None:
        """Load every ``powertrader`` entry point, each on its own, recording failures."""
        if entry_points is None:
            from importlib import metadata  # deferred: scanning entry points is costly

            entry_points = metadata.entry_points(group=ENTRY_POINT_GROUP)
        disabled = _disabled_names()
        for ep in entry_points:
            if ep.name.lower() in disabled or ep.name in self.plugins:
                continue
            log.info("loading plugin %s from %s", ep.name, ep.value)  # shown when tracing
            dist = getattr(ep, "dist", None)
            info = PluginInfo(
                name=ep.name,
                module=ep.value,
                distribution=dist.name if dist is not None else None,
                version=dist.version if dist is not None else None,
            )
            try:
                module = ep.load()
            except Exception as exc:  # noqa: BLE001 - any import failure is the plugin's
                info.error = f"import failed: {type(exc).__name__}: {exc}"
                self._record(info)
                continue
            self.register_plugin(module, info)

    def register_plugin(self, plugin: ModuleType | object, info: PluginInfo) -> PluginInfo:
        """Register one plugin object and collect its exchanges; errors are recorded."""
        try:
            self._check_version(plugin, info.name)
            self.pm.register(plugin, name=info.name)
        except Exception as exc:  # noqa: BLE001 - a bad plugin must not stop the others
            info.error = (
                str(exc) if isinstance(exc, PluginError) else f"{type(exc).__name__}: {exc}"
            )
            self._record(info)
            return info
        try:
            classes = self._exchanges_of(plugin, info.name)
        except Exception as exc:  # noqa: BLE001
            self.pm.unregister(plugin)
            info.error = str(exc) if isinstance(exc, PluginError) else (
                f"powertrader_exchanges raised {type(exc).__name__}: {exc}"
            )
            self._record(info)
            return info
        for exchange_name, cls in classes.items():
            owner = self._exchange_owner.get(exchange_name)
            if exchange_name in self.exchanges and owner != info.name:
                log.warning(
                    "plugin %s: exchange %r is already provided by %s; keeping the first",
                    info.name,
                    exchange_name,
                    owner,
                )
                continue
            self.exchanges[exchange_name] = cls
            self._exchange_owner[exchange_name] = info.name
            info.exchanges.append(exchange_name)
        self._record(info)
        return info

    def _record(self, info: PluginInfo) -> None:
        self.plugins[info.name] = info
        if info.error:
            log.warning("plugin %s not loaded: %s", info.name, info.error)

    @staticmethod
    def _check_version(plugin: object, plugin_name: str) -> None:
        declared = getattr(plugin, "POWERTRADER_HOOKSPEC_VERSION", HOOKSPEC_VERSION)
        if declared != HOOKSPEC_VERSION:
            raise PluginError(
                f"plugin {plugin_name!r} was written for hookspec version {declared!r}; "
                f"this powertrader-core speaks version {HOOKSPEC_VERSION}; install a release "
                "of the plugin made for it",
                operation="load plugin",
            )

    def _exchanges_of(self, plugin: object, plugin_name: str) -> dict[str, type[AbstractExchange]]:
        """Call this plugin's ``powertrader_exchanges`` alone and check what it returned."""
        others = [p for p in self.pm.get_plugins() if p is not plugin]
        caller: Callable[..., list[Any]] = self.pm.subset_hook_caller(
            "powertrader_exchanges", remove_plugins=others
        )
        found: dict[str, type[AbstractExchange]] = {}
        for returned in caller():
            items: Iterable[tuple[str | None, Any]]
            if isinstance(returned, Mapping):
                items = returned.items()
            elif isinstance(returned, Iterable) and not isinstance(returned, (str, bytes)):
                items = ((None, item) for item in returned)
            else:
                raise PluginError(
                    f"plugin {plugin_name!r}: powertrader_exchanges returned {returned!r}, "
                    "not a list of exchange classes",
                    operation="load plugin",
                )
            for key, cls in items:
                if not (isinstance(cls, type) and issubclass(cls, AbstractExchange)):
                    raise PluginError(
                        f"plugin {plugin_name!r}: powertrader_exchanges returned {cls!r}, "
                        "which is not an AbstractExchange subclass",
                        operation="load plugin",
                    )
                found[(key or cls.name).lower()] = cls
        return found

    def resolve(self, name: str) -> type[AbstractExchange] | None:
        """Ask plugins for a class for a dynamic name such as ``ccxt:gemini``."""
        result: type[AbstractExchange] | None = self.pm.hook.powertrader_resolve_exchange(name=name)
        return result


_registry: PluginRegistry | None = None
_lock = threading.Lock()


def get_registry() -> PluginRegistry:
    """The process-wide registry, loading entry points on first use (not at import)."""
    global _registry
    with _lock:
        if _registry is None:
            registry = PluginRegistry()
            registry.load_entry_points()
            _registry = registry
        return _registry


def reset_registry() -> None:
    """Forget loaded plugins so the next use rediscovers them (tests, after installs)."""
    global _registry
    with _lock:
        _registry = None


def plugin_records() -> list[dict[str, Any]]:
    """One JSON-ready record per plugin, sorted by name (what ``--json`` prints)."""
    return [_record(info) for info in sorted(get_registry().plugins.values(), key=_name)]


def _name(info: PluginInfo) -> str:
    return info.name


def _record(info: PluginInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "module": info.module,
        "distribution": info.distribution,
        "version": info.version,
        "exchanges": list(info.exchanges),
        "ok": info.ok,
        "error": info.error,
    }
