"""Every kind of failure arrives as PowerTrader's exception, keeping Robinhood's detail."""

from __future__ import annotations

import httpx
import pytest
import vcr
from powertrader_robinhood import RobinhoodExchange
from powertrader_robinhood.errors import Call, error_from_response

from powertrader_core import (
    ConfigurationError,
    ExchangeAuthenticationError,
    ExchangeConnectionError,
    ExchangeError,
    ExchangeOrderError,
    ExchangeRateLimitError,
    InsufficientFundsError,
    InvalidOrderError,
    OrderNotFoundError,
    OrderRequest,
    SymbolNotSupportedError,
)
from tests.cassette_support import TEST_SECRETS
from tests.robinhood import build_cassettes as c
from tests.robinhood.conftest import BTC_PAIR


def _no_secret(exc: BaseException, config: dict[str, str]) -> None:
    text = f"{exc} {exc!r} {exc.args}"
    assert config["api_key"] not in text and config["private_key"] not in text


async def test_precision_answer_names_the_increment_and_is_not_retried(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR, config: dict[str, str]
) -> None:
    request = OrderRequest("BTC-USD", "buy", "0.00012345", client_order_id=c.REFUSED_CLIENT_ID)
    with rh_vcr.use_cassette("error_precision.yaml") as cassette, pytest.raises(
        InvalidOrderError
    ) as info:
        await exchange.place_order(request)
    assert cassette.play_count == 2  # the pair, then one order request: no second attempt
    message = str(info.value)
    assert message.startswith("robinhood place_order: asset_quantity: Order quantity has too "
                              "much precision")
    assert "increment: 0.00001" in message and "not resent" in message
    _no_secret(info.value, config)


@pytest.mark.parametrize(
    ("cassette_name", "amount", "side", "error", "detail"),
    [
        ("error_insufficient_funds.yaml", "2", "buy", InsufficientFundsError,
         "Insufficient buying power."),
        ("error_below_minimum.yaml", "0.00001", "sell", InvalidOrderError,
         "greater than or equal to $1.00"),
    ],
)
async def test_order_refusals(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR, config: dict[str, str], cassette_name: str,
    amount: str, side: str, error: type[Exception], detail: str,
) -> None:
    request = OrderRequest("BTC-USD", side, amount, client_order_id=c.REFUSED_CLIENT_ID)
    with rh_vcr.use_cassette(cassette_name) as cassette, pytest.raises(error) as info:
        await exchange.place_order(request)
    assert cassette.all_played
    assert detail in str(info.value) and "robinhood place_order" in str(info.value)
    _no_secret(info.value, config)


async def test_unauthorized_and_forbidden_are_authentication_errors(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR, config: dict[str, str]
) -> None:
    with rh_vcr.use_cassette("error_unauthorized.yaml"), pytest.raises(
        ExchangeAuthenticationError
    ) as info:
        await exchange.get_balance("USD")
    assert "HTTP 401" in str(info.value) and "Invalid API key or signature." in str(info.value)
    _no_secret(info.value, config)
    with rh_vcr.use_cassette("error_forbidden.yaml"), pytest.raises(
        ExchangeAuthenticationError, match=r"HTTP 403.*permission"
    ):
        await exchange.get_balance("BTC")


async def test_429_is_a_rate_limit_error_with_retry_after(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    with rh_vcr.use_cassette("error_rate_limited.yaml"), pytest.raises(
        ExchangeRateLimitError
    ) as info:
        await exchange.get_market_data("BTC-USD")
    assert info.value.retry_after == 7.0
    assert "throttled" in str(info.value)
    assert info.value.retryable


async def test_server_errors_are_connection_errors(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    with rh_vcr.use_cassette("error_server.yaml"), pytest.raises(
        ExchangeConnectionError
    ) as info:
        await exchange.get_balance("USD")
    assert "HTTP 500" in str(info.value) and "A server error occurred." in str(info.value)
    assert info.value.request_sent is True
    with rh_vcr.use_cassette("error_unavailable_html.yaml"), pytest.raises(
        ExchangeConnectionError, match=r"HTTP 503.*Service Temporarily Unavailable"
    ):
        await exchange.get_market_data("BTC-USD")


async def test_unknown_order_is_order_not_found(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    with rh_vcr.use_cassette("error_order_not_found.yaml") as cassette:
        with pytest.raises(OrderNotFoundError, match="robinhood get_order: no such order"):
            await exchange.get_order(c.MISSING_ORDER_ID)
        with pytest.raises(OrderNotFoundError, match="robinhood cancel_order"):
            await exchange.cancel_order(c.MISSING_ORDER_ID)
    assert cassette.all_played


async def test_cancelling_a_filled_order_is_an_order_error(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    with rh_vcr.use_cassette("error_cancel_filled.yaml"), pytest.raises(
        ExchangeOrderError, match="already been filled"
    ):
        await exchange.cancel_order(c.MARKET_ORDER_ID)


# ---- transport failures (no cassette can hold these) ---------------------------------------


def _failing(exc: Exception, *, serve_pairs: bool = True) -> httpx.MockTransport:
    """Serves the trading rules (unless told not to), and fails every other request."""

    def handler(request: httpx.Request) -> httpx.Response:
        if serve_pairs and request.url.path.endswith("/trading_pairs/"):
            return httpx.Response(200, json={"next": None, "results": [BTC_PAIR]})
        raise exc

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(
    ("failure", "sent"),
    [
        (httpx.ConnectError("connection refused"), False),
        (httpx.ConnectTimeout("connect timed out"), False),
        (httpx.PoolTimeout("no free connection"), False),
        (httpx.ReadTimeout("read timed out"), True),
        (httpx.WriteTimeout("write timed out"), None),
        (httpx.RemoteProtocolError("peer closed connection"), None),
    ],
)
async def test_transport_failures_say_whether_the_request_may_have_been_sent(
    config: dict[str, str], failure: Exception, sent: bool | None
) -> None:
    exchange = RobinhoodExchange(config, transport=_failing(failure))
    try:
        with pytest.raises(ExchangeConnectionError) as info:
            await exchange.place_order(OrderRequest("BTC-USD", "buy", "0.01"))
    finally:
        await exchange.close()
    assert info.value.request_sent is sent
    assert str(info.value).startswith("robinhood place_order: request")
    _no_secret(info.value, config)


async def test_a_failed_rules_lookup_before_an_order_says_the_order_was_not_sent(
    config: dict[str, str]
) -> None:
    transport = _failing(httpx.ReadTimeout("read timed out"), serve_pairs=False)
    exchange = RobinhoodExchange(config, transport=transport)
    try:
        with pytest.raises(ExchangeConnectionError) as info:
            await exchange.place_order(OrderRequest("BTC-USD", "buy", "0.01"))
    finally:
        await exchange.close()
    assert info.value.request_sent is False
    assert "the order was not sent" in str(info.value)


async def test_unusable_base_url_is_a_configuration_error(config: dict[str, str]) -> None:
    exchange = RobinhoodExchange({**config, "base_url": "http://"})
    try:
        with pytest.raises((ConfigurationError, ExchangeConnectionError)):
            await exchange.get_balance("USD")
    finally:
        await exchange.close()


# ---- the table itself ------------------------------------------------------------------------


def _error(status: int, body: str, call: Call = Call.READ,
           headers: dict[str, str] | None = None) -> ExchangeError:
    return error_from_response(status, body, headers or {}, call=call, exchange="robinhood",
                               operation="op", secrets=(TEST_SECRETS["api_key"],))


def test_the_api_key_is_scrubbed_from_an_echoing_answer() -> None:
    body = ('{"type": "client_error", "errors": [{"attr": null, "detail": "Unknown key '
            f'{TEST_SECRETS["api_key"]}"}}]}}')
    error = _error(401, body)
    assert TEST_SECRETS["api_key"] not in str(error) and "***" in str(error)


def test_table_by_status_and_call() -> None:
    body = '{"type": "validation_error", "errors": [{"attr": "symbol", "detail": "bad"}]}'
    assert type(_error(400, body)) is SymbolNotSupportedError
    assert type(_error(400, body.replace('"symbol"', '"side"'))) is ExchangeError
    assert type(_error(404, "{}", Call.ONE_ORDER)) is OrderNotFoundError
    assert type(_error(409, "{}", Call.PLACE_ORDER)) is ExchangeOrderError
    assert type(_error(400, '{"detail": "Not enough BTC"}', Call.PLACE_ORDER)) is (
        InsufficientFundsError
    )
    assert type(_error(502, "")) is ExchangeConnectionError
    assert "HTTP 502 without details" in str(_error(502, ""))


def test_retry_after_from_the_header() -> None:
    assert _error(429, "{}", headers={"retry-after": "12"}).retry_after == 12.0  # type: ignore[attr-defined]
    assert _error(429, "{}", headers={}).retry_after is None  # type: ignore[attr-defined]
