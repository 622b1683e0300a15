"""The exception hierarchy of PowerTrader.

Every error the library raises on purpose is an :class:`ExchangeError`, so a caller that wants
to survive any exchange failure catches one class. Below it, the classes say what went wrong in
a way a caller can act on::

    ExchangeError                      base: .exchange, .operation, .message
    ├── ExchangeConnectionError        timeouts, DNS, resets, 5xx, maintenance    R
    ├── ExchangeAuthenticationError    bad or missing keys, signature refused     F
    ├── ExchangeRateLimitError         429 and friends; .retry_after when known   R F
    ├── ExchangeOrderError             the exchange refused or lost an order      F N
    │   ├── InsufficientFundsError                                                F N
    │   ├── InvalidOrderError          bad amount, price, precision, minimums     F N
    │   │   └── JournalConflict        this client order id is being placed       F N
    │   │                              elsewhere, or its entry moved on (also a
    │   │                              JournalError); .entry: the journal's row now
    │   └── OrderNotFoundError                                                    F N
    ├── SymbolNotSupportedError        the exchange does not list that market     F N
    ├── RegionNotSupportedError        the exchange does not serve that region    F N X
    ├── NotSupportedError              the exchange (or plugin) lacks that        F N
    │                                  capability
    ├── ConfigurationError             missing or invalid configuration and       F X
    │                                  credentials
    ├── JournalError                   the order journal could not be read or
    │                                  written: an order that needed it was not sent
    └── PluginError                    a plugin failed to load or broke the contract

What each error means for the caller is on the class, so no module keeps its own list:

- ``retryable`` (R): repeating the same read may succeed. Orders never retry on this alone.
- ``final_for_order`` (F): raised while placing an order, it is a refusal: the order was not
  placed and the same request would be refused again. The journal records ``rejected``; it is
  never resent or looked up.
- ``counts_against_health`` (N marks False): whether the exchange is unwell, rather than
  refusing one request it understood (an unknown market or a refused order prove it is up).
- ``fatal`` (X): no retry or reconnect can help until the user changes the configuration; a
  price stream stops instead of reconnecting.

Messages name the exchange and the operation (``kraken get_market_data: ...``) and never carry
a secret: whoever raises one passes only text that is safe to log.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ConfigurationError",
    "ExchangeAuthenticationError",
    "ExchangeConnectionError",
    "ExchangeError",
    "ExchangeOrderError",
    "ExchangeRateLimitError",
    "InsufficientFundsError",
    "InvalidOrderError",
    "JournalConflict",
    "JournalError",
    "NotSupportedError",
    "OrderNotFoundError",
    "PluginError",
    "RegionNotSupportedError",
    "SymbolNotSupportedError",
]


class ExchangeError(Exception):
    """Base of every PowerTrader error.

    ``exchange`` and ``operation`` are kept as attributes so that callers (the manager's health
    tracker, the command line) can report them without parsing the message.
    """

    #: Whether repeating the same read may succeed. Orders never retry on this alone.
    retryable: bool = False
    #: Raised while placing an order: a refusal, final (journaled ``rejected``, never resent).
    final_for_order: bool = False
    #: Whether it says the exchange is unwell (counted by the health tracker's breaker).
    counts_against_health: bool = True
    #: No retry or reconnect can help until the configuration changes.
    fatal: bool = False

    def __init__(
        self,
        message: str = "",
        *,
        exchange: str | None = None,
        operation: str | None = None,
    ) -> None:
        self.message = message
        self.exchange = exchange
        self.operation = operation
        super().__init__(self._compose())

    def _compose(self) -> str:
        prefix = " ".join(part for part in (self.exchange, self.operation) if part)
        if prefix and self.message:
            return f"{prefix}: {self.message}"
        return prefix or self.message

    def _extra_kwargs(self) -> dict[str, Any]:
        return {}

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments do not survive the default pickling of exceptions; errors
        # cross process boundaries (journals, workers), so rebuild them explicitly.
        kwargs = {"exchange": self.exchange, "operation": self.operation, **self._extra_kwargs()}
        return (_rebuild_error, (type(self), self.message, kwargs))


def _rebuild_error(cls: type[ExchangeError], message: str, kwargs: dict[str, Any]) -> ExchangeError:
    return cls(message, **kwargs)


class ExchangeConnectionError(ExchangeError):
    """The exchange could not be reached or did not answer properly.

    ``request_sent`` tells whether the request may have reached the exchange: ``False`` when it
    provably did not (DNS failure, connection refused), ``True`` or ``None`` (unknown) otherwise.
    Order safety depends on it: an order whose request may have been sent is reconciled, never
    blindly resent.
    """

    retryable = True

    def __init__(
        self,
        message: str = "",
        *,
        exchange: str | None = None,
        operation: str | None = None,
        request_sent: bool | None = None,
    ) -> None:
        self.request_sent = request_sent
        super().__init__(message, exchange=exchange, operation=operation)

    def _extra_kwargs(self) -> dict[str, Any]:
        return {"request_sent": self.request_sent}


class ExchangeAuthenticationError(ExchangeError):
    """The exchange refused the credentials (or there were none for a private call)."""

    final_for_order = True


class ExchangeRateLimitError(ExchangeError):
    """The exchange says we asked too often; ``retry_after`` (seconds) when it said so."""

    retryable = True
    final_for_order = True  # an order refused for the rate is not placed; never resent

    def __init__(
        self,
        message: str = "",
        *,
        exchange: str | None = None,
        operation: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, exchange=exchange, operation=operation)

    def _extra_kwargs(self) -> dict[str, Any]:
        return {"retry_after": self.retry_after}


class ExchangeOrderError(ExchangeError):
    """The exchange refused, or cannot find, an order. Final: never retried."""

    final_for_order = True
    counts_against_health = False  # the exchange answered: it is up


class InsufficientFundsError(ExchangeOrderError):
    """The account cannot pay for the order."""


class InvalidOrderError(ExchangeOrderError):
    """The order breaks a rule of the market: amount, price, precision, minimum size or cost."""


class OrderNotFoundError(ExchangeOrderError):
    """No order with that id exists at the exchange."""


class SymbolNotSupportedError(ExchangeError):
    """The exchange does not list that market."""

    final_for_order = True
    counts_against_health = False


class RegionNotSupportedError(ExchangeError):
    """The exchange does not serve the configured region."""

    final_for_order = True
    counts_against_health = False
    fatal = True


class NotSupportedError(ExchangeError):
    """The exchange or its plugin lacks the capability asked for."""

    final_for_order = True
    counts_against_health = False


class ConfigurationError(ExchangeError):
    """Configuration or credentials are missing, malformed or cannot be decrypted."""

    final_for_order = True
    fatal = True


class PluginError(ExchangeError):
    """A plugin could not be loaded, or broke the plugin contract."""


class JournalError(ExchangeError):
    """The order journal could not be read or written. An order that needed it was not sent."""


class JournalConflict(JournalError, InvalidOrderError):
    """This client order id is being placed elsewhere (another task or process), or its journal
    entry moved on (another writer got there first): nothing was sent.

    One type for both, whether the journal's state machine or the order path noticed it; it is
    an :class:`InvalidOrderError` (for this client id, now) and a :class:`JournalError`.
    ``entry`` is the journal's row as it is now (a ``JournalEntry``; None when unknown), so the
    caller can act on the truth: an order another process already found is returned, not
    resent.
    """

    def __init__(
        self,
        message: str = "",
        entry: Any = None,
        *,
        exchange: str | None = None,
        operation: str | None = "order journal",
    ) -> None:
        self.entry = entry
        super().__init__(message, exchange=exchange, operation=operation)

    def _extra_kwargs(self) -> dict[str, Any]:
        return {"entry": self.entry}
