"""Secrets out of other libraries' log records, for every user of the library.

With ``logging.basicConfig(level=logging.DEBUG)``, ccxt logs each request with its headers
(Kraken's ``API-Key``, Binance's ``X-MBX-APIKEY``, OKX's key and passphrase), and aiohttp and
urllib3 log URLs that may carry a signature. Our own code never logs a secret; theirs is
scrubbed here: :func:`protect_logs` (called whenever an exchange with secrets is built, see
``AbstractExchange.__init__``) remembers the secrets and puts a :class:`ScrubFilter` on those
libraries' loggers. The filter renders each record's message and traceback, scrubs them with
:func:`~powertrader_core.kit.secrets.scrub` (the configured secrets and every secret-bearing
parameter, header or JSON field), and lets the record through: nothing is dropped, nothing is
printed whole.

A filter on a logger sees the records created on that logger, so each library logger we know
of gets one (created ahead of the library if need be).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from powertrader_core.kit.secrets import scrub

__all__ = ["LIBRARY_LOGGERS", "ScrubFilter", "protect_logs"]

#: The loggers that may print what we send: ccxt's (requests with headers and bodies), and the
#: HTTP and websocket libraries under it and under the Robinhood plugin.
LIBRARY_LOGGERS = (
    "ccxt",
    "ccxt.base",
    "ccxt.base.exchange",
    "ccxt.async_support",
    "ccxt.async_support.base",
    "ccxt.async_support.base.exchange",
    "ccxt.pro",
    "aiohttp",
    "aiohttp.access",
    "aiohttp.client",
    "aiohttp.internal",
    "aiohttp.server",
    "aiohttp.web",
    "aiohttp.websocket",
    "urllib3",
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.poolmanager",
    "websockets",
    "websockets.client",
)

_lock = threading.Lock()
_secrets: set[str] = set()
_installed = False


class ScrubFilter(logging.Filter):
    """Replaces a record's message (and rendered traceback) with a scrubbed copy."""

    def filter(self, record: logging.LogRecord) -> bool:
        with _lock:
            secrets = tuple(_secrets)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record: keep only its template
            message = str(record.msg)
        record.msg, record.args = scrub(message, secrets), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info, secrets)
        return True


_FILTER = ScrubFilter()


def protect_logs(secrets: Iterable[object] = ()) -> None:
    """Scrub ``secrets`` (and any secret-bearing parameter) from library log records."""
    global _installed
    values = set()
    for value in secrets:
        reveal = getattr(value, "get_secret_value", None)  # a Secret gives its value here only
        text = reveal() if callable(reveal) else value
        if isinstance(text, str) and text:
            values.add(text)
    with _lock:
        _secrets.update(values)
        if _installed:
            return
        _installed = True
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).addFilter(_FILTER)
