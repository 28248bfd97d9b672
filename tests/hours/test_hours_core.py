"""Hand-written core behaviour of the opening-hours engine (no ../shared needed)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from datenhub.hours import OpeningHours, OpeningHoursError, State, describe

BERLIN = ZoneInfo("Europe/Berlin")
ESSEN = (51.4556, 7.0116)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def test_state_at_fronleichnam_in_nw_closed() -> None:
    oh = OpeningHours.parse("Mo-Su 10:00-18:00; PH off")
    state = oh.state_at(at(2026, 6, 4, 12, 0))
    assert state.state == "closed"
    assert state.comment == "Fronleichnam"
    assert oh.state_at(at(2026, 6, 5, 12, 0)).state == "open"


def test_state_at_fronleichnam_in_berlin_open() -> None:
    oh = OpeningHours.parse("Mo-Su 10:00-18:00; PH off", state="BE")
    assert oh.state_at(at(2026, 6, 4, 12, 0)).state == "open"


def test_state_at_nrw_school_holidays_sh_matches() -> None:
    oh = OpeningHours.parse("Mo-Fr 08:00-16:00; SH off")
    assert oh.state_at(at(2026, 7, 22, 10, 0)).state == "closed"  # Sommerferien NRW 2026
    assert oh.state_at(at(2026, 7, 22, 10, 0)).comment == "Sommerferien"
    assert oh.state_at(at(2026, 9, 2, 10, 0)).state == "open"


def test_state_at_sh_without_data_for_state_raises() -> None:
    with pytest.raises(OpeningHoursError):
        OpeningHours.parse("SH off", state="BY")


def test_state_at_time_range_past_midnight_open_next_morning() -> None:
    oh = OpeningHours.parse("Fr 22:00-03:00")
    assert oh.state_at(at(2026, 6, 5, 23, 0)).state == "open"
    assert oh.state_at(at(2026, 6, 6, 2, 59)).state == "open"
    assert oh.state_at(at(2026, 6, 6, 3, 0)).state == "closed"
    assert oh.state_at(at(2026, 6, 5, 2, 0)).state == "closed"


def test_state_at_first_saturday_of_month_only() -> None:
    oh = OpeningHours.parse("Sa[1] 10:00-14:00")
    assert oh.state_at(at(2026, 6, 6, 11, 0)).state == "open"
    assert oh.state_at(at(2026, 6, 13, 11, 0)).state == "closed"


def test_state_at_easter_offset_matches_good_friday() -> None:
    oh = OpeningHours.parse("easter -2 days 10:00-12:00")
    assert oh.state_at(at(2026, 4, 3, 11, 0)).state == "open"
    assert oh.state_at(at(2026, 4, 4, 11, 0)).state == "closed"


def test_state_at_sunrise_essen_follows_the_season() -> None:
    oh = OpeningHours.parse("sunrise-sunset", lat=ESSEN[0], lon=ESSEN[1])
    summer = oh.day_schedule(date(2026, 6, 21))
    winter = oh.day_schedule(date(2026, 12, 21))
    # Essen: sunrise about 05:17 in June and 08:33 in December (local time).
    assert 5 * 60 + 10 <= summer.starts[1] <= 5 * 60 + 25
    assert 8 * 60 + 25 <= winter.starts[1] <= 8 * 60 + 40
    assert oh.state_at(at(2026, 6, 21, 21, 0)).state == "open"
    assert oh.state_at(at(2026, 12, 21, 17, 0)).state == "closed"


def test_state_at_sunrise_without_coordinates_uses_constants() -> None:
    oh = OpeningHours.parse("sunrise-sunset")
    assert oh.day_schedule(date(2026, 1, 1)).starts[1] == 6 * 60


def test_state_at_24_7_always_open_and_no_change() -> None:
    oh = OpeningHours.parse("24/7")
    assert oh.state_at(at(2026, 1, 1, 0, 0)).state == "open"
    assert oh.next_change(at(2026, 1, 1, 0, 0), max_days=30) is None


def test_state_at_fallback_rule_applies_when_closed() -> None:
    oh = OpeningHours.parse('Mo-Fr 09:00-17:00 || "nach Vereinbarung"')
    assert oh.state_at(at(2026, 6, 1, 10, 0)).state == "open"
    state = oh.state_at(at(2026, 6, 1, 18, 0))
    assert (state.state, state.comment) == ("unknown", "nach Vereinbarung")


def test_state_at_comment_and_unknown_reported() -> None:
    oh = OpeningHours.parse('Mo-Fr 10:00-20:00; We 10:00-16:00 unknown "Maybe"')
    state = oh.state_at(at(2026, 6, 3, 11, 0))
    assert (state.state, state.comment) == ("unknown", "Maybe")


def test_state_at_open_end_is_unknown_with_comment() -> None:
    oh = OpeningHours.parse("Fr 18:00+")
    assert oh.state_at(at(2026, 6, 5, 20, 0)).state == "unknown"


def test_state_at_naive_datetime_raises() -> None:
    oh = OpeningHours.parse("24/7")
    with pytest.raises(ValueError, match="timezone-aware"):
        oh.state_at(datetime(2026, 1, 1, 12, 0))  # noqa: DTZ001


def test_state_at_utc_input_evaluated_in_berlin_time() -> None:
    oh = OpeningHours.parse("Mo 10:00-11:00")
    assert oh.state_at(datetime(2026, 6, 1, 8, 30, tzinfo=ZoneInfo("UTC"))).state == "open"


def test_next_change_open_range_returns_closing_time() -> None:
    oh = OpeningHours.parse("Mo-Fr 10:00-18:00")
    assert oh.next_change(at(2026, 6, 1, 12, 0)) == at(2026, 6, 1, 18, 0)
    assert oh.next_change(at(2026, 6, 5, 19, 0)) == at(2026, 6, 8, 10, 0)


# Christmas 2026 in NW: Thu 24 ordinary, Fri 25 and Sat 26 public holidays, Sun 27 ordinary.
ROUND_THE_CLOCK_WITH_PH = "Mo-Su 00:00-24:00; PH 00:00-24:00"


@pytest.mark.parametrize(
    "moment", [at(2026, 11, 23, 19, 56), at(2026, 12, 24, 20, 0), at(2026, 12, 25, 12, 0), at(2026, 12, 26, 23, 59)]
)
@pytest.mark.parametrize("value", [ROUND_THE_CLOCK_WITH_PH, "Mo-Su 00:00-24:00", "24/7"])
def test_next_change_round_the_clock_none_around_a_holiday(value: str, moment: datetime) -> None:
    oh = OpeningHours.parse(value)
    assert oh.next_change(moment) is None
    assert oh.next_change(moment, max_days=30) is None


def test_next_change_holiday_with_the_same_hours_keeps_its_name_as_comment() -> None:
    oh = OpeningHours.parse(ROUND_THE_CLOCK_WITH_PH)
    # like the reference engine, the holiday's name is the comment of the day ...
    assert oh.state_at(at(2026, 12, 24, 23, 59)) == State("open")
    assert oh.state_at(at(2026, 12, 25, 12, 0)) == State("open", "1. Weihnachtstag")
    assert oh.state_at(at(2026, 12, 26, 12, 0)) == State("open", "2. Weihnachtstag")
    assert oh.intervals(at(2026, 12, 24), at(2026, 12, 28)) == [
        (at(2026, 12, 24), at(2026, 12, 25), "open", None),
        (at(2026, 12, 25), at(2026, 12, 26), "open", "1. Weihnachtstag"),
        (at(2026, 12, 26), at(2026, 12, 27), "open", "2. Weihnachtstag"),
        (at(2026, 12, 27), at(2026, 12, 28), "open", None),
    ]
    # ... but switching to the holiday's rule, which gives the day the same hours, is no change
    assert oh.next_change(at(2026, 12, 24, 23, 59)) is None


def test_next_change_holiday_that_closes_reports_the_change() -> None:
    oh = OpeningHours.parse("Mo-Su 10:00-18:00; PH off")
    assert oh.next_change(at(2026, 12, 24, 12, 0)) == at(2026, 12, 24, 18, 0)
    # the holiday changes the day (closed instead of 10-18): its start and its name count, as before
    assert oh.next_change(at(2026, 12, 24, 20, 0)) == at(2026, 12, 25, 0, 0)
    assert oh.state_at(at(2026, 12, 25, 0, 0)) == State("closed", "1. Weihnachtstag")
    assert oh.next_change(at(2026, 12, 25, 12, 0)) == at(2026, 12, 26, 0, 0)
    assert oh.next_change(at(2026, 12, 26, 12, 0)) == at(2026, 12, 27, 0, 0)
    assert oh.next_change(at(2026, 12, 27, 0, 0)) == at(2026, 12, 27, 10, 0)


def test_next_change_round_the_clock_closed_on_holidays_reports_the_closing() -> None:
    oh = OpeningHours.parse("Mo-Su 00:00-24:00; PH off")
    assert oh.next_change(at(2026, 11, 23, 19, 56)) == at(2026, 12, 25, 0, 0)
    assert oh.state_at(at(2026, 12, 25, 0, 0)) == State("closed", "1. Weihnachtstag")
    assert oh.next_change(at(2026, 12, 26, 12, 0)) == at(2026, 12, 27, 0, 0)


def test_next_change_holiday_on_a_day_closed_anyway_is_no_change() -> None:
    # 2026-10-03 (Tag der Deutschen Einheit) is a Saturday: closed with or without "PH off"
    oh = OpeningHours.parse("Mo-Fr 10:00-18:00; PH off")
    assert oh.state_at(at(2026, 10, 3, 12, 0)) == State("closed", "Tag der Deutschen Einheit")
    assert oh.next_change(at(2026, 10, 2, 20, 0)) == at(2026, 10, 5, 10, 0)
    # Fronleichnam (Thursday) closes a working day: still a change at midnight, its name the comment
    assert oh.next_change(at(2026, 6, 3, 20, 0)) == at(2026, 6, 4, 0, 0)


def test_next_change_holiday_rule_with_its_own_comment_is_a_change() -> None:
    oh = OpeningHours.parse('Mo-Su 00:00-24:00; PH 00:00-24:00 open "Feiertag"')
    assert oh.next_change(at(2026, 12, 24, 20, 0)) == at(2026, 12, 25, 0, 0)
    assert oh.state_at(at(2026, 12, 25, 0, 0)) == State("open", "Feiertag")
    assert oh.next_change(at(2026, 12, 26, 12, 0)) == at(2026, 12, 27, 0, 0)


def test_intervals_week_lists_every_stretch() -> None:
    oh = OpeningHours.parse("Mo-Fr 10:00-18:00")
    spans = oh.intervals(at(2026, 6, 1), at(2026, 6, 8), include_closed=False)
    assert len(spans) == 5
    assert spans[0] == (at(2026, 6, 1, 10), at(2026, 6, 1, 18), "open", None)


def test_weekly_table_returns_seven_days() -> None:
    table = OpeningHours.parse("Tu-Su 10:00-18:00").weekly_table(date(2026, 6, 1))
    assert [len(ranges) for _, ranges in table] == [0, 1, 1, 1, 1, 1, 1]
    assert table[1][1][0][:3] == ("10:00", "18:00", "open")


def test_parse_is_cached_same_object() -> None:
    assert OpeningHours.parse("Mo 10:00-12:00") is OpeningHours.parse("Mo 10:00-12:00")


@pytest.mark.parametrize("value", ["", " ", ";", "||", "Mo-Tr 10:00-12:00", "Mo 25:00-26:00", '"open', "Sa[0]"])
def test_parse_invalid_value_raises_with_position(value: str) -> None:
    with pytest.raises(OpeningHoursError) as info:
        OpeningHours.parse(value)
    assert 0 <= info.value.position <= len(value)
    assert isinstance(info.value, ValueError)


def test_warnings_time_only_rules_hint_in_both_languages() -> None:
    oh = OpeningHours.parse("08:00-09:00; 10:00-12:00")
    assert any("verbinde" in w for w in oh.warnings("de"))
    assert any("join them" in w for w in oh.warnings("en"))


def test_describe_open_now_gives_closing_hint() -> None:
    oh = OpeningHours.parse("Mo-Su 10:00-18:00; PH off")
    assert describe(oh, at(2026, 6, 3, 16, 0)) == "Heute 10:00–18:00 geöffnet, schließt in 2 Std."
    assert describe(oh, at(2026, 6, 3, 16, 0), lang="en") == "Today 10:00–18:00 open, closes in 2 h"


def test_describe_after_todays_hours_says_when_it_opens_again() -> None:
    oh = OpeningHours.parse("Mo-Su 10:00-17:00; PH off")
    assert describe(oh, at(2026, 6, 9, 17, 37)) == "Heute 10:00–17:00 geöffnet, öffnet morgen um 10:00"
    assert describe(oh, at(2026, 6, 9, 17, 37), lang="en") == "Today 10:00–17:00 open, opens tomorrow at 10:00"
    # the eve of Fronleichnam (4 June 2026, PH off): the day after next
    assert describe(oh, at(2026, 6, 3, 17, 37)) == "Heute 10:00–17:00 geöffnet, öffnet Fr 05.06. um 10:00"
    # in English in English words, as the page's hours table names days: not "Fri 05.06."
    assert describe(oh, at(2026, 6, 3, 17, 37), lang="en") == "Today 10:00–17:00 open, opens Friday 5 June at 10:00"


def test_describe_weekly_rest_day_named() -> None:
    oh = OpeningHours.parse("Tu-Su 10:00-18:00")
    assert describe(oh, at(2026, 6, 1, 12, 0)) == "Montags Ruhetag"
    assert describe(oh, at(2026, 6, 1, 12, 0), lang="en") == "Closed on Mondays"


def test_out_of_season_no_weekday_is_called_a_rest_day() -> None:
    oh = OpeningHours.parse("Apr-Oct Tu-Su 10:00-18:00")
    assert describe(oh, at(2026, 11, 24, 12, 0)) == "Heute geschlossen"  # not "Dienstags Ruhetag"
    assert describe(oh, at(2026, 11, 24, 12, 0), lang="en") == "Closed today"


def test_prettify_tolerant_input_canonical_output() -> None:
    assert OpeningHours.parse("Montag-Freitag 9-18 Uhr").prettify() == "Mo-Fr 09:00-18:00"
