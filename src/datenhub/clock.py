"""Injected time: logic never calls datetime.now() directly, so tests can run at a fixed instant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def fixed(at: datetime) -> Clock:
    if at.tzinfo is None:
        raise ValueError("a fixed clock needs an aware datetime")
    return lambda: at
