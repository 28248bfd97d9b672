"""Write compiled rules back as a canonical opening_hours value."""

from __future__ import annotations

from .lexicon import MONTHS, WEEKDAYS
from .selectors import (
    DAY,
    DateGroup,
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

_SEPARATORS = {";": "; ", ",": ", ", "||": " || "}


def prettify(rules: list[Rule]) -> str:
    parts: list[str] = []
    for i, rule in enumerate(rules):
        if i:
            parts.append(_SEPARATORS[rule.separator])
        parts.append(rule_text(rule, state_first=i > 0 and rule.separator == "," and not rule.groups))
    return "".join(parts)


def rule_text(rule: Rule, *, state_first: bool = False) -> str:
    """One rule; ``state_first`` keeps an additional rule of times apart from the times before its ','."""
    words = [_group(g) for g in rule.groups]
    if state_first:
        words.append(rule.state or ("unknown" if rule.comment is not None else "open"))
    if rule.has_247 and len(rule.times) == 1:
        words.append("24/7")
    elif rule.times:
        words.append(",".join(span_text(s) for s in rule.times))
    if rule.state is not None and not state_first:
        words.append(rule.state)
    if rule.comment is not None:
        words.append(f'"{rule.comment}"')
    return " ".join(words)


def _offset(days: int) -> str:
    if not days:
        return ""
    unit = "day" if abs(days) == 1 else "days"
    return f" {'+' if days > 0 else '-'}{abs(days)} {unit}"


def _group(group: DateGroup) -> str:
    if group.kind == "week":
        return "week " + ",".join(_item(item).removeprefix("week ") for item in group.items)
    return ",".join(_item(item) for item in group.items)


def _item(item: object) -> str:
    if isinstance(item, YearItem):
        if item.end is None:
            return f"{item.start}/{item.period}" if item.period > 1 else f"{item.start}+"
        text = str(item.start) if item.end == item.start else f"{item.start}-{item.end}"
        return text + (f"/{item.period}" if item.period > 1 else "")
    if isinstance(item, MonthItem):
        if item.start == item.end:
            return MONTHS[item.start - 1]
        return f"{MONTHS[item.start - 1]}-{MONTHS[item.end - 1]}"
    if isinstance(item, DateRangeItem):
        text = _spec(item.start)
        if item.end is not None:
            text += "-" + _spec(item.end)
        return text + (f"/{item.period}" if item.period > 1 else "")
    if isinstance(item, WeekItem):
        text = f"week {item.start:02d}" + (f"-{item.end:02d}" if item.end != item.start else "")
        return text + (f"/{item.period}" if item.period > 1 else "")
    if isinstance(item, WeekdayItem):
        text = WEEKDAYS[item.first] + (f"-{WEEKDAYS[item.last]}" if item.last != item.first else "")
        if item.nth:
            text += "[" + ",".join(str(n) for n in item.nth) + "]"
        return text + _offset(item.offset)
    if isinstance(item, HolidayItem):
        return item.kind + _offset(item.offset)
    raise TypeError(type(item).__name__)


def _spec(spec: DateSpec) -> str:
    year = f"{spec.year} " if spec.year is not None else ""
    if spec.is_easter:
        return f"{year}easter{_offset(spec.offset)}"
    assert spec.month is not None
    month = MONTHS[spec.month - 1]
    if spec.nth is not None:
        return f"{year}{month} {WEEKDAYS[spec.nth[0]]}[{spec.nth[1]}]{_offset(spec.offset)}"
    if spec.day == 0:
        return f"{year}{month}"
    return f"{year}{month} {spec.day:02d}{_offset(spec.offset)}"


def _point(point: TimePoint, extended: bool = False) -> str:
    if point.var is None:
        minutes = point.minutes
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    if point.minutes == 0:
        return point.var
    sign = "+" if point.minutes > 0 else "-"
    off = abs(point.minutes)
    return f"({point.var}{sign}{off // 60:02d}:{off % 60:02d})"


def span_text(span: TimeSpan) -> str:
    text = _point(span.start)
    if span.end is not None:
        text += "-" + _point(span.end)
    if span.open_end:
        text += "+"
    if span.period:
        text += f"/{span.period // 60:02d}:{span.period % 60:02d}"
    return text


__all__ = ["DAY", "prettify", "rule_text", "span_text"]
