"""The public ``OpeningHours`` object: parse once (cached), then ask for states, changes and intervals."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from .errors import OpeningHoursError
from .evaluator import DaySchedule, Evaluator, State
from .holidays_ import STATES, HolidayCalendar, school_holiday_states
from .parser import Parser
from .selectors import HolidayItem, Rule
from .solar import BERLIN
from .tokenizer import tokenize

DEFAULT_HORIZON_DAYS = 400

# How the reference engine reads the simple values of the OSM key "lit".
LIT_VALUES = {
    "yes": 'sunset-sunrise open "specified as yes: At night (unknown time schedule or daylight detection)"',
    "automatic": 'unknown "specified as automatic: When someone enters the way the lights are turned on."',
    "no": 'off "specified as no: There are no lights installed."',
    "interval": 'unknown "specified as interval"',
    "limited": 'unknown "specified as limited"',
}

Interval = tuple[datetime, datetime, str, str | None]


def _require_aware(t: datetime, name: str = "t") -> None:
    if not isinstance(t, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(t).__name__}")
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (e.g. datetime(..., tzinfo=ZoneInfo('Europe/Berlin')))")


def _to_local(t: datetime) -> datetime:
    return t.astimezone(BERLIN).replace(tzinfo=None)


def _aware(d: date, minute: int) -> datetime:
    return (
        datetime.combine(d, time()).replace(tzinfo=BERLIN) + timedelta(minutes=minute)
        if minute >= 1440
        else (datetime.combine(d, time(minute // 60, minute % 60), tzinfo=BERLIN))
    )


class OpeningHours:
    """A compiled ``opening_hours`` value, evaluated in Europe/Berlin local time."""

    __slots__ = ("_eval", "lat", "lon", "mode", "notes", "rules", "state", "value")

    def __init__(
        self,
        value: str,
        rules: list[Rule],
        notes: list[tuple[int, str]],
        *,
        lat: float | None,
        lon: float | None,
        state: str | None,
        mode: int,
    ) -> None:
        self.value = value
        self.rules = rules
        self.notes = notes
        self.lat = lat
        self.lon = lon
        self.state = state
        self.mode = mode
        coords = (float(lat), float(lon)) if lat is not None and lon is not None else None
        self._eval = Evaluator(rules, HolidayCalendar(state), coords)

    @classmethod
    def parse(
        cls,
        value: str,
        *,
        lat: float | None = None,
        lon: float | None = None,
        state: str | None = "NW",
        mode: int | None = None,
        key: str = "opening_hours",
    ) -> OpeningHours:
        """Compile ``value`` (cached). Raises :class:`OpeningHoursError` for invalid values.

        ``state`` is the German state whose holidays PH/SH mean (None: PH/SH are errors). ``mode`` 0 allows
        time ranges, 1 points in time, 2 both; by default it follows ``key``, the OSM key the value comes
        from (``collection_times``/``service_times`` -> 2, else 0). For ``key="lit"`` the values yes/no/
        automatic/limited/interval are mapped as the reference engine does.
        """
        if not isinstance(value, str):
            raise OpeningHoursError(f"value must be a string, not {type(value).__name__}", 0)
        if not isinstance(key, str):
            raise OpeningHoursError(f"key must be a string, not {type(key).__name__}", 0)
        if mode is not None and (isinstance(mode, bool) or not isinstance(mode, int) or mode not in (0, 1, 2)):
            raise OpeningHoursError("mode must be 0 (time ranges), 1 (points in time) or 2 (both)", 0)
        if mode is None:
            mode = 2 if key in ("collection_times", "service_times") else 0
        if key == "lit":
            value = LIT_VALUES.get(value.strip(), value)
        return _compile(value, lat, lon, state, mode)

    def __repr__(self) -> str:
        return f"OpeningHours({self.value!r})"

    # -- evaluation ---------------------------------------------------------------------------------------
    def day_schedule(self, d: date) -> DaySchedule:
        """Segments of constant state for one local day (cached)."""
        return self._eval.day(d)

    def state_at(self, t: datetime) -> State:
        """State (open/closed/unknown and comment) at the aware datetime ``t``."""
        _require_aware(t)
        local = t.astimezone(BERLIN)
        sched = self._eval.day(local.date())
        return sched.states[bisect_right(sched.starts, local.hour * 60 + local.minute) - 1]

    def local_state(self, local: datetime) -> State:
        """State at a naive Europe/Berlin wall-clock time (used by tests and the benchmark)."""
        sched = self._eval.day(local.date())
        return sched.states[bisect_right(sched.starts, local.hour * 60 + local.minute) - 1]

    def next_change(self, t: datetime, *, max_days: int = DEFAULT_HORIZON_DAYS) -> datetime | None:
        """The next moment after ``t`` at which the state or comment changes, or None within ``max_days``.

        A holiday whose rules give the day the same states as an ordinary day (``Mo-Su 00:00-24:00; PH
        00:00-24:00``) is no change, although ``state_at`` names the holiday as the comment of that day.
        """
        _require_aware(t)
        local = _to_local(t)
        d = local.date()
        minute = local.hour * 60 + local.minute
        sched = self._eval.day(d)
        idx = bisect_right(sched.starts, minute) - 1
        current = sched.keys[idx]
        for k in range(idx + 1, len(sched.starts)):
            if sched.keys[k] != current:
                return _aware(d, sched.starts[k])
        for _ in range(max_days):
            d += timedelta(days=1)
            sched = self._eval.day(d)
            for start, key in zip(sched.starts, sched.keys, strict=True):
                if key != current:
                    return _aware(d, start)
        return None

    def local_intervals(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime, State]]:
        """Segments between two naive local datetimes, merged across midnight."""
        out: list[tuple[datetime, datetime, State]] = []
        d = start.date()
        while True:
            day0 = datetime.combine(d, time())
            if day0 >= end:
                break
            sched = self._eval.day(d)
            n = len(sched.starts)
            for k in range(n):
                a = day0 + timedelta(minutes=sched.starts[k])
                b = day0 + timedelta(minutes=sched.starts[k + 1] if k + 1 < n else 1440)
                a, b = max(a, start), min(b, end)
                if b <= a:
                    continue
                st = sched.states[k]
                if out and out[-1][2] == st and out[-1][1] == a:
                    out[-1] = (out[-1][0], b, st)
                else:
                    out.append((a, b, st))
            d += timedelta(days=1)
        return out

    def intervals(self, start: datetime, end: datetime, *, include_closed: bool = True) -> list[Interval]:
        """``(start, end, state, comment)`` for every stretch of constant state between two aware datetimes."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        out: list[Interval] = []
        for a, b, st in self.local_intervals(_to_local(start), _to_local(end)):
            if st.state == "closed" and not include_closed:
                continue
            out.append((a.replace(tzinfo=BERLIN), b.replace(tzinfo=BERLIN), st.state, st.comment))
        return out

    def weekly_table(self, week_start: date) -> list[tuple[date, list[tuple[str, str, str, str | None]]]]:
        """For 7 days from ``week_start``: the non-closed ranges as ("HH:MM", "HH:MM", state, comment)."""
        table: list[tuple[date, list[tuple[str, str, str, str | None]]]] = []
        for k in range(7):
            d = week_start + timedelta(days=k)
            sched = self._eval.day(d)
            ranges: list[tuple[str, str, str, str | None]] = []
            n = len(sched.starts)
            for i in range(n):
                st = sched.states[i]
                if st.state == "closed":
                    continue
                a = sched.starts[i]
                b = sched.starts[i + 1] if i + 1 < n else 1440
                ranges.append((f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}", st.state, st.comment))
            table.append((d, ranges))
        return table

    def warnings(self, lang: str = "de") -> list[str]:
        """Hints about common mistakes in the value, in German ("de") or English ("en")."""
        from .warnings_ import collect_warnings

        return collect_warnings(self, lang)

    def prettify(self) -> str:
        """The value written canonically (weekday and month abbreviations, HH:MM, '; ' between rules)."""
        from .prettify import prettify

        return prettify(self.rules)


@lru_cache(maxsize=2048)
def _compile(value: str, lat: float | None, lon: float | None, state: str | None, mode: int) -> OpeningHours:
    if state is not None and state not in STATES:
        raise OpeningHoursError(f"unknown German state {state!r}; use one of {', '.join(STATES)}", 0)
    tokens, notes = tokenize(value)
    rules = Parser(tokens, value, mode, notes).parse()
    for rule in rules:
        for group in rule.groups:
            for item in group.items:
                if isinstance(item, HolidayItem):
                    _check_holiday(item, state, rule.pos)
    return OpeningHours(value, rules, notes, lat=lat, lon=lon, state=state, mode=mode)


def _check_holiday(item: HolidayItem, state: str | None, pos: int) -> None:
    if state is None:
        raise OpeningHoursError(f"{item.kind} needs a German state to know the holidays", pos)
    if item.kind == "SH" and state not in school_holiday_states():
        raise OpeningHoursError(
            f"no school holiday data for state {state!r} (shipped: {', '.join(school_holiday_states())})", pos
        )


def clear_cache() -> None:
    """Forget compiled values (used by the benchmark to measure uncached parsing)."""
    _compile.cache_clear()
