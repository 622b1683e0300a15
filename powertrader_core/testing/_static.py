"""Checks on an exchange class that need no network, no event loop and no pytest.

In the spirit of scikit-learn's ``check_estimator``: a plugin author (or the plugin loader, or
a notebook) calls :func:`check_exchange_class` on a class and learns every way it breaks the
contract at once, each problem a sentence naming what to fix.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from powertrader_core.errors import ConfigurationError
from powertrader_core.exchange import (
    OPTIONAL_OPERATIONS,
    AbstractExchange,
    contract_message,
    operation_supported,
    unbuildable_problem,
)
from powertrader_core.factory import regions_of
from powertrader_core.models import Region
from powertrader_core.testing._spy import TransportSpy

__all__ = [
    "KNOWN_REGIONS",
    "ConformanceError",
    "check_exchange_class",
    "exchange_class_problems",
    "supported_operations",
]

#: The regions an exchange may declare.
KNOWN_REGIONS = frozenset(region.value for region in Region)

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.:-]*$")

_ORDER = object()  # stands for an OrderRequest when binding signatures

# Each coroutine of the contract, with calls the rest of the library makes: a plugin whose
# signature cannot take one of them breaks a caller (the manager, routing, the CLI).
COROUTINE_CALLS: Mapping[str, Sequence[tuple[tuple[Any, ...], dict[str, Any]]]] = {
    "initialize": [((), {})],
    "get_market_data": [(("BTC-USD",), {})],
    "place_order": [((_ORDER,), {})],
    "get_balance": [((), {}), (("BTC",), {})],
    "cancel_order": [(("id",), {}), (("id", "BTC-USD"), {})],
    "get_order": [(("id",), {}), (("id", "BTC-USD"), {}), ((), {"client_order_id": "c"})],
    "get_open_orders": [((), {}), (("BTC-USD",), {})],
    "get_order_book": [(("BTC-USD",), {}), (("BTC-USD", 5), {}), (("BTC-USD",), {"depth": 5})],
    "get_trading_fees": [(("BTC-USD",), {})],
    "get_balance_details": [((), {}), (("BTC",), {})],
    "get_market_data_batch": [((["BTC-USD"],), {})],
    "estimate_fill": [(("BTC-USD", "buy", Decimal(1)), {})],
    "close": [((), {})],
    "__aenter__": [((), {})],
    "__aexit__": [((None, None, None), {})],
}
SYNC_CALLS: Mapping[str, Sequence[tuple[tuple[Any, ...], dict[str, Any]]]] = {
    "normalize_symbol": [(("BTC-USD",), {})],
    "denormalize_symbol": [(("BTC-USD",), {})],
    "get_supported_regions": [((), {})],
    "supports": [(("get_order_book",), {})],
}

# Fake values for every credential field, to prove none of them leaks into a repr or message.
_FAKE_SECRET = "pt-conformance-secret-5f0c2a"


class ConformanceError(AssertionError):
    """An exchange breaks the plugin contract; the message lists every problem found.

    An ``AssertionError`` so that pytest shows it as a failed check, not as a crash.
    """

    def __init__(self, subject: str, problems: Sequence[str]) -> None:
        self.subject = subject
        self.problems = list(problems)
        super().__init__(contract_message(subject, self.problems))


def supported_operations(exchange: AbstractExchange | type[AbstractExchange]) -> dict[str, bool]:
    """Which operations of the contract a plugin implements (the rest raise NotSupportedError).

    ``get_market_data`` is always there (it is the one abstract method); each optional
    operation is True when the class implements it rather than inheriting the refusal. Read
    from the class: nothing is built, nothing is sent.
    """
    cls = exchange if isinstance(exchange, type) else type(exchange)
    report = {"get_market_data": not inspect.isabstract(cls)}
    report.update({op: operation_supported(cls, op) for op in OPTIONAL_OPERATIONS})
    return report


def check_exchange_class(cls: object) -> None:
    """Raise :class:`ConformanceError` listing every static problem of an exchange class."""
    problems = exchange_class_problems(cls)
    if problems:
        raise ConformanceError(getattr(cls, "__qualname__", repr(cls)), problems)


def exchange_class_problems(cls: object) -> list[str]:
    """Every way ``cls`` breaks the contract without running it: empty when it conforms.

    Checks that it is a concrete ``AbstractExchange`` subclass; that its name, regions,
    credential fields and flags are declared and well formed; that each method of the
    contract exists, is a coroutine (or is not) as callers expect, and accepts the calls the
    library makes; and that building it does no I/O and shows no credential.
    """
    if not (isinstance(cls, type) and issubclass(cls, AbstractExchange)):
        return [f"{cls!r} is not a subclass of powertrader_core.AbstractExchange"]
    problems: list[str] = []
    unbuildable = unbuildable_problem(cls)
    if unbuildable is not None:
        problems.append(unbuildable)
    problems += _declaration_problems(cls)
    problems += _method_problems(cls)
    if not inspect.isabstract(cls):
        problems += _construction_problems(cls)
    return problems


def _declaration_problems(cls: type[AbstractExchange]) -> list[str]:
    problems: list[str] = []
    name = cls.__dict__.get("name", cls.name)
    if not isinstance(name, str) or not _NAME_RE.match(name):
        problems.append(
            f"name must be a lower-case identifier such as 'kraken' (letters, digits, "
            f"'_.:-'), got {name!r}"
        )
    try:
        regions = regions_of(cls)
    except Exception as exc:  # noqa: BLE001 - any failure here is the plugin's
        problems.append(f"regions cannot be read: {type(exc).__name__}: {exc}")
    else:
        if not regions:
            problems.append(f"declares no regions (one or more of {sorted(KNOWN_REGIONS)})")
        unknown = [region for region in regions if region not in KNOWN_REGIONS]
        if unknown:
            problems.append(
                f"regions {unknown} are not among {sorted(KNOWN_REGIONS)} "
                "(use powertrader_core.Region)"
            )
    for attribute in ("required_credentials", "optional_credentials"):
        value = getattr(cls, attribute, None)
        if isinstance(value, str) or not isinstance(value, Sequence) or not all(
            isinstance(item, str) and item for item in value
        ):
            problems.append(f"{attribute} must be a sequence of field names, got {value!r}")
    overlap = set(cls.required_credentials) & set(cls.optional_credentials)
    if overlap:
        problems.append(f"credential fields both required and optional: {sorted(overlap)}")
    for attribute in ("streaming", "include_by_default"):
        if not isinstance(getattr(cls, attribute, None), bool):
            problems.append(f"{attribute} must be True or False")
    return problems


def _method_problems(cls: type[AbstractExchange]) -> list[str]:
    problems: list[str] = []
    for method, calls in COROUTINE_CALLS.items():
        function = getattr(cls, method, None)
        if function is None:
            problems.append(f"{method} is missing")
            continue
        if not inspect.iscoroutinefunction(function):
            problems.append(f"{method} must be a coroutine function (async def)")
        problems += _binding_problems(method, function, calls)
    for method, calls in SYNC_CALLS.items():
        function = getattr(cls, method, None)
        if function is None:
            problems.append(f"{method} is missing")
            continue
        if inspect.iscoroutinefunction(function):
            problems.append(f"{method} must be a plain method, not async: callers do not await it")
        problems += _binding_problems(method, function, calls)
    watch = getattr(cls, "watch_market_data", None)
    if inspect.iscoroutinefunction(watch):
        problems.append(
            "watch_market_data must return an async iterator (an async generator or a plain "
            "method returning one), not be a coroutine: callers write `async for`"
        )
    if cls.streaming and watch is AbstractExchange.watch_market_data:
        problems.append("streaming is True but watch_market_data is not implemented")
    check_config = inspect.getattr_static(cls, "check_config", None)
    if not isinstance(check_config, classmethod):
        problems.append("check_config must stay a classmethod (it runs before an instance exists)")
    return problems


def _binding_problems(
    method: str,
    function: Callable[..., Any],
    calls: Sequence[tuple[tuple[Any, ...], dict[str, Any]]],
) -> list[str]:
    try:
        signature = inspect.signature(function).replace(
            return_annotation=inspect.Signature.empty
        )
    except (TypeError, ValueError):
        return []  # builtins and some C-level callables: nothing to check
    problems = []
    for args, kwargs in calls:
        try:
            signature.bind(None, *args, **kwargs)
        except TypeError as exc:
            shown = ", ".join(
                [*("order_request" if a is _ORDER else repr(a) for a in args)]
                + [f"{k}={v!r}" for k, v in kwargs.items()]
            )
            problems.append(f"{method}{signature} cannot be called as {method}({shown}): {exc}")
    return problems


def _construction_problems(cls: type[AbstractExchange]) -> list[str]:
    """Build the class as the factory does: no I/O, its name kept, no credential shown."""
    problems: list[str] = []
    fields = [*cls.required_credentials, *cls.optional_credentials]
    fake = {field: f"{_FAKE_SECRET}-{index}" for index, field in enumerate(fields)}
    with TransportSpy() as spy:
        for config in (None, fake):
            label = "with its credentials" if config else "without configuration"
            try:
                instance = cls(config)
            except ConfigurationError as exc:
                # Refusing made-up credentials is fine; showing them is not.
                if config and any(value in str(exc) for value in fake.values()):
                    problems.append(f"building it {label} raised an error that shows a credential")
                continue
            except Exception as exc:  # noqa: BLE001
                problems.append(
                    f"building it {label} (cls(config), as the factory does) raised "
                    f"{type(exc).__name__}: {exc}"
                )
                continue
            if instance.name != cls.name:
                problems.append(f"an instance is named {instance.name!r}, its class {cls.name!r}")
            if not isinstance(getattr(instance, "config", None), dict):
                problems.append("an instance has no config dict (call super().__init__())")
            shown = f"{instance!r} {instance!s}"
            if config and any(value in shown for value in fake.values()):
                problems.append("repr() or str() of an instance shows a credential")
        if spy.requests:
            problems.append(f"building it sent {spy.requests} request(s); connect in initialize()")
        if spy.sessions:
            problems.append(
                "building it opened a network session; open sessions in initialize() or on "
                "first use, so that an exchange never used leaves nothing to close"
            )
        spy.forget_sessions()
    try:
        config_problems = cls.check_config(fake)
        missing = cls.check_config({})
    except Exception as exc:  # noqa: BLE001
        problems.append(f"check_config raised {type(exc).__name__}: {exc}")
    else:
        text = " ".join(str(problem) for problem in [*config_problems, *missing])
        if any(value in text for value in fake.values()):
            problems.append("check_config shows a configured value in a problem's text")
        absent = [field for field in cls.required_credentials if field not in text]
        if absent:
            problems.append(f"check_config({{}}) does not name missing field(s) {absent}")
    return problems
