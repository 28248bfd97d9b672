"""CSV as spreadsheets open it: text that looks like a formula stays text."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import orjson
import pytest

from datenhub.publish.csv_ import write_csv
from datenhub.publish.jsonld import write_jsonld
from tests.store.helpers import CLOSED_IMAGE, OPEN_IMAGE, ZOO_CSV, exported_and_imported_back, round_trip


def test_csv_cells_that_look_like_formulas_stay_text() -> None:
    entity = {"id": "dh-1", "kind": "place", "name": {"de": '=HYPERLINK("http://evil.example","Klick")',
                                                        "en": "+49 201 123", "nl": "@home"},
              "description": {"de": "-5 % für Gruppen"}, "geo": {"lat": 51.5, "lon": -0.12}, "licence": "CC0-1.0"}
    header, row = list(csv.reader(io.StringIO(b"".join(write_csv([entity])).decode("utf-8"))))
    values = dict(zip(header, row, strict=True))
    assert values["name_de"] == '\'=HYPERLINK("http://evil.example","Klick")'
    assert (values["name_en"], values["name_nl"], values["description_de"]) == ("'+49 201 123", "'@home",
                                                                                 "'-5 % für Gruppen")
    assert (values["lat"], values["lon"]) == ("51.5", "-0.12")  # numbers stay numbers


def test_csv_joins_every_list_with_a_bar() -> None:
    entity = {"id": "dh-2", "kind": "place", "name": {"de": "Zeche"}, "categories": ["Industriekultur", "Museum"],
              "keywords": ["Kohle", "Turm"], "sources": ["osm:node/1", "ruhr-demo:zeche"], "licence": "CC0-1.0"}
    row = next(csv.DictReader(io.StringIO(b"".join(write_csv([entity])).decode("utf-8"))))
    assert (row["categories"], row["keywords"], row["sources"]) == (
        "Industriekultur|Museum", "Kohle|Turm", "osm:node/1|ruhr-demo:zeche")


def test_csv_spells_every_yes_or_no_alike() -> None:
    entity = {"id": "dh-3", "kind": "event", "name": {"de": "Fest"}, "all_day": True, "licence": "CC0-1.0",
              "municipality": {"name": "Venlo", "ags": None, "in_rvr": False}}
    row = next(csv.DictReader(io.StringIO(b"".join(write_csv([entity])).decode("utf-8"))))
    assert (row["in_rvr"], row["all_day"]) == ("false", "true")


def test_csv_keeps_every_language_and_imports_back(tmp_path: Path) -> None:
    before, after, result = exported_and_imported_back(tmp_path, "csv")
    assert (result.new, result.rejected) == (1, 0)
    for key in ("name", "description", "categories", "keywords", "licence", "attribution", "contact", "address"):
        assert after.get(key) == before.get(key), key


def test_text_the_formula_guard_protected_imports_back_as_it_was(tmp_path: Path) -> None:
    guarded = ZOO_CSV.replace("Bochum Zoo", "=Bochum Zoo").replace("Zoo with an aquarium", "-5 % for groups")
    before, after, result = exported_and_imported_back(tmp_path, "csv", guarded)
    assert (result.new, result.rejected) == (1, 0)
    assert before["name"]["en"] == after["name"]["en"] == "=Bochum Zoo"
    assert before["description"]["en"] == after["description"]["en"] == "-5 % for groups"


def test_a_tombstone_of_the_delta_feed_says_what_went_and_when_in_every_format() -> None:
    gone = {"id": "dh-gone", "kind": "event", "withdrawn_at": "2026-11-24T04:00:00.000000+00:00",
            "last_changed": "2026-11-24T04:00:00.000000+00:00", "tombstone": True}
    rows = list(csv.DictReader(io.StringIO(b"".join(write_csv([gone])).decode("utf-8"))))
    assert (rows[0]["id"], rows[0]["kind"], rows[0]["withdrawn_at"]) == ("dh-gone", "event", gone["withdrawn_at"])
    [node] = orjson.loads(b"".join(write_jsonld([gone], base_url="https://hub.example")))["@graph"]
    assert node == {"@type": "DataFeedItem", "dateDeleted": gone["withdrawn_at"],
                    "item": {"@type": "Event", "@id": "https://hub.example/events/dh-gone", "identifier": "dh-gone"}}


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_events_export_and_import_back_with_what_makes_them_events(tmp_path: Path, fmt: str) -> None:
    from datetime import UTC, datetime

    from datenhub import hub
    from datenhub.clock import fixed
    from datenhub.store import open_store

    clock = fixed(datetime(2026, 6, 4, 12, 0, tzinfo=UTC))
    first = open_store(f"sqlite:///{tmp_path / 'first.db'}")
    events = [{"id": "fest", "kind": "event", "type": "Festival", "name": {"de": "Zechenfest"},
               "start": "2026-08-01", "end": "2026-08-02", "all_day": True, "status": "EventCancelled",
               "location_name": "Zeche Zollern", "url": "https://example.org/fest", "organizer": "LWL",
               "geo": {"lat": 51.5186, "lon": 7.3339}, "contact": {"website": "https://example.org"},
               "licence": "CC0-1.0"},
              {"id": "konzert", "kind": "event", "name": {"de": "Konzert"}, "start": "2026-08-03T19:00:00+02:00",
               "end": "2026-08-03T22:00:00+02:00", "licence": "CC0-1.0"}]
    source = tmp_path / "termine.json"
    source.write_text(json.dumps(events), encoding="utf-8")
    hub.import_file(first, source, "termine", adapter="hub-json", clock=clock)
    exported = tmp_path / f"export.{fmt}"
    exported.write_bytes(b"".join(hub.export(first, fmt, kind="event")))
    second = open_store(f"sqlite:///{tmp_path / 'second.db'}")
    result = hub.import_file(second, exported, "kopie", clock=clock)
    assert (result.new, result.rejected) == (2, 0)
    keys = ("type", "start", "end", "all_day", "status", "location_name", "url", "organizer", "contact")
    before = {e["name"]["de"]: {k: e.get(k) for k in keys} for e in first.iter_entities("event")}
    after = {e["name"]["de"]: {k: e.get(k) for k in keys} for e in second.iter_entities("event")}
    assert after == before and before["Zechenfest"]["status"] == "EventCancelled"


def test_images_come_back_from_a_csv_export_each_with_its_licence_and_attribution(tmp_path: Path) -> None:
    credited = {"url": "https://example.org/ofen.jpg", "licence": "CC-BY-4.0", "attribution": "Foto: R. Ruhr",
                "author": "R. Ruhr", "caption": {"de": "Ofen, Halle 3", "en": "Oven"}}
    pictured = {"id": "b1", "name": {"de": "Kokerei Hansa"}, "geo": {"lat": 51.5325, "lon": 7.3941},
                "licence": "CC-BY-4.0", "attribution": "Stadt Dortmund", "images": [OPEN_IMAGE, credited, CLOSED_IMAGE]}
    first, second, result = round_trip(tmp_path, "csv", "b.jsonl", json.dumps(pictured) + "\n")
    assert (result.new, result.rejected) == (1, 0)
    (before,), (after,) = list(first.iter_entities()), list(second.iter_entities())
    assert after["images"] == before["images"] == [OPEN_IMAGE, credited]  # the closed one is not in an open export
    assert "geheim" not in (tmp_path / "export.csv").read_text(encoding="utf-8")


def test_csv_never_writes_a_closed_image() -> None:
    # the store leaves closed images out of the open view; the serializer leaves them out once more, as JSON-LD does
    entity = {"id": "dh-3", "kind": "place", "name": {"de": "Zeche"}, "licence": "CC0-1.0",
              "images": [CLOSED_IMAGE, OPEN_IMAGE]}
    mixed, only_closed = csv.DictReader(io.StringIO(b"".join(write_csv(
        [entity, {**entity, "images": [CLOSED_IMAGE]}])).decode("utf-8")))
    assert (json.loads(mixed["images"]), only_closed["images"]) == ([OPEN_IMAGE], "")
