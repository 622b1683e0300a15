"""Reading an HTTP ``Retry-After`` header (RFC 9110 section 10.2.3), for every plugin.

The header is either delta-seconds (``120``) or an HTTP date (``Wed, 21 Oct 2015 07:28:00
GMT``). Exchanges also send fractions (``0.5``), which are read as such. What cannot be read,
or is not finite, gives ``None``: the caller falls back to its own backoff rather than trusting
a value it does not understand. A date in the past, or a negative number, means "now" (0.0).
"""

from __future__ import annotations

import email.utils
import math
from collections.abc import Mapping
from datetime import UTC, datetime

__all__ = ["parse_retry_after"]


def _header_value(headers: Mapping[str, str]) -> str | None:
    for name, value in headers.items():
        if str(name).lower() == "retry-after":
            return str(value)
    return None


def parse_retry_after(
    value: str | Mapping[str, str] | None, *, now: datetime | None = None
) -> float | None:
    """Seconds to wait from a ``Retry-After`` value, or from response headers holding one.

    ``value`` is the header's text, or the whole header mapping (looked up without regard to
    case). ``now`` (tz-aware; default the current UTC time) is what an HTTP date is measured
    from, for tests.
    """
    if isinstance(value, Mapping):
        value = _header_value(value)
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" in an HTTP date: UTC by definition
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
