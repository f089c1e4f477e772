"""Time windows as agents write them: ISO 8601 instants, or "last 1h" / "last 30m" / "last 2d"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_UNITS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
}
_RELATIVE = re.compile(r"^\s*(?:last|past)\s*(\d+(?:\.\d+)?)?\s*([a-z]+)\s*$", re.IGNORECASE)


def _relative(text: str) -> timedelta | None:
    match = _RELATIVE.match(text)
    if not match:
        return None
    amount, unit = match.group(1), match.group(2).lower()
    if unit not in _UNITS:
        raise ValueError(
            f"unknown unit {unit!r} in {text!r}: use s, m, h, d or w (e.g. 'last 30m', 'last 2d')"
        )
    seconds = float(amount) * _UNITS[unit] if amount else _UNITS[unit]
    if seconds <= 0:
        raise ValueError(f"{text!r} is an empty window: the amount must be above zero")
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        raise ValueError(f"{text!r} reaches before year 1") from None


def _instant(text: str, name: str, now: datetime) -> datetime:
    value = text.strip()
    if value.lower() == "now":
        return now
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{name} {text!r} is neither an ISO 8601 time (e.g. 2025-01-23T09:40:00Z) "
            "nor a relative window (e.g. 'last 1h', 'last 30m', 'last 2d')"
        ) from None
    # A time without an offset is read as UTC, the store's clock.
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parse_window(start: str | None, end: str | None, *, now: datetime) -> tuple[datetime, datetime]:
    """Resolve `start`/`end` to an aware half-open window [start, end) in UTC.

    `start` is an ISO 8601 time or "last <n><unit>" (counted back from `end`); `end` defaults to `now`.
    Raises ValueError with a message that says what to write instead.
    """
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    if start is None or not str(start).strip():
        raise ValueError("start is required: an ISO 8601 time or a relative window such as 'last 1h'")
    end_at = now if end is None or not str(end).strip() else _end(str(end), now)
    span = _relative(str(start))
    try:
        start_at = end_at - span if span is not None else _instant(str(start), "start", now)
    except OverflowError:
        raise ValueError(f"start {start!r} reaches before year 1") from None
    if start_at >= end_at:
        raise ValueError(f"empty window: start {start_at.isoformat()} is not before end {end_at.isoformat()}")
    return start_at.astimezone(UTC), end_at.astimezone(UTC)


def _end(text: str, now: datetime) -> datetime:
    if _RELATIVE.match(text):
        raise ValueError(f"end {text!r} must be an ISO 8601 time or 'now'; put 'last ...' in start")
    return _instant(text, "end", now)
