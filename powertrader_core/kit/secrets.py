"""Scrubbing secrets out of text that leaves the process (messages, logs, reprs).

One rule for every plugin and for the core's own logging: an exchange's answer, a library's
exception text or a URL may echo what we sent, and what we sent may carry a key, a signature or
a passphrase. :func:`scrub` removes

- every configured secret, wherever it appears (longest first, so a secret that contains
  another is removed whole);
- the value of every signed or secret-bearing parameter, in the three shapes exchanges echo
  them: a query string (``signature=ab12``), JSON (``"apiKey": "ab12"``) and a header line
  (``X-API-Key: ab12``), even when the secret itself was not configured here (a signature is
  new on every request).

Scrubbing is idempotent (``scrub(scrub(t)) == scrub(t)``) and never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["MASK", "scrub"]

#: What a secret is replaced with.
MASK = "***"

# Names whose value is a secret or a signature: Binance/Bybit ``signature``/``sign``,
# Kraken ``API-Sign``/``nonce``, OKX ``OK-ACCESS-SIGN``/``-PASSPHRASE``, Coinbase ``CB-ACCESS-*``,
# KuCoin ``KC-API-*``, Robinhood ``x-api-key``/``x-signature``, generic ``token``/``secret``.
_SECRET_NAME = (
    r"(?:[a-z0-9]+[-_])*(?:signature|sign|api[-_]?key|access[-_]?key|passphrase|secret|token"
    r"|password|otp|authorization)"
)
# In query strings and JSON the signed request's ``key``, ``nonce`` and ``timestamp`` are masked
# too (ccxt echoes whole signed URLs); in prose such as ``timestamp: 12:00`` they are left alone.
_NAME = rf"(?:{_SECRET_NAME}|key|nonce|timestamp)"
_QUERY = re.compile(rf"(?i)(?<![\w-])({_NAME})=([^&\s\"']+)")
_JSON = re.compile(rf"(?i)([\"']{_NAME}[\"']\s*:\s*)([\"'])((?:(?!\2).)*)\2")
_HEADER = re.compile(rf"(?i)(?<![\w-])({_SECRET_NAME}):[ \t]*([^\s,;\"'][^\r\n,;\"']*)")


def _mask_header(match: re.Match[str]) -> str:
    value = match.group(2)
    if value.startswith(MASK):
        return match.group(0)
    return f"{match.group(1)}: {MASK}"


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with each secret, and each secret-bearing parameter's value, replaced by ``***``.

    ``secrets`` are the values configured for this call (API key, secret, passphrase); empty
    and ``None`` entries are skipped. Any non-empty secret is removed, however short: a
    message garbled by a one-letter passphrase is better than a leaked one.
    """
    text = _QUERY.sub(lambda m: f"{m.group(1)}={MASK}", text)
    text = _JSON.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}{m.group(2)}", text)
    text = _HEADER.sub(_mask_header, text)
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
