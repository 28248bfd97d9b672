"""Convert between opening_hours values and schema.org ``OpeningHoursSpecification`` dicts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from .core import OpeningHours
from .holidays_ import public_holidays
from .lexicon import MONTHS, WEEKDAYS

SCHEMA = "https://schema.org/"
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Spec = dict[str, Any]


def _hms(hhmm: str) -> str:
    return "23:59:59" if hhmm in ("24:00", "00:00-end") else f"{hhmm}:00"


def _specs_for_day(ranges: list[tuple[str, str, str, str | None]]) -> list[tuple[str, str]]:
    return [(a, "24:00" if b == "00:00" else b) for a, b, state, _ in ranges if state == "open"]


def _regular_week(oh: OpeningHours, first: date, last: date) -> date:
    """A Monday in the window whose week has neither public nor school holidays."""
    monday = first - timedelta(days=first.weekday()) + timedelta(weeks=1)
    while monday + timedelta(days=6) <= last:
        days = [monday + timedelta(days=k) for k in range(7)]
        if not any(oh._eval.calendar.public(d) or oh._eval.calendar.school(d) for d in days):
            return monday
        monday += timedelta(weeks=1)
    return first - timedelta(days=first.weekday())


def to_schemaorg(oh: OpeningHours, *, first: date, last: date) -> dict[str, list[Spec]]:
    """Regular weekly hours (valid from ``first`` through ``last``) plus special entries for public holidays.

    The regular week is taken from a week without holidays in the window; a holiday whose hours differ from
    its weekday's regular hours becomes a ``specialOpeningHoursSpecification`` (closed: opens = closes =
    "00:00:00", as schema.org recommends).
    """
    monday = _regular_week(oh, first, last)
    by_hours: dict[tuple[tuple[str, str], ...], list[int]] = {}
    regular: dict[int, list[tuple[str, str]]] = {}
    for day, ranges in oh.weekly_table(monday):
        hours = tuple(_specs_for_day(ranges))
        regular[day.weekday()] = list(hours)
        if hours:
            by_hours.setdefault(hours, []).append(day.weekday())
    specs: list[Spec] = []
    for hours, weekdays in by_hours.items():
        for opens, closes in hours:
            specs.append(
                {
                    "@type": "OpeningHoursSpecification",
                    "dayOfWeek": [SCHEMA + DAY_NAMES[w] for w in weekdays],
                    "opens": _hms(opens),
                    "closes": _hms(closes),
                    "validFrom": first.isoformat(),
                    "validThrough": last.isoformat(),
                }
            )
    special: list[Spec] = []
    if oh.state is not None:
        for year in range(first.year, last.year + 1):
            for day, name in sorted(public_holidays(oh.state, year).items()):
                if not first <= day <= last:
                    continue
                day_hours = _specs_for_day(oh.weekly_table(day)[0][1])
                if day_hours == regular.get(day.weekday()):
                    continue
                for opens, closes in day_hours or [("00:00", "00:00")]:
                    special.append(
                        {
                            "@type": "OpeningHoursSpecification",
                            "name": name,
                            "opens": _hms(opens) if hours else "00:00:00",
                            "closes": _hms(closes) if hours else "00:00:00",
                            "validFrom": day.isoformat(),
                            "validThrough": day.isoformat(),
                        }
                    )
    return {"openingHoursSpecification": specs, "specialOpeningHoursSpecification": special}


def _weekday_index(value: Any) -> int:
    name = str(value.get("@id", "") if isinstance(value, dict) else value).rsplit("/", 1)[-1]
    if name not in DAY_NAMES:
        raise ValueError(f"unknown dayOfWeek {value!r}")
    return DAY_NAMES.index(name)


def _days_text(indexes: list[int]) -> str:
    indexes = sorted(set(indexes))
    parts: list[str] = []
    start = prev = indexes[0]
    for i in [*indexes[1:], None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        parts.append(WEEKDAYS[start] if start == prev else f"{WEEKDAYS[start]}-{WEEKDAYS[prev]}")
        if i is not None:
            start = prev = i
    return ",".join(parts)


def _date_text(d: date) -> str:
    return f"{d.year} {MONTHS[d.month - 1]} {d.day:02d}"


def _hhmm(text: str) -> str:
    hh, mm = str(text).split(":")[:2]
    return "24:00" if (hh, mm) == ("23", "59") and str(text).endswith("59") else f"{int(hh):02d}:{mm}"


def _validity(spec: Spec) -> str:
    start, end = spec.get("validFrom"), spec.get("validThrough")
    if not start and not end:
        return ""
    first = date.fromisoformat(str(start)[:10]) if start else None
    last = date.fromisoformat(str(end)[:10]) if end else None
    if first and last:
        return _date_text(first) if first == last else f"{_date_text(first)}-{_date_text(last)}"
    return f"{_date_text(first)}-{_date_text(date(first.year + 50, 12, 31))}" if first else ""  # type: ignore[arg-type]


def from_schemaorg(specs: list[Spec] | Spec, special: list[Spec] | None = None) -> str:
    """Build an ``opening_hours`` value from schema.org specifications (regular first, special ones last)."""
    if isinstance(specs, dict):
        special = list(specs.get("specialOpeningHoursSpecification", [])) + list(special or [])
        specs = list(specs.get("openingHoursSpecification", []))
    groups: dict[tuple[str, tuple[int, ...]], list[str]] = {}
    for spec in specs:
        days = spec.get("dayOfWeek", [])
        days = days if isinstance(days, list) else [days]
        key = (_validity(spec), tuple(sorted(_weekday_index(d) for d in days)))
        opens, closes = spec.get("opens"), spec.get("closes")
        times = groups.setdefault(key, [])
        if opens and closes and not (str(opens).startswith("00:00") and str(closes).startswith("00:00")):
            times.append(f"{_hhmm(opens)}-{_hhmm(closes)}")
    rules: list[str] = []
    for (validity, days), times in groups.items():
        head = " ".join(part for part in (validity, _days_text(list(days)) if days else "") if part)
        rules.append(f"{head} {','.join(times)}".strip() if times else f"{head} off".strip())
    for spec in special or []:
        validity = _validity(spec)
        opens, closes = str(spec.get("opens", "")), str(spec.get("closes", ""))
        if not opens or (opens.startswith("00:00") and closes.startswith("00:00")):
            rules.append(f"{validity} off")
        else:
            rules.append(f"{validity} {_hhmm(opens)}-{_hhmm(closes)}")
    value = "; ".join(rules)
    OpeningHours.parse(value)
    return value
