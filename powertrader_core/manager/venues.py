"""Which exchanges a manager may use, and building them lazily (the manager's venue pool).

An exchange is built the first time a call needs it, from the factory (which class is
registered under the name), the configuration manager (its saved or environment credentials)
and the settings (the region it must serve). Building is local and cheap; initialising (loading
markets, checking keys) may touch the network and happens once, under a lock, on first use.

Availability is worked out on every call rather than frozen at construction, so an exchange
registered after the manager was built (the seed's custom-exchange flow) takes part.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

from powertrader_core.enums import PAPER
from powertrader_core.errors import ConfigurationError, ExchangeError
from powertrader_core.exchange import AbstractExchange
from powertrader_core.factory import ExchangeFactory, regions_of
from powertrader_core.kit.names import exchange_key

__all__ = [
    "ConfigSource",
    "LiveGate",
    "VenuePool",
    "is_simulated",
    "paper_targets",
]


log = logging.getLogger("powertrader_core.manager")


class ConfigSource(Protocol):
    """What the pool needs of a configuration manager (``ExchangeConfigManager`` has it)."""

    def load_exchange_config(self, exchange_name: str) -> Mapping[str, Any]: ...


class VenuePool:
    """The exchanges one manager may use, built on first use and closed together."""

    def __init__(
        self,
        config: ConfigSource,
        region: str,
        restrict: Sequence[str] | None = None,
        *,
        opening: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """``opening()`` is awaited before an exchange is initialised (it may open sessions)."""
        self.config = config
        self._opening = opening
        self.region = exchange_key(region)
        self.restrict = None if restrict is None else [exchange_key(n) for n in restrict]
        if self.restrict is not None:
            for name in self.restrict:
                ExchangeFactory.get_exchange_class(name)  # unknown names fail here, clearly
        self._built: dict[str, AbstractExchange] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        #: Exchanges built without their keys because the keys could not be read (an
        #: encrypted file and no passphrase, a wrong one, a damaged file), and why.
        self.unreadable: dict[str, ConfigurationError] = {}

    # ---- which exchanges ----------------------------------------------------------------------

    def available(self) -> list[str]:
        """The by-default exchanges serving the region, or those named.

        The region decides the default set and which of a named set take part in fan-outs
        and routing (recommendations); it never refuses what a caller names alone: when no
        exchange named serves the region (``compare -e ccxt:gemini`` in region ``us``), they
        are used as named, and a single exchange named in a call (:meth:`resolve`) always is.
        :meth:`outside_region` gives the one-line note for such a use.
        """
        if self.restrict is not None:
            serving = [n for n in self.restrict if self.region in self.regions(n)]
            return serving or list(self.restrict)
        names = ExchangeFactory.get_available_exchanges(self.region)
        return [n for n in names if ExchangeFactory.get_exchange_class(n).include_by_default]

    @staticmethod
    def regions(name: str) -> list[str]:
        return [exchange_key(r) for r in regions_of(ExchangeFactory.get_exchange_class(name))]

    @staticmethod
    def exchange_class(name: str) -> type[AbstractExchange]:
        return ExchangeFactory.get_exchange_class(name)

    def resolve(self, name: object, operation: str) -> str:
        """Check a name the caller gave: registered and among this manager's. Named
        explicitly, it is used whatever the region (see :meth:`outside_region`)."""
        key = exchange_key(name)
        ExchangeFactory.get_exchange_class(key)  # unknown names fail here, clearly
        if self.restrict is not None and key not in self.restrict:
            raise ConfigurationError(
                f"not among this manager's exchanges ({', '.join(self.restrict) or 'none'})",
                exchange=key,
                operation=operation,
            )
        return key

    def outside_region(self, name: str) -> str | None:
        """A one-line note when ``name`` does not list this pool's region, else None."""
        served = self.regions(name)
        if self.region in served:
            return None
        return (
            f"{name} does not list region {self.region!r} (it lists {', '.join(served)}); "
            "used because it was named"
        )

    # ---- building ------------------------------------------------------------------------------

    def built(self) -> dict[str, AbstractExchange]:
        return dict(self._built)

    def build(self, name: str) -> AbstractExchange:
        """The exchange for ``name``, built now if it was not (no network)."""
        exchange = self._built.get(name)
        if exchange is not None:
            return exchange
        try:
            # Passed as loaded: the configuration manager's mapping masks secrets in its repr.
            config = self._config_or_public(name)
            exchange = ExchangeFactory.create_exchange(name, config)
        except ExchangeError as exc:
            if exc.exchange is None:
                raise ConfigurationError(str(exc), exchange=name, operation="build") from exc
            raise
        except Exception as exc:
            raise ConfigurationError(
                f"could not build the exchange: {type(exc).__name__}: {exc}",
                exchange=name,
                operation="build",
            ) from exc
        self._built[name] = exchange
        return exchange

    def _config_or_public(self, name: str) -> Mapping[str, Any]:
        """The exchange's configuration; when its keys cannot be read, none at all.

        Public data (prices, books) needs no key, so a locked or damaged credentials file
        must not take the exchange out of ``compare``: it is built without keys, and private
        calls are refused with the reason (:attr:`unreadable`), before anything is sent.
        """
        try:
            config = self.config.load_exchange_config(name)
        except ConfigurationError as exc:
            self.unreadable[name] = exc
            log.info("%s: keys not read (%s); public data only", name, exc)
            return {}
        self.unreadable.pop(name, None)
        return config

    async def acquire(self, name: str) -> AbstractExchange:
        """The exchange for ``name``, built and initialised (once, whoever asks first)."""
        exchange = self.build(name)
        if self._opening is not None:
            await self._opening()
        lock = self._locks.setdefault(name, asyncio.Lock())
        async with lock:
            await exchange.ensure_initialized()
        return exchange

    async def close(self) -> None:
        """Close every exchange built so far; a failing close is logged, the others still run."""
        built, self._built = self._built, {}
        self._locks.clear()
        results = await asyncio.gather(
            *(exchange.close() for exchange in built.values()), return_exceptions=True
        )
        for name, result in zip(built, results, strict=True):
            if isinstance(result, BaseException):
                log.warning("%s close failed: %s: %s", name, type(result).__name__, result)


class LiveGate:
    """Where orders may go while live trading is off: simulated exchanges only.

    Orders and cancels alike ask it before anything is sent. An exchange is simulated when
    its class declares ``simulated = True`` (the class's declared fact, never its name);
    anything else is real money. ``live_trading`` is read on every check, so a change of the
    manager's settings takes effect at once.
    """

    def __init__(self, pool: VenuePool, live_trading: Callable[[], bool]) -> None:
        self.pool = pool
        self.live_trading = live_trading

    def check(self, name: str, operation: str = "place_order") -> None:
        """Refuse a real exchange while live trading is off."""
        if not self.live_trading() and self.pool.exchange_class(name).simulated is not True:
            raise ConfigurationError(
                "live trading is off (settings.live_trading, POWERTRADER_LIVE_TRADING); "
                "orders go only to the paper exchange. Nothing was sent",
                exchange=name,
                operation=operation,
            )


def is_simulated(name: str) -> bool:
    """True for an exchange whose class declares it trades no real money (``simulated = True``,
    the class's declared fact, never its name)."""
    return ExchangeFactory.get_exchange_class(exchange_key(name)).simulated is True


def paper_targets(exchanges: Sequence[str] | None, operation: str) -> list[str]:
    """The simulated exchanges a command without ``--live`` may use; a real one is refused."""
    names = [exchange_key(name) for name in exchanges] if exchanges else [PAPER]
    for name in names:
        if not is_simulated(name):
            raise ConfigurationError(
                "a real exchange: add --live to use it (without --live, orders, balances and "
                "order lists use the paper exchange). Nothing was sent",
                exchange=name,
                operation=operation,
            )
    return names
