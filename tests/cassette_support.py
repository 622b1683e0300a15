"""Shared vcrpy set-up for every plugin's cassette tests, and the fake secrets tests use.

Cassettes live in ``cassettes/<exchange>/``. They replay only (``record_mode="none"``): the
machines have no network, so a request a cassette lacks fails loudly instead of reaching out.
Matching ignores what changes on every call (nonces, timestamps, signatures), and the filters
below would strip keys and signatures from any cassette recorded against a real exchange.
A test in ``tests/test_cassette_hygiene.py`` checks that no cassette holds a test secret.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import vcr

REPO = Path(__file__).resolve().parent.parent
CASSETTES = REPO / "cassettes"

#: Fake credentials used by every test. None may appear in a cassette, log or message.
TEST_SECRETS: dict[str, str] = {
    "api_key": "pt-test-api-key-4b1d6c",
    "api_secret": "cHQtdGVzdC1zZWNyZXQtZG8tbm90LWxlYWstOWYzYQ==",
    "passphrase": "pt-test-passphrase-77e2",
}

# Headers and parameters that carry keys, signatures, nonces or timestamps, per exchange.
FILTER_HEADERS = [
    "authorization", "api-key", "api-sign", "x-mbx-apikey", "cb-access-key", "cb-access-sign",
    "cb-access-timestamp", "cb-access-passphrase", "kc-api-key", "kc-api-sign",
    "kc-api-timestamp", "kc-api-passphrase", "kc-api-key-version", "x-auth", "x-auth-signature",
    "x-auth-nonce", "x-auth-timestamp", "x-bapi-api-key", "x-bapi-sign", "x-bapi-timestamp",
    "ok-access-key", "ok-access-sign", "ok-access-timestamp", "ok-access-passphrase",
    "x-api-key", "x-signature", "x-timestamp", "cookie", "set-cookie",
]
VOLATILE_PARAMS = {
    "nonce", "timestamp", "signature", "sign", "recvwindow", "otp", "api_key", "apikey", "key",
    "deadline",  # Kraken's AddOrder deadline: a time, different on every request
}


def _stable_query(query: Any) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in query if k.lower() not in VOLATILE_PARAMS)


def _stable_query_matcher(r1: Any, r2: Any) -> None:
    assert _stable_query(r1.query) == _stable_query(r2.query), (r1.query, r2.query)


def _stable_body(body: Any) -> list[tuple[str, str]] | bytes | None:
    if body is None:
        return None
    raw = body if isinstance(body, bytes) else str(body).encode()
    text = raw.decode(errors="replace")
    if not text.strip():
        # A form body of volatile fields only (Kraken's "nonce=...") is recorded empty.
        return []
    if "=" in text and not text.lstrip().startswith(("{", "[")):
        return sorted((k, v) for k, v in parse_qsl(text) if k.lower() not in VOLATILE_PARAMS)
    return raw


def _stable_body_matcher(r1: Any, r2: Any) -> None:
    assert _stable_body(r1.body) == _stable_body(r2.body), (r1.body, r2.body)


def _scrub_request(request: Any) -> Any:
    """Drop volatile, secret-bearing query parameters before a request is written down."""
    parts = urlsplit(request.uri)
    if parts.query:
        kept = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in VOLATILE_PARAMS]
        request.uri = parts._replace(query="&".join(f"{k}={v}" for k, v in kept)).geturl()
    return request


def make_vcr(exchange: str, *, match_body: bool = False) -> vcr.VCR:
    """A replay-only VCR for ``cassettes/<exchange>/``."""
    recorder = vcr.VCR(
        cassette_library_dir=str(CASSETTES / exchange),
        record_mode="none",
        filter_headers=FILTER_HEADERS,
        before_record_request=_scrub_request,
        decode_compressed_response=True,
        path_transformer=vcr.VCR.ensure_suffix(".yaml"),
    )
    recorder.register_matcher("stable_query", _stable_query_matcher)
    recorder.register_matcher("stable_body", _stable_body_matcher)
    match_on = ["method", "scheme", "host", "port", "path", "stable_query"]
    if match_body:
        match_on.append("stable_body")
    recorder.match_on = tuple(match_on)
    return recorder
