"""Imports: idempotent, transactional, withdrawing, merging across sources with licence-aware views."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from datenhub import hub
from datenhub.notices import Severity
from datenhub.store import Query, Store
from tests.store.helpers import ROWS, write_csv

STATION_ROWS = [["s1", "Essen Hbf", "Verkehr", "51.45135", "7.01479", "CC-BY-4.0", "", "yes"]]
DEMO_STATION = [["essen-hbf", "Essen Hauptbahnhof", "Verkehr", "51.4513", "7.0140", "CC0-1.0",
                 "Zentraler Bahnhof mit Fernverkehr", "yes"]]


def test_import_same_file_twice_reports_all_unchanged(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "a.csv")
    first = hub.import_file(store, path, "test", clock=clock)
    second = hub.import_file(store, path, "test", clock=clock)
    assert (first.new, first.changed, first.unchanged) == (len(ROWS), 0, 0)
    assert (second.new, second.changed, second.unchanged, second.withdrawn) == (0, 0, len(ROWS), 0)


def test_import_failure_midway_leaves_previous_state(store: Store, tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    before = store.counts()
    entity_before = store.get_entity("test:z1")
    rows = [list(r) for r in ROWS] + [["n1", "Neu", "Museum", "51.5", "7.1", "CC0-1.0", "", "yes"]]
    rows[0][1] = "Umbenannt"

    def boom(entities):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr("datenhub.pipeline.prepare.enrich_all", boom)
    with pytest.raises(RuntimeError):
        hub.import_file(store, write_csv(tmp_path / "b.csv", rows), "test", clock=clock)
    after = store.counts()
    assert {k: v for k, v in after.items() if k != "raw_inputs"} == {
        k: v for k, v in before.items() if k != "raw_inputs"}
    assert after["raw_inputs"] == before["raw_inputs"] + 1  # the raw input is kept for re-processing
    assert store.get_entity("test:z1") == entity_before
    assert store.list_imports("test")[0]["status"] == "failed"


def test_import_merges_same_station_from_two_sources(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    hub.import_file(store, write_csv(tmp_path / "demo.csv", DEMO_STATION), "demo", priority=10, clock=clock)
    result = hub.import_file(store, write_csv(tmp_path / "db.csv", STATION_ROWS), "db", priority=50,
                             attribution="DB", clock=clock)
    assert result.merged == 1
    merged = store.get_entity("db:s1")
    assert merged == store.get_entity("demo:essen-hbf")
    assert sorted(merged["sources"]) == ["db:s1", "demo:essen-hbf"]  # type: ignore[index]
    assert merged["name"]["de"] == "Essen Hauptbahnhof"  # type: ignore[index]  # priority 10 wins
    assert merged["provenance"]["name"]["source"] == "demo"  # type: ignore[index]
    assert store.counts()["places"] == 1


def test_merge_with_closed_record_keeps_open_view_clean(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    hub.import_file(store, write_csv(tmp_path / "demo.csv", DEMO_STATION), "demo", priority=50, clock=clock)
    closed = [["x", "Essen Hbf", "Verkehr", "51.45135", "7.01479", "closed", "Intern: Schlüssel am Schalter", "yes"]]
    hub.import_file(store, write_csv(tmp_path / "closed.csv", closed), "internal", priority=1, clock=clock)
    public = store.get_entity("demo:essen-hbf")
    private = store.get_entity("demo:essen-hbf", include_closed=True)
    assert public is not None and private is not None
    assert public["licence"] == "CC0-1.0" and public["sources"] == ["demo:essen-hbf"]
    assert "Schlüssel" not in str(public)
    assert private["licence"] == "closed" and private["description"]["de"].startswith("Intern")
    assert store.search(Query(q="Schlüssel")).items == []


def test_split_undoes_merge_and_survives_reimport(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    hub.import_file(store, write_csv(tmp_path / "demo.csv", DEMO_STATION), "demo", priority=10, clock=clock)
    db_file = write_csv(tmp_path / "db.csv", STATION_ROWS)
    hub.import_file(store, db_file, "db", clock=clock, attribution="DB")
    new_hub = hub.split_record(store, "db:s1", clock=clock)
    assert store.get_entity("db:s1")["id"] == new_hub  # type: ignore[index]
    assert store.get_entity("demo:essen-hbf")["sources"] == ["demo:essen-hbf"]  # type: ignore[index]
    changed = [list(STATION_ROWS[0])]
    changed[0][6] = "neu beschrieben"
    hub.import_file(store, write_csv(tmp_path / "db2.csv", changed), "db", clock=lambda: clock() + timedelta(hours=1),
                    attribution="DB")
    assert store.counts()["places"] == 2


def test_splitting_a_record_alone_in_its_entity_changes_nothing(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    before = store.get_entity("test:p1")
    places = store.counts()["places"]
    assert before is not None and hub.split_record(store, "test:p1", clock=clock) == before["id"]
    # no second entity of the same place, no empty one left behind; the record stays alone on later imports
    assert store.counts()["places"] == places and store.get_entity("test:p1") == before
    assert store.overrides()["test:p1"] == ("split", before["id"])


def test_full_import_withdraws_missing_but_partial_does_not(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    partial = hub.import_file(store, write_csv(tmp_path / "b.csv", ROWS[:2]), "test", clock=clock, full=False)
    assert partial.withdrawn == 0
    full = hub.import_file(store, write_csv(tmp_path / "c.csv", ROWS[:2]), "test", clock=clock)
    assert full.withdrawn == len(ROWS) - 2
    assert store.counts()["records"] == len(ROWS)  # nothing deleted
    back = hub.import_file(store, write_csv(tmp_path / "d.csv"), "test", clock=clock)
    assert (back.restored, back.changed) == (len(ROWS) - 2, 0)  # withdrawn records come back: restored


def test_reprocess_uses_kept_raw_input(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "a.csv")
    hub.import_file(store, path, "test", clock=clock)
    path.unlink()
    result = hub.reprocess(store, "test", clock=clock)
    assert result.unchanged == len(ROWS)


def test_reprocess_never_runs_a_write_through_the_api_again(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    from datenhub.pipeline.writes import withdraw_record, write_records

    written = b'{"id": "w1", "name": "Neue Halde", "geo": {"lat": 51.52, "lon": 6.95}, "licence": "CC0-1.0"}'
    write_records(store, "cms", written, clock=clock)
    with pytest.raises(LookupError, match="only ever written through the API"):
        hub.reprocess(store, "cms", clock=clock)
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    write_records(store, "test", b'{"id": "w2", "name": "Schurenbachhalde", "geo": {"lat": 51.47, "lon": 6.99}, '
                                 b'"licence": "CC0-1.0"}', clock=clock)
    assert withdraw_record(store, "test:w2", clock=clock)  # deleted through the API
    with pytest.raises(LookupError, match="1 write\\(s\\) through the API since its last import"):
        hub.reprocess(store, "test", clock=clock)
    assert store.get_entity("test:w2") is None  # it did not come back


def test_reprocess_runs_the_kept_input_with_the_settings_it_was_imported_with(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    path = tmp_path / "orte.csv"
    path.write_text("Nr;Bezeichnung;Breite;Länge;Zeiten\n1;Kunsthalle;51,45;7,01;Di-So 10-18 Uhr\n"
                    "2;Marienplatz;48,137;11,575;Mo-Fr 9-17 Uhr\n", encoding="utf-8")
    mapping = tmp_path / "orte.toml"
    mapping.write_text('[fields]\nid = "Nr"\n"name.de" = "Bezeichnung"\nlat = "Breite"\nlon = "Länge"\n'
                       'opening_hours_text = "Zeiten"\n[constants]\ncategory = "Museum"\n', encoding="utf-8")
    first = hub.import_file(store, path, "orte", mapping=mapping, licence="CC-BY-4.0", attribution="Stadt X",
                            within="rvr", clock=clock)
    assert (first.new, first.outside) == (1, 1)
    before = store.get_entity("orte:1")
    again = hub.reprocess(store, "orte", clock=clock)
    assert (again.new, again.changed, again.unchanged, again.outside) == (0, 0, 1, 1)  # Munich stays out
    after = store.get_entity("orte:1")
    assert after == before and after is not None
    assert after["opening_hours"] == "Tu-Su 10:00-18:00" and after["categories"] == ["Museum"]
    assert after["licence"] == "CC-BY-4.0"
    # an import that ran before settings were kept: refused with what to do, not run without its mapping
    store.finish_import(again.import_id or 0, "ok", {k: v for k, v in again.summary().items()}, clock())
    with pytest.raises(LookupError, match="import the file again"):
        hub.reprocess(store, "orte", clock=clock)


def test_a_skipped_input_counts_its_restored_records_as_unchanged(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    hub.import_file(store, write_csv(tmp_path / "all.csv"), "test", clock=clock)
    hub.import_file(store, write_csv(tmp_path / "few.csv", ROWS[:2]), "test", clock=clock)
    back = hub.import_file(store, tmp_path / "all.csv", "test", clock=clock)
    assert back.restored == len(ROWS) - 2
    skipped = hub.import_file(store, tmp_path / "all.csv", "test", clock=clock)
    assert skipped.skipped and skipped.unchanged == len(ROWS)


def test_the_same_input_after_a_delete_through_the_api_brings_the_record_back(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    """The input no longer says what the source holds once one of its records was withdrawn outside an import: the
    same file (or the same write body) again is run, not skipped as unchanged while the record stays withdrawn."""
    from datenhub.pipeline.writes import withdraw_record

    path = write_csv(tmp_path / "a.csv")
    hub.import_file(store, path, "test", clock=clock)
    record_id = f"test:{ROWS[0][0]}"
    assert withdraw_record(store, record_id, clock)
    again = hub.import_file(store, path, "test", clock=clock)
    assert not again.skipped and again.restored == 1
    record = store.get_record(record_id)
    assert record is not None and record.withdrawn_at is None
    assert hub.import_file(store, path, "test", clock=clock).skipped  # nothing withdrawn since: skipped again


def test_same_input_same_settings_skips_force_reruns_checks(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "a.csv")
    hub.import_file(store, path, "test", clock=clock)
    skipped = hub.import_file(store, path, "test", clock=clock)
    assert skipped.skipped and (skipped.new, skipped.changed, skipped.unchanged) == (0, 0, len(ROWS))
    assert skipped.report.by_code() == {"input_unchanged": 1}
    forced = hub.import_file(store, path, "test", clock=clock, force=True)
    assert not forced.skipped and forced.unchanged == len(ROWS)
    other_settings = hub.import_file(store, path, "test", clock=clock, licence="CC0-1.0")
    assert not other_settings.skipped  # different defaults can change the outcome: checks run again


def test_single_record_view_equals_the_general_merge(store: Store, clock) -> None:  # type: ignore[no-untyped-def]
    from datenhub.demo import import_demo
    from datenhub.pipeline.merge import contested_view, single_view

    import_demo(store, clock)
    hubs = store.records_of_hubs([e["id"] for e in store.iter_entities(include_closed=True)])
    records = [r for members in hubs.values() for r in members]
    assert len(records) > 300
    for record in records:
        assert single_view("dh-x", record, record.first_seen) == contested_view("dh-x", [record], record.first_seen)


def test_merge_candidates_leave_out_the_importing_source(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    hub.import_file(store, write_csv(tmp_path / "demo.csv", DEMO_STATION), "demo", priority=10, clock=clock)
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    everyone = store.merge_candidates("place")
    others = store.merge_candidates("place", exclude_source="test")
    assert {c.hub_id for c in others} == {c.hub_id for c in everyone if "test" not in c.sources}
    assert [c.sources for c in others] == [("demo",)]
    assert others[0].name == "Essen Hauptbahnhof"


def test_enrichment_notices_stay_what_is_wrong_now(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "a.csv"
    rows = "id,name,lat,lon,licence\no1,Osnabrücker Dom,52.2776,8.0437,CC0-1.0\nm1,Münster Dom,51.9629,7.6257,CC0-1.0\n"
    path.write_text(rows, encoding="utf-8")
    runs = [hub.import_file(store, path, "dom", clock=clock)]
    path.write_text(rows + "z1,Zeche Zollverein,51.4862,7.0406,CC0-1.0\n", encoding="utf-8")  # the others as before
    runs.append(hub.import_file(store, path, "dom", clock=clock))
    runs.append(hub.import_file(store, path, "dom", clock=clock, force=True))  # every record checked afresh
    for result in runs:
        assert result.report.by_code() == {"outside_nrw": 1, "outside_rvr": 1}
    current = store.list_notices(source="dom", current=True)
    assert sorted((n.code, n.location.row, n.location.entity_id) for n in current) == [
        ("outside_nrw", 2, "o1"), ("outside_rvr", 3, "m1")]


def test_a_record_the_adapter_holds_back_counts_as_rejected(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "feed.ics"
    path.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//DE\r\n"
                    "BEGIN:VEVENT\r\nUID:ok@x\r\nDTSTART:20270105T140000Z\r\nSUMMARY:Führung\r\nEND:VEVENT\r\n"
                    "BEGIN:VEVENT\r\nUID:two@x\r\nDTSTART:20270105T140000Z\r\nDTSTART:20270106T140000Z\r\n"
                    "SUMMARY:Doppelt\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", encoding="utf-8")
    result = hub.import_file(store, path, "feed", clock=clock, licence="CC0-1.0")
    assert (result.new, result.rejected, result.report.count(Severity.ERROR)) == (1, 1, 1)
    assert hub.validate_file(path, licence="CC0-1.0").by_code()["duplicate_property"] == 1


def test_a_record_rejected_this_time_keeps_its_published_version(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    broken = [list(row) for row in ROWS]
    broken[0][1] = ""  # no name
    broken[1][3] = "abc"  # no latitude
    again = hub.import_file(store, write_csv(tmp_path / "b.csv", broken), "test", clock=clock)
    # each row counted once: two rejected, the rest unchanged, nothing withdrawn
    assert (again.rejected, again.withdrawn, again.unchanged) == (2, 0, len(ROWS) - 2)
    assert again.report.by_code()["previous_version_kept"] == 2
    kept = store.get_entity(f"test:{ROWS[0][0]}")
    assert kept is not None and kept["name"]["de"] == ROWS[0][1] and not kept.get("withdrawn_at")


def test_the_source_lists_its_licence_as_its_records_carry_it(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock,
                    licence="Datenlizenz Deutschland – Namensnennung – Version 2.0", attribution="Stadt X")
    info = store.get_source("test")
    assert info is not None and info.licence == "DL-DE-BY-2.0"


def test_a_file_that_delivers_nothing_leaves_the_source_as_it_was(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock, licence="DL-DE-BY-2.0",
                    attribution="Stadt Bochum")
    empty = tmp_path / "leer.csv"
    empty.write_text("foo;bar\n1;2\n", encoding="utf-8")  # no column the import knows
    result = hub.import_file(store, empty, "test", clock=clock, licence="CC0-1.0", attribution="jemand")
    assert result.report.count(Severity.ERROR) and not (result.new or result.unchanged)
    info = store.get_source("test")
    assert info is not None and (info.licence, info.attribution) == ("DL-DE-BY-2.0", "Stadt Bochum")
    hub.import_file(store, write_csv(tmp_path / "b.csv"), "test", clock=clock, licence="CC-BY-4.0",
                    attribution="Stadt Bochum")  # records delivered: the source says what it says now
    assert store.get_source("test").licence == "CC-BY-4.0"  # type: ignore[union-attr]


def test_a_join_leaves_no_second_entity_and_a_split_gives_the_id_back(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    first, second = (f"test:{ROWS[0][0]}", f"test:{ROWS[1][0]}")
    target, left = (store.get_entity(rid)["id"] for rid in (first, second))  # type: ignore[index]

    def listed() -> list[str]:
        return [i["id"] for i in store.search(Query(kind="place", limit=100)).items]

    before = len(listed())
    hub.join_record(store, second, target, clock=clock)
    assert left not in listed() and len(listed()) == before - 1
    assert store.get_entity(left)["id"] == target  # type: ignore[index]  # the old id leads to where it went
    hub.split_record(store, second, clock=clock)
    assert left in listed() and store.get_entity(left)["sources"] == [second]  # type: ignore[index]


def test_a_record_under_a_new_id_joins_the_place_its_old_id_was_part_of(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    folkwang = next(row for row in ROWS if row[1] == "Museum Folkwang")
    old = hub.import_file(store, write_csv(tmp_path / "f1.csv", [["f1", *folkwang[1:]]]), "essen", clock=clock)
    renamed = hub.import_file(store, write_csv(tmp_path / "f2.csv", [["f2", *folkwang[1:]]]), "essen", clock=clock)
    assert (old.merged, renamed.new, renamed.withdrawn, renamed.merged) == (1, 1, 1, 1)
    found = [sorted(i["sources"]) for i in store.search(Query(kind="place", q="Folkwang")).items]
    assert found == [["essen:f2", f"test:{folkwang[0]}"]]  # one place, not the museum twice


def test_a_partial_import_keeps_the_notices_of_the_records_it_did_not_deliver(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    rows = [list(row) for row in ROWS]
    rows[0][7] = "vielleicht"  # not a wheelchair value: a WARNING about that record
    hub.import_file(store, write_csv(tmp_path / "a.csv", rows), "test", clock=clock)

    def current() -> list[tuple[str, str | None]]:
        return sorted((n.code, n.location.entity_id) for n in store.list_notices(source="test", current=True))

    before = current()
    assert ("invalid_wheelchair", rows[0][0]) in before
    extra = [["neu1", "Neue Halde", "Panorama", "51.50", "7.10", "CC0-1.0", "", "vielleicht"]]
    hub.import_file(store, write_csv(tmp_path / "b.csv", extra), "test", clock=clock, full=False, force=True)
    after = current()
    assert ("invalid_wheelchair", rows[0][0]) in after and ("invalid_wheelchair", "neu1") in after
    assert len(after) == len(before) + 1
    from datenhub.pipeline.writes import withdraw_record

    assert withdraw_record(store, f"test:{rows[0][0]}", clock=clock)  # deleted through the API
    assert ("invalid_wheelchair", rows[0][0]) not in current() and ("invalid_wheelchair", "neu1") in current()
