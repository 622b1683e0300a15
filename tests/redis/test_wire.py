"""The Redis wire format: exact money both ways, and anything else refused."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from powertrader_core.models import MarketData
from powertrader_core.streaming.redis_wire import (
    decode_event,
    decode_update,
    encode_event,
    encode_update,
)

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def _quote(**overrides: object) -> MarketData:
    fields: dict[str, object] = {
        "symbol": "BTC-USD",
        "price": "60000.123456789012345678",
        "bid": "0.1",
        "ask": Decimal("60000.20"),
        "volume": "12.5",
        "timestamp": NOW,
        "exchange": "binance",
        "quoted_symbol": "BTC-USDT",
        "source": "ticker",
    }
    fields.update(overrides)
    return MarketData(**fields)  # type: ignore[arg-type]


def _bytes(fields: dict[str, str]) -> dict[bytes, bytes]:
    return {key.encode(): value.encode() for key, value in fields.items()}


def test_an_update_comes_back_exactly() -> None:
    data = _quote()
    fields = encode_update("pub-1", 7, "binance", "BTC-USD", data, received_at=NOW, mode="polling")
    back = decode_update(_bytes(fields))  # as redis-py hands entries over: bytes
    assert back.market_data == data.model_copy(update={"latency_ms": None})
    assert back.market_data.bid == Decimal("0.1")  # not 0.1000000000000000055...
    assert str(back.market_data.price) == "60000.123456789012345678"
    assert back.market_data.timestamp.tzinfo is not None
    assert (back.publisher, back.seq, back.mode, back.received_at) == ("pub-1", 7, "polling", NOW)
    assert all(isinstance(value, str) for value in fields.values())  # nothing float-shaped


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"v": "2"}, "version"),
        ({"bid": "NaN"}, "bid"),
        ({"ask": "-1"}, "negative"),
        ({"last": "1e"}, "last"),
        ({"ts": "2026-12-07T03:00:00"}, "time zone"),
        ({"seq": "0"}, "seq"),
        ({"sym": "BTCUSD"}, "symbol"),
    ],
)
def test_a_malformed_entry_is_refused(change: dict[str, str], says: str) -> None:
    fields = encode_update("p", 1, "kraken", "BTC-USD", _quote(), received_at=NOW, mode="ws")
    fields.update(change)
    with pytest.raises(ValueError, match=f"(?i){says}"):
        decode_update(fields)


def test_a_missing_field_is_refused() -> None:
    fields = encode_update("p", 1, "kraken", "BTC-USD", _quote(), received_at=NOW, mode="ws")
    del fields["ask"]
    with pytest.raises(ValueError, match="ask"):
        decode_update(fields)


def test_connection_events_round_trip() -> None:
    event = encode_event("kraken", False, NOW, "polling")
    assert decode_event(_bytes(event)) == ("kraken", False, NOW, "polling")
    with pytest.raises(ValueError):
        decode_event({"v": "1", "ex": "kraken", "up": "maybe", "at": NOW.isoformat()})


def test_a_field_holding_the_separator_is_refused_before_it_is_sent() -> None:
    """The publisher sends an entry as one argument joined by \\x1f (see redis_publisher)."""
    with pytest.raises(ValueError, match="control character"):
        encode_update(
            "p", 1, "evil\x1fex", "BTC-USD", _quote(), received_at=NOW, mode="polling"
        )
    with pytest.raises(ValueError, match="'src'"):
        encode_update("p", 1, "kraken", "BTC-USD", _quote(source="a\x1fb"), received_at=NOW,
                      mode="polling")
