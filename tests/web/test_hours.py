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
