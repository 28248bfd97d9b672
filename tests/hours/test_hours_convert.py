"""German free-text normaliser and schema.org conversion."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from datenhub.hours import OpeningHours
from datenhub.hours.normalize import normalize_german
from datenhub.hours.schemaorg import from_schemaorg, to_schemaorg

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mo–Fr 10–18 Uhr, Sa/So 11 bis 17 Uhr", "Mo-Fr 10:00-18:00; Sa,Su 11:00-17:00"),
        ("täglich 10:00 bis 18:00 Uhr", "Mo-Su 10:00-18:00"),
        ("montags geschlossen", "Mo off"),
        ("Di–So 10–17 Uhr, an Feiertagen geschlossen", "Tu-Su 10:00-17:00; PH off"),
        ("Mo-Fr 9-12 Uhr; 14-18 Uhr", "Mo-Fr 09:00-12:00,14:00-18:00"),  # the afternoon of the same days
    ],
)
def test_normalize_german_examples_give_parseable_values(text: str, expected: str) -> None:
    value, confidence, _ = normalize_german(text)
    assert value == expected
    assert confidence >= 0.9
    OpeningHours.parse(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mo-Fr 10-18 Uhr außer an Feiertagen", "Mo-Fr 10:00-18:00; PH off"),  # not "Mo-Fr,PH"
        ("täglich außer montags 10-18 Uhr", "Tu-Su 10:00-18:00"),
        ("Mo-Fr ab 10 Uhr", "Mo-Fr 10:00+"),  # open from ten, not all day
        ("Mo-Fr 9-17 Uhr (Pause 12-13 Uhr)", "Mo-Fr 09:00-12:00,13:00-17:00"),  # the break is closed
        ("Öffnungszeiten: Mo-Fr 9-17 Uhr", "Mo-Fr 09:00-17:00"),
        ("täglich rund um die Uhr", "Mo-Su 00:00-24:00"),
    ],
)
def test_normalize_german_reads_exceptions_breaks_and_open_ends(text: str, expected: str) -> None:
    assert normalize_german(text)[:2] == (expected, 1.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a condition it cannot read: the clause is left out (and the value flagged), never read without it
        ("Di-So 10-17 Uhr, in den Schulferien auch Mo", "Tu-Su 10:00-17:00"),  # not "every Monday, all day"
        ("Sommer: Di-So 10-18 Uhr; Winter: Di-So 10-16 Uhr", None),  # seasons are not read: nothing is
        ("1. April - 31. Oktober: Di-So 10-18 Uhr", None),
    ],
)
def test_normalize_german_leaves_out_what_it_cannot_read_whole(text: str, expected: str | None) -> None:
    value, confidence, notes = normalize_german(text)
    assert value == expected and confidence < 1 and notes


@pytest.mark.parametrize("text", ["immer geöffnet", "Jederzeit frei zugänglich.", "ganzjährig jederzeit zugänglich",
                                  "ständig geöffnet"])
def test_normalize_german_always_open_is_24_7(text: str) -> None:
    """How sites describe slag heaps and parks; it was kept as a comment with opening_hours_unreadable."""
    assert normalize_german(text)[:2] == ("24/7", 1.0)


@pytest.mark.parametrize("text", ["durchgehend geöffnet", "frei zugänglich", "immer geöffnet außer montags"])
def test_normalize_german_open_words_that_are_not_always_stay_unread(text: str) -> None:
    assert normalize_german(text)[0] != "24/7"


def test_normalize_german_nonsense_returns_none() -> None:
    value, confidence, notes = normalize_german("Bitte rufen Sie uns an")
    assert value is None
    assert confidence == 0.0
    assert notes


def _same_states(a: OpeningHours, b: OpeningHours, start: datetime, days: int) -> bool:
    t = start
    while t < start + timedelta(days=days):
        if a.state_at(t).state != b.state_at(t).state:
            return False
        t += timedelta(minutes=30)
    return True


def test_schemaorg_round_trip_keeps_states_and_holidays() -> None:
    oh = OpeningHours.parse("Mo-Fr 10:00-18:00; Sa 10:00-14:00; PH off")
    data = to_schemaorg(oh, first=date(2026, 1, 1), last=date(2026, 12, 31))
    regular = data["openingHoursSpecification"]
    assert regular[0]["dayOfWeek"][0] == "https://schema.org/Monday"
    assert (regular[0]["opens"], regular[0]["closes"]) == ("10:00:00", "18:00:00")
    assert regular[0]["validFrom"] == "2026-01-01"
    special = {s["validFrom"]: s for s in data["specialOpeningHoursSpecification"]}
    assert special["2026-06-04"]["name"] == "Fronleichnam"
    assert (special["2026-06-04"]["opens"], special["2026-06-04"]["closes"]) == ("00:00:00", "00:00:00")
    back = OpeningHours.parse(from_schemaorg(data))
    assert _same_states(oh, back, datetime(2026, 5, 25, tzinfo=BERLIN), days=21)


def test_schemaorg_plain_day_names_accepted() -> None:
    value = from_schemaorg(
        [
            {"dayOfWeek": "https://schema.org/Monday", "opens": "09:00:00", "closes": "17:00:00"},
            {"dayOfWeek": ["Tuesday", "Wednesday"], "opens": "09:00:00", "closes": "17:00:00"},
        ]
    )
    assert value == "Mo 09:00-17:00; Tu-We 09:00-17:00"
