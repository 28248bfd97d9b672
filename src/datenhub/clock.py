"""Injected time: logic never calls datetime.now() directly, so tests can run at a fixed instant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def fixed(at: datetime) -> Clock:
    if at.tzinfo is None:
        raise ValueError("a fixed clock needs an aware datetime")
    return lambda: at


def local_if_utc(at: datetime) -> datetime:
    """A time given in UTC (an iCal feed's `…Z`, a JSON `…+00:00`) as the same instant in Europe/Berlin local time,
    as the hub shows times to visitors in the Ruhr; a time given with a local offset stays as it was given."""
    return at.astimezone(BERLIN) if at.utcoffset() == timedelta(0) else at
