"""``live_state`` (what the API and the place pages show) agrees with the engine and the sentence."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from datenhub.hours import OpeningHours
from datenhub.hours.filter import live_state

BERLIN = ZoneInfo("Europe/Berlin")
ESSEN_AGS = "05113000"
BEFORE_CHRISTMAS = datetime(2026, 11, 23, 19, 56, tzinfo=BERLIN)


def test_live_state_round_the_clock_with_holiday_rule_never_changes() -> None:
    for value in ("Mo-Su 00:00-24:00; PH 00:00-24:00", "Mo-Su 00:00-24:00"):
        live = live_state(value, BEFORE_CHRISTMAS, None, None, ESSEN_AGS)
        assert live == {
            "state": "open",
            "comment": None,
            "next_change": None,
            "next_switch": None,
            "text": {"de": "Durchgehend geöffnet", "en": "Open 24/7"},
        }


def test_live_state_on_the_holiday_names_it_without_a_change() -> None:
    live = live_state(
        "Mo-Su 00:00-24:00; PH 00:00-24:00", datetime(2026, 12, 25, 12, tzinfo=BERLIN), None, None, ESSEN_AGS
    )
    assert live is not None
    assert (live["state"], live["comment"], live["next_change"]) == ("open", "1. Weihnachtstag", None)
    assert live["text"] == {"de": "Durchgehend geöffnet (1. Weihnachtstag)", "en": "Open 24/7 (1. Weihnachtstag)"}


def test_live_state_change_more_than_30_days_ahead_same_as_engine() -> None:
    value = "Mo-Su 00:00-24:00; PH off"
    live = live_state(value, BEFORE_CHRISTMAS, None, None, ESSEN_AGS)
    assert live is not None
    change = OpeningHours.parse(value).next_change(BEFORE_CHRISTMAS)
    assert change is not None
    assert live["next_change"] == change.isoformat() == "2026-12-25T00:00:00+01:00"
    assert live["text"] == {
        "de": "Heute 00:00–24:00 geöffnet, schließt in 748 Std. 4 Min.",
        "en": "Today 00:00–24:00 open, closes in 748 h 4 min",
    }


def test_live_state_holiday_off_reports_the_closing_and_the_holiday() -> None:
    value = "Mo-Su 10:00-18:00; PH off"
    live = live_state(value, datetime(2026, 12, 24, 16, tzinfo=BERLIN), None, None, ESSEN_AGS)
    assert live is not None
    assert (live["state"], live["next_change"]) == ("open", "2026-12-24T18:00:00+01:00")
    live = live_state(value, datetime(2026, 12, 24, 20, tzinfo=BERLIN), None, None, ESSEN_AGS)
    assert live is not None
    assert (live["state"], live["next_change"]) == ("closed", "2026-12-25T00:00:00+01:00")


def test_live_state_next_switch_skips_a_change_of_the_comment_alone() -> None:
    # Fronleichnam 2026-06-04 (Thursday) closes a working day under its name; at midnight only the name goes
    live = live_state("Mo-Fr 10:00-18:00; PH off", datetime(2026, 6, 4, 20, tzinfo=BERLIN), None, None, ESSEN_AGS)
    assert live is not None and (live["state"], live["comment"]) == ("closed", "Fronleichnam")
    assert live["next_change"] == datetime(2026, 6, 5, 0, 0, tzinfo=BERLIN).isoformat()
    assert live["next_switch"] == datetime(2026, 6, 5, 10, 0, tzinfo=BERLIN).isoformat()


def test_open_values_works_a_value_out_once_per_state(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from datenhub.hours import filter as hours_filter

    parsed: list[tuple[str, str | None]] = []
    real = hours_filter.OpeningHours.parse

    def counting(value: str, **kwargs):  # type: ignore[no-untyped-def]
        parsed.append((value, kwargs.get("state")))
        return real(value, **kwargs)

    monkeypatch.setattr(hours_filter.OpeningHours, "parse", counting)
    at = datetime(2026, 1, 6, 12, tzinfo=ZoneInfo("Europe/Berlin"))  # Epiphany: a holiday in Bavaria, not in NRW
    hours = "Mo-Su 10:00-18:00; PH off"
    pairs = [(hours, p) for p in (None, "05", "09")] + [("nonsense", "05"), ("nonsense", None)]
    # no prefix means NRW: it shares the value's work with "05"; Bavaria has its own, and is closed on its holiday
    assert hours_filter.open_values(pairs, at) == [(hours, ""), (hours, "05")]
    assert parsed == [(hours, "NW"), (hours, "BY"), ("nonsense", "NW")]
