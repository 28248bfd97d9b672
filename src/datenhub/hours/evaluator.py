"""Evaluate compiled rules day by day with the reference engine's override, fallback and open-end logic.

A day is turned into segments of constant state; ``state_at``, ``next_change`` and ``intervals`` read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .holidays_ import HolidayCalendar
from .selectors import DAY, HolidayLookup, Rule
from .solar import sun_times

OPEN_END_COMMENT = "Specified as open end. Closing time was guessed."
_OE = object()
_CACHE_LIMIT = 1_000  # days per compiled value; bounded memory however many values are cached


@dataclass(frozen=True, slots=True)
class State:
    """The state at one moment: ``state`` is "open", "closed" or "unknown"; ``comment`` may explain it."""

    state: str
    comment: str | None = None

    @property
    def is_open(self) -> bool:
        return self.state == "open"


@dataclass(frozen=True, slots=True)
class DaySchedule:
    """Segments of one local day: ``starts[i]`` (minutes) begins ``states[i]``, which lasts until the next start.

    ``keys[i]`` is what a change is measured on (``next_change``): ``states[i]`` itself, except on a holiday whose
    rules give the day the same states it has as an ordinary day. There the holiday's name is still the comment
    (as in the reference engine), but switching to or from the holiday's rules changes nothing, so the keys are
    the states without that name.
    """

    starts: tuple[int, ...]
    states: tuple[State, ...]
    keys: tuple[State, ...]


class _NoHolidays:
    """A calendar without any holidays: how a day is when it is no holiday."""

    __slots__ = ()

    def public(self, d: date) -> str | None:
        return None

    def school(self, d: date) -> str | None:
        return None


_NO_HOLIDAYS = _NoHolidays()
_Segments = list[tuple[int, Rule, list[tuple[int, int, bool]]]]


def expand_wrapped(rules: list[Rule]) -> list[Rule]:
    """Add, after each rule whose times pass midnight, a copy that covers the next day (date shifted back)."""
    out: list[Rule] = []
    for rule in rules:
        out.append(rule)
        if rule.wraps():
            out.append(
                Rule(
                    groups=rule.groups,
                    times=rule.times,
                    state=rule.state,
                    comment=rule.comment,
                    separator=rule.separator,
                    pos=rule.pos,
                    end_pos=rule.end_pos,
                    has_247=rule.has_247,
                    wrapped=True,
                )
            )
    return out


class Evaluator:
    """Turns days into schedules for one compiled value, caching each day."""

    __slots__ = ("_cache", "calendar", "coords", "rules")

    def __init__(self, rules: list[Rule], calendar: HolidayCalendar, coords: tuple[float, float] | None) -> None:
        self.rules = expand_wrapped(rules)
        self.calendar = calendar
        self.coords = coords
        self._cache: dict[date, DaySchedule] = {}

    def day(self, d: date) -> DaySchedule:
        sched = self._cache.get(d)
        if sched is None:
            if len(self._cache) > _CACHE_LIMIT:
                self._cache.clear()
            sched = self._cache[d] = self._compute(d)
        return sched

    def _matching_rules(self, d: date, ctx: HolidayLookup) -> tuple[list[int], tuple[str, int] | None]:
        rules = self.rules
        prev = d - timedelta(days=1) if d.toordinal() > 1 else d
        matching: list[int] = []
        holiday: tuple[str, int] | None = None
        for idx, rule in enumerate(rules):
            dd = prev if rule.wrapped else d
            ok = True
            for group in rule.groups:
                hit = False
                for item in group.items:
                    matched, name = item.match(dd, ctx)
                    if matched:
                        hit = True
                        if name is not None and not rule.wrapped:
                            holiday = (name, idx)
                if not hit:
                    ok = False
                    break
            if not ok:
                continue
            meaning = rule.meaning
            if (
                (rule.groups or (idx > 0 and meaning and not rules[idx - 1].groups))
                and (meaning or rule.unknown)
                and not rule.wrapped
                and not rule.additional
                and not rule.fallback
            ):
                matching = []
            matching.append(idx)
        return matching, holiday

    def _compute(self, d: date) -> DaySchedule:
        matching, holiday = self._matching_rules(d, self.calendar)
        tv = sun_times(d, *self.coords) if self.coords is not None else None
        points, per_rule = self._segments(matching, tv)
        starts, states = self._merge(points, per_rule, holiday)
        keys = states if holiday is None else self._change_keys(d, tv, points, per_rule, starts, states)
        return DaySchedule(starts, states, keys)

    def _segments(self, matching: list[int], tv: dict[str, int] | None) -> tuple[list[int], _Segments]:
        """The matching rules' time segments on one day, and the sorted minutes at which any of them starts or ends."""
        bounds = {0, DAY}
        per_rule: _Segments = []
        for idx in matching:
            rule = self.rules[idx]
            segs: list[tuple[int, int, bool]] = []
            for span in rule.times:
                for a, b, oe in span.segments(tv):
                    if rule.wrapped:
                        a, b = max(a - DAY, 0), b - DAY
                    elif a >= DAY:
                        continue
                    a, b = max(a, 0), min(b, DAY)
                    if b > a:
                        segs.append((a, b, oe))
                        bounds.add(a)
                        bounds.add(b)
            per_rule.append((idx, rule, segs))
        return sorted(bounds), per_rule

    def _merge(
        self, points: list[int], per_rule: _Segments, holiday: tuple[str, int] | None
    ) -> tuple[tuple[int, ...], tuple[State, ...]]:
        starts: list[int] = []
        states: list[State] = []
        for a in points[:-1]:
            st = self._state_at_minute(a, per_rule, holiday)
            if states and states[-1] == st:
                continue
            starts.append(a)
            states.append(st)
        return tuple(starts), tuple(states)

    def _change_keys(
        self,
        d: date,
        tv: dict[str, int] | None,
        points: list[int],
        per_rule: _Segments,
        starts: tuple[int, ...],
        states: tuple[State, ...],
    ) -> tuple[State, ...]:
        """The keys of a holiday (see ``DaySchedule``): without its name where the holiday changes nothing."""
        plain = tuple(self._state_at_minute(a, per_rule, None) for a in starts)
        if plain == states:
            return states  # the name is no comment anywhere today
        ordinary_points, ordinary_rules = self._segments(self._matching_rules(d, _NO_HOLIDAYS)[0], tv)
        if self._merge(points, per_rule, None) != self._merge(ordinary_points, ordinary_rules, None):
            return states  # the holiday's rules give the day other states: the name goes with a real change
        return plain

    def _state_at_minute(self, minute: int, per_rule: _Segments, holiday: tuple[str, int] | None) -> State:
        is_open = False
        unknown = False
        match: int | None = None
        comment: tuple[object, int] | None = holiday
        for idx, rule, segs in per_rule:
            if not rule.times:
                if not rule.fallback or not (is_open or unknown):
                    is_open, unknown, match = rule.meaning, rule.unknown, idx
                continue
            for a, b, oe in segs:
                if a <= minute < b and (not rule.fallback or not (is_open or unknown)):
                    is_open, unknown, match = rule.meaning, rule.unknown, idx
                    if comment is not None and comment[0] is _OE:
                        comment = None
                    if oe and (is_open or unknown):
                        comment = (_OE, idx)
                        is_open, unknown = False, True
        text: str | None = None
        if match is not None:
            rule_comment = self.rules[match].comment
            if rule_comment is not None:
                text = rule_comment
            elif comment is not None and comment[1] == match:
                text = OPEN_END_COMMENT if comment[0] is _OE else str(comment[0])
        state = "open" if is_open else ("unknown" if unknown else "closed")
        return State(state, text)
