"""iCalendar output: RFC 5545 structure, line folding, and a round trip through our own iCal adapter."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import icalendar

from datenhub.clock import utc_now
from datenhub.publish import get_serializer
from datenhub.publish.ical_ import to_vevent, write_ical
from tests.publish.samples import CLOCK, sample_entities, sample_events


def instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def ics(entities: list[dict[str, Any]]) -> bytes:
    return b"".join(write_ical(entities, clock=CLOCK))


def read_back(data: bytes, defaults: dict[str, str] | None = None) -> list[dict[str, Any]]:
    from datenhub.checks import CheckContext
    from datenhub.ingest.base import AdapterOptions, RawInput
    from datenhub.ingest.ical import ICalAdapter
    from datenhub.notices import Report
    from datenhub.pipeline import validate_stream

    raw = RawInput(source="roundtrip", name="export.ics", payload=data, fetched_at=utc_now())
    defaults = {"licence": "CC0-1.0"} if defaults is None else defaults
    options = AdapterOptions(source="roundtrip", mapping=None, defaults=defaults)
    entities, _, _ = validate_stream(ICalAdapter().read(raw, options), CheckContext("roundtrip", defaults), Report())
    return [e.model_dump(mode="json") for e in entities]


def test_ical_lines_are_crlf_folded_at_75_octets_and_utf8_intact() -> None:
    data = ics(sample_entities())
    assert data.endswith(b"END:VCALENDAR\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the long description was folded
    for line in lines:
        line.decode("utf-8")  # folding never splits a multi-byte character


def test_ical_has_required_properties_and_skips_places() -> None:
    calendar = icalendar.Calendar.from_ical(ics(sample_entities()))
    assert (str(calendar["VERSION"]), str(calendar["PRODID"])) == ("2.0", "-//DatenHub Ruhr//datenhub//DE")
    events = calendar.walk("VEVENT")
    assert len(events) == len(sample_events())
    concert: Any = events[0]  # icalendar types a property as any of its value classes
    assert str(concert["UID"]) == "dh-sample-konzert@datenhub.ruhr"
    assert concert["DTSTAMP"].to_ical() == b"20260520T071500Z"  # last_changed, in UTC
    assert concert["DTSTART"].to_ical() == b"20260613T193000"  # local time, as given
    assert concert["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert str(concert["STATUS"]) == "CONFIRMED"
    assert (concert["GEO"].latitude, concert["GEO"].longitude) == (51.4862, 7.0443)
    assert str(concert["X-DATENHUB-LICENSE"]) == "CC-BY-4.0"
    assert str(concert["X-DATENHUB-ATTRIBUTION"]) == "Stiftung Zollverein, CC BY 4.0"
    assert list(concert["CATEGORIES"].cats) == ["Kultur", "Musik"]
    fest = events[1]
    assert (fest["DTSTART"].to_ical(), fest["DTEND"].to_ical()) == (b"20260822", b"20260824")  # DATE, exclusive
    assert fest["DTSTART"].params.get("VALUE") == "DATE"
    assert str(fest["STATUS"]) == "CANCELLED"


def test_ical_serializer_registered_with_text_calendar() -> None:
    serializer = get_serializer("ical")
    assert serializer.media_type.startswith("text/calendar") and serializer.extension == "ics"


def test_ical_event_without_timestamps_uses_the_clock_for_dtstamp() -> None:
    event = {**sample_events()[2], "last_changed": None, "first_seen": None}
    assert to_vevent(event, clock=CLOCK)["DTSTAMP"].to_ical() == b"20260604T100000Z"


def test_ical_round_trip_through_ical_adapter_keeps_times_text_and_place() -> None:
    originals = sample_events()
    back = read_back(ics(originals))
    assert len(back) == len(originals)
    for before, after in zip(originals, back, strict=True):
        assert after["name"]["de"] == before["name"]["de"]
        assert after["description"] == before["description"]
        assert after["all_day"] == before["all_day"]
        assert instant(after["start"]) == instant(before["start"])
        assert instant(after.get("end")) == instant(before.get("end"))
        assert after.get("geo") == before.get("geo")
        assert after.get("url") == before.get("url")
        assert after["location_name"].startswith(before["location_name"])
    assert [a.get("status") for a in back] == ["EventScheduled", "EventCancelled", None]


def test_ical_export_writes_local_berlin_times_that_import_back_with_their_offsets() -> None:
    """Times went out in UTC: a second hub importing the feed published 16:00Z for an 18:00 event."""
    base = sample_events()[0]
    given = [("2027-06-26T18:00:00+02:00", "2027-06-27T02:00:00+02:00"),  # summer
             ("2026-12-05T11:00:00+01:00", "2026-12-05T19:00:00+01:00"),  # winter
             ("2027-04-10T08:00:00+00:00", None)]  # given in UTC: out in local time
    originals = [{**base, "id": f"dh-t{i}", "start": start, "end": end} for i, (start, end) in enumerate(given)]
    data = ics(originals)
    assert b"DTSTART;TZID=Europe/Berlin:20270626T180000\r\n" in data
    assert b"DTEND;TZID=Europe/Berlin:20270627T020000\r\n" in data
    assert b"DTSTART;TZID=Europe/Berlin:20270410T100000\r\n" in data
    back = read_back(data)
    assert [(a["start"], a.get("end")) for a in back] == [
        ("2027-06-26T18:00:00+02:00", "2027-06-27T02:00:00+02:00"),
        ("2026-12-05T11:00:00+01:00", "2026-12-05T19:00:00+01:00"),
        ("2027-04-10T10:00:00+02:00", None)]


def test_the_ical_export_imports_back_with_each_events_categories_keywords_and_organizer() -> None:
    """Categories came back as keywords and the organizer was not written at all."""
    base = sample_events()[0]
    originals = [{**base, "id": "dh-a", "categories": ["Kultur", "Sport"], "keywords": ["Musik"],
                  "organizer": "Stiftung Zollverein"},
                 {**base, "id": "dh-b", "categories": [], "keywords": [], "organizer": "info@zollverein.de"}]
    data = ics(originals)
    assert b"X-DATENHUB-ORGANIZER:Stiftung Zollverein\r\n" in data
    assert b"ORGANIZER:mailto:info@zollverein.de\r\n" in data
    back = read_back(data)
    assert [(a["categories"], a["keywords"], a["organizer"]) for a in back] == [
        (["Kultur", "Sport"], ["Musik"], "Stiftung Zollverein"), ([], [], "info@zollverein.de")]


def test_the_ical_export_imports_back_with_each_events_licence_attribution_and_type() -> None:
    originals = sample_events()
    back = read_back(ics(originals), defaults={})  # no --licence: each event's own comes back
    assert len(back) == len(originals)
    for before, after in zip(originals, back, strict=True):
        assert (after["licence"], after.get("attribution"), after["type"]) == (
            before["licence"], before.get("attribution"), before["type"])


def test_the_ical_export_imports_back_with_every_events_status() -> None:
    """STATUS holds CONFIRMED, TENTATIVE and CANCELLED alone: a postponed event came back as scheduled."""
    statuses = ["EventScheduled", "EventCancelled", "EventPostponed", "EventRescheduled", "EventMovedOnline"]
    base = sample_events()[0]
    originals = [{**base, "id": f"{base['id']}-{i}", "status": status} for i, status in enumerate(statuses)]
    assert [a.get("status") for a in read_back(ics(originals))] == statuses


def test_ical_import_a_cancelled_status_wins_over_an_exact_one() -> None:
    vevent = to_vevent({**sample_events()[0], "status": "EventPostponed"})
    vevent["STATUS"] = "CANCELLED"  # a calendar app cancelled the postponed event; it keeps X- properties
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//t//DE")
    calendar.add("version", "2.0")
    calendar.add_component(vevent)
    assert [a.get("status") for a in read_back(calendar.to_ical())] == ["EventCancelled"]


def test_ical_round_trip_of_real_calendar_events(ical_events: list[dict[str, Any]]) -> None:
    back = read_back(ics(ical_events))
    assert len(back) == len(ical_events)
    assert sorted(datetime.fromisoformat(a["start"]) for a in back) == \
        sorted(datetime.fromisoformat(e["start"]) for e in ical_events)
    assert sorted(a["name"].get("de", "") for a in back) == sorted(e["name"].get("de", "") for e in ical_events)
