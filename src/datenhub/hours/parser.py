"""Parse tokens into rules (selectors in any order, as the reference engine accepts them)."""

from __future__ import annotations

from dataclasses import replace

from .calendar_ import days_in_month
from .errors import OpeningHoursError
from .parser_times import TIME_START as _TIME_START
from .parser_times import TimeParsing, is_year
from .selectors import (
    DAY,
    GROUP_ORDER,
    DateGroup,
    DateItem,
    DateRangeItem,
    DateSpec,
    HolidayItem,
    MonthItem,
    Rule,
    TimePoint,
    TimeSpan,
    WeekdayItem,
    WeekItem,
    YearItem,
)
from .tokenizer import Token

_DATE_START = {"wday", "hol", "month", "easter", "week"}
MAX_RULES = 1000


class Parser(TimeParsing):
    """Recursive-descent parser over the token list; ``notes`` collects tolerated mistakes."""

    def _describe(self, tok: Token) -> str:
        return repr(tok.text or str(tok.value))

    def starts_element(self, tok: Token | None) -> bool:
        if tok is None:
            return False
        return tok.kind in _DATE_START or tok.kind in _TIME_START or tok.kind in ("num", "state", "comment", "24/7")

    # -- value and rules --------------------------------------------------------------------------------
    def parse(self) -> list[Rule]:
        if self.n == 0:
            raise OpeningHoursError("the value is empty", 0)
        rules: list[Rule] = []
        sep = ";"
        while True:
            k = self.kind()
            if k == ";":
                if sep == "||":
                    raise self.error("a rule is missing after '||'")
                self.notes.append((self.peek().pos, "empty rule: remove the extra ';'"))  # type: ignore[union-attr]
                self.take()
                continue
            if k == "||":
                raise self.error("a rule is missing before '||'")
            if k is None:
                if sep == "||":
                    self.notes.append((len(self.value), "the value ends with '||'"))
                break
            if len(rules) >= MAX_RULES:
                raise self.error(f"more than {MAX_RULES} rules")
            rule, implicit = self.parse_rule(sep)
            rules.append(rule)
            if implicit:
                sep = ";"
                continue
            k = self.kind()
            if k is None:
                break
            sep = {";": ";", "||": "||", ",": ","}[k]
            self.take()
        if not rules:
            raise OpeningHoursError("the value contains no rule", 0)
        return rules

    def parse_rule(self, sep: str) -> tuple[Rule, bool]:
        first = self.peek()
        assert first is not None
        rule = Rule(separator=sep, pos=first.pos)
        last = ""
        implicit = False
        while True:
            tok = self.peek()
            if tok is None or tok.kind in (";", "||"):
                break
            k = tok.kind
            if k == ",":
                nxt = self.peek(1)
                if nxt is None:
                    self.notes.append((tok.pos, "the value ends with ','"))
                    self.take()
                    break
                if last in ("time", "state", "comment", "247") and self.starts_element(nxt):
                    break
                raise self.error("unexpected ','")
            if last == "time" and self._repeats_date_kind(rule, tok):
                self.notes.append((tok.pos, "missing ';' between two rules"))
                implicit = True
                break
            if k == "24/7":
                self.take()
                rule.times.append(TimeSpan(TimePoint(0), TimePoint(DAY), max_end=DAY))
                rule.has_247 = True
                last = "247"
            elif k == "state":
                self.take()
                if rule.state is not None:
                    self.notes.append((tok.pos, "more than one state keyword in a rule"))
                rule.state = str(tok.value)
                last = "state"
            elif k == "comment":
                self.take()
                if rule.comment is not None:
                    self.notes.append((tok.pos, "more than one comment in a rule"))
                else:
                    rule.comment = str(tok.value)
                last = "comment"
            elif k == ":":
                if last not in ("date", "247", "state"):
                    raise self.error("unexpected ':'")
                self.take()
                last = ":"
            elif is_year(tok):
                if self.kind(1) in ("month", "easter"):
                    self.parse_monthdays(rule)
                else:
                    self.parse_years(rule)
                last = "date"
            elif k in ("month", "easter"):
                self.parse_monthdays(rule)
                last = "date"
            elif k == "week":
                self.parse_weeks(rule)
                last = "date"
            elif k in ("wday", "hol"):
                merge = (
                    last == "date"
                    and k == "wday"
                    and bool(rule.groups)
                    and rule.groups[-1].kind == "weekday"
                    and isinstance(rule.groups[-1].items[-1], WeekdayItem)
                    and self.t[self.i - 1].kind in ("wday", "]", "day")
                )
                if merge:
                    self.notes.append((tok.pos, "separate weekdays with ','"))
                self.parse_weekdays(rule, merge)
                last = "date"
            elif k in _TIME_START or k == "num":
                self.parse_times(rule)
                last = "time"
            else:
                raise self.error(f"unexpected {self._describe(tok)}")
        prev = self.t[self.i - 1] if self.i > 0 else first
        rule.end_pos = prev.pos + max(1, len(prev.text or ""))
        if not rule.groups and not rule.times and rule.state is None and rule.comment is None:
            raise self.error("empty rule")
        self._finish(rule)
        return rule, implicit

    def _repeats_date_kind(self, rule: Rule, tok: Token) -> bool:
        kind = {"wday": "weekday", "month": "month", "easter": "month", "week": "week"}.get(tok.kind)
        return kind is not None and any(g.kind == kind for g in rule.groups)

    def _finish(self, rule: Rule) -> None:
        rule.groups.sort(key=lambda g: GROUP_ORDER[g.kind])
        starts = [span.start.default() for span in rule.times]
        for span in rule.times:
            if not span.open_end:
                continue
            base = span.start.default() if span.end is None else span.end.default() + span.end_shift
            later = [s for s in starts if base < s < span.oe_end]
            if later:
                span.oe_end = min(later)

    # -- weekdays and holidays ----------------------------------------------------------------------------
    def parse_weekdays(self, rule: Rule, merge: bool) -> None:
        first = self.peek()
        assert first is not None
        if merge:
            group = rule.groups[-1]
        else:
            group = DateGroup("holiday" if first.kind == "hol" else "weekday")
            rule.groups.append(group)
        while True:
            tok = self.peek()
            if tok is not None and tok.kind == "wday":
                group.items.append(self.parse_weekday_item())
            elif tok is not None and tok.kind == "hol":
                group.items.append(self.parse_holiday_item())
            else:
                raise self.error("expected a weekday or holiday")
            if self.kind() == "," and self.kind(1) in ("wday", "hol"):
                self.take()
                continue
            break

    def parse_weekday_item(self) -> WeekdayItem:
        d1 = self.take().number
        d2 = d1
        if self.kind() == "-" and self.kind(1) == "wday":
            self.take()
            d2 = self.take().number
        elif self.kind() == "-" and self.kind(1) == "hol":
            raise self.error("a weekday range must end with a weekday", self.peek(1))
        days = frozenset((d1 + k) % 7 for k in range(((d2 - d1) % 7) + 1))
        if self.kind() != "[":
            return WeekdayItem(days, first=d1, last=d2)
        nth = self.parse_nth()
        offset = self.parse_day_offset(limit=6)
        return WeekdayItem(days, nth, offset, first=d1, last=d2)

    def parse_nth(self) -> tuple[int, ...]:
        self.take()  # "["
        values: list[int] = []
        while True:
            a = self._nth_number()
            if self.kind() == "-" and self.kind(1) == "num":
                self.take()
                b = self._nth_number()
                if b <= a:
                    raise self.error("the range in [] must go upwards")
                values.extend(range(a, b + 1))
            else:
                values.append(a)
            if self.kind() == ",":
                self.take()
                continue
            break
        self.expect("]", "']'")
        return tuple(values)

    def _nth_number(self) -> int:
        sign = 1
        if self.kind() == "-":
            self.take()
            sign = -1
        tok = self.expect("num", "a number between 1 and 5 (or -1 and -5)")
        value = tok.number
        if not 1 <= value <= 5:
            raise self.error("the number in [] must be between 1 and 5 (or -1 and -5)", tok)
        return sign * value

    def parse_day_offset(self, limit: int) -> int:
        if self.kind() in ("+", "-") and self.kind(1) == "num" and self.kind(2) == "day":
            sign = 1 if self.take().kind == "+" else -1
            tok = self.take()
            self.take()
            value = tok.number
            if value > limit:
                raise self.error(f"a day offset here can be at most {limit} days", tok)
            if value == 0:
                self.notes.append((tok.pos, "an offset of 0 days has no effect"))
            return sign * value
        return 0

    def parse_holiday_item(self) -> HolidayItem:
        tok = self.take()
        offset = self.parse_day_offset(limit=1)
        return HolidayItem(str(tok.value), offset)

    # -- years, weeks, months ------------------------------------------------------------------------------
    def parse_years(self, rule: Rule) -> None:
        group = DateGroup("year")
        rule.groups.append(group)
        while True:
            tok = self.take()
            start = tok.number
            end: int | None = start
            if self.kind() == "-":
                if not is_year(self.peek(1)):
                    raise self.error("expected a year after '-'", self.peek(1))
                self.take()
                end_tok = self.take()
                end = end_tok.number
                if end <= start:
                    raise self.error("a year range must go forwards", end_tok)
            elif self.kind() == "+":
                self.take()
                end = None
            period = 1
            if self.kind() == "/":
                self.take()
                period = self._period_number()
                if end == start:
                    end = None
            group.items.append(YearItem(start, end, period))
            if self.kind() == "," and is_year(self.peek(1)) and self.kind(2) not in ("month", "easter"):
                self.take()
                continue
            break

    def _period_number(self) -> int:
        tok = self.expect("num", "a number after '/'")
        value = tok.number
        if value == 0:
            raise self.error("the period after '/' must be at least 1", tok)
        if value == 1:
            self.notes.append((tok.pos, "'/1' has no effect"))
        return value

    def parse_weeks(self, rule: Rule) -> None:
        self.take()  # "week"
        group = DateGroup("week")
        rule.groups.append(group)
        while True:
            start = self._week_number()
            end = start
            if self.kind() == "-":
                self.take()
                end = self._week_number()
                if end < start:
                    raise self.error("a week range must go forwards")
            period = 1
            if self.kind() == "/":
                self.take()
                tok = self.expect("num", "a number after '/'")
                period = tok.number
                if period < 2 or period > end - start:
                    raise self.error("the week period must be at least 2 and fit into the range", tok)
            group.items.append(WeekItem(start, end, period))
            if self.kind() == "," and (self.kind(1) == "week" or (self.kind(1) == "num" and not is_year(self.peek(1)))):
                self.take()
                if self.kind() == "week":
                    self.take()
                continue
            break

    def _week_number(self) -> int:
        tok = self.expect("num", "a week number")
        value = tok.number
        if not 1 <= value <= 53:
            raise self.error("week numbers go from 01 to 53", tok)
        return value

    def parse_monthdays(self, rule: Rule) -> None:
        group = DateGroup("month")
        rule.groups.append(group)
        last_month: int | None = None
        while True:
            item, last_month = self.parse_monthday_item(last_month)
            group.items.append(item)
            if self.kind() == "," and self._continues_monthdays(last_month):
                self.take()
                continue
            break

    def _continues_monthdays(self, last_month: int | None) -> bool:
        nxt = self.peek(1)
        if nxt is None:
            return False
        if nxt.kind in ("month", "easter"):
            return True
        if is_year(nxt):
            return self.kind(2) in ("month", "easter")
        return nxt.kind == "num" and last_month is not None and len(nxt.text) <= 2

    def parse_monthday_item(self, last_month: int | None) -> tuple[DateItem, int | None]:
        year: int | None = None
        if is_year(self.peek()):
            year = self.take().number
        tok = self.peek()
        assert tok is not None
        if tok.kind == "easter":
            self.take()
            start = DateSpec(year, None, is_easter=True, offset=self.parse_day_offset(limit=365))
        elif tok.kind == "month":
            self.take()
            month = tok.number
            last_month = month
            if self.kind() == "num" and not is_year(self.peek()):
                start = DateSpec(year, month, self._day(month))
            elif self.kind() == "wday" and self.kind(1) == "[":
                start = self._constrained(year, month)
            else:
                return self._month_only(year, month), last_month
            start = replace(start, offset=self.parse_day_offset(limit=365)) if not start.offset else start
        elif tok.kind == "num" and last_month is not None:
            start = DateSpec(year, last_month, self._day(last_month))
        else:
            raise self.error("expected a month or a date")
        end: DateSpec | None = None
        if self.kind() == "-" and self._range_end_follows():
            self.take()
            end = self._range_end(year, start)
        period = 1
        if self.kind() == "/":
            self.take()
            period = self._period_number()
        return DateRangeItem(start, end, period), last_month

    def _range_end_follows(self) -> bool:
        nxt = self.peek(1)
        if nxt is None:
            return False
        if nxt.kind in ("month", "easter"):
            return True
        if is_year(nxt):
            return self.kind(2) in ("month", "easter")
        return nxt.kind == "num"

    def _range_end(self, year: int | None, start: DateSpec) -> DateSpec:
        end_year: int | None = None
        if is_year(self.peek()):
            end_year = self.take().number
            if year is None:
                raise self.error("a year at the end of a range needs a year at its start")
            if end_year < year:
                raise self.error("a date range must go forwards")
        tok = self.peek()
        assert tok is not None
        if tok.kind == "easter":
            if year is not None and end_year is None:
                raise self.error("give the year on both ends of the range or on neither")
            self.take()
            return DateSpec(end_year, None, is_easter=True, offset=self.parse_day_offset(limit=365))
        eyear = end_year if end_year is not None else year
        if tok.kind == "month":
            self.take()
            month = tok.number
            if self.kind() == "num" and not is_year(self.peek()):
                end = DateSpec(eyear, month, self._day(month))
            elif self.kind() == "wday" and self.kind(1) == "[":
                end = self._constrained(eyear, month)
            else:
                end = DateSpec(eyear, month, 0)
            return replace(end, offset=self.parse_day_offset(limit=365)) if not end.offset else end
        if start.month is None or start.nth is not None:
            raise self.error("the end of this range needs a month")
        day_tok = self.peek()
        day = self._day(start.month)
        if start.day is not None and day < start.day and end_year is None:
            raise self.error("a day range within a month must go forwards", day_tok)
        return DateSpec(eyear, start.month, day)

    def _constrained(self, year: int | None, month: int) -> DateSpec:
        wday = self.take().number
        nth = self.parse_nth()
        if len(nth) != 1:
            raise self.error("a date needs exactly one number in []")
        return DateSpec(year, month, nth=(wday, nth[0]), offset=self.parse_day_offset(limit=365))

    def _month_only(self, year: int | None, month: int) -> DateItem:
        end = month
        if self.kind() == "-" and self.kind(1) == "month":
            self.take()
            end = self.take().number
        if year is None:
            return MonthItem(month, end)
        end_year = year + 1 if end < month else year
        return DateRangeItem(DateSpec(year, month, 1), DateSpec(end_year, end, 0))

    def _day(self, month: int) -> int:
        tok = self.expect("num", "a day of the month")
        value = tok.number
        if not 1 <= value <= days_in_month(2000, month):
            raise self.error(f"day {value} does not exist in that month", tok)
        return value

    # -- times -------------------------------------------------------------------------------------------
