"""Calendar arithmetic the selectors need: Easter, nth weekday of a month, month lengths."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache


@lru_cache(maxsize=512)
def easter(year: int) -> date:
    """Western Easter Sunday (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date | None:
    """The ``n``-th (1..5, or -1..-5 from the end) ``weekday`` (Mo=0) of a month, or None if it does not exist."""
    if n > 0:
        first = date(year, month, 1)
        day = 1 + (weekday - first.weekday()) % 7 + 7 * (n - 1)
        return date(year, month, day) if day <= days_in_month(year, month) else None
    last_day = days_in_month(year, month)
    last = date(year, month, last_day)
    day = last_day - (last.weekday() - weekday) % 7 - 7 * (-n - 1)
    return date(year, month, day) if day >= 1 else None


def nth_of_month(d: date) -> tuple[int, int]:
    """Which occurrence of its weekday ``d`` is in its month, counted from the start and from the end."""
    return (d.day - 1) // 7 + 1, -((days_in_month(d.year, d.month) - d.day) // 7 + 1)


def shift(d: date, days: int) -> date | None:
    try:
        return d + timedelta(days=days)
    except OverflowError:
        return None
