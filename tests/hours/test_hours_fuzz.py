"""Any string either parses or raises OpeningHoursError with a position — never another exception or a hang."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from datenhub.hours import OpeningHours, OpeningHoursError

ALPHABET = st.sampled_from([*list("0123456789:-+,;|/[]()\"' .MoTuWeFrSaSuPHSH"), "\x00", "\n", "\t", "ä", "–"])
WORDS = st.sampled_from(
    [
        "Mo",
        "Tu-Fr",
        "10:00",
        "-",
        "18:00",
        ";",
        ",",
        "||",
        "PH",
        "SH",
        "off",
        "open",
        "unknown",
        '"x"',
        "Jan",
        "Dec 24",
        "week",
        "01",
        "/",
        "2",
        "[",
        "]",
        "-1",
        "sunrise",
        "(",
        ")",
        "+",
        "easter",
        "day",
        "24/7",
        "2026",
    ]
)
MOMENT = datetime(2026, 6, 4, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def _check(value: str) -> None:
    try:
        oh = OpeningHours.parse(value)
    except OpeningHoursError as exc:
        assert 0 <= exc.position <= len(value)
        return
    oh.state_at(MOMENT)
    oh.next_change(MOMENT, max_days=60)
    oh.warnings("de")
    OpeningHours.parse(oh.prettify())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_parse_arbitrary_text_only_opening_hours_error(value: str) -> None:
    _check(value)



def test_digits_that_are_no_decimal_digits_are_an_opening_hours_error() -> None:
    # "፩" (Ethiopic one), superscripts: str.isdigit() holds, the patterns' \d does not match (found by the fuzzer)
    for value in ("\u1369", "Mo \u1369", "\u13690:00", "Mo 10:00-1\u1369", "\u00b2"):
        _check(value)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(WORDS, ALPHABET), max_size=25).map(" ".join))
def test_parse_token_soup_only_opening_hours_error(value: str) -> None:
    _check(value)


def test_parse_huge_value_rejected_quickly() -> None:
    for value in ("Mo 10:00-12:00; " * 7000, "(" * 100_001, "a" * 100_000, "[" * 50_000 + "]" * 50_000):
        try:
            OpeningHours.parse(value)
        except OpeningHoursError as exc:
            assert 0 <= exc.position <= len(value)
