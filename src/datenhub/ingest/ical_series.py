"""The dates of a recurring iCalendar event: RRULE, RDATE and EXDATE expanded over a window around the fetch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from datenhub.clock import BERLIN
from datenhub.notices import Location, Notice, Severity

MAX_OCCURRENCES = 200
RECURRENCE_WINDOW = timedelta(days=400)
MAX_STEPS = 100_000  # dates a rule may give up to the window's end: hourly for eleven years
_WITHIN_A_DAY = frozenset({"HOURLY", "MINUTELY", "SECONDLY"})


def as_datetime(value: Any) -> tuple[datetime, bool]:
    """(aware datetime, all_day). Floating times are read as Europe/Berlin local time."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=BERLIN)), False
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=BERLIN), True
    raise TypeError(f"not a date: {value}")


def _listed(component: Any, key: str) -> list[Any]:
    """Every value of a property that may repeat (RRULE) as a list."""
    value = component.get(key)
    return value if isinstance(value, list) else ([] if value is None else [value])


def _dates(component: Any, key: str) -> list[Any]:
    """The dates of every RDATE or EXDATE property: each may repeat and hold several dates."""
    return [d.dt for prop in _listed(component, key) for d in prop.dts]


@dataclass(slots=True)
class Series:
    """A VEVENT's occurrences (aware, in DTSTART's zone) and how each is named."""

    start: datetime
    occurrences: list[datetime]
    recurring: bool = False  # RRULE or RDATE: occurrences are named uid#stamp, even when only one remains
    timed: bool = False  # the rule repeats within a day: every occurrence is named by date and time
    off_time: frozenset[datetime] = frozenset()  # RDATEs at another time of day than DTSTART: named by time too
    excluded: frozenset[datetime] = frozenset()  # EXDATEs, in UTC
    lengths: dict[datetime, timedelta] = field(default_factory=dict)  # RDATE periods' own lengths, by UTC start
    all_day: bool = False
    rule: Any = None  # the dateutil rrule(set) before EXDATE, to tell whether a RECURRENCE-ID is a date of the series
    skipped: frozenset[datetime] = frozenset()  # EXDATEs as the rule gives dates (naive for all-day series)
    notices: list[Notice] = field(default_factory=list)
    empty_reason: str = ""  # why a series has no occurrence, for the no_occurrences notice

    def stamp(self, instant: datetime) -> str:
        """An occurrence's name within its series: its date, or date and time where a day can hold more."""
        local = instant if instant.tzinfo is self.start.tzinfo else instant.astimezone(self.start.tzinfo)
        if self.timed or (self.off_time and instant.astimezone(UTC) in self.off_time):
            return local.strftime("%Y-%m-%dT%H%M")
        return local.date().isoformat()

    def contains(self, instant: datetime) -> bool:
        """Whether the recurrence set (EXDATEs taken out) has this date, inside the window or not."""
        if self.rule is None:
            return instant == self.start
        at = instant.astimezone(BERLIN).replace(tzinfo=None) if self.all_day else instant
        return at not in self.skipped and bool(self.rule.between(at, at, inc=True))


def expand(component: Any, start: datetime, all_day: bool, floating: bool, now: datetime,
           where: Location) -> Series:
    """The dates of a VEVENT from RECURRENCE_WINDOW before the feed was fetched to as far after it: a series
    that began years ago still reaches the coming weeks. Over MAX_OCCURRENCES, the coming ones win; a series
    that ended before the window keeps its first dates. Never raises for bad data: an unreadable rule keeps
    DTSTART alone, with an invalid_recurrence notice."""
    rules = _listed(component, "RRULE")
    if not rules and component.get("RDATE") is None:
        return Series(start, [start])
    series = Series(start, [start], recurring=True, timed=_repeats_within_a_day(rules), all_day=all_day)
    try:
        _expand(series, component, rules, floating, now, where)
    except (ValueError, TypeError, OverflowError) as exc:
        series.occurrences, series.rule = [start], None
        series.notices.append(Notice("invalid_recurrence", Severity.WARNING,
                                     f"the recurrence rule cannot be used ({exc}); only the first date is kept", where))
    return series


def _expand(series: Series, component: Any, rules: list[Any], floating: bool, now: datetime,
            where: Location) -> None:
    from dateutil.rrule import rruleset, rrulestr

    start, all_day = series.start, series.all_day

    def local(value: Any) -> datetime:
        """A date of the series in the form dateutil compares: naive local for all-day series, aware otherwise."""
        if not isinstance(value, datetime) and not all_day and isinstance(value, date):
            value = datetime.combine(value, start.timetz())  # a date in a timed series: at DTSTART's time
        moment = as_datetime(value)[0]
        return moment.astimezone(BERLIN).replace(tzinfo=None) if all_day else moment.astimezone(start.tzinfo)

    def aware(value: datetime) -> datetime:
        return value.replace(tzinfo=BERLIN) if all_day else value

    dtstart = start.replace(tzinfo=None) if all_day else start
    parsed = [rrulestr(_rule_text(rec, start, all_day, floating, series.notices, where), dtstart=dtstart)
              for rec in rules]
    rdates = []
    for value in _dates(component, "RDATE"):
        if isinstance(value, tuple):  # RDATE;VALUE=PERIOD: a start and an end or a length of its own
            begin, length = value
            rdates.append(local(begin))
            series.lengths[aware(rdates[-1]).astimezone(UTC)] = (
                length if isinstance(length, timedelta) else as_datetime(length)[0] - as_datetime(begin)[0])
        else:
            rdates.append(local(value))
    if not rules:
        rdates.insert(0, dtstart)  # DTSTART is the first date of a series, RDATEs add to it (RFC 5545 3.8.5.2)

    if len(parsed) == 1 and not rdates:
        rset: Any = parsed[0]  # a plain rule iterates faster than a set of one
    else:
        rset = rruleset()
        for rule in parsed:
            rset.rrule(rule)
        for extra in rdates:
            rset.rdate(extra)
    exdates = [local(d) for d in _dates(component, "EXDATE")]
    series.skipped = skipped = frozenset(exdates)
    series.excluded = frozenset(aware(d).astimezone(UTC) for d in exdates)
    series.off_time = frozenset(aware(d).astimezone(UTC) for d in rdates
                                if aware(d).astimezone(start.tzinfo).time() != start.time())
    series.rule = rset

    at = now.astimezone(BERLIN).replace(tzinfo=None) if all_day else now
    found = _without(_between(rset, max(dtstart, at - RECURRENCE_WINDOW), at + RECURRENCE_WINDOW), skipped)
    if not found:  # a series over long before the fetch (an archive): its first dates, as they were
        found = _without(_between(rset, dtstart, dtstart + RECURRENCE_WINDOW), skipped)[:MAX_OCCURRENCES]
    coming = [o for o in found if o >= at][:MAX_OCCURRENCES]
    past = [o for o in found if o < at][-(MAX_OCCURRENCES - len(coming)):] if len(coming) < MAX_OCCURRENCES else []
    series.occurrences = [aware(o) for o in past + coming]
    if len(found) > len(series.occurrences):
        first, last = series.occurrences[0], series.occurrences[-1]
        series.notices.append(Notice(
            "occurrences_capped", Severity.WARNING,
            f"the series has {len(found)} dates within {RECURRENCE_WINDOW.days} days of the fetch; the "
            f"{len(series.occurrences)} nearest, {first:%Y-%m-%d} to {last:%Y-%m-%d}, are imported", where))
    if not series.occurrences:
        series.empty_reason = (
            "its RRULE gives no date (does UNTIL lie before DTSTART?)" if next(iter(rset), None) is None
            else "EXDATE excludes every date" if next((o for o in rset if o not in skipped), None) is None
            else f"none lies within {RECURRENCE_WINDOW.days} days of DTSTART or of the fetch")


def _between(rule: Any, lo: datetime, hi: datetime) -> list[datetime]:
    """rule.between(lo, hi, inc=True), within a budget: dateutil steps through every date from DTSTART, so a rule
    of every second (or BYSECOND lists) begun long ago would take hours and the dates of a window gigabytes."""
    found = []
    for step, moment in enumerate(rule):
        if moment > hi:
            break
        if moment >= lo:
            found.append(moment)
        if step >= MAX_STEPS:
            raise ValueError(f"it gives more than {MAX_STEPS:,} dates from DTSTART to {hi:%Y-%m-%d}: far more than "
                             "an event has")
    return found


def _without(found: list[datetime], skipped: frozenset[datetime]) -> list[datetime]:
    return [o for o in found if o not in skipped] if skipped else found


def _repeats_within_a_day(rules: list[Any]) -> bool:
    """A rule that can give two dates on one day (HOURLY, BYHOUR=10,14, two RRULEs at other hours)."""
    from icalendar import vRecur

    times = set()
    for rec in rules:
        if not isinstance(rec, vRecur):
            continue
        if str(rec.get("FREQ", [""])[0]).upper() in _WITHIN_A_DAY:
            return True
        parts = tuple(tuple(rec.get(key, [])) for key in ("BYHOUR", "BYMINUTE", "BYSECOND"))
        if any(len(values) > 1 for values in parts):
            return True
        times.add(parts)
    return len(times) > 1


def _rule_text(rec: Any, start: datetime, all_day: bool, floating: bool, notices: list[Notice],
               where: Location) -> str:
    """The RRULE as text for dateutil. RFC 5545 wants UNTIL of DTSTART's kind (UTC for a zoned DTSTART, a date
    for a date); feeds get it wrong, so a mismatched UNTIL is read in DTSTART's zone and flagged."""
    from icalendar import vRecur

    if not isinstance(rec, vRecur) or not rec.get("UNTIL"):
        return str(rec.to_ical().decode())
    until = rec["UNTIL"][0]
    shown = vRecur({"UNTIL": [until]}).to_ical().decode()
    zone = start.tzinfo
    problem = None
    if all_day:
        if isinstance(until, datetime):  # 20080323T235959Z means the 23rd, not the Berlin date of that instant
            problem = f"RRULE {shown} has a time but DTSTART is a date; its date is used"
            until = until.date()
        fixed: date = until
    elif isinstance(until, datetime):
        if until.tzinfo is None and not floating:
            problem = f"RRULE {shown} has no time zone but DTSTART has one; it is read in {zone}"
        fixed = (until if until.tzinfo else until.replace(tzinfo=zone)).astimezone(UTC)
    else:  # a date: the last day of the series, all of it
        problem = f"RRULE {shown} is a date but DTSTART has a time; it is read as the end of that day in {zone}"
        fixed = datetime.combine(until, time(23, 59, 59), tzinfo=zone).astimezone(UTC)
    if problem:
        notices.append(Notice("until_mismatch", Severity.WARNING, problem, where.at_field("RRULE"), shown))
    rule = vRecur(rec)
    rule["UNTIL"] = [fixed]
    return str(rule.to_ical().decode())
