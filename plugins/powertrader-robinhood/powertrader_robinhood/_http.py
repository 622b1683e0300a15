"""The HTTP layer: one signed, rate-limited request to Robinhood, and pagination.

Each request is built by httpx first, so the path, query and body it signs are the bytes httpx
will send (``request.url.raw_path`` and the body we serialised once), never a
re-serialisation. It then waits for the token bucket, stamps the time (after the wait, since a
signature is valid for 30 seconds), signs and sends.

Transport failures become ``ExchangeConnectionError`` with ``request_sent`` telling whether the
request may have reached Robinhood: ``False`` only when it provably did not (no connection was
made, or none was free in the pool), since an order that may have been sent must be reconciled
and never blindly resent. Answers of 400 and above go through :mod:`powertrader_robinhood.errors`.

JSON is read with ``parse_float=Decimal``: Robinhood sends numbers as strings mostly, as JSON
numbers sometimes, and either way the amount stays exact.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from powertrader_core import ConfigurationError, ExchangeConnectionError, ExchangeError
from powertrader_core.kit import RateLimiter, parse_retry_after, scrub
from powertrader_robinhood.budget import POOL
from powertrader_robinhood.errors import Call, error_from_response
from powertrader_robinhood.signing import RobinhoodSigner

__all__ = ["API_PREFIX", "DEFAULT_BASE_URL", "RobinhoodHttp"]

log = logging.getLogger("powertrader_robinhood")

DEFAULT_BASE_URL = "https://trading.robinhood.com"
API_PREFIX = "/api/v1/crypto/"
USER_AGENT = "powertrader-robinhood/0.1"
MAX_PAGES = 1000

Params = Sequence[tuple[str, str]]


class RobinhoodHttp:
    """A lazily opened ``httpx.AsyncClient`` that signs, meters and maps every request.

    ``signer`` is a callable so that credentials are read (and refused when missing or
    malformed) at the first request, not when the exchange object is built.
    """

    def __init__(
        self,
        *,
        base_url: str,
        signer: Callable[[], RobinhoodSigner],
        limiter: RateLimiter,
        exchange_name: Callable[[], str],
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        secrets: tuple[str | None, ...] = (),
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._signer = signer
        self.limiter = limiter
        self._exchange_name = exchange_name
        self._timeout = timeout
        self._transport = transport
        self._clock = clock
        self._secrets = secrets
        self._client: httpx.AsyncClient | None = None

    def __repr__(self) -> str:
        return f"<RobinhoodHttp base_url={self.base_url!r}>"

    @property
    def is_open(self) -> bool:
        return self._client is not None and not self._client.is_closed

    def _open(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(
                base_url=self.base_url,
                timeout=httpx.Timeout(self._timeout),
                transport=self._transport,
                headers={"accept": "application/json", "user-agent": USER_AGENT},
                follow_redirects=False,
            )
        return self._client

    async def close(self) -> None:
        """Close the client; safe to call again, and the next request opens a new one."""
        client, self._client = self._client, None
        if client is not None and not client.is_closed:
            await client.aclose()

    # ---- one request -------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        call: Call = Call.READ,
        params: Params | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        """Send one signed request; return the parsed JSON (or text, for text answers)."""
        exchange = self._exchange_name()
        signer = self._signer()  # ConfigurationError, before anything is sent, without keys
        # Commas stay literal (quantity=0.1,1), as Robinhood's own client sends and signs them.
        target = path if not params else f"{path}?{urlencode(list(params), safe=',')}"
        content = json.dumps(body, separators=(",", ":")).encode() if body is not None else b""
        client = self._open()
        headers = {"content-type": "application/json"} if body is not None else None
        request = client.build_request(method, target, content=content or None, headers=headers)
        signed_path = request.url.raw_path.decode("ascii")
        await self.limiter.acquire(POOL)
        timestamp = int(self._clock())
        request.headers.update(signer.headers(timestamp, signed_path, method, content))
        try:
            response = await client.send(request)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, exchange, operation) from None
        log.debug("%s %s -> HTTP %s", method, signed_path, response.status_code)
        text = response.text
        if response.status_code == 429:  # the account's bucket is spent: adopt it
            retry_after = parse_retry_after(dict(response.headers))
            if retry_after is not None:
                await self.limiter.adopt_retry_after(POOL, retry_after)
            else:
                await self.limiter.adopt_exhausted(POOL)
        if response.status_code >= 400:
            raise error_from_response(
                response.status_code,
                text,
                response.headers,
                call=call,
                exchange=exchange,
                operation=operation,
                secrets=self._secrets,
            )
        return self._parse(response, text, exchange, operation)

    @staticmethod
    def _parse(response: httpx.Response, text: str, exchange: str, operation: str) -> Any:
        kind = response.headers.get("content-type", "")
        looks_json = text.lstrip().startswith(("{", "["))
        if "json" not in kind and not looks_json:
            return text
        if not text.strip():
            return None
        try:
            return json.loads(text, parse_float=Decimal)
        except ValueError:
            raise ExchangeConnectionError(
                f"Robinhood answered HTTP {response.status_code} with unreadable JSON",
                exchange=exchange,
                operation=operation,
                request_sent=True,
            ) from None

    def _transport_error(self, exc: httpx.HTTPError, exchange: str, operation: str) -> Exception:
        where = {"exchange": exchange, "operation": operation}
        reason = scrub(f"{type(exc).__name__}: {exc}".rstrip(": "), self._secrets)
        if isinstance(exc, httpx.UnsupportedProtocol):
            return ConfigurationError(f"base_url {self.base_url!r} is not usable: {reason}",
                                      **where)
        sent: bool | None
        if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
            sent = False  # no connection carried the request
        elif isinstance(exc, httpx.ReadTimeout):
            sent = True  # written in full, no answer in time
        else:
            sent = None  # write timeouts, resets, protocol errors: it may have gone out
        label = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
        return ExchangeConnectionError(f"request {label}: {reason}", request_sent=sent, **where)

    # ---- pagination --------------------------------------------------------------------

    async def paginate(
        self,
        path: str,
        *,
        operation: str,
        params: Params | None = None,
        max_pages: int = MAX_PAGES,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every result of a paginated list, following ``next`` across pages."""
        target: str | None = path
        page_params: Params | None = params
        seen: set[str] = set()
        pages = 0
        while target is not None and pages < max_pages:
            page = await self.request("GET", target, operation=operation, params=page_params)
            pages += 1
            if not isinstance(page, Mapping):
                raise ExchangeError(
                    "Robinhood answered a list request without a page object",
                    exchange=self._exchange_name(),
                    operation=operation,
                )
            for item in page.get("results") or []:
                if isinstance(item, Mapping):
                    yield dict(item)
            target = self._next_target(page.get("next"), operation)
            page_params = None  # the next link carries the whole query
            if target is not None:
                if target in seen:
                    break  # a server repeating a link must not loop us forever
                seen.add(target)

    def _next_target(self, link: object, operation: str) -> str | None:
        """The path and query of a ``next`` link, refusing links to another host: a signed
        request goes to the configured Robinhood only."""
        if not isinstance(link, str) or not link.strip():
            return None
        parts = urlsplit(link.strip())
        if parts.scheme or parts.netloc:
            base = urlsplit(self.base_url)
            if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
                raise ExchangeError(
                    f"refusing to follow a pagination link to another host ({parts.netloc})",
                    exchange=self._exchange_name(),
                    operation=operation,
                )
        path = parts.path
        base_path = urlsplit(self.base_url).path.rstrip("/")
        if base_path and path.startswith(base_path + "/"):
            path = path[len(base_path):]
        return f"{path}?{parts.query}" if parts.query else path
