"""Where the account commands act: the paper exchange unless ``--live``, and how they reach
an exchange for the calls the manager does not wrap (open orders).

Everything here moves or shows money, so the safe thing is the default: without ``--live``
``order``, ``balances``, ``orders`` and ``cancel`` act on the paper exchange (simulated fills,
an account kept in SQLite under the data directory, so an ``order`` shows up in the next
``balances`` and ``orders``). Naming a real exchange without ``--live`` is refused before
anything is sent. ``--live`` turns ``live_trading`` on for that command's manager only, never
in the settings file.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

if TYPE_CHECKING:
    from powertrader_core.exchange import AbstractExchange
    from powertrader_core.manager.facade import MultiExchangeManager

__all__ = [
    "LiveOption",
    "bounded",
    "failure_record",
    "live_targets",
    "split",
]

T = TypeVar("T")

LiveOption = Annotated[
    bool,
    typer.Option("--live", help="Use real exchanges and real money (default: the paper exchange)."),
]


async def live_targets(
    manager: MultiExchangeManager, exchanges: Sequence[str] | None
) -> list[str]:
    """Named exchanges, else the manager's exchanges that have credentials configured."""
    if exchanges:
        return [name.strip().lower() for name in exchanges]
    from powertrader_core.credentials.manager import ExchangeConfigManager

    available = manager.get_available_exchanges()
    source = manager.config_manager
    if isinstance(source, ExchangeConfigManager):
        configured = set(source.get_configured_exchanges())
        names = [name for name in available if name in configured]
    else:
        names = available
    if not names:
        from powertrader_core.errors import ConfigurationError

        raise ConfigurationError(
            "no exchange with credentials in this region; add some with "
            "`powertrader config set <exchange>` or name one with --exchange",
            operation="live",
        )
    return names


async def bounded(
    manager: MultiExchangeManager,
    name: str,
    operation: str,
    call: Callable[[AbstractExchange], Awaitable[T]],
) -> T:
    """One read the manager does not wrap: the core's bounded, retried, mapped read."""
    from powertrader_core.retry import RetryPolicy, bounded_read

    venue = await manager.get_exchange(name)
    return await bounded_read(
        name, operation, lambda: call(venue), RetryPolicy(),
        seconds=manager.settings.exchange_timeout,
    )


def failure_record(name: str, error: BaseException) -> dict[str, Any]:
    """A failed exchange as JSON and table rows show it."""
    return {"exchange": name, "error": str(error), "type": type(error).__name__}


def split(
    names: Sequence[str], answers: Sequence[T | BaseException]
) -> tuple[dict[str, T], list[dict[str, Any]]]:
    """``(answers by exchange, failure records)`` from one answer or error per exchange."""
    results: dict[str, T] = {}
    failures: list[dict[str, Any]] = []
    for name, answer in zip(names, answers, strict=True):
        if isinstance(answer, BaseException):
            failures.append(failure_record(name, answer))
        else:
            results[name] = answer
    return results, failures
