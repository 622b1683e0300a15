"""Reading an HTTP ``Retry-After`` header (RFC 9110 section 10.2.3), for every plugin.

The header is either delta-seconds (``120``) or an HTTP date (``Wed, 21 Oct 2015 07:28:00
GMT``). Exchanges also send fractions (``0.5``), which are read as such. What cannot be read,
or is not finite, gives ``None``: the caller falls back to its own backoff rather than trusting
a value it does not understand. A date in the past, or a negative number, means "now" (0.0).

A wait longer than :data:`MAX_RETRY_AFTER` is cut to it and logged (:func:`cap_retry_after`):
an answer of ``Retry-After: 1000000000`` (a proxy's bug, a hostile server) must not stall a
process for years. After the capped wait the request goes again, and an exchange that is
still refusing says so again, with a new value.
"""

from __future__ import annotations

import email.utils
import logging
import math
from collections.abc import Mapping
from datetime import UTC, datetime

__all__ = ["MAX_RETRY_AFTER", "cap_retry_after", "parse_retry_after"]

log = logging.getLogger(__name__)

#: The longest wait an exchange's answer may impose (seconds): one hour. Longer than any
#: documented limit-hit wait we honour as a hold (Bybit's IP ban: "at least 10 minutes",
#: bybit-exchange.github.io/docs/v5/rate-limit; Binance's 418 ban starts at 2 minutes,
#: developers.binance.com rest-api LIMITS); Binance's longer bans (up to 3 days) are
#: re-announced by the next answer's own Retry-After. Within ``gcra.MAX_QUEUE_SECONDS``, so
#: a bucket holding the capped wait is believed as written.
MAX_RETRY_AFTER = 3600.0


def cap_retry_after(seconds: float, *, what: str = "Retry-After") -> float:
    """``seconds`` as a wait we will really honour: at least 0, at most
    :data:`MAX_RETRY_AFTER`. A longer (or infinite, or NaN) value is logged, naming ``what``
    said it, and cut to the cap: conservative, yet bounded."""
    if seconds != seconds or seconds > MAX_RETRY_AFTER:  # NaN, or longer than we wait
        log.warning(
            "%s of %s s is longer than the %g s this process will wait; waiting %g s",
            what, seconds, MAX_RETRY_AFTER, MAX_RETRY_AFTER,
        )
        return MAX_RETRY_AFTER
    return max(0.0, seconds)


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
        return cap_retry_after(seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" in an HTTP date: UTC by definition
        when = when.replace(tzinfo=UTC)
    return cap_retry_after((when - (now or datetime.now(UTC))).total_seconds())
