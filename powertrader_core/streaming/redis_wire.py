"""The Redis Streams wire format for prices: one entry per update, money as exact strings.

An entry's fields (all strings; Redis keeps bytes):

- ``v``: format version (``1``); an entry of another version is skipped and counted.
- ``pub`` / ``seq``: the publisher's id and its update counter. A consumer that sees ``seq``
  jump knows exactly how many updates it lost (the stream was trimmed past it, or Redis
  restarted empty), which stream ids alone cannot say.
- ``ex``, ``sym``: exchange and canonical symbol; ``qs``: the market really quoted, if another;
  ``src``: where the exchange's price came from (``MarketData.source``), if it said.
- ``bid``, ``ask``, ``last``, ``vol``: ``Decimal`` as text, never a float.
- ``ts``: the exchange's timestamp; ``rts``: when the publisher received it (both ISO 8601 UTC).
- ``mode``: how the publisher's feed got it (``websocket`` or ``polling``).

Connection events go to a second stream: ``ex``, ``up`` (``1``/``0``), ``at``, ``mode``.
Decoding validates every field through :class:`~powertrader_core.models.MarketData`: a
malformed entry raises ``ValueError`` and the consumer skips it (Redis is shared state; an
entry someone else wrote is input like any other).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from powertrader_core.models import MarketData, canonical_symbol

__all__ = [
    "DEFAULT_EVENTS_STREAM",
    "DEFAULT_MAXLEN",
    "DEFAULT_PRICES_STREAM",
    "FIELD_SEPARATOR",
    "WIRE_VERSION",
    "WireUpdate",
    "decode_event",
    "decode_update",
    "encode_event",
    "encode_update",
]

WIRE_VERSION = "1"
DEFAULT_PRICES_STREAM = "powertrader:prices"
DEFAULT_EVENTS_STREAM = "powertrader:events"
#: Entries kept per stream (approximate trimming, ``MAXLEN ~``): at 1,000 updates a second,
#: well over a minute and a half for a consumer to catch up from where it was.
DEFAULT_MAXLEN = 100_000
#: Never inside a field: the publisher joins an entry's fields with it to send the entry as
#: one argument (see ``redis_publisher``). Text fields that hold it are refused.
FIELD_SEPARATOR = "\x1f"


@dataclass(frozen=True, slots=True)
class WireUpdate:
    """One decoded entry: the quote, and what the consumer needs to find gaps."""

    publisher: str
    seq: int
    exchange: str
    symbol: str
    market_data: MarketData
    received_at: datetime
    mode: str


def _text(value: Decimal) -> str:
    return format(value, "f")


def encode_update(
    publisher: str,
    seq: int,
    exchange: str,
    symbol: str,
    data: MarketData,
    *,
    received_at: datetime,
    mode: str,
) -> dict[str, str]:
    """The entry's fields for one update (see the module docstring)."""
    fields = {
        "v": WIRE_VERSION,
        "pub": publisher,
        "seq": str(seq),
        "ex": exchange,
        "sym": symbol,
        "bid": _text(data.bid),
        "ask": _text(data.ask),
        "last": _text(data.price),
        "vol": _text(data.volume),
        "ts": data.timestamp.isoformat(),
        "rts": received_at.isoformat(),
        "mode": mode,
    }
    if data.quoted_symbol:
        fields["qs"] = data.quoted_symbol
    if data.source:
        fields["src"] = data.source
    for name in ("pub", "ex", "mode", "qs", "src"):
        if FIELD_SEPARATOR in fields.get(name, ""):
            raise ValueError(f"price entry's {name!r} holds a control character (\\x1f)")
    return fields


Fields = Mapping[bytes, bytes] | Mapping[str, str]


def _as_text(fields: Fields) -> Mapping[str, str]:
    """Entries come as text from a client with ``decode_responses``, else as bytes."""
    for key in fields:
        if isinstance(key, bytes):
            return {
                k.decode(): v.decode()  # type: ignore[union-attr]
                for k, v in fields.items()
            }
        break
    return fields  # type: ignore[return-value]


def _field(fields: Mapping[str, str], name: str) -> str:
    try:
        return fields[name]
    except KeyError:
        raise ValueError(f"price entry without {name!r}") from None


def _decimal(fields: Mapping[str, str], name: str) -> Decimal:
    try:
        return Decimal(_field(fields, name))
    except ArithmeticError:  # decimal.InvalidOperation: not a number
        raise ValueError(f"price entry's {name!r} is not a number") from None


def _moment(text: str, name: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"price entry's {name!r} has no time zone")
    return moment.astimezone(UTC)


def decode_update(entry: Fields) -> WireUpdate:
    """An entry back into a :class:`WireUpdate`; ``ValueError`` if it is not one of ours."""
    fields = _as_text(entry)
    version = _field(fields, "v")
    if version != WIRE_VERSION:
        raise ValueError(f"price entry of format version {version!r}, expected {WIRE_VERSION}")
    exchange = _field(fields, "ex")
    symbol = canonical_symbol(_field(fields, "sym"))
    quoted = fields.get("qs")
    # Decimal() of the exact text first: MarketData still checks each is finite and not
    # negative, and it validates Decimals at a quarter of the cost of strings.
    data = MarketData(
        symbol=symbol,
        price=_decimal(fields, "last"),
        bid=_decimal(fields, "bid"),
        ask=_decimal(fields, "ask"),
        volume=_decimal(fields, "vol"),
        timestamp=_moment(_field(fields, "ts"), "ts"),
        exchange=exchange,
        quoted_symbol=quoted,
        source=fields.get("src"),
    )
    seq = int(_field(fields, "seq"))
    if seq < 1:
        raise ValueError("price entry's 'seq' must be positive")
    return WireUpdate(
        publisher=_field(fields, "pub"),
        seq=seq,
        exchange=exchange,
        symbol=symbol,
        market_data=data,
        received_at=_moment(_field(fields, "rts"), "rts"),
        mode=_field(fields, "mode"),
    )


def encode_event(exchange: str, connected: bool, at: datetime, mode: str) -> dict[str, str]:
    up = "1" if connected else "0"
    return {"v": WIRE_VERSION, "ex": exchange, "up": up, "at": at.isoformat(), "mode": mode}


def decode_event(entry: Fields) -> tuple[str, bool, datetime, str]:
    fields = _as_text(entry)
    if _field(fields, "v") != WIRE_VERSION:
        raise ValueError("connection event of another format version")
    up = _field(fields, "up")
    if up not in {"0", "1"}:
        raise ValueError("connection event's 'up' must be 0 or 1")
    moment = _moment(_field(fields, "at"), "at")
    return _field(fields, "ex"), up == "1", moment, fields.get("mode", "")
