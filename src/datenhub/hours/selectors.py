"""Compiled selectors: date items matched per day, time spans resolved per day, and the rule that holds them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from .calendar_ import days_in_month, easter, nth_of_month, nth_weekday, shift

DAY = 1440
# Values variable times take without coordinates (the reference engine uses the same).
DEFAULT_TIMEVARS = {"sunrise": 360, "sunset": 1080, "dawn": 330, "dusk": 1110}


class HolidayLookup(Protocol):
    def public(self, d: date) -> str | None: ...

    def school(self, d: date) -> str | None: ...


@dataclass(frozen=True, slots=True)
class YearItem:
    start: int
    end: int | None  # None: open ("2020+")
    period: int = 1

    def match(self, d: date, ctx: HolidayLookup) -> tuple[bool, str | None]:
        y = d.year
        if y < self.start or (self.end is not None and y > self.end):
            return False, None
        return (y - self.start) % self.period == 0, None


@dataclass(frozen=True, slots=True)
class MonthItem:
    start: int
    end: int

    def match(self, d: date, ctx: HolidayLookup) -> tuple[bool, str | None]:
        m = d.month
        if self.start <= self.end:
            return self.start <= m <= self.end, None
        return m >= self.start or m <= self.end, None


@dataclass(frozen=True, slots=True)
class DateSpec:
    """One end of a month-day range: a fixed day, the nth weekday of a month, or Easter, plus an offset."""

    year: int | None
    month: int | None
    day: int | None = None
    nth: tuple[int, int] | None = None  # (weekday, n)
    is_easter: bool = False
    offset: int = 0

    def resolve(self, year: int) -> date | None:
        y = self.year if self.year is not None else year
        if not 1 <= y <= 9998:
            return None
        if self.is_easter:
            base: date | None = easter(y)
        elif self.nth is not None:
            assert self.month is not None
            base = nth_weekday(y, self.month, self.nth[0], self.nth[1])
        else:
            assert self.month is not None and self.day is not None
            last = days_in_month(y, self.month)
            if self.day > last:
                return None
            base = date(y, self.month, self.day or last)
        if base is None:
            return None
        return shift(base, self.offset) if self.offset else base


@dataclass(frozen=True, slots=True)
class DateRangeItem:
    start: DateSpec
    end: DateSpec | None = None
    period: int = 1

    def match(self, d: date, ctx: HolidayLookup) -> tuple[bool, str | None]:
        years = (self.start.year,) if self.start.year is not None else (d.year - 1, d.year)
        for y in years:
            s = self.start.resolve(y)
            e = s if self.end is None else self._end(y)
            if s is None or e is None:
                continue
            if s <= e or self.start.year is not None:
                hit = s <= d <= e
            elif d.year != y:
                hit = False
            elif d >= s:
                hit = True
            elif d <= e:
                hit = True
                s = self.start.resolve(y - 1) or s
            else:
                hit = False
            if hit and (self.period == 1 or (d - s).days % self.period == 0):
                return True, None
        return False, None

    def _end(self, year: int) -> date | None:
        assert self.end is not None
        e = self.end.resolve(year)
        # The reference engine treats an Easter-based end as exclusive.
        if e is not None and self.end.is_easter:
            e = shift(e, -1)
        return e


@dataclass(frozen=True, slots=True)
class WeekItem:
    start: int
    end: int
    period: int = 1

    def match(self, d: date, ctx: HolidayLookup) -> tuple[bool, str | None]:
        w = d.isocalendar()[1]
        return self.start <= w <= self.end and (w - self.start) % self.period == 0, None


@dataclass(frozen=True, slots=True)
class WeekdayItem:
    days: frozenset[int]
    nth: tuple[int, ...] = ()
    offset: int = 0
    first: int = 0  # as written, for printing
    last: int = 0

    def match(self, d: date, ctx: HolidayLookup) -> tuple[bool, str | None]:
        if not self.nth:
            return d.weekday() in self.days, None
        dd = shift(d, -self.offset) if self.offset else d
        if dd is None or dd.weekday() not in self.days:
            return False, None
        first, last = nth_of_month(dd)
        return first in self.nth or last in self.nth, None


@dataclass(frozen=True, slots=True)
class HolidayItem:
    kind: str  # "PH" or "SH"
    offset: int = 0

    def match(self, d: date, ctx: HolidayLookup) -> tuple[bool, str | None]:
        look = d - timedelta(days=self.offset) if self.offset else d
        name = ctx.public(look) if self.kind == "PH" else ctx.school(look)
        if name is None:
            return False, None
        if self.offset > 0:
            name = f"Day after {name}"
        elif self.offset < 0:
            name = f"Day before {name}"
        return True, name


DateItem = YearItem | MonthItem | DateRangeItem | WeekItem | WeekdayItem | HolidayItem

# Order in which groups are checked, as the reference engine does (widest first).
GROUP_ORDER = {"year": 0, "holiday": 1, "month": 2, "week": 3, "weekday": 4}


@dataclass(slots=True)
class DateGroup:
    """Items joined by ',' (any may match); the groups of a rule must all match."""

    kind: str
    items: list[DateItem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TimePoint:
    minutes: int = 0  # fixed minutes, or the offset of a variable time
    var: str | None = None

    def default(self) -> int:
        return self.minutes + (DEFAULT_TIMEVARS[self.var] if self.var else 0)

    def at(self, tv: dict[str, int] | None) -> int:
        if self.var is None:
            return self.minutes
        base = tv[self.var] if tv is not None else DEFAULT_TIMEVARS[self.var]
        return base + self.minutes


@dataclass(slots=True)
class TimeSpan:
    """A time range, open end or point in time, resolved to minute segments per day."""

    start: TimePoint
    end: TimePoint | None = None
    open_end: bool = False
    period: int | None = None
    end_shift: int = 0  # 1440 when the range wraps past midnight
    oe_end: int = 0  # guessed end of an open end (extended minutes)
    max_end: int = 0  # parse-time extent, to know whether the rule wraps

    def segments(self, tv: dict[str, int] | None) -> list[tuple[int, int, bool]]:
        s = self.start.at(tv)
        if self.end is None:
            if self.open_end:
                return [(s, self.oe_end, True)] if self.oe_end > s else []
            return [(s, s + 1, False)]
        e = self.end.at(tv) + self.end_shift
        if self.period:
            return [(t, t + 1, False) for t in range(s, e + 1, self.period)]
        out: list[tuple[int, int, bool]] = []
        if e > s:
            out.append((s, e, False))
        if self.open_end and self.oe_end > max(e, s):
            out.append((max(e, s), self.oe_end, True))
        return out


@dataclass(slots=True)
class Rule:
    """One rule of a value: date groups, time spans, state and comment."""

    groups: list[DateGroup] = field(default_factory=list)
    times: list[TimeSpan] = field(default_factory=list)
    state: str | None = None  # "open" | "closed" | "unknown" as written, None when not written
    comment: str | None = None
    separator: str = ";"  # ";" normal, "," additional, "||" fallback
    pos: int = 0
    end_pos: int = 0
    has_247: bool = False
    wrapped: bool = False

    @property
    def meaning(self) -> bool:
        if self.state is None:
            return self.comment is None
        return self.state == "open"

    @property
    def unknown(self) -> bool:
        if self.state is None:
            return self.comment is not None
        return self.state == "unknown"

    @property
    def fallback(self) -> bool:
        return self.separator == "||" and not self.wrapped

    @property
    def additional(self) -> bool:
        return self.separator == "," and not self.wrapped

    def wraps(self) -> bool:
        return any(span.max_end > DAY for span in self.times)
