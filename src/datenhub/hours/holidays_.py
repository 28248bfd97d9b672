"""Public holidays per German state (from the ``holidays`` package) and NRW school holidays (shipped JSON)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources

import holidays

STATES = ("BB", "BE", "BW", "BY", "HB", "HE", "HH", "MV", "NI", "NW", "RP", "SH", "SL", "SN", "ST", "TH")

# Names as the reference engine (and German calendars) print them.
_GERMAN_NAMES = {
    "New Year's Day": "Neujahr",
    "Epiphany": "Heilige Drei Könige",
    "Women's Day": "Internationaler Frauentag",
    "Good Friday": "Karfreitag",
    "Easter Sunday": "Ostersonntag",
    "Easter Monday": "Ostermontag",
    "Labor Day": "Maifeiertag",
    "Ascension Day": "Christi Himmelfahrt",
    "Pentecost": "Pfingstsonntag",
    "Pentecost Monday": "Pfingstmontag",
    "Corpus Christi": "Fronleichnam",
    "Augsburg Peace Festival": "Augsburger Friedensfest",
    "Assumption Day": "Mariä Himmelfahrt",
    "World Children's Day": "Weltkindertag",
    "German Unity Day": "Tag der Deutschen Einheit",
    "Reformation Day": "Reformationstag",
    "All Saints' Day": "Allerheiligen",
    "Repentance and Prayer Day": "Buß- und Bettag",
    "Christmas Day": "1. Weihnachtstag",
    "Second Day of Christmas": "2. Weihnachtstag",
}


@lru_cache(maxsize=512)
def public_holidays(state: str, year: int) -> dict[date, str]:
    """Public holidays of a German state (ISO 3166-2 suffix, e.g. "NW") in one year, with German names."""
    if not 1900 <= year <= 2999:
        return {}
    english = holidays.Germany(subdiv=state, years=year, language="en_US")
    german = holidays.Germany(subdiv=state, years=year, language="de")
    out: dict[date, str] = {}
    for day, name in english.items():
        first = name.split(";")[0].strip()
        out[day] = _GERMAN_NAMES.get(first, german.get(day, first).split(";")[0].strip())
    return out


def holiday_name(day: date, state: str = "NW", lang: str = "de") -> str | None:
    """The public holiday on `day` in the state, named in German (the default) or English; None on other days."""
    if lang != "en":
        return public_holidays(state, day.year).get(day)
    name = _english_holidays(state, day.year).get(day)
    return name.split(";")[0].strip() if name else None


@lru_cache(maxsize=64)
def _english_holidays(state: str, year: int) -> dict[date, str]:
    return dict(holidays.Germany(subdiv=state, years=year, language="en_US")) if 1900 <= year <= 2999 else {}


@lru_cache(maxsize=1)
def _school_data() -> dict[str, dict[date, str]]:
    raw = json.loads(resources.files("datenhub.hours").joinpath("data/nrw_school_holidays.json").read_text("utf-8"))
    days: dict[date, str] = {}
    for entry in raw["holidays"]:
        d = date.fromisoformat(entry["from"])
        last = date.fromisoformat(entry["to"])
        while d <= last:
            days[d] = entry["name"]
            d += timedelta(days=1)
    return {raw["state"]: days}


def school_holiday_states() -> tuple[str, ...]:
    return tuple(_school_data())


def school_holiday_years(state: str) -> tuple[int, int] | None:
    days = _school_data().get(state)
    if not days:
        return None
    return min(days).year + 1, max(days).year - 1 if max(days).month == 1 else max(days).year


class HolidayCalendar:
    """Holiday lookups for one state, as the selectors need them."""

    __slots__ = ("_school", "state")

    def __init__(self, state: str | None) -> None:
        self.state = state
        self._school = _school_data().get(state or "", {})

    def public(self, d: date) -> str | None:
        if self.state is None:
            return None
        return public_holidays(self.state, d.year).get(d)

    def school(self, d: date) -> str | None:
        return self._school.get(d)
