"""The one table that turns ccxt's exceptions into PowerTrader's.

ccxt's hierarchy says what went wrong from ccxt's point of view; ours says what a caller can do
about it (retry a read, reconcile an order, fix the keys). :data:`CCXT_ERROR_TABLE` maps ccxt
class names to ours; an exception is looked up by walking its class's MRO, so the most specific
row wins and no ccxt import is needed here.

Corrections the table alone cannot make, applied from the HTTP answer ccxt saw:

- ccxt files 400, 403, 404, 405, 409, 410 and 451 answers under ``ExchangeNotAvailable``, a
  ``NetworkError``. Those are rejections, not outages: retrying them is useless (and, for an
  order, unsafe). They become order, authentication, region or plain errors by status.
- A body that is not JSON (an HTML error page, a truncated answer) surfaces from ccxt as a
  ``BadResponse``, an aiohttp payload error wrapped in ccxt's ``ExchangeError``, or a parser's
  ``TypeError``: all are the exchange "not answering properly", a connection error.
- ``request_sent`` is False only when provably so: the connection was refused, the name did
  not resolve, or the TCP/TLS connection never came up.

Messages name the exchange and the operation (through our error's ``exchange`` and
``operation``) and are scrubbed (:func:`powertrader_core.kit.scrub`) of the configured secrets
and of signed parameters, which ccxt echoes in its messages with URLs and bodies.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from powertrader_core.errors import (
    ConfigurationError,
    ExchangeAuthenticationError,
    ExchangeConnectionError,
    ExchangeError,
    ExchangeOrderError,
    ExchangeRateLimitError,
    InsufficientFundsError,
    InvalidOrderError,
    NotSupportedError,
    OrderNotFoundError,
    RegionNotSupportedError,
    SymbolNotSupportedError,
)
from powertrader_core.kit import parse_retry_after, scrub

__all__ = [
    "CCXT_ERROR_TABLE",
    "ORDER_OPERATIONS",
    "HttpRecord",
    "LocalSigningError",
    "Rule",
    "translate",
    "unreadable_answer",
]

#: Operations that send or change an order: a rejection there is an order error.
ORDER_OPERATIONS = frozenset({"place_order", "cancel_order"})


@dataclass(frozen=True)
class Rule:
    """Our class for an order operation, our class otherwise, and what to say."""

    order_error: type[ExchangeError]
    other_error: type[ExchangeError]
    summary: str


def _same(cls: type[ExchangeError], summary: str) -> Rule:
    return Rule(cls, cls, summary)


#: ccxt exception class name -> rule. Looked up along the exception's MRO, most specific first.
CCXT_ERROR_TABLE: Mapping[str, Rule] = {
    # orders
    "OrderNotFound": _same(OrderNotFoundError, "order not found"),
    "DuplicateOrderId": _same(InvalidOrderError, "an order with this client order id exists"),
    "OrderImmediatelyFillable": _same(InvalidOrderError, "post-only order would fill at once"),
    "OrderNotFillable": _same(InvalidOrderError, "order cannot be filled"),
    "InvalidOrder": _same(InvalidOrderError, "order refused"),
    "InsufficientFunds": _same(InsufficientFundsError, "insufficient funds"),
    "CancelPending": _same(ExchangeOrderError, "a cancel is already pending"),
    # markets and capabilities
    "BadSymbol": _same(SymbolNotSupportedError, "market not listed"),
    "NotSupported": _same(NotSupportedError, "not supported by the exchange"),
    "MarketClosed": Rule(InvalidOrderError, ExchangeError, "market closed"),
    "RestrictedLocation": _same(RegionNotSupportedError, "not available from this location"),
    # credentials
    "AccountSuspended": _same(ExchangeAuthenticationError, "account suspended"),
    "PermissionDenied": _same(ExchangeAuthenticationError, "permission denied"),
    "AuthenticationError": _same(ExchangeAuthenticationError, "authentication failed"),
    # bad requests
    "ArgumentsRequired": Rule(InvalidOrderError, ExchangeError, "request incomplete"),
    "BadRequest": Rule(InvalidOrderError, ExchangeError, "request refused"),
    "OperationRejected": Rule(InvalidOrderError, ExchangeError, "operation refused"),
    # throttling
    "RateLimitExceeded": _same(ExchangeRateLimitError, "rate limit exceeded"),
    "DDoSProtection": _same(ExchangeRateLimitError, "rate limited (DDoS protection)"),
    # the network and the exchange's health
    "InvalidNonce": _same(ExchangeConnectionError, "nonce refused (another client on this key?)"),
    "OnMaintenance": _same(ExchangeConnectionError, "exchange under maintenance"),
    "RequestTimeout": _same(ExchangeConnectionError, "request timed out"),
    "ExchangeNotAvailable": _same(ExchangeConnectionError, "exchange not available"),
    "NetworkError": _same(ExchangeConnectionError, "network error"),
    "BadResponse": _same(ExchangeConnectionError, "unreadable answer"),
    "NullResponse": _same(ExchangeConnectionError, "empty answer"),
    "ExchangeClosedByUser": _same(ExchangeError, "exchange closed"),
    "ExchangeError": _same(ExchangeError, "exchange error"),
    "BaseError": _same(ExchangeError, "exchange error"),
}


@dataclass
class HttpRecord:
    """What one ccxt call last saw over HTTP: filled by the exchange's response hook."""

    status: int | None = None
    headers: Mapping[str, str] | None = None
    body_head: str | None = None  # the first characters of the body, for messages
    json_like: bool | None = None  # the whole body looked like one JSON document
    method: str | None = None
    url: str | None = None
    waited: float = 0.0  # seconds spent in our rate limiter during the call
    sent_at: float | None = None  # epoch seconds the last request left our limiter for ccxt

    def note_body(self, body: str) -> None:
        """Note one answer's body. ``json_like`` stays False once any answer was not JSON."""
        if self.json_like is False:
            return  # keep the first bad body: it is what went wrong
        head, tail = body[:256].lstrip(), body[-64:].rstrip()  # no copy of a large body
        self.body_head = head[:200]
        self.json_like = head[:1] in ("{", "[") and tail[-1:] in ("}", "]")


class LocalSigningError(Exception):
    """A request failed while being built here (ccxt's ``sign``): nothing left the machine.

    Raised by the client's instrumented ``sign`` (``client.py``) around any exception that is
    not ccxt's own: a Kraken secret that is not base64, a PEM key that does not load. It is
    a configuration problem, never an order that "may exist".
    """

    def __init__(self, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause


# ---- secrets ------------------------------------------------------------------------------

_MAX_DETAIL = 300


def _detail(exc: BaseException, exchange_id: str, secrets: Iterable[str]) -> str:
    text = " ".join(str(exc).split())
    if text.startswith(exchange_id + " "):
        text = text[len(exchange_id) + 1 :]
    text = scrub(text, secrets)
    if len(text) > _MAX_DETAIL:
        text = text[: _MAX_DETAIL - 3] + "..."
    return text


# ---- HTTP facts ---------------------------------------------------------------------------

_STATUS_IN_MESSAGE = re.compile(r"\s(\d{3})\s")


def _status_of(exc: BaseException, record: HttpRecord | None) -> int | None:
    if record is not None and record.status is not None:
        return record.status
    # ccxt's handle_http_status_code: "<id> <METHOD> <url> <status> <reason> <body>"
    match = _STATUS_IN_MESSAGE.search(str(exc))
    if match and type(exc).__name__ in ("ExchangeNotAvailable", "RequestTimeout"):
        status = int(match.group(1))
        if 400 <= status <= 599:
            return status
    return None


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _provably_not_sent(exc: BaseException) -> bool:
    """True when the request never left: refused, unresolvable, or no connection made."""
    for cause in _causes(exc)[1:]:
        name = type(cause).__name__
        if isinstance(cause, (ConnectionRefusedError, socket.gaierror)):
            return True
        # aiohttp.ClientConnectorError (and its DNS/SSL subclasses): the connection never
        # came up, so no byte of the request was written. ConnectionTimeoutError: the same,
        # timed out while connecting.
        if name.startswith("ClientConnector") or name == "ConnectionTimeoutError":
            return True
    return False


def _unresolved_host(exc: BaseException) -> str | None:
    """The host name that could not be resolved (DNS: usually no network), if that is why.

    aiohttp raises ``ClientConnectorDNSError`` (carrying ``host``) over ``socket.gaierror``;
    a bare ``gaierror`` names no host, so the exchange's own name stands in for it then.
    """
    for cause in _causes(exc)[1:]:
        if type(cause).__name__ == "ClientConnectorDNSError":
            return str(getattr(cause, "host", "") or "") or "the exchange's host"
        if isinstance(cause, socket.gaierror):
            return "the exchange's host"
    return None


def _outage_summary(status: int | None, exc: BaseException, summary: str) -> str:
    """What an outage-class error says: no network (DNS) and the exchange answering 5xx are
    different troubles for the user, so they read differently."""
    host = _unresolved_host(exc)
    if host is not None:
        return f"cannot resolve {host}: no network?"
    if status is not None and 500 <= status <= 599:
        return f"the exchange answered HTTP {status} ({summary})"
    return summary


def _payload_broken(exc: BaseException) -> bool:
    names = ("ClientPayloadError", "ContentLengthError")
    return any(type(c).__name__ in names for c in _causes(exc))


def _rule_for(exc: BaseException) -> tuple[str, Rule] | None:
    for klass in type(exc).__mro__:
        rule = CCXT_ERROR_TABLE.get(klass.__name__)
        if rule is not None and klass.__module__.startswith("ccxt"):
            return klass.__name__, rule
    return None


def _by_status(status: int, operation: str) -> tuple[type[ExchangeError], str] | None:
    """Rejections ccxt filed as outages, by HTTP status; None keeps the table's answer."""
    is_order = operation in ORDER_OPERATIONS
    if status in (401, 407):
        return ExchangeAuthenticationError, f"HTTP {status}: credentials refused"
    if status == 403:
        return (
            ExchangeAuthenticationError,
            "HTTP 403: access forbidden (key permissions, IP or region block)",
        )
    if status == 451:
        return RegionNotSupportedError, "HTTP 451: not available from this location"
    if status == 404:
        if operation in ("get_order", "cancel_order"):
            return OrderNotFoundError, "HTTP 404: not found"
        return (InvalidOrderError if is_order else ExchangeError), "HTTP 404: not found"
    if status in (400, 405, 409, 410, 422):
        kind = InvalidOrderError if is_order else ExchangeError
        return kind, f"HTTP {status}: request refused (not retried)"
    return None


def translate(
    exc: BaseException,
    *,
    exchange: str,
    exchange_id: str,
    operation: str,
    record: HttpRecord | None = None,
    secrets: Iterable[str] = (),
) -> ExchangeError:
    """Our exception for ``exc`` raised by ccxt during ``operation``.

    Exceptions that are not ccxt's (a parser tripping over an HTML page: ``TypeError``,
    ``KeyError``...) are the exchange not answering properly when the body was not JSON, and a
    plain ``ExchangeError`` otherwise.
    """
    secrets = tuple(secrets)
    detail = _detail(exc, exchange_id, secrets)
    if isinstance(exc, LocalSigningError):
        return ConfigurationError(
            f"the request could not be signed here, so nothing was sent ({detail}); check the "
            "key's format with: powertrader config validate",
            exchange=exchange,
            operation=operation,
        )
    found = _rule_for(exc)
    status = _status_of(exc, record)

    if found is None:
        if _payload_broken(exc) or not _looks_like_json(record):
            return ExchangeConnectionError(
                f"unreadable answer ({_body_hint(record)}): {type(exc).__name__}",
                exchange=exchange,
                operation=operation,
                request_sent=True,
            )
        return ExchangeError(
            f"unexpected answer: {type(exc).__name__}: {detail}",
            exchange=exchange,
            operation=operation,
        )

    ccxt_name, rule = found
    error_cls = rule.order_error if operation in ORDER_OPERATIONS else rule.other_error
    summary = rule.summary

    network_family = issubclass(error_cls, ExchangeConnectionError)
    if network_family and status is not None:
        corrected = _by_status(status, operation)
        if corrected is not None:
            error_cls, summary = corrected
    if issubclass(error_cls, ExchangeConnectionError):
        summary = _outage_summary(status, exc, summary)
    if (
        error_cls is InvalidOrderError
        and operation in ("cancel_order", "get_order")
        and "unknown order" in detail.lower()
    ):
        error_cls, summary = OrderNotFoundError, "order not found"
    if error_cls is ExchangeError and _payload_broken(exc):
        error_cls, summary = ExchangeConnectionError, "answer cut short"

    message = f"{summary} (ccxt {ccxt_name}: {detail})"
    if issubclass(error_cls, ExchangeRateLimitError):
        headers = record.headers if record is not None else None
        retry_after = parse_retry_after(headers)
        if retry_after is not None:
            message = f"{summary}; retry after {retry_after:g} s (ccxt {ccxt_name}: {detail})"
        return error_cls(message, exchange=exchange, operation=operation, retry_after=retry_after)
    if issubclass(error_cls, ExchangeConnectionError):
        if _provably_not_sent(exc):
            sent: bool | None = False
        elif status is not None:
            sent = True
        else:
            sent = None
        error = error_cls(message, exchange=exchange, operation=operation, request_sent=sent)
        if _unresolved_host(exc) is not None:
            # The system resolver has already retried (resolv.conf's attempts and timeout):
            # a gaierror is its final answer, and asking again at once only delays the user.
            error.retryable = False
        return error
    return error_cls(message, exchange=exchange, operation=operation)


def unreadable_answer(
    record: HttpRecord, *, exchange: str, operation: str
) -> ExchangeConnectionError | None:
    """The error for a call ccxt completed although an answer was not JSON, else None.

    ccxt reads an HTML page or an empty body as an empty structure and carries on (a ticker
    with no price, an order with no id): the exchange did not answer properly.
    """
    if record.json_like is not False:
        return None
    return ExchangeConnectionError(
        f"unreadable answer ({_body_hint(record)})",
        exchange=exchange,
        operation=operation,
        request_sent=True,
    )


def _looks_like_json(record: HttpRecord | None) -> bool:
    if record is None or record.json_like is None:
        return True  # nothing seen: do not claim the body was bad
    return record.json_like


def _body_hint(record: HttpRecord | None) -> str:
    if record is None or record.body_head is None:
        return "no body"
    text = record.body_head
    if not text:
        return "empty body"
    if text[:1] == "<":
        return "HTML instead of JSON"
    if text[:1] in ("{", "["):
        return "truncated JSON"
    return "not JSON"
