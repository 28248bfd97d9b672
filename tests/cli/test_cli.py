"""The `datenhub` command line: exit codes, idempotent imports, withdrawals, exports, search and merges."""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from datenhub.cli import app
from datenhub.data import data_path
from datenhub.demo import import_demo
from datenhub.store import open_store

DEMO_CSV = data_path("demo", "ruhr_places.csv")
DEMO_MAPPING = data_path("demo", "ruhr_places.mapping.toml")
STATIONS = data_path("stations", "db_stations_nrw_full.json")
ZOLLVEREIN = (51.4862, 7.0406)

PLACES_CSV = (
    "id,name,lat,lon,licence\n"
    "p1,Nordsternturm,51.5281,7.0333,CC0-1.0\n"
    "p2,Halde Haniel,51.5460,6.9000,CC0-1.0\n"
    "p3,Tetraeder Bottrop,51.5134,6.9500,CC0-1.0\n"
)


def run(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def run_json(*args: str) -> Any:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def flat(output: str) -> str:
    return " ".join(output.split())


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


# import: idempotent, withdrawals, strict ---------------------------------------------------------------------

def test_import_same_file_twice_second_run_all_unchanged(db: str) -> None:
    args = ("import", str(DEMO_CSV), "--source", "ruhr-demo", "--mapping", str(DEMO_MAPPING), "--db", db,
            "--format", "json")
    first = run_json(*args)
    second = run_json(*args)
    assert (first["new"], first["errors"]) == (145, 0)
    assert (second["new"], second["changed"], second["unchanged"], second["withdrawn"]) == (0, 0, 145, 0)


def test_licence_flags_win_over_the_mapping_constants(db: str) -> None:
    run_json("import", str(DEMO_CSV), "--source", "stadt-x", "--mapping", str(DEMO_MAPPING), "--db", db,
             "--licence", "DL-DE-BY-2.0", "--attribution", "Stadt X", "--format", "json")
    from datenhub.store import open_store

    record = open_store(db).get_record("stadt-x:zeche-zollverein")
    assert record is not None
    assert (record.data["licence"], record.data["attribution"]) == ("DL-DE-BY-2.0", "Stadt X")


def test_licence_flag_never_opens_what_the_mapping_declares_closed(tmp_path: Path, db: str) -> None:
    closed = write(tmp_path, "closed.toml", DEMO_MAPPING.read_text(encoding="utf-8").replace(
        'licence = "CC0-1.0"', 'licence = "closed"'))
    assert 'licence = "closed"' in closed.read_text(encoding="utf-8")
    for command in ("import", "validate"):
        args = [command, str(DEMO_CSV), "--mapping", str(closed), "--licence", "CC0-1.0"]
        args += ["--source", "partner", "--db", db] if command == "import" else []
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "declares licence 'closed'" in result.output and "Traceback" not in result.output
    from datenhub.store import open_store

    assert open_store(db).get_record("partner:zeche-zollverein") is None
    # a closed --licence on an open mapping only restricts: allowed
    run_json("import", str(DEMO_CSV), "--source", "partner", "--mapping", str(DEMO_MAPPING), "--db", db,
             "--licence", "closed", "--format", "json")
    record = open_store(db).get_record("partner:zeche-zollverein")
    assert record is not None and record.data["licence"] == "closed"


def test_a_file_without_usable_records_withdraws_nothing_unless_allowed(tmp_path: Path, db: str) -> None:
    full = write(tmp_path, "all.csv", PLACES_CSV)
    header_only = write(tmp_path, "header.csv", PLACES_CSV.splitlines()[0] + "\n")
    first = run_json("import", str(full), "--source", "halden", "--db", db, "--format", "json")
    kept = run_json("import", str(header_only), "--source", "halden", "--db", db, "--format", "json")
    assert (kept["withdrawn"], kept["notices"]) == (0, {"withdrawal_skipped": 1})  # a failed export, most likely
    emptied = run_json("import", str(header_only), "--source", "halden", "--db", db, "--format", "json",
                       "--allow-empty")
    assert emptied["withdrawn"] == first["new"] > 0


def test_import_smaller_file_withdraws_missing_records_but_keeps_them(tmp_path: Path, db: str) -> None:
    full = write(tmp_path, "all.csv", PLACES_CSV)
    smaller = write(tmp_path, "fewer.csv", PLACES_CSV.rsplit("p3,", 1)[0])
    run_json("import", str(full), "--source", "halden", "--db", db, "--format", "json")
    summary = run_json("import", str(smaller), "--source", "halden", "--db", db, "--format", "json")
    shown = run("places", "show", "halden:p3", "--db", db)
    still_there = run("places", "show", "halden:p1", "--db", db)
    store = open_store(db)
    try:
        record = store.get_record("halden:p3")
        counts = store.counts()
    finally:
        store.close()
    assert (summary["withdrawn"], summary["unchanged"]) == (1, 2)
    assert shown.exit_code == 1
    assert "halden:p3" in flat(shown.output)
    assert still_there.exit_code == 0
    assert record is not None and record.withdrawn_at is not None
    assert (counts["places"], counts["withdrawn"], counts["records"]) == (2, 1, 3)


def test_a_withdrawn_record_delivered_again_counts_as_restored(tmp_path: Path, db: str) -> None:
    full = write(tmp_path, "all.csv", PLACES_CSV)
    run_json("import", str(full), "--source", "halden", "--db", db, "--format", "json")
    run_json("import", str(write(tmp_path, "fewer.csv", PLACES_CSV.rsplit("p3,", 1)[0])), "--source", "halden",
             "--db", db, "--format", "json")
    back = run_json("import", str(full), "--source", "halden", "--db", db, "--format", "json")
    assert (back["restored"], back["changed"], back["new"], back["unchanged"]) == (1, 0, 0, 2)
    assert run("places", "show", "halden:p3", "--db", db).exit_code == 0


def test_import_partial_file_withdraws_nothing(tmp_path: Path, db: str) -> None:
    run_json("import", str(write(tmp_path, "all.csv", PLACES_CSV)), "--source", "halden", "--db", db,
             "--format", "json")
    summary = run_json("import", str(write(tmp_path, "one.csv", PLACES_CSV.split("p2,")[0])), "--source", "halden",
                       "--partial", "--db", db, "--format", "json")
    assert (summary["withdrawn"], summary["unchanged"]) == (0, 1)


def test_import_strict_data_errors_exit_1(tmp_path: Path, db: str) -> None:
    bad = write(tmp_path, "bad.csv", "id,name,lat,lon,licence\nx1,Nirgendwo,123.5,7.01,CC0-1.0\n")
    result = run("import", str(bad), "--source", "bad", "--db", db, "--strict")
    assert result.exit_code == 1
    assert "invalid_coordinates" in result.output
    again = run("import", str(bad), "--source", "bad", "--db", db, "--strict")  # the same file: still wrong
    assert again.exit_code == 1 and "invalid_coordinates" in again.output and "input_unchanged" in again.output


def test_import_data_errors_without_strict_exit_0(tmp_path: Path, db: str) -> None:
    bad = write(tmp_path, "bad.csv", "id,name,lat,lon,licence\nx1,Nirgendwo,123.5,7.01,CC0-1.0\n")
    assert run("import", str(bad), "--source", "bad", "--db", db).exit_code == 0


def test_import_strict_clean_file_exit_0(tmp_path: Path, db: str) -> None:
    good = write(tmp_path, "good.csv", PLACES_CSV)
    assert run("import", str(good), "--source", "gut", "--db", db, "--strict").exit_code == 0


def test_validate_strict_data_errors_exit_1_and_json_report(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.csv", "id,name,lat,lon,licence\nx1,Nirgendwo,123.5,7.01,CC0-1.0\n")
    result = run("validate", str(bad), "--strict", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["summary"]["by_code"] == {"invalid_coordinates": 1}


@pytest.mark.parametrize(("args", "code", "says"), [
    (["missing.csv"], "file_not_found", "missing.csv does not exist"),
    (["{dir}"], "not_a_file", "is a folder"),
    (["{csv}", "--adapter", "xml"], "unknown_adapter", "unknown adapter 'xml'"),
    (["{csv}", "--mapping", "none.toml"], "invalid_mapping", "none.toml does not exist"),
    (["{csv}", "--mapping", "{mapping}"], "invalid_mapping", "did you mean 'lat'?"),
    (["{csv}", "--licence", "FOO"], "unknown_licence", "unknown licence 'FOO'"),
    (["{csv}", "--within", "mars"], "invalid_option", "unknown region 'mars'"),
    (["{csv}", "--bogus"], "usage_error", "No such option: --bogus"),  # what Click finds before the command runs
    ([], "usage_error", "Missing argument"),
])
def test_validate_json_usage_error_is_a_json_object_on_stdout(tmp_path: Path, args: list[str], code: str,
                                                               says: str) -> None:
    """`--format json` gave the report as JSON but its usage errors as text on stderr, which a tool cannot read."""
    given = {"csv": str(write(tmp_path, "places.csv", PLACES_CSV)), "dir": str(tmp_path),
             "mapping": str(write(tmp_path, "bad.toml", '[fields]\nlattitude = "lat"\n'))}
    result = run("validate", *(a.format(**given) for a in args), "--format", "json")
    assert (result.exit_code, result.stderr) == (2, "")
    error = json.loads(result.stdout)["error"]
    assert (error["code"], error["exit_code"]) == (code, 2) and says in error["message"]


@pytest.mark.parametrize(("args", "code"), [
    (["missing.csv", "--source", "s"], "file_not_found"),
    (["{csv}", "--source", "Bad Name"], "import_refused"),
    (["{csv}"], "usage_error"),  # no --source
])
def test_import_json_usage_error_is_a_json_object_on_stdout(tmp_path: Path, args: list[str], code: str) -> None:
    csv_path = str(write(tmp_path, "places.csv", PLACES_CSV))
    result = run("import", *(a.format(csv=csv_path) for a in args), "--format", "json",
                 "--db", f"sqlite:///{tmp_path / 'hub.db'}")
    assert (result.exit_code, result.stderr) == (2, "")
    assert json.loads(result.stdout)["error"]["code"] == code


def test_validate_table_usage_errors_stay_text_on_stderr() -> None:
    for args, says in ((["missing.csv"], "error: missing.csv does not exist"), (["--bogus"], "No such option")):
        result = run("validate", *args)
        assert (result.exit_code, result.stdout) == (2, "")
        assert says in result.stderr and '"error"' not in result.stderr


def test_validate_json_report_gives_each_offending_value_as_json(tmp_path: Path) -> None:
    odd = write(tmp_path, "odd.json", json.dumps([{"id": "x1", "name": "Zeche", "lat": 51.4862, "lon": 7.0406,
                                                  "licence": "CC0-1.0", "categories": {"Museum": True}}]))
    report = json.loads(run("validate", str(odd), "--adapter", "hub-json", "--format", "json").stdout)
    (notice,) = [n for n in report["notices"] if n["code"] == "invalid_field_type"]
    assert json.loads(notice["value"]) == {"Museum": True}


MIXED_CSV = ("id,name,lat,lon,licence\n"
             "a1,Zeche Zollverein,51.4862,7.0406,CC0-1.0\n"
             "a2,Kölner Dom,50.9413,6.9583,CC0-1.0\n"
             "a3,Schloss Nordkirchen,51.7379,7.5289,CC0-1.0\n")


def test_import_within_keeps_records_whose_place_cannot_be_told(tmp_path: Path, db: str) -> None:
    path = write(tmp_path, "events.csv", "id,name,location_name,licence\nf1,Sommerfest,Zeche Zollern,CC0-1.0\n")
    summary = run_json("import", str(path), "--source", "s", "--db", db, "--within", "rvr", "--format", "json")
    assert (summary["new"], summary["outside"]) == (1, 0)


def test_import_within_counts_the_records_it_leaves_out(tmp_path: Path, db: str) -> None:
    path = write(tmp_path, "mixed.csv", MIXED_CSV)
    result = run("import", str(path), "--source", "s", "--db", db, "--within", "rvr", "--format", "json")
    summary = json.loads(result.stdout)
    assert (summary["new"], summary["outside"], summary["notices"]) == (1, 2, {"outside_within": 2})
    table = run("import", str(path), "--source", "s", "--db", db, "--within", "rvr").stdout
    assert "outside" in table  # the same input again: the stored figures


def test_validate_checks_as_the_import_would(tmp_path: Path) -> None:
    path = write(tmp_path, "mixed.csv", MIXED_CSV.replace(",licence", ",licence,attribution").replace(
        "CC0-1.0\n", "CC-BY-4.0,\n"))
    plain = json.loads(run("validate", str(path), "--format", "json").stdout)
    assert plain["summary"]["by_code"] == {"missing_attribution": 3, "outside_rvr": 2}
    köln = next(n for n in plain["notices"] if n["code"] == "outside_rvr")
    assert köln["location"] == {"source": "validate", "file": "mixed.csv", "row": 3, "field": "geo",
                                "entity_id": "a2"}  # enrichment's notices name the row, as the checks' do
    given = json.loads(run("validate", str(path), "--format", "json", "--within", "rvr",
                           "--attribution", "Stadt Essen").stdout)
    assert given["summary"]["by_code"] == {"outside_within": 2}
    assert [(n["location"]["row"], n["location"]["entity_id"]) for n in given["notices"]] == [(3, "a2"), (4, "a3")]


def test_messages_keep_their_square_brackets(tmp_path: Path) -> None:
    path = write(tmp_path, "orte.csv", "id,name,lat,lon,Extra\n1,Halde [Nord],51.48,7.04,y\n")
    mapping = write(tmp_path, "orte.toml", '[fields]\nid = "id"\n"name.de" = "name"\nlat = "lat"\nlon = "lon"\n')
    table = " ".join(run("validate", str(path), "--mapping", str(mapping), "--licence", "CC0-1.0").stdout.split())
    assert "name them under [fields] in the mapping, or under [csv] ignore" in table  # Rich took them as markup
    error = run("validate", str(path), "--mapping", str(write(tmp_path, "bad.toml", '[csv]\ndelimeter = ";"\n')))
    assert "unknown [csv] option(s)" in " ".join(error.output.split())


def test_validate_table_says_how_many_notices_it_leaves_out(tmp_path: Path) -> None:
    rows = "".join(f"x{i},Nirgendwo,123.5,7.01,CC0-1.0\n" for i in range(250))
    result = run("validate", str(write(tmp_path, "bad.csv", "id,name,lat,lon,licence\n" + rows)))
    assert "the first 200 of 250" in " ".join(result.stdout.split())


def test_validate_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    good = write(tmp_path, "good.csv", PLACES_CSV)
    assert run("validate", str(good)).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.csv"]


# usage errors -------------------------------------------------------------------------------------------------

USAGE_CASES: dict[str, list[str]] = {
    "import_missing_file": ["import", "{tmp}/nope.csv", "--source", "s"],
    "validate_missing_file": ["validate", "{tmp}/nope.csv"],
    "import_folder": ["import", "{tmp}", "--source", "s"],
    "import_unknown_adapter": ["import", "{tmp}/good.csv", "--source", "s", "--adapter", "excel"],
    "validate_unknown_adapter": ["validate", "{tmp}/good.csv", "--adapter", "excel"],
    "import_undetectable_format": ["import", "{tmp}/orte.xlsx", "--source", "s"],
    "import_mapping_not_toml": ["import", "{tmp}/good.csv", "--source", "s", "--mapping", "{tmp}/broken.toml"],
    "validate_mapping_not_toml": ["validate", "{tmp}/good.csv", "--mapping", "{tmp}/broken.toml"],
    "import_mapping_unknown_target": ["import", "{tmp}/good.csv", "--source", "s", "--mapping", "{tmp}/wrong.toml"],
    "import_mapping_missing": ["import", "{tmp}/good.csv", "--source", "s", "--mapping", "{tmp}/no.toml"],
    "import_unknown_licence": ["import", "{tmp}/good.csv", "--source", "s", "--licence", "WTFPL"],
    "import_bad_source_name": ["import", "{tmp}/good.csv", "--source", "Stadt Bochum!"],
    "search_near_not_numbers": ["places", "search", "--near", "abc"],
    "search_near_out_of_range": ["places", "search", "--near", "95,7"],
    "search_radius_without_near": ["places", "search", "--radius", "500"],
    "search_unknown_municipality": ["places", "search", "--municipality", "Atlantis"],
    "export_unknown_format": ["export", "--format", "xml"],
    "import_unknown_format": ["import", "{tmp}/good.csv", "--source", "s", "--format", "xml"],
    "validate_unknown_format": ["validate", "{tmp}/good.csv", "--format", "xml"],
    "search_unknown_format": ["places", "search", "zeche", "--format", "xml"],
    "search_unknown_source": ["places", "search", "--source", "nope"],
    "export_unknown_kind": ["export", "--kind", "foo"],
}
NO_DB = ("validate",)


def usage_args(name: str, tmp_path: Path, db: str) -> list[str]:
    write(tmp_path, "good.csv", PLACES_CSV)
    write(tmp_path, "broken.toml", "[fields\nid = 'id'\n")
    write(tmp_path, "wrong.toml", "[fields]\nnonsense = 'id'\n")
    write(tmp_path, "orte.xlsx", "not a spreadsheet")
    args = [a.replace("{tmp}", str(tmp_path)) for a in USAGE_CASES[name]]
    return args if args[0] in NO_DB else [*args, "--db", db]


@pytest.mark.parametrize("name", USAGE_CASES)
def test_cli_usage_error_exit_2_with_message(name: str, tmp_path: Path, db: str) -> None:
    result = run(*usage_args(name, tmp_path, db))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error:")


def test_cli_usage_errors_leave_store_untouched(tmp_path: Path, db: str) -> None:
    run_json("import", str(write(tmp_path, "first.csv", PLACES_CSV)), "--source", "gut", "--db", db,
             "--format", "json")
    store = open_store(db)
    before = store.counts()
    store.close()
    for name in USAGE_CASES:
        run(*usage_args(name, tmp_path, db))
    store = open_store(db)
    try:
        assert store.counts() == before
    finally:
        store.close()


# the demo --------------------------------------------------------------------------------------------------

def demo_entities(demo_db: str) -> list[dict[str, Any]]:
    store = open_store(demo_db)
    try:
        return list(store.iter_entities("place"))
    finally:
        store.close()


def test_demo_places_from_two_sources_enriched(demo_db: str) -> None:
    places = demo_entities(demo_db)
    sources = {rid.split(":", 1)[0] for p in places for rid in p["sources"]}
    assert len(places) >= 150
    assert sources == {"ruhr-demo", "db-stations"}
    assert [p["id"] for p in places if not (p.get("municipality") or {}).get("ags")] == []
    assert [p["id"] for p in places if not p.get("nearest_stations")] == []
    assert [p["id"] for p in places if not p.get("licence")] == []


def test_demo_station_merged_with_attraction_record(demo_db: str) -> None:
    merged = [p for p in demo_entities(demo_db) if len(p["sources"]) == 2]
    assert merged
    assert all({s.split(":", 1)[0] for s in p["sources"]} == {"ruhr-demo", "db-stations"} for p in merged)


def test_export_jsonl_every_line_has_id_and_licence(demo_db: str) -> None:
    result = run("export", "--format", "jsonl", "--db", demo_db)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 0
    assert len(lines) >= 150
    assert [x for x in lines if not (x.get("id") and x.get("licence"))] == []


def test_export_geojson_to_file_parses(demo_db: str, tmp_path: Path) -> None:
    target = tmp_path / "places.geojson"
    assert run("export", "--format", "geojson", "-o", str(target), "--db", demo_db).exit_code == 0
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    assert len(doc["features"]) >= 150
    assert all(f["geometry"]["type"] == "Point" for f in doc["features"])


def test_export_to_a_folder_that_does_not_exist_is_a_usage_error(demo_db: str, tmp_path: Path) -> None:
    result = run("export", "-o", str(tmp_path / "nowhere" / "x.jsonl"), "--db", demo_db)
    assert result.exit_code == 2 and "cannot write" in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_export_jsonld_links_to_the_base_url_given(demo_db: str) -> None:
    result = run("export", "--format", "jsonld", "--kind", "place", "--base-url", "https://hub.example/ruhr",
                 "--db", demo_db)
    nodes = json.loads(result.stdout)["@graph"]
    assert result.exit_code == 0 and len(nodes) >= 150
    assert all(n["@id"].startswith("https://hub.example/ruhr/places/") for n in nodes)


@pytest.mark.parametrize("base_url", ["datenhub.ruhr", "hub", "ftp://hub.example"])
def test_export_jsonld_base_url_that_is_no_http_url_is_a_usage_error(demo_db: str, base_url: str) -> None:
    """Every @id came out as 'datenhub.ruhr/places/dh-…', a relative reference naming nothing, without a word."""
    result = run("export", "--format", "jsonld", "--base-url", base_url, "--db", demo_db)
    assert (result.exit_code, result.stdout) == (2, "")
    assert f"base URL {base_url!r} is not an absolute http(s) URL" in result.stderr


def test_export_base_url_is_not_checked_for_formats_without_links(demo_db: str) -> None:
    assert run("export", "--format", "csv", "--base-url", "hub", "--db", demo_db).exit_code == 0


def test_export_ical_of_places_is_a_usage_error(demo_db: str) -> None:
    """It wrote an empty calendar and exited 0."""
    result = run("export", "--format", "ical", "--kind", "place", "--db", demo_db)
    assert (result.exit_code, result.stdout) == (2, "") and "holds events only" in result.stderr


def test_export_csv_header_and_rows(demo_db: str) -> None:
    result = run("export", "--format", "csv", "--db", demo_db)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.exit_code == 0
    assert {"id", "name_de", "lat", "lon", "ags", "licence", "attribution"} <= set(rows[0])
    assert len(rows) >= 150
    assert [r["id"] for r in rows if not r["licence"]] == []


def test_places_search_municipality_essen_only_essen(demo_db: str) -> None:
    items = run_json("places", "search", "--municipality", "Essen", "--limit", "100", "--format", "json",
                     "--db", demo_db)["items"]
    assert len(items) >= 5
    assert {i["municipality"]["name"] for i in items} == {"Essen"}


def test_places_search_table_shows_whole_ids_in_80_columns(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    ids = [i["id"] for i in run_json("places", "search", "Zollverein", "--format", "json", "--db", demo_db)["items"]]
    table = run("places", "search", "Zollverein", "--db", demo_db).stdout
    assert ids and all(i in table for i in ids)  # what `places show` takes can be copied from the table


def test_places_search_municipality_by_ags_same_as_name(demo_db: str) -> None:
    by_name = run_json("places", "search", "--municipality", "Essen", "--limit", "100", "--format", "json",
                       "--db", demo_db)["items"]
    by_ags = run_json("places", "search", "--municipality", "05113000", "--limit", "100", "--format", "json",
                      "--db", demo_db)["items"]
    assert [i["id"] for i in by_ags] == [i["id"] for i in by_name]


def test_places_search_near_ordered_by_distance_within_radius(demo_db: str) -> None:
    items = run_json("places", "search", "--near", f"{ZOLLVEREIN[0]},{ZOLLVEREIN[1]}", "--radius", "5000",
                     "--limit", "50", "--format", "json", "--db", demo_db)["items"]
    distances = [haversine(*ZOLLVEREIN, i["geo"]["lat"], i["geo"]["lon"]) for i in items]
    assert len(items) >= 3
    assert all(b >= a - 10 for a, b in pairwise(distances))  # the store may use a flatter earth than haversine
    assert max(distances) <= 5000 * 1.01
    assert "Zollverein" in items[0]["name"]["de"]


def test_places_search_corrects_a_misspelled_word_and_says_so(demo_db: str) -> None:
    body = run_json("places", "search", "Gasomter", "--format", "json", "--db", demo_db)
    assert body["corrected_q"] == "Gasometer" and any("Gasometer" in i["name"]["de"] for i in body["items"])


def test_places_search_category_filter(demo_db: str) -> None:
    items = run_json("places", "search", "--category", "Museum", "--limit", "100", "--format", "json",
                     "--db", demo_db)["items"]
    assert items
    assert all("Museum" in i["categories"] for i in items)


def test_places_show_unknown_id_exit_1(demo_db: str) -> None:
    result = run("places", "show", "dh-doesnotexist", "--db", demo_db)
    assert result.exit_code == 1
    assert "no published entity" in flat(result.output)


def test_places_show_of_a_closed_record_says_how_to_see_it(tmp_path: Path, db: str) -> None:
    closed = write(tmp_path, "intern.csv", "id,name,lat,lon,licence\nz2,Interner Treffpunkt,51.51,7.46,closed\n")
    assert run("import", str(closed), "--source", "partner", "--db", db).exit_code == 0
    hidden = run("places", "show", "partner:z2", "--db", db)
    assert hidden.exit_code == 1 and "--include-closed" in flat(hidden.output)
    assert run_json("places", "show", "partner:z2", "--include-closed", "--db", db)["licence"] == "closed"


def test_sources_table_keeps_names_and_licences_whole(tmp_path: Path, db: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from datenhub.cli import common

    good = write(tmp_path, "orte.csv", PLACES_CSV)
    assert run("import", str(good), "--source", "vereins-intern-langname", "--db", db,
               "--licence", "DL-DE-BY-2.0", "--attribution", "Verein").exit_code == 0
    monkeypatch.setattr(common.console, "width", 60)  # a narrow terminal
    table = run("sources", "--db", db).output
    # the rows carry their own licence, which wins over the one the import declared
    assert "vereins-intern-langname" in table.replace("\n", " ") and "CC0-1.0 (3)" in table


def test_sources_table_shows_the_licences_records_carry(tmp_path: Path, db: str) -> None:
    from tests.store.helpers import write_csv

    rows = write_csv(tmp_path / "gemischt.csv")  # the rows carry CC0 (5), CC-BY, DL-DE-BY and closed
    assert run("import", str(rows), "--source", "gemischt", "--licence", "CC0-1.0", "--db", db).exit_code == 0
    table = " ".join(run("sources", "--db", db).output.split())
    assert "CC0-1.0 (5), CC-BY-4.0 (1), DL-DE-BY-2.0 (1), closed (1)" in table


def test_places_show_by_record_id_shows_sources(demo_db: str) -> None:
    entity = run_json("places", "show", "ruhr-demo:zeche-zollverein", "--db", demo_db)
    assert entity["name"]["de"] == "UNESCO-Welterbe Zollverein"
    assert entity["sources"] == ["ruhr-demo:zeche-zollverein"]
    assert entity["licence"] == "CC0-1.0"


# merges ----------------------------------------------------------------------------------------------------

def test_merge_split_record_own_entity_and_stays_split_on_reimport(tmp_path: Path, db: str) -> None:
    store = open_store(db)
    try:
        import_demo(store)
    finally:
        store.close()
    merged = run_json("places", "show", "db-stations:8000098", "--db", db)
    assert sorted(merged["sources"]) == ["db-stations:8000098", "ruhr-demo:bahnhof-essen-hbf"]

    result = run("merge", "split", "db-stations:8000098", "--db", db)
    assert result.exit_code == 0, result.output
    station = run_json("places", "show", "db-stations:8000098", "--db", db)
    attraction = run_json("places", "show", "ruhr-demo:bahnhof-essen-hbf", "--db", db)
    assert station["id"] != attraction["id"]
    assert (station["sources"], attraction["sources"]) == (["db-stations:8000098"], ["ruhr-demo:bahnhof-essen-hbf"])

    again = run_json("import", str(STATIONS), "--source", "db-stations", "--adapter", "db-stations",
                     "--within", "rvr", "--db", db, "--format", "json")
    after = run_json("places", "show", "db-stations:8000098", "--db", db)
    assert (again["new"], again["withdrawn"]) == (0, 0)
    assert (after["id"], after["sources"]) == (station["id"], ["db-stations:8000098"])


@pytest.mark.parametrize("args", [("merge", "split", "db-stations:nope"), ("merge", "join", "db-stations:nope",
                                                                            "dh-aaaaaaaaaaaa"),
                                  ("reprocess", "nope"), ("places", "show", "nope:1"),
                                  ("notices", "--source", "nope")])
def test_an_unknown_id_exits_1(args: tuple[str, ...], db: str) -> None:
    result = run(*args, "--db", db)
    assert result.exit_code == 1  # docs/cli.md: 1 for errors in data or an unknown id, 2 for usage
    assert "nope" in result.stderr


def test_merge_join_then_split_restores_separate_entities(tmp_path: Path, db: str) -> None:
    run_json("import", str(write(tmp_path, "all.csv", PLACES_CSV)), "--source", "halden", "--db", db,
             "--format", "json")
    target = run_json("places", "show", "halden:p1", "--db", db)["id"]
    left = run_json("places", "show", "halden:p2", "--db", db)["id"]
    count = len(PLACES_CSV.strip().splitlines()) - 1
    listed = lambda: [i["id"] for i in run_json("places", "search", "", "--db", db, "--limit", "100",  # noqa: E731
                                                "--format", "json")["items"]]
    assert run("merge", "join", "halden:p2", target, "--db", db).exit_code == 0
    joined = run_json("places", "show", "halden:p1", "--db", db)
    assert sorted(joined["sources"]) == ["halden:p1", "halden:p2"]
    assert left not in listed() and len(listed()) == count - 1  # the hub it left is not listed twice
    assert run("merge", "split", "halden:p2", "--db", db).exit_code == 0
    assert run_json("places", "show", "halden:p1", "--db", db)["sources"] == ["halden:p1"]
    assert run_json("places", "show", left, "--db", db)["sources"] == ["halden:p2"]  # its id is its own again
    assert left in listed() and len(listed()) == count


# other commands ----------------------------------------------------------------------------------------------

def test_sources_lists_demo_sources(demo_db: str) -> None:
    result = run("sources", "--db", demo_db)
    assert result.exit_code == 0
    assert "ruhr-demo" in result.output and "db-stations" in result.output


def test_notices_lists_stored_notices(tmp_path: Path, db: str) -> None:
    bad = write(tmp_path, "bad.csv", "id,name,lat,lon,licence\nx1,Nirgendwo,123.5,7.01,CC0-1.0\n")
    run("import", str(bad), "--source", "bad", "--db", db)
    result = run("notices", "--db", db)
    assert result.exit_code == 0
    assert "invalid_coordinates" in result.output


def test_notices_show_what_is_wrong_now_and_history_on_request(tmp_path: Path, db: str) -> None:
    rows = "".join(f"x{i},Nirgendwo {i},123.5,7.01,CC0-1.0\n" for i in range(3))
    path = write(tmp_path, "bad.csv", "id,name,lat,lon,licence\n" + rows)
    run("import", str(path), "--source", "bad", "--db", db)
    page = json.loads(run("notices", "--db", db, "--format", "json", "--limit", "2").stdout)
    assert ([n["code"] for n in page["notices"]], page["more"]) == (["invalid_coordinates"] * 2, True)
    assert "more than 2: --limit N" in " ".join(run("notices", "--db", db, "--limit", "2").stdout.split())
    write(tmp_path, "bad.csv", "id,name,lat,lon,licence\n" + rows.replace("123.5", "51.5"))  # fixed
    run("import", str(path), "--source", "bad", "--db", db)
    now = json.loads(run("notices", "--db", db, "--format", "json").stdout)
    every = json.loads(run("notices", "--db", db, "--format", "json", "--all").stdout)
    assert (now["notices"], len(every["notices"]), every["more"]) == ([], 3, False)



def test_reprocess_imported_source_all_unchanged(tmp_path: Path, db: str) -> None:
    run_json("import", str(write(tmp_path, "all.csv", PLACES_CSV)), "--source", "halden", "--db", db,
             "--format", "json")
    assert run("reprocess", "halden", "--db", db).exit_code == 0
    store = open_store(db)
    try:
        latest = store.list_imports("halden")[0]
    finally:
        store.close()
    assert (latest["status"], latest["stats"]["new"], latest["stats"]["unchanged"]) == ("ok", 0, 3)


def test_reprocess_prints_the_notices_of_the_run(tmp_path: Path, db: str) -> None:
    """A steward who reprocesses a source sees what is wrong with its data, as after an import: the summary
    alone read as if all was well."""
    bad = PLACES_CSV + "p4,Ohne Lage,,,CC0-1.0\np5,Doppelt,51.5,7.0,CC0-1.0\np5,Doppelt,51.5,7.0,CC0-1.0\n"
    run("import", str(write(tmp_path, "bad.csv", bad)), "--source", "halden", "--db", db)
    table = run("reprocess", "halden", "--db", db)
    assert table.exit_code == 0
    assert "duplicate_id" in table.output and "missing_coordinates" in table.output
    summary = run_json("reprocess", "halden", "--db", db, "--format", "json")
    assert (summary["notices"], summary["errors"]) == ({"duplicate_id": 1, "missing_coordinates": 1}, 1)
    assert run("reprocess", "halden", "--db", db, "--strict").exit_code == 1


def test_db_upgrade_twice_second_up_to_date(db: str) -> None:
    assert run("db", "upgrade", "--db", db).exit_code == 0
    assert "up to date" in run("db", "upgrade", "--db", db).output


def test_serve_refuses_an_unknown_event_loop(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATENHUB_EVENT_LOOP", "twisted")
    # serve points the datenhub logger at the runner's stream, which closes with the invocation
    monkeypatch.setattr(logging.getLogger("datenhub"), "handlers", [])
    result = run("serve", "--db", db)
    assert result.exit_code == 2
    assert "DATENHUB_EVENT_LOOP" in result.output


def test_piped_tables_keep_long_ids_whole(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'hub.db'}"
    open_store(db).close()
    sensor = "zollverein-besucherzentrum-haupteingang-zaehler-nord"
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}

    def piped(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "datenhub.cli", *args, "--db", db], capture_output=True,
                              text=True, env=env, check=True)
        return done.stdout

    piped("occupancy", "sensor", "add", sensor, "--place", "test:zollverein-besucherzentrum", "--kind", "people",
          "--capacity", "500")
    listed = piped("occupancy", "sensor", "list")
    assert sensor in listed and "test:zollverein-besucherzentrum" in listed  # 80 columns cut both short


@pytest.mark.parametrize("args", [("export", "--format", "jsonl"), ("sources",), ("notices",),
                                  ("places", "search", "zeche"), ("keys", "list")])
def test_a_mistyped_hub_path_is_a_usage_error_not_an_empty_hub(args: tuple[str, ...], tmp_path: Path) -> None:
    typo = tmp_path / "tippfehler.db"
    result = run(*args, "--db", f"sqlite:///{typo}")
    assert result.exit_code == 2 and "does not exist" in " ".join(result.stderr.split())
    assert not typo.exists()  # nothing made: a scheduled export publishes nothing without a word otherwise


def test_commands_that_fill_or_set_up_a_hub_start_a_new_one(tmp_path: Path) -> None:
    fresh, api_only = tmp_path / "neu.db", tmp_path / "cms.db"
    assert run("import", str(write(tmp_path, "orte.csv", PLACES_CSV)), "--source", "orte", "--db",
               f"sqlite:///{fresh}").exit_code == 0
    # a hub a CMS fills through the API starts with the CMS's key
    assert run("keys", "create", "--name", "CMS", "--scope", "source:cms:write", "--db",
               f"sqlite:///{api_only}").exit_code == 0
    assert fresh.exists() and api_only.exists()


def test_import_whose_worker_is_killed_says_so_and_exits_1(tmp_path: Path, db: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.pipeline.test_workers import dying_workers

    dying_workers(monkeypatch)
    places = write(tmp_path, "p.csv", PLACES_CSV)
    result = run("import", str(places), "--source", "p", "--db", db, "--workers", "2")
    assert result.exit_code == 1
    assert "killed by signal 9" in result.output and "--workers 1" in result.output


def test_reprocess_whose_worker_is_killed_says_so_and_exits_1(tmp_path: Path, db: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.pipeline.test_workers import dying_workers

    places = write(tmp_path, "p.csv", PLACES_CSV)
    assert run("import", str(places), "--source", "p", "--db", db).exit_code == 0
    monkeypatch.setenv("DATENHUB_IMPORT_WORKERS", "2")
    dying_workers(monkeypatch)
    result = run("reprocess", "p", "--db", db)
    assert result.exit_code == 1 and "killed by signal 9" in result.output


@pytest.mark.parametrize(("error", "said"), [
    ("psycopg", "lost the database while the command ran: terminating connection due to administrator command."),
    ("locked", "lost the database while the command ran: database is locked."),
])
def test_a_command_that_loses_its_database_says_so_in_a_line(  # type: ignore[no-untyped-def]
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: str,
        said: str) -> None:
    # `datenhub import` from a timer while PostgreSQL restarted (pg_terminate_backend) ended in a psycopg traceback
    import sqlite3

    import psycopg

    from datenhub.cli import main
    from datenhub.store.sqlite.store import SqliteStore

    def lost(*args: Any, **kwargs: Any) -> None:
        if error == "psycopg":
            raise psycopg.errors.AdminShutdown("terminating connection due to administrator command")
        raise sqlite3.OperationalError("database is locked")

    db = f"sqlite:///{tmp_path / 'hub.db'}"
    open_store(db).close()
    monkeypatch.setattr(SqliteStore, "sources_with_licences", lost)
    monkeypatch.setattr(sys, "argv", ["datenhub", "sources", "--db", db])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 1
    assert said in " ".join(capsys.readouterr().err.split())


def test_a_bug_of_a_statement_stays_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from datenhub.cli import main
    from datenhub.store.sqlite.store import SqliteStore

    def wrong(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError('near "SELEC": syntax error')

    db = f"sqlite:///{tmp_path / 'hub.db'}"
    open_store(db).close()
    monkeypatch.setattr(SqliteStore, "sources_with_licences", wrong)
    monkeypatch.setattr(sys, "argv", ["datenhub", "sources", "--db", db])
    with pytest.raises(sqlite3.OperationalError):
        main()
