"""iCalendar series: RECURRENCE-ID overrides, RDATE, sloppy UNTIL, empty series, stable occurrence ids."""

from __future__ import annotations

import pytest
from ingest_corpus import FIXED_NOW

from datenhub.ingest.base import AdapterOptions, Draft, RawInput
from datenhub.ingest.registry import get_adapter
from datenhub.notices import Notice, Report, Severity


def read_ics(*vevents: str) -> tuple[list[Draft], Report]:
    """The drafts and notices of a calendar holding these VEVENT bodies (one property a line)."""
    body = "".join(f"BEGIN:VEVENT\n{v.strip()}\nEND:VEVENT\n" for v in vevents)
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//DE\n{body}END:VCALENDAR\n".replace("\n", "\r\n")
    raw = RawInput("test", "x.ics", text.encode(), FIXED_NOW)
    drafts, report = [], Report()
    for item in get_adapter("ical").read(raw, AdapterOptions("test")):
        if isinstance(item, Notice):
            report.add(item)
        else:
            drafts.append(item)
    return drafts, report


def starts(drafts: list[Draft]) -> list[tuple[str | None, str]]:
    return [(d.local_id, d.data["start"]) for d in drafts]


TOUR = """
UID:tour@zollverein
DTSTART;TZID=Europe/Berlin:20260105T140000
DTEND;TZID=Europe/Berlin:20260105T153000
SUMMARY:Führung
LOCATION:Zeche Zollverein
"""


def test_ical_adapter_recurrence_id_replaces_its_occurrence() -> None:
    moved = """
UID:tour@zollverein
RECURRENCE-ID;TZID=Europe/Berlin:20260112T140000
DTSTART;TZID=Europe/Berlin:20260113T180000
SUMMARY:Führung am Abend
"""
    # the override comes first: feeds do not keep the series before its exceptions
    drafts, report = read_ics(moved, TOUR + "RRULE:FREQ=WEEKLY;COUNT=4\nEXDATE;TZID=Europe/Berlin:20260119T140000")
    assert report.flatten(["code"]) == []
    assert starts(drafts) == [("tour@zollverein#2026-01-05", "2026-01-05T14:00:00+01:00"),
                              ("tour@zollverein#2026-01-12", "2026-01-13T18:00:00+01:00"),
                              ("tour@zollverein#2026-01-26", "2026-01-26T14:00:00+01:00")]
    evening = drafts[1]
    assert (evening.data["name"], evening.data["end"]) == ({"de": "Führung am Abend"}, "2026-01-13T19:30:00+01:00")
    assert evening.data["location_name"] == "Zeche Zollverein"  # what the override leaves out, the series gives
    assert (evening.location.pointer, evening.location.entity_id) == ("VEVENT[1]", "tour@zollverein#2026-01-12")


def test_ical_adapter_recurrence_id_of_no_date_of_the_series_warns() -> None:
    stray = ("UID:tour@zollverein\nRECURRENCE-ID;TZID=Europe/Berlin:20260113T140000\n"
             "DTSTART;TZID=Europe/Berlin:20260114T100000")
    drafts, report = read_ics(TOUR + "RRULE:FREQ=WEEKLY;COUNT=2", stray)
    assert report.flatten(["pointer", "field", "code"]) == [["VEVENT[2]", "RECURRENCE-ID", "unmatched_recurrence_id"]]
    assert starts(drafts)[-1] == ("tour@zollverein#2026-01-13", "2026-01-14T10:00:00+01:00")


def test_ical_adapter_recurrence_id_without_its_series_stands_alone() -> None:
    drafts, report = read_ics("UID:tour@zollverein\nRECURRENCE-ID;TZID=Europe/Berlin:20260112T140000\n"
                              "DTSTART;TZID=Europe/Berlin:20260113T180000\nSUMMARY:Sonderführung")
    assert report.flatten(["code"]) == []
    assert starts(drafts) == [("tour@zollverein#2026-01-12", "2026-01-13T18:00:00+01:00")]


def test_ical_adapter_rdate_adds_occurrences() -> None:
    drafts, report = read_ics(TOUR + "RRULE:FREQ=WEEKLY;COUNT=2\n"
                              "RDATE;TZID=Europe/Berlin:20260301T140000,20260302T100000\n"
                              "RDATE;VALUE=PERIOD:20260401T080000Z/PT3H")
    assert report.flatten(["code"]) == []
    assert [(d.local_id, d.data["start"], d.data["end"]) for d in drafts] == [
        ("tour@zollverein#2026-01-05", "2026-01-05T14:00:00+01:00", "2026-01-05T15:30:00+01:00"),
        ("tour@zollverein#2026-01-12", "2026-01-12T14:00:00+01:00", "2026-01-12T15:30:00+01:00"),
        ("tour@zollverein#2026-03-01", "2026-03-01T14:00:00+01:00", "2026-03-01T15:30:00+01:00"),
        # another time of day than the series': named by its time too; a period has its own length
        ("tour@zollverein#2026-03-02T1000", "2026-03-02T10:00:00+01:00", "2026-03-02T11:30:00+01:00"),
        ("tour@zollverein#2026-04-01T1000", "2026-04-01T10:00:00+02:00", "2026-04-01T13:00:00+02:00")]


def test_ical_adapter_rdate_without_rrule_keeps_dtstart() -> None:
    drafts, _ = read_ics(TOUR + "RDATE;TZID=Europe/Berlin:20260110T140000")
    assert [d.local_id for d in drafts] == ["tour@zollverein#2026-01-05", "tour@zollverein#2026-01-10"]


@pytest.mark.parametrize(("until", "reading"), [
    ("20260119T140000", "has no time zone but DTSTART has one; it is read in Europe/Berlin"),
    ("20260119", "is a date but DTSTART has a time; it is read as the end of that day in Europe/Berlin"),
])
def test_ical_adapter_until_without_zone_read_in_dtstart_zone_warns(until: str, reading: str) -> None:
    drafts, report = read_ics(TOUR + f"RRULE:FREQ=WEEKLY;UNTIL={until}")
    assert [d.data["start"] for d in drafts] == ["2026-01-05T14:00:00+01:00", "2026-01-12T14:00:00+01:00",
                                                "2026-01-19T14:00:00+01:00"]
    assert report.flatten(["entity_id", "field", "code", "severity", "message"]) == [
        ["tour@zollverein", "RRULE", "until_mismatch", Severity.WARNING, f"RRULE UNTIL={until} {reading}"]]


def test_ical_adapter_all_day_series_with_utc_until_uses_its_date() -> None:
    drafts, report = read_ics("UID:tage\nDTSTART;VALUE=DATE:20260321\nRRULE:FREQ=DAILY;UNTIL=20260323T235959Z")
    assert [d.local_id for d in drafts] == ["tage#2026-03-21", "tage#2026-03-22", "tage#2026-03-23"]
    assert report.flatten(["code"]) == [["until_mismatch"]]


@pytest.mark.parametrize(("recurrence", "reason"), [
    ("RRULE:FREQ=WEEKLY;COUNT=2\nEXDATE;TZID=Europe/Berlin:20260105T140000,20260112T140000",
     "EXDATE excludes every date"),
    ("RRULE:FREQ=WEEKLY;UNTIL=20251231T230000Z", "its RRULE gives no date (does UNTIL lie before DTSTART?)"),
])
def test_ical_adapter_series_without_occurrences_warns(recurrence: str, reason: str) -> None:
    drafts, report = read_ics(TOUR + recurrence)
    assert drafts == []
    assert report.flatten(["file", "pointer", "entity_id", "code", "severity", "message"]) == [
        ["x.ics", "VEVENT[1]", "tour@zollverein", "no_occurrences", Severity.WARNING,
         f"VEVENT UID=tour@zollverein has no date: {reason}; nothing is imported"]]


@pytest.mark.parametrize("recurrence", [
    "RRULE:FREQ=WEEKLY;COUNT=1",
    "RRULE:FREQ=WEEKLY;COUNT=2\nEXDATE;TZID=Europe/Berlin:20260112T140000",
    "RRULE:FREQ=WEEKLY;UNTIL=20260105T130000Z",
    "RRULE:FREQ=WEEKLY;COUNT=x",  # unreadable: DTSTART alone is kept, as the occurrence it is
])
def test_ical_adapter_series_shrunk_to_one_occurrence_keeps_its_id(recurrence: str) -> None:
    drafts, _ = read_ics(TOUR + recurrence)
    assert [d.local_id for d in drafts] == ["tour@zollverein#2026-01-05"]


def test_ical_adapter_event_without_recurrence_named_by_uid() -> None:
    drafts, _ = read_ics(TOUR)
    assert [d.local_id for d in drafts] == ["tour@zollverein"]


def test_ical_adapter_two_different_dtstarts_held_back_with_clear_error() -> None:
    drafts, report = read_ics(TOUR + "DTSTART;TZID=Europe/Berlin:20260106T140000")
    assert drafts == []
    assert report.flatten(["pointer", "field", "code", "severity", "message"]) == [
        ["VEVENT[1]", "DTSTART", "duplicate_property", Severity.ERROR,
         "VEVENT UID=tour@zollverein has 2 DTSTART properties that disagree (20260105T140000, 20260106T140000); "
         "which one is meant cannot be told, so the event is not imported"]]


def test_ical_adapter_repeated_same_dtstart_warns_and_reads_it() -> None:
    drafts, report = read_ics(TOUR + "DTSTART:20260105T130000Z")  # the same instant, written in UTC
    assert starts(drafts) == [("tour@zollverein", "2026-01-05T14:00:00+01:00")]
    assert report.flatten(["code", "severity", "message"]) == [
        ["duplicate_property", Severity.WARNING,
         "VEVENT UID=tour@zollverein has 2 DTSTART properties (20260105T140000, 20260105T130000Z); "
         "the first is used"]]


def test_ical_adapter_a_rule_of_every_second_is_refused_within_a_budget() -> None:
    # dateutil steps through every date from DTSTART: left alone this takes hours and gigabytes
    drafts, report = read_ics("UID:dense@x\nDTSTART:20200101T100000Z\nRRULE:FREQ=SECONDLY\nSUMMARY:Sekunde\n")
    assert starts(drafts) == [("dense@x#2020-01-01T1000", "2020-01-01T10:00:00+00:00")]
    [notice] = report.notices
    assert (notice.code, notice.severity) == ("invalid_recurrence", Severity.WARNING)
    assert "more than 100,000 dates" in notice.message


def test_ical_adapter_says_where_it_cuts_a_long_series() -> None:
    drafts, report = read_ics("UID:often@x\nDTSTART:20260101T100000Z\nRRULE:FREQ=HOURLY;BYHOUR=10,12,14,16\n"
                              "SUMMARY:Führung\n")
    assert len(drafts) == 200
    [notice] = report.notices
    assert (notice.code, notice.severity) == ("occurrences_capped", Severity.WARNING)
    assert "the 200 nearest" in notice.message and drafts[-1].data["start"][:10] in notice.message


def test_an_unreadable_date_is_named_as_written() -> None:
    drafts, report = read_ics("UID:x1\nDTSTART:2026-13-45\nSUMMARY:Kaputt")
    assert drafts == []
    [notice] = [n for n in report if n.code == "invalid_date"]
    assert notice.severity is Severity.ERROR and "DTSTART '2026-13-45' is not a valid date" in notice.message
    assert "vDDDTypes" not in notice.message  # the iCal library's words stay out of it


def test_ical_adapter_vendor_prefixed_tzid_is_a_notice_not_a_python_warning(
        recwarn: pytest.WarningsRecorder) -> None:
    """Evolution and Lightning write globally unique TZIDs; the library guessed the zone and printed a
    UserWarning on stderr, where no steward acts on it."""
    drafts, report = read_ics("UID:e1\nSUMMARY:Konzert\n"
                              "DTSTART;TZID=/freeassociation.sourceforge.net/Europe/Berlin:20260705T200000",
                              "UID:e2\nSUMMARY:Konzert 2\n"
                              "DTSTART;TZID=/freeassociation.sourceforge.net/Europe/Berlin:20260706T200000")
    assert [str(w.message) for w in recwarn] == []
    assert starts(drafts) == [("e1", "2026-07-05T20:00:00+02:00"), ("e2", "2026-07-06T20:00:00+02:00")]
    assert report.flatten(["code", "severity", "value"]) == [
        ["timezone_guessed", "INFO", "/freeassociation.sourceforge.net/Europe/Berlin"]]
    assert "read as 'Europe/Berlin'" in report.notices[0].message


def test_ical_adapter_unknown_tzid_without_vtimezone_warns() -> None:
    drafts, report = read_ics("UID:e1\nSUMMARY:Konzert\nDTSTART;TZID=Western/Central Europe:20260705T200000",
                              "UID:e2\nSUMMARY:Konzert 2\nDTSTART;TZID=Europe/Berlin:20260705T200000")
    assert starts(drafts) == [("e1", "2026-07-05T20:00:00+02:00"), ("e2", "2026-07-05T20:00:00+02:00")]
    assert report.flatten(["code", "severity", "pointer", "value"]) == [
        ["unknown_timezone", "WARNING", "VEVENT[1]", "Western/Central Europe"]]
    assert "read as Europe/Berlin local time" in report.notices[0].message


def test_ical_adapter_reads_each_file_with_its_own_time_zones() -> None:
    """icalendar caches every VTIMEZONE it reads for the process: a second file naming that zone without defining it
    was read with the first file's definition, silently, and a vendor TZID guessed once was not reported again."""
    own = ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//DE\nBEGIN:VTIMEZONE\nTZID:Western/Central Europe\n"
           "BEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0500\nTZOFFSETTO:+0500\nEND:STANDARD\n"
           "END:VTIMEZONE\nBEGIN:VEVENT\nUID:z1\nSUMMARY:Fern\nDTSTART;TZID=Western/Central Europe:20260705T200000\n"
           "END:VEVENT\nEND:VCALENDAR\n").replace("\n", "\r\n")
    raw = RawInput("test", "own.ics", own.encode(), FIXED_NOW)
    first = [i for i in get_adapter("ical").read(raw, AdapterOptions("test")) if not isinstance(i, Notice)]
    assert starts(first) == [("z1", "2026-07-05T20:00:00+05:00")]  # its own definition
    # the next file does not define it: read as Berlin time, with a notice
    drafts, report = read_ics("UID:e1\nSUMMARY:Konzert\nDTSTART;TZID=Western/Central Europe:20260705T200000")
    assert starts(drafts) == [("e1", "2026-07-05T20:00:00+02:00")]
    assert report.by_code() == {"unknown_timezone": 1}
    for _ in range(2):  # a vendor's TZID is reported in every file that uses it
        _, report = read_ics("UID:e2\nSUMMARY:Konzert\n"
                             "DTSTART;TZID=/freeassociation.sourceforge.net/Europe/Berlin:20260706T200000")
        assert report.by_code() == {"timezone_guessed": 1}
