"""``ExchangeFactory``: build exchanges by name from plugins and run-time registrations.

Names registered at run time (``register_exchange``) win over plugins' names, so a user can
replace a plugin's exchange or add a second account (``register_exchange("kraken_sub",
KrakenExchange)``); an instance always carries the name it was created under.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from powertrader_core.errors import ConfigurationError
from powertrader_core.exchange import AbstractExchange, contract_message, unbuildable_problem
from powertrader_core.kit.names import exchange_key
from powertrader_core.models import ExchangeType
from powertrader_core.plugins.registry import get_registry

__all__ = ["ExchangeFactory", "regions_of"]

_runtime: dict[str, type[AbstractExchange]] = {}


def regions_of(cls: type[AbstractExchange]) -> list[str]:
    """The regions a class serves, read from its ``regions`` attribute: nothing is built.

    A class that answers ``get_supported_regions`` with a literal list (the seed's examples)
    had that list copied into ``regions`` when it was defined (see ``AbstractExchange``).
    """
    return [str(getattr(region, "value", region)) for region in cls.regions]


class ExchangeFactory:
    """Factory for creating exchange instances (the seed's static-method interface)."""

    @staticmethod
    def register_exchange(name: str, exchange_class: type[AbstractExchange]) -> None:
        """Register an exchange class under ``name`` for this process.

        A class that cannot be built (abstract methods left) is refused here, with the
        conformance kit's words, rather than later when something asks for it.
        """
        if not (isinstance(exchange_class, type) and issubclass(exchange_class, AbstractExchange)):
            raise ConfigurationError(
                f"cannot register {exchange_class!r} as {name!r}: not an AbstractExchange subclass",
                operation="register_exchange",
            )
        problem = unbuildable_problem(exchange_class)
        if problem is not None:
            subject = f"{exchange_class.__qualname__} (registered as {name!r})"
            raise ConfigurationError(
                contract_message(subject, [problem]), operation="register_exchange"
            )
        _runtime[exchange_key(name)] = exchange_class

    @staticmethod
    def unregister_exchange(name: str) -> None:
        """Remove a run-time registration (plugins' exchanges stay)."""
        _runtime.pop(exchange_key(name), None)

    @staticmethod
    def get_exchange_class(exchange_type: str | ExchangeType) -> type[AbstractExchange]:
        """The class registered under a name, or ``ConfigurationError`` listing the known ones."""
        key = exchange_key(exchange_type)
        if key in _runtime:
            return _runtime[key]
        registry = get_registry()
        if key in registry.exchanges:
            return registry.exchanges[key]
        resolved = registry.resolve(key)
        if resolved is not None:
            return resolved
        known = ", ".join(ExchangeFactory.get_available_exchanges()) or "none installed"
        raise ConfigurationError(
            f"unknown exchange {key!r}; known exchanges: {known}", operation="create_exchange"
        )

    @staticmethod
    def create_exchange(
        exchange_type: str | ExchangeType, config: Mapping[str, Any] | None = None
    ) -> AbstractExchange:
        """Build an exchange by name; it reports that name in its results and status."""
        key = exchange_key(exchange_type)
        cls = ExchangeFactory.get_exchange_class(key)
        exchange = cls(dict(config) if config is not None else None)
        exchange.name = key
        return exchange

    @staticmethod
    def get_available_exchanges(region: str | None = None) -> list[str]:
        """Every registered exchange name, or those serving ``region``."""
        classes = {**get_registry().exchanges, **_runtime}
        names = sorted(classes)
        if region is None:
            return names
        wanted = exchange_key(region)
        return [name for name in names if wanted in regions_of(classes[name])]
