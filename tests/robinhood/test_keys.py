"""Keys: generation, the accepted private key forms, and checks that never echo a key."""

from __future__ import annotations

import base64

import pytest
from powertrader_robinhood import RobinhoodExchange, generate_keypair, public_key_b64
from powertrader_robinhood.keys import load_private_key

from powertrader_core import ConfigurationError


def test_generated_pair_is_raw_32_byte_keys_in_base64() -> None:
    pair = generate_keypair()
    assert len(base64.b64decode(pair.public_key)) == 32
    assert len(base64.b64decode(pair.private_key)) == 32
    assert public_key_b64(pair.private_key) == pair.public_key
    assert pair.private_key not in repr(pair)
    assert generate_keypair().private_key != pair.private_key


def test_64_byte_seed_plus_public_key_uses_the_first_32() -> None:
    pair = generate_keypair()
    long_key = base64.b64encode(
        base64.b64decode(pair.private_key) + base64.b64decode(pair.public_key)
    ).decode()
    assert public_key_b64(long_key) == pair.public_key
    assert RobinhoodExchange.check_config({"api_key": "k", "private_key": long_key}) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("not base64 at all!", "not valid base64"),
        (base64.b64encode(b"x" * 16).decode(), "decodes to 16 bytes"),
        (base64.b64encode(b"\x01" * 64).decode(), "last 32 are not the public key"),
    ],
)
def test_check_config_names_the_problem_without_the_value(value: str, expected: str) -> None:
    problems = RobinhoodExchange.check_config({"api_key": "k", "private_key": value})
    assert len(problems) == 1
    assert expected in problems[0]
    assert value not in problems[0]
    with pytest.raises(ConfigurationError) as info:
        load_private_key(value)
    assert value not in str(info.value)


def test_check_config_reports_missing_fields_and_bad_options() -> None:
    assert RobinhoodExchange.check_config({}) == ["api_key is missing", "private_key is missing"]
    pair = generate_keypair()
    problems = RobinhoodExchange.check_config(
        {"api_key": "k", "private_key": pair.private_key, "base_url": "ftp://x", "timeout": "-1"}
    )
    assert any("base_url" in p for p in problems)
    assert any("timeout" in p for p in problems)


async def test_a_call_without_keys_is_refused_before_any_request() -> None:
    exchange = RobinhoodExchange({"api_key": "k"})
    try:
        with pytest.raises(ConfigurationError) as info:
            await exchange.get_balance()
        assert "private_key is missing" in str(info.value)
        assert "keygen" in str(info.value)
        assert exchange._http is not None and not exchange._http.is_open
    finally:
        await exchange.close()
