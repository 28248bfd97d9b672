"""The PostgreSQL bulk write path (COPY into staging tables) and the area-search index; needs a server."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("psycopg")

import psycopg

from datenhub import hub
from datenhub.live.model import Method, OccupancyReading, Sensor, SensorKind
from datenhub.store import Query
from datenhub.store.base import HubEntity, StoredRecord, StoreError
from datenhub.store.postgres import deferred
from datenhub.store.postgres.store import PostgresStore
from tests.store.helpers import write_csv

BASE_URL = os.environ.get("DATENHUB_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not BASE_URL, reason="set DATENHUB_TEST_POSTGRES_URL to run against PostgreSQL")
T = datetime(2026, 5, 1, 12, tzinfo=UTC)



def _place(hub_id: str, name: str, lat: float, lon: float, withdrawn: datetime | None = None) -> HubEntity:
    data = {"id": hub_id, "kind": "place", "type": "Museum", "name": {"de": name}, "geo": {"lat": lat, "lon": lon},
            "licence": "CC0-1.0"}
    return HubEntity(hub_id, "place", data, data, f"sum-{name}", T, withdrawn)


def _record(record_id: str, hub_id: str, checksum: str) -> StoredRecord:
    return StoredRecord(record_id, "src", record_id.split(":", 1)[1], "place", hub_id, checksum,
                        {"id": record_id, "v": checksum, "licence": "CC0-1.0"}, T, T)


def test_one_transaction_many_batches_and_a_repeated_id_in_a_batch(pg: PostgresStore) -> None:
    with pg.transaction():
        pg.upsert_records([_record("src:a", "h1", "1"), _record("src:b", "h2", "1")])
        # the staging table is emptied between batches of one transaction; the last version of an id wins
        pg.upsert_records([_record("src:a", "h1", "2"), _record("src:c", "h3", "1"), _record("src:c", "h3", "2")])
        pg.upsert_entities([_place("h1", "Erste", 51.45, 7.01), _place("h1", "Zweite", 51.45, 7.01)])
        pg.upsert_entities([_place("h2", "Dritte", 51.46, 7.02)])
    assert {rid: pg.get_record(rid).checksum for rid in ("src:a", "src:b", "src:c")} == {  # type: ignore[union-attr]
        "src:a": "2", "src:b": "1", "src:c": "2"}
    assert [h["checksum"] for h in pg.record_history("src:a")] == ["1"]
    assert pg.get_entity("h1")["name"]["de"] == "Zweite"  # type: ignore[index]
    assert pg.get_entity("src:a")["id"] == "h1"  # type: ignore[index]  # a record id resolves in one statement


def test_failed_transaction_leaves_no_staging_table_behind_that_breaks_the_next(pg: PostgresStore) -> None:
    with pytest.raises(RuntimeError), pg.transaction():
        pg.upsert_entities([_place("h1", "Eins", 51.45, 7.01)])
        raise RuntimeError("abort")
    pg.upsert_entities([_place("h2", "Zwei", 51.45, 7.01)])
    assert pg.get_entity("h1") is None and pg.get_entity("h2") is not None


def test_area_search_boundary_withdrawn_and_page_order(pg: PostgresStore) -> None:
    pg.upsert_entities([_place("a", "Alpha", 51.40, 7.00), _place("b", "Beta", 51.50, 7.10),
                        _place("c", "Gamma", 51.45, 7.05), _place("d", "Delta", 51.45, 7.05, withdrawn=T),
                        _place("e", "Epsilon", 51.51, 7.05)])
    page = pg.search(Query(bbox=(7.0, 51.40, 7.10, 51.50), limit=2))
    assert [p["id"] for p in page.items] == ["a", "b"] and page.next_cursor
    rest = pg.search(Query(bbox=(7.0, 51.40, 7.10, 51.50), limit=2, cursor=page.next_cursor))
    assert [p["id"] for p in rest.items] == ["c"]
    near = pg.search(Query(near=(51.45, 7.05), radius=8000))
    assert [p["id"] for p in near.items][:1] == ["c"] and "d" not in [p["id"] for p in near.items]


def test_area_search_reads_the_point_index(pg: PostgresStore) -> None:
    with pg._conns.connection() as conn:
        conn.execute("SET enable_seqscan = off")
        try:
            plan = "\n".join(r[0] for r in conn.execute(
                "EXPLAIN SELECT id FROM entities e WHERE point(e.lon, e.lat) <@ box(point(7, 51), point(8, 52)) "
                "AND e.withdrawn_at IS NULL AND e.lat IS NOT NULL"))
        finally:
            conn.execute("RESET enable_seqscan")
    assert "entities_point" in plan


def test_readings_batch_with_new_repeated_and_conflicting_values(pg: PostgresStore) -> None:
    pg.upsert_sensor(Sensor("s1", "p1", SensorKind.PEOPLE, "src", 100))

    def reading(minute: int, count: int) -> OccupancyReading:
        return OccupancyReading("s1", T + timedelta(minutes=minute), count=count, capacity=100,
                                fraction=count / 100, method=Method.COUNT, received_at=T)

    first = pg.add_readings([reading(0, 10), reading(5, 20)])
    assert len(first.inserted) == 2
    write = pg.add_readings([reading(5, 20), reading(10, 30), reading(10, 31), reading(0, 99), reading(15, 40)])
    assert [r.count for r in write.inserted] == [30, 40]
    assert write.duplicates == 1
    assert sorted((new.count, kept.count) for new, kept in write.conflicts) == [(31, 30), (99, 10)]
    assert [r.count for r in pg.latest_readings(["s1"])] == [40]
    assert [r.count for r in pg.readings("s1")] == [10, 20, 30, 40]


def test_data_version_moves_with_entity_writes_and_imports(pg: PostgresStore) -> None:
    before = pg.data_version()
    pg.upsert_entities([_place("h1", "Eins", 51.45, 7.01)])
    after_write = pg.data_version()
    pg.start_import("src", "csv", None, T)
    assert before < after_write < pg.data_version()


def test_new_rows_go_straight_in_and_a_key_that_arrived_meanwhile_takes_the_upsert_path(
        pg: PostgresStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from datenhub.store.postgres.bulk import copy_new, known_keys

    pg.upsert_entities([_place("h1", "Zeche Eins", 51.45, 7.01)])
    pg.upsert_records([_record("src:a", "h1", "1")])
    with pg.transaction(), pg._conns.connection() as conn:
        assert known_keys(conn, "lexemes", "lexeme", ["zech", "halde"]) == {"zech"}
        # "zech" is there: the COPY stops at it and leaves nothing behind; the transaction goes on
        assert not copy_new(conn, "lexemes", ("lexeme",), [("halde",), ("zech",)])
        assert known_keys(conn, "lexemes", "lexeme", ["halde"]) == set()
        assert copy_new(conn, "lexemes", ("lexeme",), [("halde",)])
    with pg._conns.connection() as conn:
        assert known_keys(conn, "lexemes", "lexeme", ["zech", "halde", "ein"]) == {"zech", "halde", "ein"}
    # as if a concurrent import had written h1 and src:a after the check: the writes upsert them instead (records:
    # the next check knows src:a, and src:b alone is new, which the tallies count once)
    checks: list[list[str]] = []

    def late_keys(conn: Any, table: str, key: str, keys: list[str]) -> set[str]:
        checks.append(sorted(keys))
        return set() if len(checks) == 1 else known_keys(conn, table, key, keys)

    monkeypatch.setattr("datenhub.store.postgres.entities.known_keys", lambda *_: set())
    monkeypatch.setattr("datenhub.store.postgres.records.known_keys", late_keys)
    with pg.transaction():
        pg.upsert_entities([_place("h1", "Zeche Zwei", 51.45, 7.01), _place("h2", "Halde", 51.46, 7.02)])
        pg.upsert_records([_record("src:a", "h1", "2"), _record("src:b", "h2", "1")])
    assert checks == [["src:a", "src:b"]] * 2
    assert pg.get_entity("h1")["name"]["de"] == "Zeche Zwei" and pg.get_entity("h2") is not None  # type: ignore[index]
    assert pg.get_record("src:a").checksum == "2" and pg.get_record("src:b") is not None  # type: ignore[union-attr]
    assert [h["checksum"] for h in pg.record_history("src:a")] == ["1"]
    assert pg.record_licences() == {"src": {"CC0-1.0": 2}}
    # records that keep arriving meanwhile: the write gives up, naming the source
    monkeypatch.setattr("datenhub.store.postgres.records.known_keys", lambda *_: set())
    with pytest.raises(StoreError, match="other writers kept adding the same records of 'src'"), pg.transaction():
        pg.upsert_records([_record("src:a", "h1", "3")])
    assert pg.get_record("src:a").checksum == "2"  # type: ignore[union-attr]


def test_a_new_entity_and_an_upserted_one_are_stored_alike(pg: PostgresStore) -> None:
    pg.upsert_entities([_place("h1", "Zeche Eins", 51.45, 7.01), _place("h2", "Weg", 51.46, 7.02, withdrawn=T)])
    pg.upsert_entities([_place("h3", "Zeche Drei", 51.47, 7.03), _place("h1", "Zeche Eins", 51.45, 7.01)])
    columns = "id, lat, lon, tags, open_tsv::text, seq"
    with pg._conns.connection() as conn:
        rows = {r[0]: r for r in conn.execute(f"SELECT {columns} FROM entities")}
        if pg.postgis:  # straight in: hex EWKB written in Python; upserted: ST_MakePoint in SQL
            points = dict(conn.execute("SELECT id, ST_AsEWKT(geom) FROM entities").fetchall())
            assert points == {"h1": "SRID=4326;POINT(7.01 51.45)", "h2": None, "h3": "SRID=4326;POINT(7.03 51.47)"}
    assert rows["h1"][4] == "'ein':2 'museum':3 'zech':1" and rows["h2"][4] is None and rows["h3"][3] == rows["h1"][3]
    assert rows["h3"][5] < rows["h1"][5]  # rewritten after h3 in the same batch: a later change


def _index_definitions(pg: PostgresStore) -> list[str]:
    with pg.transaction() as conn:
        return [row[0] for row in conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN "
            "('entities', 'records') ORDER BY indexname")]


def test_the_first_import_into_an_empty_hub_builds_the_indexes_after_its_rows(  # type: ignore[no-untyped-def]
        pg: PostgresStore, tmp_path: Path, clock, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _index_definitions(pg)
    assert len(before) > 10
    seen: list[bool] = []
    original = deferred.indexes_after_load

    @contextlib.contextmanager
    def watched(conn: Any) -> Iterator[bool]:
        with original(conn) as off:
            seen.append(off)
            yield off

    monkeypatch.setattr(deferred, "indexes_after_load", watched)
    hub.import_file(pg, write_csv(tmp_path / "a.csv"), "a", clock=clock)
    hub.import_file(pg, write_csv(tmp_path / "b.csv"), "b", clock=clock)
    assert seen == [True, False]  # the second import has a hub beside it
    assert _index_definitions(pg) == before
    assert [p["name"]["de"] for p in pg.search(Query(q="zollverein")).items] == ["Zeche Zollverein"]


def test_a_failed_first_import_keeps_the_indexes(pg: PostgresStore, tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    before = _index_definitions(pg)

    def broken(*args: object) -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(pg, "write_prepared", broken)
    with pytest.raises(RuntimeError):
        hub.import_file(pg, write_csv(tmp_path / "a.csv"), "a", clock=clock)
    assert _index_definitions(pg) == before


def test_a_reader_holding_the_table_keeps_the_indexes_up_row_by_row(pg: PostgresStore) -> None:
    reader = psycopg.connect(pg._parsed.conninfo)
    try:
        reader.execute("SELECT count(*) FROM entities").fetchone()  # its transaction holds a share lock
        with pg.transaction() as conn, deferred.indexes_after_load(conn) as off:
            assert not off
            assert conn.execute("SHOW lock_timeout").fetchone()[0] == "0"  # the import's own setting is back
    finally:
        reader.close()
    with pg.transaction() as conn, deferred.indexes_after_load(conn) as off:
        assert off


def test_another_datenhub_process_on_the_hub_keeps_the_indexes_up(pg: PostgresStore) -> None:
    # a server's pool holds no locks while idle, but it is there: its requests must not wait for the import
    other = psycopg.connect(pg._parsed.conninfo, application_name=f"datenhub:999999:{pg._parsed.schema or 'public'}")
    try:
        with pg.transaction() as conn, deferred.indexes_after_load(conn) as off:
            assert not off
    finally:
        other.close()
    elsewhere = psycopg.connect(pg._parsed.conninfo, application_name="datenhub:999999:another_hub")
    try:  # a process serving another schema of the same database does not count
        with pg.transaction() as conn, deferred.indexes_after_load(conn) as off:
            assert off
    finally:
        elsewhere.close()
