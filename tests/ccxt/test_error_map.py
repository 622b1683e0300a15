"""The error table on ccxt's own exception classes, without a network."""

from __future__ import annotations

import socket

import aiohttp
import pytest
from ccxt.base import errors as ccxt_errors
from powertrader_ccxt.error_map import (
    CCXT_ERROR_TABLE,
    HttpRecord,
    translate,
)

from powertrader_core import (
    ExchangeAuthenticationError,
    ExchangeConnectionError,
    ExchangeError,
    ExchangeRateLimitError,
    InsufficientFundsError,
    InvalidOrderError,
    NotSupportedError,
    OrderNotFoundError,
    RegionNotSupportedError,
    SymbolNotSupportedError,
)


def _t(exc: BaseException, operation: str = "get_market_data", **kw: object) -> ExchangeError:
    return translate(exc, exchange="binance", exchange_id="binance", operation=operation, **kw)


def test_every_row_names_a_real_ccxt_class() -> None:
    for name in CCXT_ERROR_TABLE:
        assert isinstance(getattr(ccxt_errors, name), type), name


@pytest.mark.parametrize(
    ("ccxt_class", "operation", "expected"),
    [
        ("AuthenticationError", "get_balance", ExchangeAuthenticationError),
        ("PermissionDenied", "get_balance", ExchangeAuthenticationError),
        ("InsufficientFunds", "place_order", InsufficientFundsError),
        ("InvalidOrder", "place_order", InvalidOrderError),
        ("OrderNotFound", "get_order", OrderNotFoundError),
        ("BadSymbol", "get_market_data", SymbolNotSupportedError),
        ("NotSupported", "get_order_book", NotSupportedError),
        ("BadRequest", "place_order", InvalidOrderError),
        ("BadRequest", "get_market_data", ExchangeError),
        ("RateLimitExceeded", "get_market_data", ExchangeRateLimitError),
        ("DDoSProtection", "get_market_data", ExchangeRateLimitError),
        ("RequestTimeout", "get_market_data", ExchangeConnectionError),
        ("NetworkError", "get_market_data", ExchangeConnectionError),
        ("ExchangeNotAvailable", "get_market_data", ExchangeConnectionError),
        ("OnMaintenance", "get_market_data", ExchangeConnectionError),
        ("RestrictedLocation", "get_market_data", RegionNotSupportedError),
    ],
)
def test_table_rows(ccxt_class: str, operation: str, expected: type[ExchangeError]) -> None:
    error = _t(getattr(ccxt_errors, ccxt_class)("binance something happened"), operation)
    assert type(error) is expected
    assert str(error).startswith(f"binance {operation}: ")
    assert f"ccxt {ccxt_class}" in str(error)


@pytest.mark.parametrize(
    ("status", "operation", "expected"),
    [
        (400, "place_order", InvalidOrderError),
        (400, "get_market_data", ExchangeError),
        (403, "get_market_data", ExchangeAuthenticationError),
        (404, "get_order", OrderNotFoundError),
        (404, "get_market_data", ExchangeError),
        (451, "get_market_data", RegionNotSupportedError),
        (503, "get_market_data", ExchangeConnectionError),
    ],
)
def test_rejections_filed_as_outages_are_not_retryable(
    status: int, operation: str, expected: type[ExchangeError]
) -> None:
    # what ccxt's handle_http_status_code raises: ExchangeNotAvailable for all of these
    exc = ccxt_errors.ExchangeNotAvailable(
        f"binance GET https://api.binance.com/api/v3/ticker {status} Reason body"
    )
    for record in (HttpRecord(status=status), None):  # from our hook, or read from the message
        error = _t(exc, operation, record=record)
        assert type(error) is expected, (status, operation, record)
        assert error.retryable is (expected is ExchangeConnectionError)


def test_retry_after_from_the_header() -> None:
    record = HttpRecord(status=429, headers={"retry-after": "12"})
    error = _t(ccxt_errors.RateLimitExceeded("binance 429"), record=record)
    assert isinstance(error, ExchangeRateLimitError)
    assert error.retry_after == 12.0


def test_request_sent_only_false_when_provably_not_sent() -> None:
    def wrapped(cause: BaseException) -> BaseException:
        try:
            raise ccxt_errors.ExchangeNotAvailable("binance GET url") from cause
        except ccxt_errors.ExchangeNotAvailable as exc:
            return exc

    refused = wrapped(ConnectionRefusedError(111, "refused"))
    dns = wrapped(socket.gaierror(-2, "Name or service not known"))
    disconnected = wrapped(aiohttp.ServerDisconnectedError())
    assert getattr(_t(refused), "request_sent", None) is False
    assert getattr(_t(dns), "request_sent", None) is False
    assert getattr(_t(disconnected), "request_sent", None) is None
    timeout = _t(ccxt_errors.RequestTimeout("binance GET url"))
    assert getattr(timeout, "request_sent", None) is None


def test_non_ccxt_failures_on_a_bad_body_are_connection_errors() -> None:
    record = HttpRecord()
    record.note_body("<html>maintenance</html>")
    error = _t(TypeError("string indices must be integers"), record=record)
    assert isinstance(error, ExchangeConnectionError)
    assert "HTML instead of JSON" in str(error)
    fine = HttpRecord()
    fine.note_body('{"result": {}}')
    assert type(_t(KeyError("result"), record=fine)) is ExchangeError


def test_secrets_and_signed_parameters_are_scrubbed() -> None:
    key, secret = "AKIDEXAMPLE-key-1234", "c2VjcmV0LXNlY3JldC1zZWNyZXQ="
    message = (
        f"binance GET https://api.binance.com/api/v3/account?timestamp=1&signature=abcdef "
        f"apiKey={key} {secret} 401"
    )
    error = _t(ccxt_errors.AuthenticationError(message), "get_balance", secrets=(key, secret))
    text = str(error)
    assert key not in text and secret not in text and "abcdef" not in text


def test_no_network_and_an_exchange_outage_read_differently() -> None:
    """Offline is "cannot resolve <host>: no network?", not the exchange's fault; a 503 says
    the exchange answered 503. The cause stays chained for --debug."""
    key = aiohttp.client_reqrep.ConnectionKey(
        "api.kraken.com", 443, True, True, None, None, None, None
    )
    try:
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as gai:
            raise aiohttp.ClientConnectorDNSError(key, gai) from gai
    except aiohttp.ClientConnectorDNSError as dns_cause:
        try:
            raise ccxt_errors.ExchangeNotAvailable("kraken GET url") from dns_cause
        except ccxt_errors.ExchangeNotAvailable as exc:
            offline = _t(exc)
    assert isinstance(offline, ExchangeConnectionError)
    assert "cannot resolve api.kraken.com: no network?" in str(offline)
    assert offline.retryable is False  # the resolver already retried; again only delays
    record = HttpRecord(status=503)
    outage = _t(ccxt_errors.ExchangeNotAvailable("kraken GET url 503 Service Unavailable"),
                record=record)
    assert "answered HTTP 503" in str(outage) and "resolve" not in str(outage)
    assert outage.retryable is True
