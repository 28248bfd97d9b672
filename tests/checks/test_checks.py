"""One focused test per check code: a draft that triggers it, the notice it yields and what happens to the record."""

from __future__ import annotations

import json
from typing import Any

import pytest

from datenhub.checks import CheckContext, build, notice_catalog
from datenhub.ingest.base import Draft
from datenhub.notices import Location, Report, Severity

VALID_PLACE: dict[str, Any] = {"name": {"de": "Zeche Zollverein"}, "lat": 51.4862, "lon": 7.0406, "licence": "CC0-1.0"}
VALID_EVENT: dict[str, Any] = {"name": {"de": "ExtraSchicht"}, "start": "2026-06-27T18:00:00+02:00",
                               "licence": "CC0-1.0"}


def make_draft(kind: str = "place", local_id: str | None = "x1", **data: Any) -> Draft:
    base = VALID_PLACE if kind == "place" else VALID_EVENT
    return Draft(kind, local_id, {**base, **data}, Location(source="test", file="t.csv", row=2, entity_id=local_id))


def run(draft: Draft, ctx: CheckContext | None = None) -> tuple[Any, Report]:
    entity, notices = build(draft, ctx or CheckContext("test"))
    report = Report()
    report.extend(notices)
    return entity, report


TESTED: set[str] = set()


def covers(*codes: str) -> None:
    TESTED.update(codes)


# baseline ------------------------------------------------------------------------------------------------

def test_build_valid_place_no_notices() -> None:
    entity, report = run(make_draft())
    assert report.flatten(["code"]) == []
    assert (entity.id, entity.geo.lat, entity.licence.value) == ("test:x1", 51.4862, "CC0-1.0")


# identity ------------------------------------------------------------------------------------------------

covers("duplicate_id", "derived_id", "invalid_id")


def test_identity_check_duplicate_id_second_rejected() -> None:
    ctx = CheckContext("test")
    first, _ = run(make_draft(), ctx)
    second, report = run(make_draft(name={"de": "Villa Hügel"}), ctx)
    assert first is not None and second is None
    assert report.flatten(["row", "field", "code", "severity"]) == [[2, "id", "duplicate_id", Severity.ERROR]]


def test_identity_check_missing_id_derived_deterministically() -> None:
    one, report = run(make_draft(local_id=None))
    two, _ = run(make_draft(local_id=None))
    assert report.flatten(["code", "severity"]) == [["derived_id", Severity.INFO]]
    assert one.id == two.id and one.id.startswith("test:h")


def test_identity_check_nameless_rows_without_id_are_missing_name_not_duplicates() -> None:
    """A file that fits no mapping (every name empty, one start date) gave 10,993 duplicate_id errors."""
    ctx = CheckContext("test")
    report = Report()
    for row in (2, 3, 4):
        draft = Draft("place", None, {"start": "2019-10-04", "licence": "CC0-1.0"},
                      Location(source="test", file="t.csv", row=row))
        entity, notices = build(draft, ctx)
        assert entity is None
        report.extend(notices)
    codes = report.flatten(["row", "code"])
    assert [[row, "missing_name"] for row in (2, 3, 4)] == [c for c in codes if c[1] == "missing_name"]
    assert [c for c in codes if c[1] == "duplicate_id"] == []


def test_identity_check_id_with_control_characters_rejected() -> None:
    entity, report = run(make_draft(local_id="a\x00b"))
    assert entity is None
    assert report.flatten(["field", "code"]) == [["id", "invalid_id"]]


def test_identity_check_id_over_200_characters_rejected() -> None:
    entity, report = run(make_draft(local_id="x" * 201))
    assert (entity, report.flatten(["code"])) == (None, [["invalid_id"]])


# shape ---------------------------------------------------------------------------------------------------

covers("invalid_field_type")


@pytest.mark.parametrize(("field", "value"), [
    ("contact", "https://example.org"), ("address", ["Gelsenkirchener Str. 181"]), ("keywords", 7),
    ("categories", {"Museum": True}), ("images", 42)])
def test_a_field_of_the_wrong_json_kind_is_left_out(field: str, value: Any) -> None:
    entity, report = run(make_draft(**{field: value}))
    assert entity is not None, report.to_dict()
    assert [(n.code, n.location.field) for n in report] == [("invalid_field_type", field)]
    shown = report.notices[0].value  # the value as JSON, tools read it back; a string as it is
    assert (shown if isinstance(value, str) else json.loads(shown or "")) == value


def test_reshaped_where_it_reads_unambiguously() -> None:
    entity, report = run(make_draft(images=["https://example.org/a.jpg", {"url": "https://example.org/b.jpg",
                                                                         "licence": "CC0-1.0"}],
                                    categories="Museum; Industriekultur", name={"de": "Zeche", "en": {"x": 1}}))
    assert entity is not None
    assert [image.url for image in entity.images] == ["https://example.org/b.jpg"]  # the bare URL has no licence
    assert entity.categories == ["Museum", "Industriekultur"] and entity.name == {"de": "Zeche"}
    assert sorted((n.code, n.location.field) for n in report) == [("image_missing_licence", "images[0]"),
                                                                  ("invalid_field_type", "name.en")]


def test_an_image_caption_as_one_text_is_german() -> None:
    image = {"url": "https://example.org/a.jpg", "licence": "CC0-1.0", "caption": "Ofen"}
    entity, report = run(make_draft(images=[image, {**image, "caption": ["Ofen"]}]))
    assert entity is not None and [i.caption for i in entity.images] == [{"de": "Ofen"}, {}]
    assert [(n.code, n.location.field) for n in report] == [("invalid_field_type", "images[1].caption")]


def test_a_value_no_check_foresees_rejects_the_record_not_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    from datenhub.checks.values import ValuesCheck

    def broken(self: Any, draft: Draft, ctx: CheckContext) -> Any:
        raise AttributeError("'str' object has no attribute 'get'")
        yield  # a generator, as checks are

    monkeypatch.setattr(ValuesCheck, "check", broken)
    entity, report = run(make_draft())
    assert entity is None and [n.code for n in report] == ["invalid_record"]
    assert "ValuesCheck could not read the record (AttributeError" in next(iter(report)).message


# text ----------------------------------------------------------------------------------------------------

covers("missing_name", "oversized_field", "control_characters", "replacement_character")


def test_text_check_missing_name_rejected() -> None:
    entity, report = run(make_draft(name={"de": "  "}))
    assert entity is None
    assert report.flatten(["field", "code", "severity"]) == [["name", "missing_name", Severity.ERROR]]


def test_text_check_plain_string_name_read_as_german() -> None:
    entity, report = run(make_draft(name="Gasometer"))
    assert (entity.name, report.flatten(["code"])) == ({"de": "Gasometer"}, [])


def test_text_check_oversized_name_cut_to_300() -> None:
    entity, report = run(make_draft(name={"de": "Z" * 301}))
    assert report.flatten(["field", "code", "severity"]) == [["name.de", "oversized_field", Severity.WARNING]]
    assert len(entity.name["de"]) == 300


def test_text_check_oversized_description_cut_and_value_shortened() -> None:
    entity, report = run(make_draft(description={"de": "a" * 25_000}))
    assert report.flatten(["field", "code"]) == [["description.de", "oversized_field"]]
    assert len(entity.description["de"]) == 20_000
    assert len(report.notices[0].value or "") == 120


def test_text_check_control_characters_removed() -> None:
    entity, report = run(make_draft(name={"de": "Zeche\x07 Zoll\x1bverein"}))
    assert report.flatten(["field", "code", "severity"]) == [["name.de", "control_characters", Severity.WARNING]]
    assert entity.name["de"] == "Zeche Zollverein"


def test_text_check_takes_control_characters_out_of_every_text_of_the_record() -> None:
    entity, report = run(make_draft(attribution="Ctrl\x0bV\x1fU", address={"street": "Gelsen\x0bkirchener Str. 1"},
                                    images=[{"url": "https://example.org/a.jpg", "licence": "CC0-1.0",
                                             "attribution": "Foto\x1f: Stadt"}]))
    assert sorted(report.flatten(["field", "code"])) == [
        ["address.street", "control_characters"], ["attribution", "control_characters"],
        ["images[0].attribution", "control_characters"]]
    assert (entity.attribution, entity.address.street, entity.images[0].attribution) == (
        "CtrlVU", "Gelsenkirchener Str. 1", "Foto: Stadt")


def test_text_check_newlines_and_tabs_kept_without_notice() -> None:
    entity, report = run(make_draft(description={"de": "Zeile 1\nZeile 2\tEnde"}))
    assert (report.flatten(["code"]), entity.description["de"]) == ([], "Zeile 1\nZeile 2\tEnde")


@pytest.mark.parametrize("damaged", ["M\ufffdlheim an der Ruhr", "MÃ¼lheim an der Ruhr"])
def test_text_check_encoding_damage_flagged(damaged: str) -> None:
    entity, report = run(make_draft(name={"de": damaged}))
    assert report.flatten(["field", "code", "severity"]) == [["name.de", "replacement_character", Severity.WARNING]]
    assert entity is not None


# coordinates ---------------------------------------------------------------------------------------------

covers("missing_coordinates", "invalid_coordinates", "swapped_coordinates", "outside_region")


def test_coordinates_check_swapped_corrected() -> None:
    entity, report = run(make_draft(lat=7.0406, lon=51.4862))
    assert report.flatten(["field", "code", "severity"]) == [["geo", "swapped_coordinates", Severity.WARNING]]
    assert (entity.geo.lat, entity.geo.lon) == (51.4862, 7.0406)


@pytest.mark.parametrize(("lat", "lon"), [(123.5, 7.01), (51.4, -181), ("abc", 7.0), (51.4, None), ("nan", 7.0),
                                          (0, 0)])
def test_coordinates_check_unreadable_or_out_of_range_rejected(lat: Any, lon: Any) -> None:
    entity, report = run(make_draft(lat=lat, lon=lon))
    assert entity is None
    assert report.flatten(["field", "code", "severity"]) == [["geo", "invalid_coordinates", Severity.ERROR]]


def test_coordinates_check_german_decimal_comma_read() -> None:
    entity, report = run(make_draft(lat="51,4862", lon="7,0406"))
    assert (report.flatten(["code"]), entity.geo.lat, entity.geo.lon) == ([], 51.4862, 7.0406)


@pytest.mark.parametrize(("lat", "lon", "why"), [
    ("1.234,5", "7,0406", "lat '1.234,5' mixes '.' and ','"),  # German thousands: neither reading is guessed
    ("51,4862", "7,040.6", "lon '7,040.6' mixes '.' and ','"),
    ("51.486.200", "7,0406", "lat '51.486.200' has more than one separator"),
    ("51°29'10\" N", "7,0406", "lat '51°29\\'10\" N' is in degrees and minutes"),
    ("51,4862", "704,06", "lon 704.06 lies beyond ±180"),
])
def test_coordinates_check_unreadable_number_says_why(lat: str, lon: str, why: str) -> None:
    """The notice said only 'is not a valid WGS84 point', leaving the steward to guess the separators."""
    entity, report = run(make_draft(lat=lat, lon=lon))
    [notice] = report.notices
    assert (entity, notice.code, notice.severity) == (None, "invalid_coordinates", Severity.ERROR)
    assert f"({why})" in notice.message
    assert ("51.4862 or 51,4862" in notice.message) == (not why.endswith("±180"))


def test_coordinates_check_a_comma_that_can_only_be_decimal_is_read_so() -> None:
    entity, report = run(make_draft(lat="51,4862", lon="7,123"))  # 7123 lies beyond ±180: only 7.123 is a longitude
    assert (report.flatten(["code"]), entity.geo.lon) == ([], 7.123)


def test_coordinates_check_far_outside_region_warned_and_kept() -> None:
    entity, report = run(make_draft(lat=52.5163, lon=13.3777))  # Brandenburger Tor
    assert report.flatten(["field", "code", "severity"]) == [["geo", "outside_region", Severity.WARNING]]
    assert entity.geo.lat == 52.5163


def test_coordinates_check_place_without_coordinates_warned() -> None:
    entity, report = run(make_draft(lat=None, lon=""))
    assert report.flatten(["field", "code", "severity"]) == [["geo", "missing_coordinates", Severity.WARNING]]
    assert entity.geo is None


def test_coordinates_check_event_without_coordinates_silent() -> None:
    entity, report = run(make_draft("event"))
    assert (report.flatten(["code"]), entity.geo) == ([], None)


# licence -------------------------------------------------------------------------------------------------

covers("missing_licence", "unknown_licence", "missing_attribution", "image_missing_licence")


def test_licence_check_unknown_licence_rejected() -> None:
    entity, report = run(make_draft(licence="Alle Rechte vorbehalten"))
    assert entity is None
    assert report.flatten(["field", "code", "severity"]) == [["licence", "unknown_licence", Severity.ERROR]]


def test_licence_check_missing_licence_rejected() -> None:
    entity, report = run(make_draft(licence=None))
    assert (entity, report.flatten(["field", "code"])) == (None, [["licence", "missing_licence"]])
    # an API write has no --licence: the message names the record's field first
    assert report.flatten(["message"])[0][0].startswith("no licence: give the record a `licence`")


def test_licence_check_source_default_licence_used() -> None:
    entity, report = run(make_draft(licence=None), CheckContext("test", {"licence": "DL-DE-BY-2.0",
                                                                          "attribution": "Stadt Essen"}))
    assert report.flatten(["code"]) == []
    assert (entity.licence.value, entity.attribution) == ("DL-DE-BY-2.0", "Stadt Essen")


@pytest.mark.parametrize("spelling", ["CC0", "https://creativecommons.org/publicdomain/zero/1.0/", "cc0-1.0"])
def test_licence_check_common_spellings_normalised(spelling: str) -> None:
    entity, report = run(make_draft(licence=spelling))
    assert (report.flatten(["code"]), entity.licence.value) == ([], "CC0-1.0")


@pytest.mark.parametrize("spelling", ["dl-de/by-2-0", "https://www.govdata.de/dl-de/by-2-0",
                                      "https://www.govdata.de/dl-de/zero-2-0",
                                      "https://opendatacommons.org/licenses/odbl/1-0/"])
def test_licence_check_registry_urls_and_dl_de_identifiers_recognised(spelling: str) -> None:
    entity, report = run(make_draft(licence=spelling, attribution="Stadt Essen"))
    assert (report.flatten(["code"]), entity is not None) == ([], True)


def test_licence_check_attribution_licence_without_attribution_warned() -> None:
    entity, report = run(make_draft(licence="CC-BY-4.0"))
    assert report.flatten(["field", "code", "severity"]) == [["attribution", "missing_attribution",
                                                                Severity.WARNING]]
    assert entity is not None


def test_licence_check_image_without_licence_dropped() -> None:
    images = [{"url": "https://example.org/a.jpg"}, {"url": "https://example.org/b.jpg", "licence": "CC0-1.0"}]
    entity, report = run(make_draft(images=images))
    assert report.flatten(["field", "code"]) == [["images[0]", "image_missing_licence"]]
    assert [str(i.url) for i in entity.images] == ["https://example.org/b.jpg"]


# values --------------------------------------------------------------------------------------------------

covers("invalid_url", "invalid_email", "invalid_wheelchair", "unknown_category", "invalid_type")


def test_values_check_invalid_website_dropped() -> None:
    entity, report = run(make_draft(contact={"website": "javascript:alert(1)"}))
    assert report.flatten(["field", "code", "severity"]) == [["contact.website", "invalid_url", Severity.WARNING]]
    assert entity.contact.website is None


def test_values_check_bare_domain_website_gets_https() -> None:
    entity, report = run(make_draft(contact={"website": "www.zollverein.de"}))
    assert (report.flatten(["code"]), entity.contact.website) == ([], "https://www.zollverein.de")


def test_values_check_invalid_event_url_dropped() -> None:
    entity, report = run(make_draft("event", url="ftp://example.org/programm"))
    assert report.flatten(["field", "code"]) == [["url", "invalid_url"]]
    assert entity.url is None


def test_values_check_invalid_email_dropped() -> None:
    entity, report = run(make_draft(contact={"email": "info(at)zollverein.de"}))
    assert report.flatten(["field", "code", "severity"]) == [["contact.email", "invalid_email", Severity.WARNING]]
    assert entity.contact.email is None


@pytest.mark.parametrize(("given", "expected"), [("ja", "yes"), ("teilweise", "limited"), ("NEIN", "no")])
def test_values_check_german_wheelchair_values_normalised(given: str, expected: str) -> None:
    entity, report = run(make_draft(wheelchair=given))
    assert (report.flatten(["code"]), entity.wheelchair) == ([], expected)


def test_values_check_invalid_wheelchair_dropped() -> None:
    entity, report = run(make_draft(wheelchair="vielleicht"))
    assert report.flatten(["field", "code", "severity"]) == [["wheelchair", "invalid_wheelchair", Severity.WARNING]]
    assert entity.wheelchair is None


def test_values_check_unknown_category_warned_known_kept() -> None:
    entity, report = run(make_draft(category="Museum; Bergbau-Krempel"))
    assert report.flatten(["field", "code", "severity"]) == [["category", "unknown_category", Severity.WARNING]]
    assert entity.categories == ["Museum"]


def test_values_check_malformed_type_replaced_by_default() -> None:
    entity, report = run(make_draft(type="museum<script>"))
    assert report.flatten(["field", "code"]) == [["type", "invalid_type"]]
    assert entity.type == "TouristAttraction"


# dates ---------------------------------------------------------------------------------------------------

covers("missing_start", "invalid_date", "end_before_start", "invalid_end_date")


def test_dates_check_event_without_start_rejected() -> None:
    entity, report = run(make_draft("event", start=None))
    assert (entity, report.flatten(["field", "code"])) == (None, [["start", "missing_start"]])


def test_dates_check_unreadable_start_rejected() -> None:
    entity, report = run(make_draft("event", start="32.13.2026"))
    assert entity is None
    assert report.flatten(["field", "code", "severity"]) == [["start", "invalid_date", Severity.ERROR]]


@pytest.mark.parametrize("start", [20261124, 1732400000, 1732400000.5, "20261124", " 1732400000 ", "-20261124"])
def test_dates_check_a_bare_number_as_start_is_an_unreadable_date(start: object) -> None:
    # a number is no date in any format we read: 20261124 is not a date and epoch seconds are not documented
    entity, report = run(make_draft("event", start=start))
    assert entity is None
    assert report.flatten(["field", "code", "severity"]) == [["start", "invalid_date", Severity.ERROR]]
    assert "bare number" in report.notices[0].message and "2026-11-24" in report.notices[0].message


def test_dates_check_a_bare_number_as_end_is_dropped() -> None:
    entity, report = run(make_draft("event", end=20261124))
    assert report.flatten(["field", "code", "severity"]) == [["end", "invalid_end_date", Severity.WARNING]]
    assert entity is not None and entity.end is None


def test_dates_check_unreadable_end_dropped_event_kept() -> None:
    entity, report = run(make_draft("event", end="irgendwann"))
    assert report.flatten(["field", "code"]) == [["end", "invalid_end_date"]]
    assert entity is not None and entity.end is None


def test_dates_check_end_before_start_end_dropped() -> None:
    entity, report = run(make_draft("event", end="2026-06-27T17:00:00+02:00"))
    assert report.flatten(["field", "code", "severity"]) == [["end", "end_before_start", Severity.WARNING]]
    assert entity.end is None


@pytest.mark.parametrize(("end", "flagged"), [("2026-12-01", True), ("2026-12-02", False), ("2026-12-03", False)])
def test_dates_check_a_last_day_before_the_first_is_flagged(end: str, flagged: bool) -> None:
    # dates alone: the end is the event's last day (kept as the next midnight, exclusive)
    entity, report = run(make_draft("event", start="2026-12-02", end=end))
    assert [n.code for n in report] == (["end_before_start"] if flagged else [])
    assert (entity.end is None) is flagged


covers("event_fields_ignored")


def test_a_place_row_with_an_events_fields_keeps_the_place_and_says_what_it_left_out() -> None:
    entity, report = run(make_draft(location_name="Zeche Zollern", organizer="LWL", status=""))
    assert report.flatten(["field", "code", "severity"]) == [["location_name", "event_fields_ignored",
                                                             Severity.WARNING]]
    assert entity is not None and "location_name, organizer" in report.notices[0].message
    # a start is another matter: the row is held back and told to be an event
    entity, report = run(make_draft(start="2026-08-01"))
    assert entity is None and "give the row the kind event" in report.notices[0].message
    # and a place list's own "Beginn" column (the auto mapping reads it as a start) is told how to keep it apart
    assert "if the column is not when an event starts, map it to another field or leave it out with a mapping " \
           "file (--mapping)" in report.notices[0].message
    _, report = run(make_draft(end="2026-08-01"))
    assert "not when an event ends" in report.notices[0].message


def test_dates_check_german_notation_read_as_berlin_time() -> None:
    entity, report = run(make_draft("event", start="24.12.2026 18:00", end="24.12.2026, 20.30 Uhr"))
    assert report.flatten(["code"]) == []
    assert (entity.start.isoformat(), entity.end.isoformat()) == ("2026-12-24T18:00:00+01:00",
                                                                  "2026-12-24T20:30:00+01:00")


def test_dates_check_utc_times_kept_as_berlin_local_time() -> None:
    """An iCal feed's UTC times were published as 08:00Z; visitors read 10:00+02:00 for the same instant."""
    entity, report = run(make_draft("event", start="2027-04-10T08:00:00Z", end="2027-04-10T10:00:00+00:00"))
    assert report.flatten(["code"]) == []
    assert (entity.start.isoformat(), entity.end.isoformat()) == ("2027-04-10T10:00:00+02:00",
                                                                  "2027-04-10T12:00:00+02:00")
    given, _ = run(make_draft("event", start="2027-04-10T08:00:00-04:00"))  # a local offset given stays
    assert given.start.isoformat() == "2027-04-10T08:00:00-04:00"


def test_dates_check_date_only_start_all_day() -> None:
    entity, _ = run(make_draft("event", start="2026-06-27"))
    assert (entity.all_day, entity.start.isoformat()) == (True, "2026-06-27T00:00:00+02:00")


# opening hours -------------------------------------------------------------------------------------------

covers("invalid_opening_hours", "opening_hours_unreadable", "opening_hours_normalised", "opening_hours_partly_read")


def test_opening_hours_check_invalid_syntax_kept_raw() -> None:
    entity, report = run(make_draft(opening_hours="Mo-Fr 25:00-26:00"))
    assert report.flatten(["field", "code", "severity"]) == [["opening_hours", "invalid_opening_hours",
                                                                Severity.WARNING]]
    assert entity.opening_hours == "Mo-Fr 25:00-26:00"


def test_opening_hours_check_valid_syntax_silent() -> None:
    entity, report = run(make_draft(opening_hours="Tu-Su 10:00-18:00; PH off"))
    assert (report.flatten(["code"]), entity.opening_hours) == ([], "Tu-Su 10:00-18:00; PH off")


@pytest.mark.parametrize(("given", "stored"), [
    ("Di-So 10-18 Uhr, Mo geschlossen", "Tu-Su 10:00-18:00, Mo closed"),  # German prose in the OSM column
    ("täglich 10:00 - 18:00 Uhr", "Mo-Su 10:00-18:00"),
    ("mo-fr 09:00-17:00; PH off", "Mo-Fr 09:00-17:00; PH closed"),
    # the afternoon of the same days: as a rule of its own it would open Saturday and Sunday too
    ("Mo-Fr 9-12 Uhr; 14-18 Uhr", "Mo-Fr 09:00-12:00,14:00-18:00"),
    ("Mo-Fr 9-12 Uhr; Sa 10-14 Uhr", "Mo-Fr 09:00-12:00; Sa 10:00-14:00"),
])
def test_opening_hours_check_stores_loose_values_in_osm_syntax(given: str, stored: str) -> None:
    entity, report = run(make_draft(opening_hours=given))
    assert report.flatten(["field", "code", "severity"]) == [["opening_hours", "opening_hours_normalised",
                                                             Severity.INFO]]
    assert entity.opening_hours == stored and report.notices[0].value == given


def test_opening_hours_check_keeps_valid_syntax_as_written() -> None:
    entity, report = run(make_draft(opening_hours="Mo-Fr 8:30-12:00"))  # valid: no reading needed
    assert (report.flatten(["code"]), entity.opening_hours) == ([], "Mo-Fr 8:30-12:00")


def test_opening_hours_check_flags_free_text_read_only_in_part() -> None:
    entity, report = run(make_draft(opening_hours_text="täglich 10-18 Uhr; 24.12. geschlossen"))
    assert report.flatten(["code", "severity"]) == [["opening_hours_partly_read", Severity.WARNING]]
    assert entity.opening_hours == "Mo-Su 10:00-18:00" and "24.12" in report.notices[0].message


def test_opening_hours_check_free_text_unconvertible_warned() -> None:
    entity, report = run(make_draft(opening_hours_text="nach telefonischer Absprache"))
    assert report.flatten(["field", "code", "severity"]) == [["opening_hours", "opening_hours_unreadable",
                                                                Severity.WARNING]]
    # kept as an OSM comment: visitors read it as written, the state is unknown; the notice names the text
    assert entity.opening_hours == '"nach telefonischer Absprache"'
    assert "nach telefonischer Absprache" in report.notices[0].message


@pytest.mark.parametrize("text", ["24/7", "Mo-Fr 09:00-17:00; PH off"])
def test_opening_hours_text_in_osm_syntax_is_taken_as_it_is(text: str) -> None:
    entity, report = run(make_draft(opening_hours_text=text))
    assert entity.opening_hours == text
    assert "opening_hours_unreadable" not in [row[0] for row in report.flatten(["code"])]


def test_opening_hours_check_german_free_text_normalised() -> None:
    pytest.importorskip("datenhub.hours.normalize", reason="the German free-text normaliser is not built yet")
    entity, report = run(make_draft(opening_hours_text="Montag bis Freitag 10 bis 18 Uhr"))
    assert report.flatten(["code"]) == [["opening_hours_normalised"]]
    assert entity.opening_hours


# the model -----------------------------------------------------------------------------------------------

covers("invalid_record")


def test_build_value_not_fitting_model_invalid_record() -> None:
    entity, report = run(make_draft(attribution=["Stadt", "Essen"]))
    assert entity is None
    assert report.flatten(["code", "severity"]) == [["invalid_record", Severity.ERROR]]
    assert report.notices[0].value == '["Stadt", "Essen"]'


def test_a_place_row_with_an_event_field_that_is_not_text_shows_it_as_json() -> None:
    _, report = run(make_draft(organizer={"name": "LWL"}))
    assert report.flatten(["code", "value"]) == [["event_fields_ignored", '{"name": "LWL"}']]


def test_notice_catalog_every_code_has_a_test() -> None:
    assert set(notice_catalog()) - TESTED == set()


def test_blanks_around_address_parts_are_dropped() -> None:
    from datenhub.checks import CheckContext, build
    from datenhub.ingest.base import Draft
    from datenhub.notices import Location

    draft = Draft("place", "1", {"name": {"de": "Bahnhof"}, "lat": "51.4", "lon": "7.18", "licence": "CC0-1.0",
                                 "address": {"locality": "Hattingen ", "street": "  "}}, Location(source="t"))
    entity, _ = build(draft, CheckContext("t"))
    assert entity is not None and entity.address is not None
    assert (entity.address.locality, entity.address.street) == ("Hattingen", None)
