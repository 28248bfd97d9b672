"""Happy paths of every built-in adapter, from bytes to canonical entities."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from ingest_corpus import FIXED_NOW, SHARED_DATA, fixed_clock
from tests.store.helpers import exported_and_imported_back, round_trip

from datenhub import hub
from datenhub.checks import CheckContext, build
from datenhub.data import data_path
from datenhub.ingest.base import AdapterOptions, Draft, RawInput
from datenhub.ingest.dbstations import weekly_to_osm
from datenhub.ingest.registry import UnknownAdapterError, detect_adapter, get_adapter
from datenhub.notices import Notice, Report, Severity
from datenhub.store import open_store


def read(adapter: str, name: str, payload: bytes, **options: Any) -> list[Draft | Notice]:
    raw = RawInput("test", name, payload, FIXED_NOW)
    return list(get_adapter(adapter).read(raw, AdapterOptions("test", **options)))


def build_all(items: Sequence[Draft | Notice], licence: str | None = "CC0-1.0") -> tuple[list[Any], Report]:
    report = Report()
    ctx = CheckContext("test", {"licence": licence} if licence else {})
    built = []
    for item in items:
        if isinstance(item, Notice):
            report.add(item)
            continue
        entity, notices = build(item, ctx)
        report.extend(notices)
        if entity is not None:
            built.append(entity)
    return built, report


# CSV with a mapping file ------------------------------------------------------------------------------------

MAPPING = """
[csv]
encoding = "cp1252"
delimiter = ";"

[fields]
id = "Nr"
"name.de" = "Bezeichnung"
"description.de" = "Text"
lat = "Breite"
lon = "Länge"
"address.street" = "Straße"
"address.locality" = "Ort"
"contact.website" = "Web"
category = "Art"
wheelchair = "Rollstuhl"

[constants]
licence = "DL-DE-BY-2.0"
attribution = "Stadt Bochum"
"""

CSV_ROWS = (
    "Nr;Bezeichnung;Text;Breite;Länge;Straße;Ort;Web;Art;Rollstuhl\n"
    "1;Jahrhunderthalle;Festspielhaus der Ruhrtriennale;51,4776;7,2063;An der Jahrhunderthalle 1;Bochum;"
    "www.jahrhunderthalle-bochum.de;Industriekultur;ja\n"
    "2;Zeiss Planetarium;Sternentheater;51,4866;7,2241;Castroper Str. 67;Bochum;;;nein\n"
)


def test_csv_adapter_mapping_toml_imports_renamed_columns(tmp_path: Path) -> None:
    (tmp_path / "orte.csv").write_bytes(CSV_ROWS.encode("cp1252"))
    (tmp_path / "orte.toml").write_text(MAPPING, encoding="utf-8")
    store = open_store("sqlite:///" + str(tmp_path / "x.db"))
    try:
        result = hub.import_file(store, tmp_path / "orte.csv", "stadt-bochum", mapping=tmp_path / "orte.toml",
                                 clock=fixed_clock)
        halle = store.get_entity("stadt-bochum:1")
        planetarium = store.get_entity("stadt-bochum:2")
    finally:
        store.close()
    assert (result.new, result.rejected, result.report.by_code()) == (2, 0, {})
    assert halle is not None and planetarium is not None
    assert halle["name"] == {"de": "Jahrhunderthalle"}
    assert halle["geo"] == {"lat": 51.4776, "lon": 7.2063}
    assert halle["address"]["street"] == "An der Jahrhunderthalle 1"
    assert halle["contact"]["website"] == "https://www.jahrhunderthalle-bochum.de"
    assert (halle["licence"], halle["attribution"]) == ("DL-DE-BY-2.0", "Stadt Bochum")
    assert (halle["categories"], halle["wheelchair"]) == (["Industriekultur"], "yes")
    assert halle["municipality"]["name"] == "Bochum"
    assert planetarium["wheelchair"] == "no"


def test_csv_adapter_mapping_column_missing_reports_error(tmp_path: Path) -> None:
    items = read("csv", "x.csv", b"id,name\n1,A\n", mapping={"fields": {"id": "id", "name.de": "Titel"}})
    assert [(n.code, "Titel" in n.message) if isinstance(n, Notice) else n for n in items] == [
        ("mapping_column_missing", True)]


# GeoJSON ----------------------------------------------------------------------------------------------------

GEOJSON = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "id": "gasometer", "geometry": {"type": "Point", "coordinates": [6.8731, 51.4959]},
         "properties": {"name": "Gasometer Oberhausen", "opening_hours": "Tu-Su 10:00-18:00",
                        "wheelchair": "limited", "category": "Industriekultur"}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[
            [6.77, 51.47], [6.79, 51.47], [6.79, 51.49], [6.77, 51.49], [6.77, 51.47]]]},
         "properties": {"id": "lapadu", "name": "Landschaftspark Duisburg-Nord", "website": "https://www.landschaftspark.de"}},
    ],
}


def test_geojson_adapter_points_and_polygons_become_places() -> None:
    places, report = build_all(read("geojson", "x.geojson", json.dumps(GEOJSON).encode()))
    # the park's area is one point now, and the steward is told so
    assert report.flatten(["code", "pointer", "entity_id"]) == [["geometry_reduced", "/features/1", "lapadu"]]
    gasometer, park = places
    assert (gasometer.id, gasometer.geo.lat, gasometer.geo.lon) == ("test:gasometer", 51.4959, 6.8731)
    broken = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [7.01]}, "properties": {"id": "p4",
                                                                                                   "name": "Halde"}}
    _, report = build_all(read("geojson", "x.geojson", json.dumps(broken).encode()))
    assert ["invalid_geometry", "p4"] in report.flatten(["code", "entity_id"])  # every notice names its record
    assert (gasometer.opening_hours, gasometer.wheelchair) == ("Tu-Su 10:00-18:00", "limited")
    assert park.id == "test:lapadu"
    assert 51.47 < park.geo.lat < 51.49 and 6.77 < park.geo.lon < 6.79
    assert park.contact.website == "https://www.landschaftspark.de"


# JSON-LD ----------------------------------------------------------------------------------------------------

JSONLD = {
    "@context": "https://schema.org",
    "@graph": [
        {"@type": "Museum", "@id": "https://example.org/ruhrmuseum",
         "name": [{"@value": "Ruhr Museum", "@language": "de"},
                  {"@value": "Ruhr Museum (English)", "@language": "en-GB"},
                  {"@value": "Ruhrmuseum", "@language": "nl"}],
         "description": {"@value": "Gedächtnis des Ruhrgebiets", "@language": "de"},
         "geo": {"@type": "GeoCoordinates", "latitude": "51.4862", "longitude": "7.0406"},
         "address": {"@type": "PostalAddress", "streetAddress": "Gelsenkirchener Str. 181", "postalCode": "45309",
                     "addressLocality": "Essen"},
         "license": "https://creativecommons.org/publicdomain/zero/1.0/"},
        {"@type": "schema:MusicEvent", "schema:identifier": "klavierfestival-1",
         "schema:name": "Klavier-Festival Ruhr", "startDate": "2026-06-27T18:00:00+02:00",
         "endDate": "2026-06-27T20:00:00+02:00", "location": {"@type": "Place", "name": "Zeche Zollverein"},
         "license": "CC0-1.0"},
    ],
}


def test_geojson_adapter_reads_the_hubs_own_export_back(tmp_path: Path) -> None:
    before, after, result = exported_and_imported_back(tmp_path, "geojson")
    assert (result.new, result.rejected) == (1, 0)
    for key in ("name", "description", "categories", "keywords", "licence", "attribution", "contact", "type",
                "address", "geo"):
        assert after.get(key) == before.get(key), key


def test_geojson_adapter_reads_every_image_of_the_hubs_own_export_with_its_caption(tmp_path: Path) -> None:
    pictured = {"id": "b1", "name": {"de": "Kokerei Hansa"}, "geo": {"lat": 51.5325, "lon": 7.3941},
                "licence": "CC-BY-4.0", "attribution": "Stadt Dortmund", "images": [
                    {"url": "https://example.org/a.jpg", "licence": "CC0-1.0", "caption": {"de": "Ofen", "en": "Oven"}},
                    {"url": "https://example.org/b.jpg", "licence": "CC-BY-4.0", "attribution": "Foto: R. Ruhr"}]}
    first, second, result = round_trip(tmp_path, "geojson", "b.jsonl", json.dumps(pictured) + "\n")
    assert (result.new, result.rejected) == (1, 0)
    (before,), (after,) = list(first.iter_entities()), list(second.iter_entities())
    assert after["images"] == before["images"] and len(after["images"]) == 2


@pytest.mark.parametrize("fmt", ["geojson", "csv"])
def test_an_events_page_comes_back_as_its_page_and_a_places_website_as_its_website(tmp_path: Path,
                                                                                   fmt: str) -> None:
    rows = ("id,kind,name,start,event_url,website,lat,lon,licence\n"
            "k1,event,Konzert,2026-06-27T18:00:00+02:00,https://example.org/konzert,,51.4862,7.0406,CC0-1.0\n"
            "k2,event,Lesung,2026-06-28T18:00:00+02:00,https://example.org/lesung,https://example.org,51.4862,7.0406,"
            "CC0-1.0\n"
            "p1,place,Zeche Zollern,,,https://zollern.example,51.5186,7.3339,CC0-1.0\n")
    _, second, result = round_trip(tmp_path, fmt, "mixed.csv", rows)
    assert (result.new, result.rejected) == (3, 0)
    pages = {e["name"]["de"]: (e.get("url"), e.get("contact", {}).get("website")) for e in second.iter_entities()}
    assert pages == {"Konzert": ("https://example.org/konzert", None),
                     "Lesung": ("https://example.org/lesung", "https://example.org"),
                     "Zeche Zollern": (None, "https://zollern.example")}


@pytest.mark.parametrize("adapter", ["hub-json", "geojson"])
def test_an_id_that_is_an_object_or_a_list_leaves_the_record_out(adapter: str) -> None:
    ids: list[Any] = [{"x": 1}, ["n17"], True, "ok", 7]
    records = [{"id": value, "name": f"R{n}"} for n, value in enumerate(ids)]
    if adapter == "geojson":
        records = [{"type": "Feature", "id": r.pop("id"), "properties": r, "geometry": None} for r in records]
    payload = json.dumps(records if adapter == "hub-json" else {"type": "FeatureCollection", "features": records})
    items = read(adapter, "x.json" if adapter == "hub-json" else "x.geojson", payload.encode())
    assert [item.local_id for item in items if isinstance(item, Draft)] == ["ok", "7"]
    assert [(n.code, n.location.field) for n in items if isinstance(n, Notice)] == [("invalid_id", "id")] * 3
    assert [n.value for n in items if isinstance(n, Notice)] == ['{"x": 1}', '["n17"]', "true"]  # as JSON


@pytest.mark.parametrize("adapter", ["hub-json", "geojson"])
def test_a_records_kind_is_read_as_the_csv_adapter_reads_it(adapter: str) -> None:
    def record(n: int, kind: str) -> dict[str, Any]:
        props = {"id": f"r{n}", "kind": kind, "name": f"R{n}", "start": "2026-06-27T18:00:00+02:00"}
        return props if adapter == "hub-json" else {"type": "Feature", "properties": props, "geometry": None}

    records = [record(n, kind) for n, kind in enumerate(("Event", "Veranstaltung", "banana"))]
    payload = json.dumps(records if adapter == "hub-json" else {"type": "FeatureCollection", "features": records})
    items = read(adapter, "x.json" if adapter == "hub-json" else "x.geojson", payload.encode())
    assert [item.kind for item in items if isinstance(item, Draft)] == ["event", "event"]
    (notice,) = [item for item in items if isinstance(item, Notice)]
    assert (notice.code, notice.severity, notice.location.field, notice.location.entity_id) == (
        "unknown_kind", Severity.ERROR, "kind", "r2")


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_keywords_that_hold_a_comma_come_back_whole(tmp_path: Path, fmt: str) -> None:
    place = {"id": "k1", "name": {"de": "Biergarten"}, "geo": {"lat": 51.45, "lon": 7.01}, "licence": "CC0-1.0",
             "keywords": ["Essen, Trinken", "Bier; hell"], "categories": ["Gastronomie", "Natur"]}
    _, second, _ = round_trip(tmp_path, fmt, "k.jsonl", json.dumps(place) + "\n")
    (after,) = list(second.iter_entities())
    assert (after["keywords"], after["categories"]) == (place["keywords"], place["categories"])


@pytest.mark.parametrize("fmt", ["csv", "geojson", "jsonl", "jsonld"])
@pytest.mark.parametrize("given", ["orte:p1", "p1", "hub id"])
def test_an_event_comes_back_pointing_to_its_place(tmp_path: Path, fmt: str, given: str) -> None:
    """However the source names the venue (its record id, its local id, its hub id), the export names it by its hub
    id, and the hub that imports the export finds it there (as the local id of the export's own place)."""
    from datenhub.model.ids import hub_id_for
    from datenhub.publish.venues import venue

    hub_id = hub_id_for("orte:p1")  # the place's id in the first hub
    place = {"id": "p1", "name": {"de": "Zeche Zollern"}, "geo": {"lat": 51.5186, "lon": 7.3339}, "licence": "CC0-1.0"}
    event = {"id": "e1", "kind": "event", "name": {"de": "Zechenfest"}, "start": "2026-08-01T18:00:00+02:00",
             "place_id": hub_id if given == "hub id" else given, "geo": {"lat": 51.5186, "lon": 7.3339},
             "licence": "CC0-1.0"}
    first, second, result = round_trip(tmp_path, fmt, "z.jsonl", f"{json.dumps(place)}\n{json.dumps(event)}\n")
    assert (result.new, result.rejected) == (2, 0)
    (before,), (after,) = list(first.iter_entities("event")), list(second.iter_entities("event"))
    assert (venue(first, before) or {}).get("id") == hub_id
    if fmt != "jsonld":  # JSON-LD names the venue by its page's URL
        assert after["place_id"] == hub_id
    assert (venue(second, after) or {}).get("name") == {"de": "Zeche Zollern"}


@pytest.mark.parametrize("wheelchair", ["yes", "no", "limited"])
def test_a_jsonld_export_keeps_wheelchair_access(tmp_path: Path, wheelchair: str) -> None:
    """The export writes it as an amenityFeature; the import read no amenityFeature, so it was lost."""
    place = {"id": "w1", "name": {"de": "Gasometer"}, "geo": {"lat": 51.4963, "lon": 6.8688}, "licence": "CC0-1.0",
             "wheelchair": wheelchair}
    _, second, _ = round_trip(tmp_path, "jsonld", "w.jsonl", json.dumps(place) + "\n")
    (after,) = list(second.iter_entities())
    assert after["wheelchair"] == wheelchair


def test_jsonld_adapter_amenity_feature_as_feeds_write_it() -> None:
    nodes = [{"@type": "Museum", "@id": f"#m{i}", "name": f"Museum {i}", "license": "CC0-1.0", "amenityFeature": f}
             for i, f in enumerate([
                 {"@type": "LocationFeatureSpecification", "name": "Wheelchair Accessible", "value": "True"},
                 [{"@type": "LocationFeatureSpecification", "name": "Free Wi-Fi", "value": True},
                  {"@type": "LocationFeatureSpecification", "name": [{"@value": "partially wheelchair accessible",
                                                                        "@language": "en"}], "value": True}],
                 {"@type": "LocationFeatureSpecification", "name": "wheelchair accessible"},  # no value: unknown
                 "wheelchair accessible",
             ])]
    items = read("jsonld", "m.jsonld", json.dumps({"@context": "https://schema.org", "@graph": nodes}).encode())
    assert [item.data.get("wheelchair") for item in items if isinstance(item, Draft)] == ["yes", "limited", None, None]


def test_a_csv_export_keeps_the_country_of_an_address(tmp_path: Path) -> None:
    venlo = {"id": "v1", "name": {"de": "Venlo Markt"}, "geo": {"lat": 51.3704, "lon": 6.1724}, "licence": "CC0-1.0",
             "address": {"street": "Markt 1", "locality": "Venlo", "country": "NL"}}
    _, second, _ = round_trip(tmp_path, "csv", "v.jsonl", json.dumps(venlo) + "\n")
    (after,) = list(second.iter_entities())
    assert after["address"]["country"] == "NL"


def test_jsonld_adapter_graph_language_tagged_names_per_language() -> None:
    (museum, concert), report = build_all(read("jsonld", "x.jsonld", json.dumps(JSONLD).encode()), licence=None)
    assert report.flatten(["code"]) == []
    assert museum.name == {"de": "Ruhr Museum", "en": "Ruhr Museum (English)", "nl": "Ruhrmuseum"}
    assert (museum.id, museum.type, museum.licence.value) == ("test:https://example.org/ruhrmuseum", "Museum",
                                                                 "CC0-1.0")
    assert (museum.geo.lat, museum.address.locality) == (51.4862, "Essen")
    assert (concert.kind, concert.type, concert.location_name) == ("event", "MusicEvent", "Zeche Zollverein")
    assert concert.start.isoformat() == "2026-06-27T18:00:00+02:00"


# iCalendar --------------------------------------------------------------------------------------------------

ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//DatenHub Ruhr tests//DE\r
BEGIN:VEVENT\r
UID:fuehrung@zollverein\r
DTSTART;TZID=Europe/Berlin:20260105T140000\r
DTEND;TZID=Europe/Berlin:20260105T153000\r
RRULE:FREQ=WEEKLY;COUNT=4\r
EXDATE;TZID=Europe/Berlin:20260119T140000\r
SUMMARY:F\xc3\xbchrung \xc3\x9cbertage\r
LOCATION:Zeche Zollverein\r
GEO:51.4862;7.0406\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:extraschicht-2026\r
DTSTART;VALUE=DATE:20260627\r
SUMMARY:ExtraSchicht\r
STATUS:CANCELLED\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_ical_adapter_rrule_expanded_minus_exdate() -> None:
    events, report = build_all(read("ical", "x.ics", ICS))
    assert report.flatten(["code"]) == []
    tours = [e for e in events if e.id.startswith("test:fuehrung")]
    assert [e.id for e in tours] == ["test:fuehrung@zollverein#2026-01-05", "test:fuehrung@zollverein#2026-01-12",
                                     "test:fuehrung@zollverein#2026-01-26"]
    assert (tours[0].start.isoformat(), tours[0].end.isoformat()) == ("2026-01-05T14:00:00+01:00",
                                                                      "2026-01-05T15:30:00+01:00")
    assert {e.name["de"] for e in tours} == {"Führung Übertage"}


def test_ical_adapter_a_series_begun_long_ago_reaches_the_coming_weeks() -> None:
    # weekly since 2024, open-ended; fetched 2026-06-04 (FIXED_NOW): the coming Saturdays are there
    ics = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//DE\r\nBEGIN:VEVENT\r\nUID:markt@ruhr\r\n"
           b"DTSTART;TZID=Europe/Berlin:20240106T110000\r\nRRULE:FREQ=WEEKLY;BYDAY=SA\r\nSUMMARY:Markt\r\n"
           b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    events, _ = build_all(read("ical", "x.ics", ics))
    starts = sorted(e.start for e in events)
    assert starts[0] >= FIXED_NOW - timedelta(days=400) and starts[-1] > FIXED_NOW + timedelta(days=360)
    assert any(FIXED_NOW < s < FIXED_NOW + timedelta(days=7) for s in starts)
    daily = ics.replace(b"FREQ=WEEKLY;BYDAY=SA", b"FREQ=DAILY")  # 800 dates in the window: the coming 200 kept
    coming = sorted(e.start for e in build_all(read("ical", "x.ics", daily))[0])
    assert len(coming) == 200 and coming[0] > FIXED_NOW - timedelta(days=1)


def test_ical_adapter_a_rule_repeating_within_a_day_names_occurrences_by_time() -> None:
    ics = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//DE\r\nBEGIN:VEVENT\r\nUID:tour@ruhr\r\n"
           b"DTSTART;TZID=Europe/Berlin:20260610T100000\r\nRRULE:FREQ=HOURLY;COUNT=3\r\nSUMMARY:Tour\r\n"
           b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    events, report = build_all(read("ical", "x.ics", ics))
    assert report.flatten(["code"]) == []  # no duplicate ids
    assert [e.id for e in events] == ["test:tour@ruhr#2026-06-10T1000", "test:tour@ruhr#2026-06-10T1100",
                                      "test:tour@ruhr#2026-06-10T1200"]


def test_ical_adapter_date_only_dtstart_all_day() -> None:
    events, _ = build_all(read("ical", "x.ics", ICS))
    [festival] = [e for e in events if e.id == "test:extraschicht-2026"]
    assert (festival.all_day, festival.start.isoformat(), festival.status) == (
        True, "2026-06-27T00:00:00+02:00", "EventCancelled")


ICAL_SUITE = SHARED_DATA / "icalendar"


@pytest.mark.skipif(not ICAL_SUITE.is_dir(), reason=f"the icalendar test suite is not at {ICAL_SUITE}")
@pytest.mark.filterwarnings("ignore::UserWarning:icalendar")  # e.g. GloballyUniqueTZIDGuessed on vendor TZIDs
def test_ical_adapter_icalendar_suite_no_exception_escapes() -> None:
    files = sorted(ICAL_SUITE.rglob("*.ics"))
    assert len(files) > 100
    drafts = 0
    for path in files:
        raw = RawInput.from_path(path, "suite", FIXED_NOW)
        ctx = CheckContext("suite", {"licence": "CC0-1.0"})
        for item in get_adapter("ical").read(raw, AdapterOptions("suite")):
            if isinstance(item, Draft):
                build(item, ctx)
                drafts += 1
    assert drafts > 100


# OpenStreetMap XML ------------------------------------------------------------------------------------------

OSM_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="datenhub-tests">
 <node id="1" lat="51.4862" lon="7.0406" version="1">
  <tag k="tourism" v="museum"/><tag k="name" v="Ruhr Museum"/><tag k="name:en" v="Ruhr Museum EN"/>
  <tag k="wheelchair" v="yes"/><tag k="opening_hours" v="Mo-Su 10:00-18:00"/>
  <tag k="website" v="https://ruhrmuseum.de"/>
 </node>
 <node id="2" lat="51.400" lon="7.300" version="1"/>
 <node id="3" lat="51.410" lon="7.300" version="1"/>
 <node id="4" lat="51.410" lon="7.310" version="1"/>
 <node id="5" lat="51.400" lon="7.310" version="1"/>
 <node id="6" lat="51.45" lon="7.1" version="1"><tag k="amenity" v="bench"/><tag k="name" v="Bank"/></node>
 <node id="7" lat="51.45" lon="7.2" version="1"><tag k="tourism" v="museum"/></node>
 <way id="10" version="1">
  <nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="5"/><nd ref="2"/>
  <tag k="historic" v="mine"/><tag k="name" v="Zeche Nachtigall"/>
 </way>
</osm>
"""


def test_osm_adapter_museum_node_and_mine_way_become_places() -> None:
    places, report = build_all(read("osm", "ruhr.osm", OSM_XML), licence=None)
    assert report.flatten(["code"]) == []
    museum, mine = places
    assert (museum.id, museum.type, museum.categories) == ("test:node/1", "Museum", ["Museum"])
    assert museum.name == {"de": "Ruhr Museum", "en": "Ruhr Museum EN"}
    assert (museum.geo.lat, museum.geo.lon, museum.wheelchair) == (51.4862, 7.0406, "yes")
    assert (museum.licence.value, museum.attribution) == ("ODbL-1.0", "© OpenStreetMap contributors, ODbL 1.0")
    assert (mine.id, mine.categories) == ("test:way/10", ["Industriekultur"])
    assert 51.40 <= mine.geo.lat <= 51.41 and 7.30 <= mine.geo.lon <= 7.31


def test_osm_adapter_way_whose_nodes_are_not_in_the_file_says_so() -> None:
    cut = OSM_XML.replace(b'<node id="2" lat="51.400" lon="7.300" version="1"/>', b"").replace(
        b'<node id="3" lat="51.410" lon="7.300" version="1"/>', b"").replace(
        b'<node id="4" lat="51.410" lon="7.310" version="1"/>', b"").replace(
        b'<node id="5" lat="51.400" lon="7.310" version="1"/>', b"")
    places, report = build_all(read("osm", "ruhr.osm", cut), licence=None)
    assert [p.id for p in places] == ["test:node/1"]
    assert report.flatten(["code", "severity", "pointer"]) == [["way_without_nodes", "ERROR", "way/10"]]
    assert "refers to 5 node(s), none of them in the file" in report.notices[0].message


# DB stations ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def stations() -> dict[str, Draft]:
    path = data_path("stations", "db_stations_nrw_full.json")
    items = read("db-stations", path.name, path.read_bytes())
    return {i.local_id: i for i in items if isinstance(i, Draft) and i.local_id}


def test_db_stations_adapter_reads_every_station(stations: dict[str, Draft]) -> None:
    assert len(stations) == 703


def test_db_stations_adapter_staffed_desk_hours_describe_the_station(stations: dict[str, Draft]) -> None:
    # when staff is there, not when the station opens: no station reads as closed at night
    assert not any("opening_hours" in d.data for d in stations.values())
    assert stations["8000004"].data["description"]["de"] == \
        "Servicepersonal vor Ort: Mo-Su 08:15-17:45; PH 08:15-17:45"
    assert stations["8000162"].data["description"]["en"] == (
        "Station staff on site: Mo-Fr 07:15-17:15; Sa 07:15-13:00; Su 09:15-17:15; PH 09:15-17:15")


def test_db_stations_adapter_station_fields(stations: dict[str, Draft]) -> None:
    essen = stations["8000098"].data
    assert (essen["name"], essen["type"], essen["licence"]) == ({"de": "Essen Hbf"}, "TrainStation", "CC-BY-4.0")
    assert essen["address"]["locality"] == "Essen"


@pytest.mark.parametrize(("availability", "expected"), [
    ({d: {"fromTime": "08:00", "toTime": "18:00"} for d in ("monday", "tuesday", "wednesday", "thursday", "friday")},
     "Mo-Fr 08:00-18:00; PH off"),
    ({"monday": {"fromTime": "08:00", "toTime": "18:00"}, "wednesday": {"fromTime": "08:00", "toTime": "18:00"}},
     "Mo 08:00-18:00; We 08:00-18:00; PH off"),
    ({}, None),
    ({"monday": {"fromTime": "08:00"}}, None),
])
def test_weekly_to_osm_day_runs_grouped(availability: dict[str, Any], expected: str | None) -> None:
    assert weekly_to_osm(availability) == expected


# detection --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "payload", "expected"), [
    ("orte.csv", b"id,name\n", "csv"),
    ("orte.tsv", b"id\tname\n", "csv"),
    ("orte.geojson", b"{}", "geojson"),
    ("orte.jsonld", b"{}", "jsonld"),
    ("orte.json", b'{"@context": "https://schema.org"}', "jsonld"),
    ("stations.json", b'[{"type": "station", "id": "1"}]', "db-stations"),
    ("ruhr.osm", b"<osm/>", "osm"),
    ("ruhr.osm.pbf", b"\x00", "osm"),
    ("termine.ics", b"BEGIN:VCALENDAR", "ical"),
])
def test_detect_adapter_by_name_and_content_picks_adapter(name: str, payload: bytes, expected: str) -> None:
    assert detect_adapter(RawInput("test", name, payload, FIXED_NOW)).name == expected


def test_detect_adapter_unknown_format_raises_usage_error() -> None:
    with pytest.raises(UnknownAdapterError, match="--adapter"):
        detect_adapter(RawInput("test", "orte.xlsx", b"PK\x03\x04", FIXED_NOW))


def test_detect_adapter_html_page_says_it_is_a_web_page() -> None:
    page = b"<!doctype html><html><head><title>403 Forbidden</title></head><body></body></html>"
    with pytest.raises(UnknownAdapterError, match=re.escape("'poi.html' is an HTML page ('403 Forbidden'), not a")):
        detect_adapter(RawInput("test", "poi.html", page, FIXED_NOW))


@pytest.mark.parametrize("adapter", ["csv", "geojson", "jsonld", "hub-json", "db-stations", "ical"])
def test_text_adapters_html_page_one_error_naming_its_title(adapter: str) -> None:
    page = "<!DOCTYPE html>\n<html><head><title>Wartungsarbeiten</title></head><body>Bald zurück</body></html>"
    notices = [n for n in get_adapter(adapter).read(RawInput("test", "orte.dat", page.encode(), FIXED_NOW),
                                                     AdapterOptions("test")) if isinstance(n, Notice)]
    assert [(n.code, n.severity) for n in notices] == [("html_page", Severity.ERROR)]
    assert "HTML page ('Wartungsarbeiten')" in notices[0].message


def test_osm_adapter_pbf_nodes_and_ways_read(tmp_path: Path) -> None:
    import osmium

    path = tmp_path / "ruhr.osm.pbf"
    writer = osmium.SimpleWriter(str(path))
    try:
        writer.add_node(osmium.osm.mutable.Node(id=1, location=(7.0406, 51.4862), tags={
            "tourism": "museum", "name": "Ruhr Museum", "opening_hours": "Mo-Su 10:00-18:00",
            "wheelchair": "yes"}))
        for node_id, (lon, lat) in enumerate([(7.20, 51.48), (7.21, 51.48), (7.21, 51.49), (7.20, 51.48)], 10):
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=(lon, lat)))
        writer.add_way(osmium.osm.mutable.Way(id=5, nodes=[10, 11, 12, 13],
                                              tags={"historic": "mine", "name": "Zeche Hannover"}))
        writer.add_node(osmium.osm.mutable.Node(id=2, location=(7.0, 51.4), tags={"amenity": "bench"}))
    finally:
        writer.close()
    report = hub.validate_file(path)
    assert not report.has_errors
    from datenhub.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'osm.db'}")
    result = hub.import_file(store, path, "osm")
    assert result.new == 2
    museum = store.get_entity("osm:node/1")
    mine = store.get_entity("osm:way/5")
    assert museum is not None and mine is not None
    assert museum["type"] == "Museum" and museum["licence"] == "ODbL-1.0" and museum["wheelchair"] == "yes"
    assert mine["categories"] == ["Industriekultur"] and mine["municipality"]["name"] == "Bochum"


@pytest.mark.parametrize("text", [
    "id,name\n1,a\n2,\"b\nc\"\n3,d",
    "id,name\r\n1,a\r\n2,\"b\r\nc\"\r\n",
    "id,name\r1,a\r2,\"b\rc\"\r3,d\r",
    "id,name\n1,a\r\n2,b\r3,c\n",
    "",
    "id\n\n\n",
])
def test_csv_lines_split_as_stringio_does(text: str) -> None:
    import csv
    import io

    from datenhub.ingest.csv_ import lines

    assert list(csv.reader(lines(text))) == list(csv.reader(io.StringIO(text, newline="")))


def test_jsonld_adapter_a_date_only_end_date_is_the_last_day() -> None:
    # schema.org: endDate 2027-07-04 for a festival of 2-4 July; the hub's end is exclusive, as iCalendar's DTEND
    node = {"@context": "https://schema.org", "@type": "Festival", "identifier": "fest", "name": "Fest",
            "startDate": "2027-07-02", "endDate": "2027-07-04", "license": "CC0-1.0"}
    [fest], report = build_all(read("jsonld", "x.jsonld", json.dumps(node).encode()), licence=None)
    assert report.flatten(["code"]) == []
    assert (fest.start.date().isoformat(), fest.end.date().isoformat()) == ("2027-07-02", "2027-07-05")
    evening = {**node, "startDate": "2027-08-15T19:00:00+02:00", "endDate": "2027-08-15"}
    [concert], report = build_all(read("jsonld", "x.jsonld", json.dumps(evening).encode()), licence=None)
    assert report.flatten(["code"]) == [] and concert.end.date().isoformat() == "2027-08-16"  # not before its start
    # the same in every format: a spreadsheet's end date is the last day too
    rows = b"id,kind,name,start,end,licence\nfest,event,Fest,2027-07-02,2027-07-04,CC0-1.0\n"
    [again], report = build_all(read("csv", "x.csv", rows), licence=None)
    assert (again.start, again.end) == (fest.start, fest.end)


def test_csv_adapter_excel_sep_line_names_the_delimiter_and_rows_keep_their_numbers() -> None:
    payload = (b"sep=;\r\nid;name;lat;lon;licence\r\nh1;Halde Haniel;51,5541;6,9370;CC0-1.0\r\n"
               b"h2;;51,5;6,9;CC0-1.0\r\n")
    items = read("csv", "excel.csv", payload)
    drafts = [i for i in items if isinstance(i, Draft)]
    assert [d.data.get("name", {}).get("de") for d in drafts] == ["Halde Haniel", None]
    assert [d.location.row for d in drafts] == [3, 4]  # the file's own line numbers, the sep= line counted
    events, report = build_all(items)
    assert [e.name["de"] for e in events] == ["Halde Haniel"] and events[0].geo.lat == 51.5541  # decimal comma
    assert "no_known_columns" not in str(report.flatten(["code"]))


def test_a_kind_column_is_read_in_either_language_and_any_case_and_an_unknown_kind_is_named(
        tmp_path: Path) -> None:
    text = ("id,kind,name,lat,lon,start,licence\n1,Event,Fest,51.45,7.01,2026-08-01,CC0-1.0\n"
            "2,Veranstaltung,Markt,51.45,7.01,2026-08-02,CC0-1.0\n3,ORT,Halde,51.45,7.01,,CC0-1.0\n"
            "4,Party,Rave,51.45,7.01,2026-08-03,CC0-1.0\n5,place,Turm,51.45,7.01,2026-08-04,CC0-1.0\n")
    items = list(get_adapter("csv").read(RawInput("t", "orte.csv", text.encode(), FIXED_NOW), AdapterOptions("t")))
    drafts = {i.local_id: i.kind for i in items if isinstance(i, Draft)}
    assert drafts == {"1": "event", "2": "event", "3": "place", "5": "place"}
    [unknown] = [i for i in items if isinstance(i, Notice) and i.code == "unknown_kind"]
    assert unknown.severity is Severity.ERROR and unknown.location.entity_id == "4" and "'Party'" in unknown.message
    # a place row with an event's field: told what to do, not pydantic's "Extra inputs are not permitted"
    turm = next(i for i in items if isinstance(i, Draft) and i.local_id == "5")
    entity, notices = build(turm, CheckContext("t"))
    assert entity is None and any("give the row the kind event" in n.message for n in notices), notices


def test_a_guessed_art_column_with_a_places_type_leaves_the_row_a_place() -> None:
    # "Art" is also what German files call the type of a place: only a column named kind must say place or event
    text = ("id,name,art,lat,lon,licence\n1,Zeche Zollverein,Museum,51.486,7.04,CC0-1.0\n"
            "2,Fest,Veranstaltung,51.4,7.0,CC0-1.0\n")
    items = list(get_adapter("csv").read(RawInput("t", "orte.csv", text.encode(), FIXED_NOW), AdapterOptions("t")))
    assert {i.local_id: i.kind for i in items if isinstance(i, Draft)} == {"1": "place", "2": "event"}
    assert not [i for i in items if isinstance(i, Notice) and i.code == "unknown_kind"]
