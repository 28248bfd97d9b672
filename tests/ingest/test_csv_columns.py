"""Columns a CSV adapter leaves out are named once per file, so a steward sees what did not arrive."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ingest_corpus import FIXED_NOW

from datenhub.ingest.base import AdapterOptions, Draft, RawInput
from datenhub.ingest.mapping import Mapping, MappingError, auto_mapping
from datenhub.ingest.registry import get_adapter
from datenhub.notices import Notice, Severity


def notices(payload: bytes, **options: Any) -> list[Notice]:
    raw = RawInput("test", "orte.csv", payload, FIXED_NOW)
    return [item for item in get_adapter("csv").read(raw, AdapterOptions("test", **options))
            if not isinstance(item, Draft)]


def test_unmapped_columns_are_named_in_one_info_notice() -> None:
    [notice] = notices(b"id,name,lat,lon,Eintritt,Bearbeiter\n1,Gasometer,51.49,6.87,12 EUR,mk\n")
    assert (notice.code, notice.severity, notice.location.file) == ("unmapped_columns", Severity.INFO, "orte.csv")
    assert "Eintritt, Bearbeiter" in notice.message and "--mapping" in notice.message


def test_the_hubs_own_csv_export_has_no_unmapped_columns(tmp_path: Path) -> None:
    """Its municipality, nearest-station and bookkeeping columns were named with "give a mapping file that names
    them", which no mapping can: no [fields] target takes them, the import derives them again."""
    from tests.store.helpers import round_trip

    from datenhub.publish.csv_ import COLUMNS

    place = {"id": "g1", "name": {"de": "Gasometer"}, "geo": {"lat": 51.4963, "lon": 6.8688}, "licence": "CC0-1.0"}
    _, second, result = round_trip(tmp_path, "csv", "g.jsonl", json.dumps(place) + "\n")
    (after,) = list(second.iter_entities())
    assert after["municipality"]["name"] == "Oberhausen"
    assert "unmapped_columns" not in result.report.codes()
    # and where a file has other columns too, those are named, the derived ones told apart
    [notice] = notices(b"id,name,lat,lon,municipality,Eintritt\n1,Gasometer,51.49,6.87,Oberhausen,12 EUR\n")
    assert notice.message.startswith("column(s) not imported: Eintritt; give a mapping file")
    assert "(municipality: the hub derives these itself" in notice.message
    # every other column of the export is read without a mapping
    derived = {"municipality", "ags", "kreis", "in_rvr", "nearest_station", "nearest_station_m", "sources",
               "last_changed", "withdrawn_at"}
    assert {c for c in COLUMNS if c not in derived} <= {*auto_mapping(list(COLUMNS)).fields.values()}


def test_mapping_names_columns_it_leaves_out_on_purpose() -> None:
    ignore = ["Bearbeiter"]
    mapping = {"csv": {"ignore": ignore}, "fields": {"id": "id", "name.de": "name", "lat": "lat", "lon": "lon"}}
    [notice] = notices(b"id,name,lat,lon,Eintritt,Bearbeiter\n1,Gasometer,51.49,6.87,12 EUR,mk\n", mapping=mapping)
    assert notice.code == "unmapped_columns"
    assert "Eintritt;" in notice.message and "Bearbeiter" not in notice.message and "[csv] ignore" in notice.message
    ignore.append("Eintritt")
    assert notices(b"id,name,lat,lon,Eintritt,Bearbeiter\n1,Gasometer,51.49,6.87,12 EUR,mk\n", mapping=mapping) == []


@pytest.mark.parametrize(("csv_options", "message"), [
    ({"ignore": "Bearbeiter"}, "ignore must be a list"),
    ({"ignored": ["Bearbeiter"]}, "unknown [csv] option(s) ['ignored']"),
    ({"ignore": ["name"]}, "column(s) name both mapped under [fields] and ignored"),
    ({"encoding": "latin-9x"}, "[csv] encoding 'latin-9x' is unknown"),
])
def test_mapping_csv_options_are_checked(csv_options: dict[str, Any], message: str) -> None:
    with pytest.raises(MappingError) as error:
        Mapping.from_dict({"csv": csv_options, "fields": {"name.de": "name"}})
    assert message in str(error.value)


@pytest.mark.parametrize(("target", "hint"), [("lattitude", " (did you mean 'lat'?)"),
                                              ("longitude", " (did you mean 'lon'?)"),
                                              ("license", " (did you mean 'licence'?)"),
                                              ("name.dee", " (did you mean 'name.de'?)"),
                                              ("contact.webiste", " (did you mean 'contact.website'?)"),
                                              ("colour", "")])
def test_an_unknown_target_field_says_which_it_is_spelled_like(target: str, hint: str) -> None:
    with pytest.raises(MappingError) as error:
        Mapping.from_dict({"fields": {target: "Spalte"}})
    assert f"unknown target field {target!r}{hint}; known: " in str(error.value)


def test_a_column_named_twice_is_a_warning_naming_it() -> None:
    raw = RawInput("t", "dup.csv", b"id,name,name,lat,lon,licence\nd1,Erster,Zweiter,51.5,7.0,CC0-1.0\n", FIXED_NOW)
    items = list(get_adapter("csv").read(raw, AdapterOptions("t")))
    notices = [(n.code, n.severity, n.value) for n in items if isinstance(n, Notice)]
    assert ("duplicate_column", Severity.WARNING, "name") in notices
    assert [d.data["name"] for d in items if isinstance(d, Draft)] == [{"de": "Zweiter"}]


def test_a_kind_column_decides_place_or_event_row_by_row(tmp_path: Any) -> None:
    from datenhub import hub
    from datenhub.store import open_store

    raw = RawInput("test", "mix.csv", b"id,kind,name,lat,lon,start\n"
                                      b"1,event,ExtraSchicht,51.4862,7.0406,2026-06-27T18:00:00Z\n"
                                      b"2,place,Gasometer,51.49,6.87,\n3,,Tetraeder,51.52,6.95,\n", FIXED_NOW)
    drafts = [d for d in get_adapter("csv").read(raw, AdapterOptions("test")) if isinstance(d, Draft)]
    assert [d.kind for d in drafts] == ["event", "place", "place"] and "kind" not in drafts[0].data
    # so the hub's own CSV export of events imports back
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    (tmp_path / "ev.csv").write_bytes(raw.payload)
    hub.import_file(store, tmp_path / "ev.csv", "test", licence="CC0-1.0")
    exported = "".join(chunk if isinstance(chunk, str) else chunk.decode()
                       for chunk in hub.export(store, "csv", kind="event"))
    assert "ExtraSchicht" in exported and "Gasometer" not in exported
    (tmp_path / "again.csv").write_text(exported, encoding="utf-8")
    report = hub.validate_file(tmp_path / "again.csv", licence="CC0-1.0")
    assert report.count(Severity.ERROR) == 0, report.by_code()
    store.close()


def test_an_events_own_columns_are_read_only_where_the_file_has_events() -> None:
    places = auto_mapping(["id", "name", "status", "veranstalter", "lat", "lon"])
    assert "status" not in places.fields and "organizer" not in places.fields
    events = auto_mapping(["id", "name", "start", "status", "veranstalter", "location_name"])
    assert (events.fields["status"], events.fields["organizer"], events.fields["location_name"]) == (
        "status", "veranstalter", "location_name")


def test_an_images_cell_is_read_as_json_or_as_one_url_and_broken_json_is_named() -> None:
    payload = (b'id,name,lat,lon,images\n'
               b'1,Gasometer,51.49,6.87,"[{""url"": ""https://example.org/g.jpg"", ""licence"": ""CC0-1.0""}]"\n'
               b'2,Tetraeder,51.52,6.95,https://example.org/t.jpg\n'
               b'3,Halde,51.56,6.93,"[{""url"": ""https://example.org/h.jpg"""\n')
    raw = RawInput("test", "orte.csv", payload, FIXED_NOW)
    items = list(get_adapter("csv").read(raw, AdapterOptions("test")))
    drafts = {item.local_id: item.data.get("images") for item in items if isinstance(item, Draft)}
    assert drafts == {"1": [{"url": "https://example.org/g.jpg", "licence": "CC0-1.0"}],
                      "2": "https://example.org/t.jpg", "3": None}
    [notice] = [item for item in items if isinstance(item, Notice)]
    assert (notice.code, notice.severity, notice.location.row, notice.location.field, notice.location.entity_id) == (
        "invalid_field_type", Severity.WARNING, 4, "images", "3")
    assert "not valid JSON" in notice.message and notice.value == '[{"url": "https://example.org/h.jpg"'


def test_a_column_without_a_name_is_shown_and_its_values_are_not_lost_silently() -> None:
    payload = b"id,name,lat,lon,,licence\np1,Halde,51.5,7.0,,CC0-1.0\np2,Zeche,51.6,7.1,Notiz,CC0-1.0\n"
    found = [(n.code, n.severity, n.location.row, n.value) for n in notices(payload)]
    assert ("unnamed_column", Severity.WARNING, 3, "5") in found
    assert [c for c, *_ in found].count("unnamed_column") == 1
    missing = notices(payload, mapping={"fields": {"name.de": "Name"}})
    assert [n.message for n in missing if n.code == "mapping_column_missing"] == [
        "mapped column(s) not in the header: Name; header is: id, name, lat, lon, (column 5: no name), licence"]


def test_an_unquoted_decimal_comma_in_a_comma_separated_row_is_named() -> None:
    """The row's cells shifted (lat 51, lon 4862) and the warning only counted cells."""
    found = notices(b"name,lat,lon,category\nZollverein,51,4862,7,0406,Museum\nHalde,51.5,6.9,Natur\n")
    [mismatch] = [n for n in found if n.code == "row_length_mismatch"]
    assert (mismatch.severity, mismatch.location.row) == (Severity.WARNING, 2)
    assert "decimal comma without quotes (51,4862)" in mismatch.message and "';'" in mismatch.message


def test_a_longer_row_without_split_numbers_gets_no_decimal_hint() -> None:
    found = notices(b"name,lat,lon\nZollverein,51.4862,7.0406,extra,more\n")
    [mismatch] = [n for n in found if n.code == "row_length_mismatch"]
    assert mismatch.message == "row has 5 cells, the header has 3"
