"""Dates as feeds and sitemaps write them (RFC 822, ISO 8601, a bare day), read as epoch seconds."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime


def parse_timestamp(text: str | None) -> float | None:
    """Seconds since the epoch, or None for a missing or unreadable date (naive dates are UTC)."""
    if not text or not text.strip():
        return None
    text = text.strip()
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()
