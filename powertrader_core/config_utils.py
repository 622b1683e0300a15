"""The seed's configuration helpers: validate a config, recommend exchanges, test a connection.

``get_recommended_exchanges(region)`` ranks the installed exchanges that declare the region,
most useful first:

1. A real USD market before a stable-coin stand-in. Where an exchange quotes ``BTC-USDT`` for
   ``BTC-USD`` (its class's ``symbol_format`` says so), prices and balances are in a token,
   not dollars; an exchange whose class declares no ``symbol_format`` is ranked between the
   two, since nothing is known either way.
2. Broader coverage: more regions served, a sign of a larger, more liquid venue.
3. Pushed quotes (``streaming``) before polling only.
4. The seed's own list order (``ExchangeType``), then the name, so the result is stable.

Exchanges that take part only where named (``include_by_default = False``, such as the paper
exchange) are never recommended for live trading.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from powertrader_core.errors import ConfigurationError
from powertrader_core.kit.names import exchange_key
from powertrader_core.models import ExchangeType, Region

if TYPE_CHECKING:
    from powertrader_core.credentials.manager import ExchangeConfigManager
    from powertrader_core.exchange import AbstractExchange

__all__ = [
    "exchange_config_problems",
    "get_recommended_exchanges",
    "test_exchange_connection",
    "validate_exchange_config",
]

log = logging.getLogger(__name__)

_SEED_ORDER = {member.value: index for index, member in enumerate(ExchangeType)}


def exchange_config_problems(exchange_name: str, config: Mapping[str, Any]) -> list[str]:
    """What is missing or malformed in ``config`` for that exchange (empty when usable).

    Raises ``ConfigurationError`` listing the known exchanges when the name is unknown.
    """
    from powertrader_core.credentials.manager import ExchangeConfigManager, check_with

    cls = ExchangeConfigManager.exchange_class(exchange_name, "validate_exchange_config")
    if not isinstance(config, Mapping):
        return [f"the configuration must be a mapping, not {type(config).__name__}"]
    return check_with(cls, config)


def validate_exchange_config(exchange_name: str, config: Mapping[str, Any]) -> bool:
    """True when ``config`` has every credential the exchange's plugin declares, well formed.

    The problems are logged (field names only, never values); ``exchange_config_problems``
    returns them.
    """
    problems = exchange_config_problems(exchange_name, config)
    for problem in problems:
        log.info("%s: %s", exchange_name, problem)
    return not problems


def _usd_rank(cls: type[AbstractExchange]) -> int:
    from powertrader_core.symbols import CANONICAL_FORMAT

    fmt = cls.symbol_format
    if fmt.usd_substitute:
        return 2
    return 1 if fmt is CANONICAL_FORMAT else 0  # the default: the class declared nothing


def get_recommended_exchanges(region: str | Region) -> list[str]:
    """Installed exchanges serving ``region``, best first (the ranking is in the module doc)."""
    from powertrader_core.factory import ExchangeFactory, regions_of

    wanted = exchange_key(region)
    valid = [member.value for member in Region]
    if wanted not in valid:
        raise ConfigurationError(
            f"unknown region {region!r}; expected one of: {', '.join(valid)}",
            operation="get_recommended_exchanges",
        )
    ranked: list[tuple[tuple[int, int, int, int, str], str]] = []
    for name in ExchangeFactory.get_available_exchanges(wanted):
        try:
            cls = ExchangeFactory.get_exchange_class(name)
        except ConfigurationError:
            continue
        if not cls.include_by_default:
            continue
        key = (
            _usd_rank(cls),
            -len(set(regions_of(cls))),
            0 if cls.streaming else 1,
            _SEED_ORDER.get(name, len(_SEED_ORDER)),
            name,
        )
        ranked.append((key, name))
    return [name for _, name in sorted(ranked)]


async def test_exchange_connection(
    exchange_name: str,
    config_manager: ExchangeConfigManager | None = None,
    *,
    symbol: str = "BTC-USD",
    timeout: float = 30.0,  # noqa: ASYNC109 - a timeout must give False, not an exception
) -> bool:
    """A real round trip: build, initialise, fetch ``symbol``'s quote, close.

    True when all of it worked. Any failure (unknown exchange, bad credentials, network,
    timeout) returns False and is logged with its reason; it never raises.
    """
    from powertrader_core.factory import ExchangeFactory

    try:
        if config_manager is None:
            from powertrader_core.credentials.manager import ExchangeConfigManager

            config_manager = ExchangeConfigManager()
        # Files and scrypt are blocking work: keep them off the event loop.
        config = await asyncio.to_thread(config_manager.load_exchange_config, exchange_name)
        exchange = ExchangeFactory.create_exchange(exchange_name, config)
    except Exception as exc:  # noqa: BLE001 - the contract is "False with the reason logged"
        log.warning("%s connection test failed: %s", exchange_name, _reason(exc))
        return False
    try:
        async with asyncio.timeout(timeout):
            if not await exchange.initialize():
                log.warning("%s connection test failed: initialize returned False", exchange_name)
                return False
            data = await exchange.get_market_data(symbol)
        log.info("%s connection test passed: %s %s", exchange_name, symbol, data.price)
        return True
    except TimeoutError:
        log.warning("%s connection test failed: no answer within %ss", exchange_name, timeout)
        return False
    except Exception as exc:  # noqa: BLE001
        log.warning("%s connection test failed: %s", exchange_name, _reason(exc))
        return False
    finally:
        try:
            await exchange.close()
        except Exception as exc:  # noqa: BLE001 - closing must not turn a result into an error
            log.warning("%s: close after the test failed: %s", exchange_name, _reason(exc))


# Not a test case: keep pytest from collecting it wherever it is imported.
test_exchange_connection.__test__ = False  # type: ignore[attr-defined]


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
