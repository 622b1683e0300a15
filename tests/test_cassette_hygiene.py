"""No cassette holds a test secret, in plain text or base64."""

from __future__ import annotations

import base64

from tests.cassette_support import CASSETTES, TEST_SECRETS


def test_no_cassette_contains_a_test_secret() -> None:
    needles = set(TEST_SECRETS.values())
    needles |= {base64.b64encode(value.encode()).decode() for value in TEST_SECRETS.values()}
    offenders = []
    for path in CASSETTES.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            offenders += [f"{path}: {needle[:6]}…" for needle in needles if needle in text]
    assert not offenders, offenders
