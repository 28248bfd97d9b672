"""``describe``: the one-line sentence, above all "closes in"/"opens in" against real changes of state."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from datenhub.hours import OpeningHours, describe
from datenhub.hours.humanize import _TEXT, describe_with_change

BERLIN = ZoneInfo("Europe/Berlin")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


# 748 h 4 min before Christmas Day 2026 (a public holiday in NW, as is the 26th)
BEFORE_CHRISTMAS = at(2026, 11, 23, 19, 56)


@pytest.mark.parametrize("lang", sorted(_TEXT))
@pytest.mark.parametrize("moment", [BEFORE_CHRISTMAS, at(2026, 12, 24, 23, 0), at(2026, 12, 27, 12, 0)])
@pytest.mark.parametrize("value", ["Mo-Su 00:00-24:00; PH 00:00-24:00", "Mo-Su 00:00-24:00"])
def test_describe_round_the_clock_worded_as_24_7(value: str, moment: datetime, lang: str) -> None:
    text = describe(OpeningHours.parse(value), moment, lang)
    assert text == describe(OpeningHours.parse("24/7"), moment, lang) == _TEXT[lang]["always"]


def test_describe_round_the_clock_on_the_holiday_names_it() -> None:
    oh = OpeningHours.parse("Mo-Su 00:00-24:00; PH 00:00-24:00")
    assert describe(oh, at(2026, 12, 25, 12, 0)) == "Durchgehend geöffnet (1. Weihnachtstag)"
    assert describe(oh, at(2026, 12, 25, 12, 0), "en") == "Open 24/7 (1. Weihnachtstag)"


def test_describe_round_the_clock_closed_on_holidays_closes_at_the_holiday() -> None:
    oh = OpeningHours.parse("Mo-Su 00:00-24:00; PH off")
    assert describe(oh, BEFORE_CHRISTMAS) == "Heute 00:00–24:00 geöffnet, schließt in 748 Std. 4 Min."
    assert describe(oh, BEFORE_CHRISTMAS, "en") == "Today 00:00–24:00 open, closes in 748 h 4 min"
    assert describe(oh, at(2026, 12, 25, 12, 0)) == "Heute geschlossen (1. Weihnachtstag), öffnet So 27.12. um 00:00"


def test_describe_holiday_off_still_closes_and_reopens() -> None:
    oh = OpeningHours.parse("Mo-Su 10:00-18:00; PH off")
    assert describe(oh, at(2026, 12, 24, 16, 0)) == "Heute 10:00–18:00 geöffnet, schließt in 2 Std."
    assert describe(oh, at(2026, 12, 25, 12, 0)) == "Heute geschlossen (1. Weihnachtstag), öffnet So 27.12. um 10:00"
    assert describe(oh, at(2026, 12, 25, 12, 0), "en") == \
        "Closed today (1. Weihnachtstag), opens Sunday 27 December at 10:00"


def test_describe_comment_change_while_open_is_no_closing() -> None:
    oh = OpeningHours.parse('Mo-Su 00:00-24:00; Dec 25 00:00-24:00 open "Weihnachten"')
    assert oh.next_change(BEFORE_CHRISTMAS) == at(2026, 12, 25)  # a real change: the comment
    assert describe(oh, BEFORE_CHRISTMAS) == "Durchgehend geöffnet"
    assert describe(oh, at(2026, 12, 25, 12, 0), "en") == "Open 24/7 (Weihnachten)"


def test_describe_comment_change_while_closed_opens_at_the_opening() -> None:
    oh = OpeningHours.parse('Mo-Su 10:00-18:00, Mo-Su 00:00-06:00 off "Nachtruhe"')
    assert oh.next_change(at(2026, 6, 3, 5, 0)) == at(2026, 6, 3, 6, 0)
    assert describe(oh, at(2026, 6, 3, 5, 0)) == "Heute 10:00–18:00 geöffnet, öffnet in 5 Std. (Nachtruhe)"


def test_describe_with_change_same_as_describe() -> None:
    oh = OpeningHours.parse("Mo-Su 00:00-24:00; PH 00:00-24:00")
    for moment in (BEFORE_CHRISTMAS, at(2026, 12, 25, 12, 0)):
        for lang in _TEXT:
            assert describe_with_change(oh, moment, oh.next_change(moment), lang) == describe(oh, moment, lang)
