"""The kit's shared helpers: one ``scrub``, one ``parse_retry_after``, one ``exchange_key``.

Each used to be written inside a plugin (the ccxt error map, Robinhood's errors) or in several
core modules; these tests hold the merged behaviour of all the copies.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from powertrader_core import ExchangeType
from powertrader_core.kit import MASK, exchange_key, parse_retry_after, scrub

# ---- scrub ----------------------------------------------------------------------------------


def test_configured_secrets_are_removed_longest_first() -> None:
    key, secret = "AKIDEXAMPLE-key-1234", "c2VjcmV0LXNlY3JldC1zZWNyZXQ="
    text = scrub(f"refused {key} with {secret} and {key}-extra", (key, secret, None, ""))
    assert key not in text and secret not in text
    assert text == f"refused {MASK} with {MASK} and {MASK}-extra"
    # A secret holding another is removed whole, not left half-masked.
    assert scrub("x abcdef y", ("abc", "abcdef")) == f"x {MASK} y"


def test_short_secrets_are_removed_too() -> None:
    # Fail closed: a garbled message is better than a leaked two-letter passphrase.
    assert scrub("passphrase pw used", ("pw",)) == f"passphrase {MASK} used"


def test_signed_parameters_in_a_url_are_masked_without_being_configured() -> None:
    url = (
        "binance GET https://api.binance.com/api/v3/account?recvWindow=5000&timestamp=17&"
        "signature=abcdef&apiKey=K1 401"
    )
    text = scrub(url)
    assert "abcdef" not in text and "K1" not in text and "=17" not in text
    assert "recvWindow=5000" in text and "signature=***" in text
    assert scrub("nonce=123&x=1") == "nonce=***&x=1"


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ('{"apiKey": "abc123", "price": "1"}', "abc123"),
        ("{'X-MBX-APIKEY': 'abc123', 'x': 'y'}", "abc123"),
        ('{"sign":"zz99"}', "zz99"),
        ("OK-ACCESS-PASSPHRASE: pass99\r\nContent-Type: json", "pass99"),
        ("headers: KC-API-SIGN: s1g, CB-ACCESS-KEY: k3y", "s1g"),
        ("Authorization: Bearer eyJhbGciOi.x.y", "eyJhbGciOi"),
        ("x-signature: QUJD==", "QUJD=="),
    ],
)
def test_secrets_in_json_and_header_shapes_are_masked(text: str, hidden: str) -> None:
    assert hidden not in scrub(text)


def test_prose_is_left_alone_and_scrubbing_is_idempotent() -> None:
    prose = "design=3; timestamp: 12:00; keyboard=1; market BTC-USD closed"
    assert scrub(prose) == prose
    once = scrub('GET /x?signature=ab&key=cd {"secret": "ef"} Authorization: gh', ("ij",))
    assert scrub(once, ("ij",)) == once


# ---- parse_retry_after --------------------------------------------------------------------


def test_retry_after_as_seconds_or_an_http_date() -> None:
    now = datetime(2024, 4, 15, 14, 2, 11, tzinfo=UTC)
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(" 0.5 ") == 0.5
    assert parse_retry_after("Mon, 15 Apr 2024 14:02:41 GMT", now=now) == 30.0
    assert parse_retry_after("Mon, 15 Apr 2024 14:02:41 -0000", now=now) == 30.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # past: now
    assert parse_retry_after("-3") == 0.0


def test_retry_after_from_headers_in_any_case() -> None:
    assert parse_retry_after({"Retry-After": "7"}) == 7.0
    assert parse_retry_after({"retry-after": "7"}) == 7.0
    assert parse_retry_after({"RETRY-AFTER": "7", "x": "1"}) == 7.0
    assert parse_retry_after({"x": "1"}) is None
    assert parse_retry_after({}) is None


@pytest.mark.parametrize("value", [None, "", "soon", "inf", "nan", "-inf", "Mon, 99 Apr"])
def test_unreadable_or_unbounded_retry_after_is_none(value: str | None) -> None:
    # A lying venue's "inf" must not park a caller for ever: unknown, use your own backoff.
    assert parse_retry_after(value) is None


# ---- exchange_key -------------------------------------------------------------------------


def test_exchange_key_is_one_spelling_for_every_name() -> None:
    assert exchange_key("Kraken") == "kraken"
    assert exchange_key(" KRAKEN\n") == "kraken"
    assert exchange_key(ExchangeType.KRAKEN) == "kraken"
    assert exchange_key("ccxt:Gemini") == "ccxt:gemini"
    assert exchange_key(None) == ""


def test_retry_after_past_an_hour_is_capped_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    from powertrader_core.kit import MAX_RETRY_AFTER, cap_retry_after
    from powertrader_core.kit.gcra import MAX_QUEUE_SECONDS

    caplog.set_level("WARNING")
    assert MAX_RETRY_AFTER <= MAX_QUEUE_SECONDS  # a bucket holding the cap is believed
    assert parse_retry_after("1e9") == MAX_RETRY_AFTER
    assert "1e+09" in caplog.text or "1000000000" in caplog.text
    now = datetime(2024, 4, 15, 14, 2, 11, tzinfo=UTC)
    assert parse_retry_after("Fri, 15 Apr 2044 14:02:41 GMT", now=now) == MAX_RETRY_AFTER
    assert parse_retry_after(str(MAX_RETRY_AFTER - 1)) == MAX_RETRY_AFTER - 1  # kept as said
    assert parse_retry_after("inf") is None  # unreadable: the caller's own backoff
    assert cap_retry_after(float("nan")) == MAX_RETRY_AFTER  # conservative, bounded
    assert cap_retry_after(-2) == 0.0
