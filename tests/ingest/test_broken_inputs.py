"""Broken inputs end in notices, never in exceptions, tracebacks or a half-written store."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest
from ingest_corpus import CASES, CORPUS, FIXED_NOW, Case, fixed_clock, write_deep_json, write_oversized_csv
from typer.testing import CliRunner

from datenhub import hub
from datenhub.checks import CheckContext, build
from datenhub.cli import app
from datenhub.ingest.base import AdapterOptions, Draft, RawInput
from datenhub.ingest.registry import ADAPTERS, get_adapter, load_builtins
from datenhub.notices import Notice, Severity
from datenhub.store import open_store

STATE_KEYS = ("places", "events", "records", "withdrawn")


def state(url: str) -> dict[str, int]:
    store = open_store(url)
    try:
        counts = store.counts()
    finally:
        store.close()
    return {k: counts[k] for k in STATE_KEYS}


def baseline_db(tmp_path: Path, source: str = "baseline") -> str:
    """A store that already holds two places, so a bad import has something to damage."""
    url = "sqlite:///" + str(tmp_path / "hub.db")
    path = tmp_path / "baseline.csv"
    path.write_text("id,name,lat,lon,licence\nn1,Nordsternturm,51.5281,7.0333,CC0-1.0\n"
                    "n2,Halde Haniel,51.5460,6.9000,CC0-1.0\n", encoding="utf-8")
    store = open_store(url)
    try:
        hub.import_file(store, path, source, clock=fixed_clock)
    finally:
        store.close()
    return url


def read_all(adapter: str, path: Path) -> list[Draft | Notice]:
    raw = RawInput.from_path(path, "test", FIXED_NOW)
    return list(get_adapter(adapter).read(raw, AdapterOptions("test")))


def entities(path: Path, adapter: str = "csv", licence: str | None = None) -> list:
    ctx = CheckContext("test", {"licence": licence} if licence else {})
    built = [build(item, ctx)[0] for item in read_all(adapter, path) if isinstance(item, Draft)]
    return [e for e in built if e is not None]


def flat(output: str) -> str:
    """Rich wraps and folds table cells; compare without any whitespace."""
    return "".join(output.split())


# validate_file ------------------------------------------------------------------------------------------------

def test_validate_file_broken_input_reports_expected_notices(case: Case, tmp_path: Path) -> None:
    report = hub.validate_file(case.path(tmp_path))
    assert report.flatten(list(case.keys)) == case.expected


def test_validate_cli_broken_input_exits_cleanly_with_notice_codes(case: Case, tmp_path: Path) -> None:
    path = case.path(tmp_path)
    result = CliRunner().invoke(app, ["validate", str(path), "--strict"])
    assert result.exit_code == (1 if hub.validate_file(path).has_errors else 0), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for row in case.expected:
        assert str(row[-1]) in flat(result.output)


# import through the CLI ---------------------------------------------------------------------------------------

def test_import_cli_broken_input_changes_store_only_by_accepted_records(case: Case, tmp_path: Path) -> None:
    url = baseline_db(tmp_path)
    before = state(url)
    result = CliRunner().invoke(app, ["import", str(case.path(tmp_path)), "--source", "broken", "--db", url,
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert result.exception is None
    summary = json.loads(result.stdout)
    assert summary["notices"] == dict(Counter(str(row[-1]) for row in case.expected))
    assert summary["new"] == case.accepted
    after = state(url)
    assert after == {**before, "places": before["places"] + case.accepted,
                     "records": before["records"] + case.accepted}


@pytest.mark.parametrize("name", ["billion_laughs.osm", "garbage.csv"])
def test_datenhub_command_broken_input_prints_message_without_traceback(name: str, tmp_path: Path) -> None:
    # One real process: CliRunner catches exceptions, a user's terminal does not.
    exe = Path(sys.executable).with_name("datenhub")
    if not exe.exists():
        pytest.skip(f"the datenhub console script is not installed next to {sys.executable}")
    url = "sqlite:///" + str(tmp_path / "hub.db")
    proc = subprocess.run([str(exe), "import", str(CORPUS / name), "--source", "broken", "--db", url, "--strict"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "rejected" in proc.stdout


# the store after failed or rejected imports ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["invalid.geojson", "empty.csv", "garbage.csv"])
def test_import_file_unreadable_file_same_source_keeps_previous_records(name: str, tmp_path: Path) -> None:
    url = baseline_db(tmp_path, source="feed")
    before = state(url)
    store = open_store(url)
    try:
        result = hub.import_file(store, CORPUS / name, "feed", clock=fixed_clock)
    finally:
        store.close()
    assert (result.withdrawn, state(url)) == (0, before)


def test_import_file_failure_inside_transaction_leaves_previous_state(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    url = baseline_db(tmp_path)
    before = state(url)
    store = open_store(url)
    try:
        def explode(*args: object, **kwargs: object) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(store, "write_prepared", explode)  # the import's batch writes
        with pytest.raises(RuntimeError, match="disk full"):
            hub.import_file(store, CORPUS / "swapped.csv", "other", clock=fixed_clock)
        assert store.list_imports("other")[0]["status"] == "failed"
    finally:
        store.close()
    assert state(url) == before


# what the corpus must decode to ------------------------------------------------------------------------------

def test_csv_adapter_windows_1252_without_declaration_decodes_umlauts() -> None:
    names = [e.name["de"] for e in entities(CORPUS / "cp1252.csv")]
    assert names == ["Schloss Broich Mülheim", "Jahrhunderthalle Bochum – Größe",
                     "Kokerei Hansa Dortmund-Huckarde: Überblick", "Hößstraße Grünfläche"]


def test_csv_adapter_windows_1252_without_declaration_emits_info() -> None:
    notices = [i for i in read_all("csv", CORPUS / "cp1252.csv") if isinstance(i, Notice)]
    assert [(n.code, n.severity) for n in notices] == [("encoding_detected", Severity.INFO)]


@pytest.mark.parametrize(("encoding", "notices"), [
    ("utf-16", []),  # Excel's "Unicode text": a byte order mark, tabs, little-endian
    ("utf-16-le", [("encoding_detected", Severity.INFO)]),
    ("utf-16-be", [("encoding_detected", Severity.INFO)]),
])
def test_csv_adapter_reads_utf16_exports(tmp_path: Path, encoding: str, notices: list[tuple[str, Severity]]) -> None:
    path = tmp_path / "export.txt"
    path.write_text("id\tname\tlat\tlon\r\nu1\tMüngstener Brücke – Eintritt 5 €\t51.486\t7.045\r\n", encoding=encoding)
    assert [e.name["de"] for e in entities(path, licence="CC0-1.0")] == ["Müngstener Brücke – Eintritt 5 €"]
    assert [(n.code, n.severity) for n in read_all("csv", path) if isinstance(n, Notice)] == notices


def test_csv_adapter_reads_utf16_with_emoji_without_mark_and_as_declared(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("id\tname\tlat\tlon\r\nu1\tZeche 😀 Zollverein\t51.486\t7.045\r\n", encoding="utf-16-le")
    for mapping in (None, {"csv": {"encoding": "utf-16-le"}}):  # a mapping of [csv] only reads common headers
        raw = RawInput.from_path(path, "test", FIXED_NOW)
        items = list(get_adapter("csv").read(raw, AdapterOptions("test", mapping=mapping)))
        assert [i.data["name"]["de"] for i in items if isinstance(i, Draft)] == ["Zeche 😀 Zollverein"], items


def test_csv_adapter_utf8_bom_header_recognised() -> None:
    assert [(e.id, e.name["de"]) for e in entities(CORPUS / "bom.csv")] == [
        ("test:b1", "Gasometer Oberhausen"), ("test:b2", "Landschaftspark Duisburg-Nord")]


def test_csv_adapter_semicolon_delimiter_reads_decimal_commas() -> None:
    assert [(e.id, e.geo.lat, e.geo.lon) for e in entities(CORPUS / "semicolon.csv")] == [
        ("test:s1", 51.5237, 7.3318), ("test:s2", 51.5148, 7.4525)]


def test_csv_adapter_swapped_coordinates_corrected() -> None:
    [entity] = entities(CORPUS / "swapped.csv")
    assert (entity.geo.lat, entity.geo.lon) == (51.4862, 7.0406)


def test_csv_adapter_duplicate_ids_first_wins() -> None:
    assert [e.name["de"] for e in entities(CORPUS / "duplicate_ids.csv")] == ["Zeche Zollverein"]


def test_json_loading_100k_deep_bounded_time(tmp_path: Path) -> None:
    path = write_deep_json(tmp_path)
    started = time.perf_counter()
    items = read_all("geojson", path)
    assert time.perf_counter() - started < 5
    assert [(n.code, n.severity) if isinstance(n, Notice) else n for n in items] == [("json_too_deep", Severity.ERROR)]


def test_csv_adapter_10mb_field_cut_with_bounded_memory_and_time(tmp_path: Path) -> None:
    path = write_oversized_csv(tmp_path)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        report = hub.validate_file(path)
        [entity] = entities(path)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 20
    assert peak < 400 * 1024 * 1024  # a few copies of 10 MB, not quadratic growth
    assert len(entity.description["de"]) == 20_000
    assert [len(n.value or "") for n in report] == [120]  # the notice quotes a shortened value


def test_osm_adapter_entity_bomb_refused_quickly() -> None:
    started = time.perf_counter()
    items = read_all("osm", CORPUS / "billion_laughs.osm")
    assert time.perf_counter() - started < 2
    assert [n.code if isinstance(n, Notice) else n for n in items] == ["xml_entities_refused"]


def test_geojson_adapter_non_object_feature_keeps_valid_features() -> None:
    items = read_all("geojson", CORPUS / "non_object_feature.geojson")
    assert [(type(i).__name__, i.local_id if isinstance(i, Draft) else i.code) for i in items] == [
        ("Notice", "invalid_feature"), ("Draft", "f2")]


def test_jsonld_adapter_bad_node_keeps_valid_nodes() -> None:
    items = read_all("jsonld", CORPUS / "bad_node.jsonld")
    assert [(type(i).__name__, i.local_id if isinstance(i, Draft) else i.code) for i in items] == [
        ("Notice", "invalid_jsonld_node"), ("Draft", "m1")]


def test_csv_adapter_truncated_in_last_quoted_field_reports_notice() -> None:
    report = hub.validate_file(CORPUS / "truncated_last_field.csv")
    assert [row for row in report.flatten(["row", "code"]) if row[0] in (3, None)] != []


def test_ical_adapter_unbalanced_calendar_reports_error() -> None:
    report = hub.validate_file(CORPUS / "unbalanced.ics")
    assert report.has_errors


# every adapter on every broken file ---------------------------------------------------------------------------

def _corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.is_file())


def _adapter_names() -> list[str]:
    load_builtins()
    return sorted(ADAPTERS)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("adapter", _adapter_names())
def test_adapter_read_any_corpus_file_never_raises(adapter: str, tmp_path: Path) -> None:
    for path in [*_corpus_files(), write_deep_json(tmp_path)]:
        items = read_all(adapter, path)
        assert all(isinstance(i, Draft | Notice) for i in items), path.name


def test_corpus_cases_cover_every_checked_in_file() -> None:
    used = {c.file for c in CASES if isinstance(c.file, str)}
    extra = {"truncated_last_field.csv", "unbalanced.ics"}  # covered by their own tests above
    assert {p.name for p in _corpus_files()} == used | extra
