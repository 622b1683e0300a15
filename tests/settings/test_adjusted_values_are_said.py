"""The hub's forgiving rules (clamp a level to 1..7, a negative percentage to 0, drop a DCA
level that is not a number) still load a user's file, but never silently: each change is a
warning naming the key, what was written and what is used."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from powertrader_core import Settings


def test_each_adjustment_is_a_warning_naming_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="powertrader_core")
    settings = Settings(
        trade_start_level=9,
        start_allocation_pct="-1",
        max_dca_buys_per_24h=-3,
        dca_levels=["-2.5", "abc"],
    )
    assert settings.trade_start_level == 7
    assert settings.start_allocation_pct == Decimal(0)
    assert settings.max_dca_buys_per_24h == 0
    assert settings.dca_levels == [Decimal("-2.5")]
    text = caplog.text
    assert "trade_start_level = 9 is outside 1..7; using 7" in text
    assert "start_allocation_pct = '-1' is negative; using 0" in text
    assert "max_dca_buys_per_24h = -3 is negative; using 0" in text
    assert "dca_levels entry 'abc' is not a number; dropped" in text


def test_values_in_range_say_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="powertrader_core")
    Settings(trade_start_level=3, start_allocation_pct="0.5%", max_dca_buys_per_24h=2)
    assert caplog.text == ""


def test_a_redis_password_never_shows_in_the_settings_repr() -> None:
    settings = Settings(redis_url="redis://:hunter2-secret@127.0.0.1:6379/0")
    assert settings.redis_url is not None and "hunter2" in settings.redis_url
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in str(settings)
