"""Client order ids fitted to each exchange's rule, the same way every time."""

from __future__ import annotations

import re
import uuid

from powertrader_ccxt.client_ids import to_exchange_client_id
from powertrader_ccxt.profiles import PROFILES, ClientIdFormat

UUID = "6d1b345e-2821-40e2-ad83-4ecb18a06876"


def test_okx_takes_a_uuid_as_its_32_hex_digits() -> None:
    okx = PROFILES["okx"].client_id
    assert to_exchange_client_id(UUID, okx) == "6d1b345e282140e2ad834ecb18a06876"


def test_kraken_takes_a_uuid_and_short_free_text_unchanged() -> None:
    kraken = PROFILES["kraken"].client_id
    assert to_exchange_client_id(UUID, kraken) == UUID
    assert to_exchange_client_id("arb-20240509-00010", kraken) == "arb-20240509-00010"


def test_an_id_that_does_not_fit_becomes_a_stable_uuid5() -> None:
    kraken = PROFILES["kraken"].client_id
    long_text = "my-strategy:order:0000000000001"  # 31 characters: over Kraken's 18
    first = to_exchange_client_id(long_text, kraken)
    assert first == to_exchange_client_id(long_text, kraken)
    assert str(uuid.UUID(first)) == first
    assert first != to_exchange_client_id(long_text + "2", kraken)


def test_every_profile_accepts_what_it_sends() -> None:
    samples = [UUID, str(uuid.uuid4()), "a", "strategy.v2:leg-1_x", "x" * 64, "B" * 40 + ":c"]
    for name, profile in PROFILES.items():
        fmt = profile.client_id
        for ours in samples:
            sent = to_exchange_client_id(ours, fmt)
            assert re.fullmatch(fmt.pattern, sent), (name, ours, sent)
            assert to_exchange_client_id(ours, fmt) == sent


def test_ids_that_already_fit_pass_unchanged() -> None:
    fmt = ClientIdFormat(pattern=r"[A-Za-z0-9]{1,32}", uuid_form="hex32")
    assert to_exchange_client_id("abc123", fmt) == "abc123"
    # a UUID in braces is not a plain UUID: treated as text, still converted stably
    assert re.fullmatch(r"[0-9a-f]{32}", to_exchange_client_id("{" + UUID + "}", fmt))
