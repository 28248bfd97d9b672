"""The opening-hours badge of pages, list rows, the screen and the widget: when a place opens or closes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from datenhub.web.hours import closes_at, hours_view

BERLIN = ZoneInfo("Europe/Berlin")
# Fronleichnam 2026-06-04 (Thursday) closes this place under the holiday's name; at midnight only the name goes
PLACE = {"id": "dh-test", "opening_hours": "Mo-Fr 10:00-18:00; PH off", "geo": {"lat": 51.45, "lon": 7.01},
         "municipality": {"ags": "05113000"}}
EVENING = datetime(2026, 6, 4, 20, tzinfo=BERLIN)
OPENS = datetime(2026, 6, 5, 10, tzinfo=BERLIN).isoformat()


def test_the_badge_says_when_it_opens_not_when_the_holiday_name_ends() -> None:
    assert closes_at(PLACE, EVENING) == ("closed", OPENS)
    view = hours_view(PLACE, EVENING, "de")
    assert view is not None and view["state"] == "closed" and view["next_change"] == OPENS


def test_a_time_tomorrow_says_tomorrow() -> None:
    from datenhub.web.common import fmt_datetime

    now = datetime(2026, 11, 23, 20, 46, tzinfo=BERLIN)
    assert fmt_datetime("2026-11-24T10:00:00+01:00", "de", now) == "morgen 10:00"
    assert fmt_datetime("2026-11-24T10:00:00+01:00", "en", now) == "tomorrow 10:00"
    assert fmt_datetime("2026-11-23T22:00:00+01:00", "de", now) == "heute 22:00"
    assert fmt_datetime("2026-11-25T10:00:00+01:00", "de", now).startswith("Mi 25.11.2026")


def test_fmt_datetime_english_weekday_is_the_usual_three_letters_not_osm_two() -> None:
    from datenhub.web.common import fmt_datetime

    now = datetime(2026, 11, 20, 12, tzinfo=BERLIN)  # a Friday: Tuesday 24th, Wednesday 25th, Sunday 29th ahead
    assert fmt_datetime("2026-11-24T10:00:00+01:00", "en", now) == "Tue 2026-11-24 10:00"
    assert fmt_datetime("2026-11-25T10:00:00+01:00", "en", now) == "Wed 2026-11-25 10:00"
    assert fmt_datetime("2026-11-29T10:00:00+01:00", "en", now) == "Sun 2026-11-29 10:00"
    assert fmt_datetime("2026-11-24T10:00:00+01:00", "de", now) == "Di 24.11.2026 10:00"
    assert fmt_datetime("2026-11-29T10:00:00+01:00", "de", now) == "So 29.11.2026 10:00"


def test_the_badge_of_a_place_opening_after_the_weekend_says_mon_in_english() -> None:
    from datenhub.web.common import fmt_datetime

    view = hours_view(PLACE, datetime(2026, 6, 5, 19, tzinfo=BERLIN), "en")  # Friday evening: opens Monday
    assert view is not None and view["next_change"] is not None
    assert fmt_datetime(view["next_change"], "en", datetime(2026, 6, 5, 19, tzinfo=BERLIN)).startswith("Mon ")
