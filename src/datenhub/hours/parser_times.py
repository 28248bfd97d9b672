"""Time selectors of a rule (spans, points, open ends, sun events, periods): the second half of the parser."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .cursor import TokenCursor
from .selectors import DAY, Rule, TimePoint, TimeSpan

if TYPE_CHECKING:
    from .tokenizer import Token

TIME_START = {"time", "timevar", "("}


def is_year(tok: Token | None) -> bool:
    return tok is not None and tok.kind == "num" and len(tok.text) == 4 and 1900 <= tok.number <= 2999


class TimeParsing(TokenCursor):
    """The time half of Parser, on the same token cursor."""

    def parse_times(self, rule: Rule) -> None:
        while True:
            rule.times.append(self.parse_time_span())
            if self.kind() == "," and (
                self.kind(1) in TIME_START or (self.kind(1) == "num" and not is_year(self.peek(1)))
            ):
                self.take()
                continue
            break

    def parse_time_span(self) -> TimeSpan:
        first = self.peek()
        start, bare = self.parse_time_point()
        span = TimeSpan(start)
        if self.kind() == "+":
            self.take()
            span.open_end = True
        elif self.kind() == "-":
            self.take()
            if self.kind() == "+":
                self.take()
                span.open_end = True
            else:
                end_tok = self.peek()
                span.end, _ = self.parse_time_point()
                if self.kind() == "+":
                    self.take()
                    span.open_end = True
                if self.kind() == "/":
                    slash = self.take()
                    if self.mode == 0:
                        raise self.error("periods ('/') are only allowed for points in time", slash)
                    span.period = self._time_period()
                self._check_end(span, end_tok)
                if self.mode == 1 and span.period is None:
                    raise self.error("only points in time are allowed here (mode 1), not time ranges", first)
        else:
            if bare:
                raise self.error("a time needs minutes, e.g. 10:00", first)
            if self.mode == 0:
                raise self.error("a single time is not a time range; write e.g. 10:00-12:00", first)
        sd = start.default()
        if start.var is None and sd >= DAY:
            raise self.error("a time range must start before 24:00", first)
        if span.end is not None:
            ed = span.end.default()
            if ed < sd or (ed == sd and start.var is None and span.end.var is None):
                span.end_shift = DAY
            ext = ed + span.end_shift
        elif span.open_end:
            ext = sd
        else:
            ext = sd + 1
        span.max_end = ext
        if span.open_end:
            if ext >= 22 * 60:
                span.oe_end = ext + 8 * 60
            elif ext >= 17 * 60:
                span.oe_end = ext + 10 * 60
            else:
                span.oe_end = DAY
            span.max_end = max(ext, span.oe_end)
        return span

    def _check_end(self, span: TimeSpan, end_tok: Token | None) -> None:
        assert span.end is not None
        if span.end.var is None:
            limit = 2 * DAY - (1 if span.open_end else 0)
            if span.end.minutes > limit:
                raise self.error("a time range can end at 48:00 at the latest", end_tok)
            if span.start.var is None and span.end.minutes > DAY and span.end.minutes - DAY >= span.start.minutes + DAY:
                raise self.error("a time range cannot be longer than a day and a night", end_tok)

    def _time_period(self) -> int:
        tok = self.peek()
        if tok is not None and tok.kind == "num":
            self.take()
            value = tok.number
        elif tok is not None and tok.kind == "time":
            self.take()
            h, m = tok.clock
            value = h * 60 + m
        else:
            raise self.error("expected a period after '/'")
        if value <= 0:
            raise self.error("the period must be longer than zero", tok)
        return value

    def parse_time_point(self) -> tuple[TimePoint, bool]:
        tok = self.peek()
        if tok is None:
            raise self.error("expected a time")
        if tok.kind == "time":
            self.take()
            h, m = tok.clock
            self._check_hm(h, m, tok)
            return TimePoint(h * 60 + m), False
        if tok.kind == "num":
            self.take()
            text = tok.text
            value = tok.number
            if len(text) <= 2:
                self._check_hm(value, 0, tok)
                self.notes.append((tok.pos, "time without minutes; write e.g. 10:00"))
                return TimePoint(value * 60), True
            if len(text) == 4:
                h, m = divmod(value, 100)
                self._check_hm(h, m, tok)
                self.notes.append((tok.pos, "write times with ':' between hours and minutes"))
                return TimePoint(h * 60 + m), False
            raise self.error(f"{text!r} is not a time", tok)
        if tok.kind == "timevar":
            self.take()
            return TimePoint(0, str(tok.value)), False
        if tok.kind == "(":
            self.take()
            var = self.expect("timevar", "sunrise, sunset, dawn or dusk after '('")
            sign_tok = self.peek()
            if sign_tok is None or sign_tok.kind not in ("+", "-"):
                raise self.error("expected '+' or '-' and an offset like 01:00")
            self.take()
            off = self.expect("time", "an offset like 01:00")
            h, m = off.clock
            self._check_hm(h, m, off)
            self.expect(")", "')'")
            sign = 1 if sign_tok.kind == "+" else -1
            return TimePoint(sign * (h * 60 + m), str(var.value)), False
        raise self.error("expected a time")

    def _check_hm(self, h: int, m: int, tok: Token) -> None:
        if m >= 60:
            raise self.error("minutes must be below 60", tok)
        if h > 48 or (h == 48 and m > 0):
            raise self.error("hours must not exceed 48", tok)
