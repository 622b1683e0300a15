"""Building and instrumenting the ccxt client behind a ``CcxtExchange``.

This is the only module that imports ccxt, and only inside :func:`build_client`, so importing
the plugin stays cheap (ccxt's import takes about a second).

The client is configured so that ccxt never acts on its own where we decide:

- ``enableRateLimit`` off: the core's limiter waits instead (``metering.py``), charging the
  exchange's documented costs (``budgets.py``), in a wrapper around the instance's ``fetch2``.
- ``maxRetriesOnFailure`` 0: reads are retried by the caller with backoff; orders never blindly.
- ``recvWindow`` (Binance, Bybit): the ``order_deadline`` setting (default: the timeout),
  within the exchange's bounds, so a signed request arriving later is refused rather than
  executed (``RequestDeadline``).
- ``on_rest_response`` is wrapped to note each answer's status, headers and start of body in
  the current call's :class:`HttpRecord` (a context variable, so concurrent calls on one
  client do not see each other's answers); the error table reads it.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Mapping
from typing import Any

from powertrader_ccxt.error_map import HttpRecord, LocalSigningError
from powertrader_ccxt.metering import Meter
from powertrader_ccxt.profiles import ExchangeProfile, spot_only_options
from powertrader_ccxt.settings import CcxtSettings
from powertrader_ccxt.urls import rewrite_api_urls

__all__ = ["CURRENT_RECORD", "build_client", "ccxt_version", "deep_merge"]

#: The HTTP record of the ccxt call in progress in this context (None outside our calls).
CURRENT_RECORD: contextvars.ContextVar[HttpRecord | None] = contextvars.ContextVar(
    "powertrader_ccxt_http_record", default=None
)


def ccxt_version() -> str:
    import ccxt

    return str(ccxt.__version__)


def deep_merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` updated by ``extra``, dicts merged key by key (ccxt's options nest)."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def build_client(
    profile: ExchangeProfile,
    settings: CcxtSettings,
    meter_for: Any,
) -> Any:
    """A configured ``ccxt.async_support`` exchange for ``profile``.

    ``meter_for(rate_limit_ms)`` returns the :class:`Meter` to use (or None when rate limiting
    is off); it is called with ccxt's ``rateLimit`` (the spacing of an exchange without a
    budget row). Sandbox
    refusals are raised by the caller before this; ccxt's own refusals (a TypeError where the
    exchange has no test URL) surface as ``LookupError`` here for the caller to word.
    """
    import ccxt.async_support as ccxt_async

    klass = getattr(ccxt_async, profile.ccxt_id)
    config: dict[str, Any] = {
        "enableRateLimit": False,
        "timeout": int(settings.timeout * 1000),
    }
    if settings.api_key:
        config["apiKey"] = settings.api_key
    if settings.api_secret:
        config["secret"] = settings.api_secret
    if settings.passphrase:
        config["password"] = settings.passphrase
    client = klass(config)
    options = deep_merge(client.options, spot_only_options(client.options))
    options = deep_merge(options, profile.ccxt_options)
    options["maxRetriesOnFailure"] = 0
    deadline = profile.order_deadline
    if deadline is not None and deadline.where == "ccxt_option" and settings.order_deadline:
        # Signed requests arriving later than this are refused (profiles.RequestDeadline).
        options[deadline.name] = int(deadline.seconds(settings.order_deadline) * 1000)
    client.options = options

    if settings.sandbox:
        try:
            client.set_sandbox_mode(True)
        except Exception as exc:  # ccxt: NotSupported, or a bare TypeError
            raise LookupError(f"{profile.ccxt_id} has no sandbox") from exc
    if settings.base_url:
        client.urls["api"] = rewrite_api_urls(client.urls["api"], settings.base_url)
        if settings.base_url.startswith("http://"):
            # ccxt sleeps 250 ms on close for TLS connections to shut down; plain HTTP
            # (a simulator, a local proxy) has none.
            client.timeout_on_exit = 0

    _instrument(client, meter_for(float(client.rateLimit)), ccxt_async)
    return client


def _instrument(client: Any, meter: Meter | None, ccxt_async: Any) -> None:
    original_fetch2 = client.fetch2
    original_on_response = client.on_rest_response
    # what ccxt raises for a rate-limit answer (429, Kraken's EAPI:Rate limit exceeded)
    refusals = (ccxt_async.RateLimitExceeded, ccxt_async.DDoSProtection)

    async def fetch2(
        path: str,
        api: Any = "public",
        method: str = "GET",
        params: Any = None,
        config: Any = None,
    ) -> Any:
        params = {} if params is None else params
        config = {} if config is None else config
        record = CURRENT_RECORD.get()
        if meter is None:
            if record is not None:
                record.sent_at = time.time()
            return await original_fetch2(path, api, method, params, config)
        charges, waited = await meter.before(api, method, path, params)
        if record is not None:
            record.waited += waited
            record.sent_at = time.time()  # ccxt signs now (recvWindow counts from here)
        try:
            result = await original_fetch2(path, api, method, params, config)
        except refusals:
            await meter.refused(charges, _headers(record, client))
            raise
        await meter.after(_headers(record, client), charges)
        return result

    def on_rest_response(
        code: Any,
        reason: Any,
        url: Any,
        method: Any,
        response_headers: Any,
        response_body: Any,
        request_headers: Any,
        request_body: Any,
    ) -> Any:
        record = CURRENT_RECORD.get()
        if record is not None:
            record.status = int(code) if code is not None else None
            record.headers = response_headers or {}  # ccxt builds a fresh dict per answer
            if isinstance(response_body, str):
                record.note_body(response_body)
            record.method = str(method)
            record.url = str(url)
        return original_on_response(
            code, reason, url, method, response_headers, response_body, request_headers,
            request_body,
        )

    original_sign = client.sign

    def sign(*args: Any, **kwargs: Any) -> Any:
        # ccxt signs inside fetch2, before anything is sent: a failure here (a secret that is
        # not base64, a key that does not load) is local, never an order that "may exist".
        try:
            return original_sign(*args, **kwargs)
        except Exception as exc:
            if _is_ccxt_error(exc):
                raise
            raise LocalSigningError(exc) from exc

    client.fetch2 = fetch2
    client.on_rest_response = on_rest_response
    client.sign = sign


def _is_ccxt_error(exc: BaseException) -> bool:
    from ccxt.base.errors import BaseError

    return isinstance(exc, BaseError)


def _headers(record: HttpRecord | None, client: Any) -> Mapping[str, Any] | None:
    """The answer's headers: this call's record, else ccxt's last (concurrent calls may
    overwrite it; what it says about an address-wide budget is true either way)."""
    if record is not None and record.headers:
        return record.headers
    headers = getattr(client, "last_response_headers", None)
    return headers if isinstance(headers, Mapping) else None
