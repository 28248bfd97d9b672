"""What only the PostgreSQL backend has: URL options, connection errors, pinned transactions, PostGIS detection.

The shared behaviour is tested by tests/store/test_contract.py; these tests run only where psycopg is installed,
and the ones that need a server only when DATENHUB_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytest.importorskip("psycopg")
pytest.importorskip("psycopg_pool")

from datenhub.store import Query, StoreError, open_store
from datenhub.store.base import SourceInfo
from datenhub.store.cells import AREA_LEVELS
from datenhub.store.postgres.connection import parse_url
from datenhub.store.postgres.fulltext import tsquery_literal, tsvector_literal
from datenhub.store.postgres.store import PostgresStore

BASE_URL = os.environ.get("DATENHUB_TEST_POSTGRES_URL")
needs_server = pytest.mark.skipif(not BASE_URL, reason="set DATENHUB_TEST_POSTGRES_URL to run against PostgreSQL")



def test_parse_url_schema_sets_search_path_and_strips_our_params() -> None:
    parsed = parse_url("postgres://u@db.example:6543/hub?schema=ruhr&pool_max=4&sslmode=require")
    assert parsed.schema == "ruhr" and parsed.pool_max == 4
    assert "schema=" not in parsed.conninfo and "pool_max" not in parsed.conninfo
    assert "search_path%3Druhr%2Cpublic" in parsed.conninfo and "sslmode=require" in parsed.conninfo


def test_parse_url_bad_schema_name_raises_store_error() -> None:
    with pytest.raises(StoreError, match="schema"):
        parse_url("postgresql://u@h/db?schema=Robert'); DROP")


def test_open_unreachable_server_raises_store_error_naming_host_and_port() -> None:
    with pytest.raises(StoreError, match=r"127\.0\.0\.1:1\b.*Check that the server runs"):
        open_store("postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=2")


def test_fulltext_literals_every_term_last_as_prefix() -> None:
    assert tsquery_literal("Zechen Zollv") == "'zech' & 'zollv':*"
    assert tsquery_literal("  ,, ") is None
    assert tsvector_literal("zech zollverein zech") == "'zech':1,3 'zollverein':2"
    lexemes = {"zollv": ["zollv", "zollverein"], "zollverein": ["zollverein"]}
    assert tsquery_literal("Zeche Zollv", lexemes.get) == "'zech' & ('zollv' | 'zollverein')"
    assert tsquery_literal("Zeche Zollverein", lexemes.get) == "'zech' & 'zollverein'"  # nothing longer: exact
    assert tsquery_literal("Zeche Zollern", lexemes.get) == "'zech' & 'zoll':*"  # (stem "zoll") many: a prefix


@needs_server
def test_migrate_twice_records_each_migration_once(pg: PostgresStore) -> None:
    assert pg.migrate() == []
    with pg.transaction() as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
        has_geometry = conn.execute("SELECT to_regtype('geometry') IS NOT NULL").fetchone()[0]
    assert "0001_foundation" in names
    assert pg.postgis == has_geometry == ("0002_postgis" in names)


@needs_server
def test_documents_are_compressed_with_lz4_where_the_server_has_it(pg: PostgresStore, clock) -> None:  # type: ignore[no-untyped-def]
    import psycopg

    from datenhub.store.base import HubEntity

    with pg.transaction() as conn:
        try:
            with conn.transaction():  # a savepoint: the probe table goes again
                conn.execute("CREATE TEMP TABLE lz4_probe (x text COMPRESSION lz4)")
                raise psycopg.Rollback()
        except psycopg.errors.FeatureNotSupported:
            pytest.skip("this PostgreSQL server was built without lz4; migration 0015 leaves pglz")
        method = conn.execute("SELECT attcompression FROM pg_attribute WHERE attrelid = 'entities'::regclass "
                              "AND attname = 'data'").fetchone()[0]
    assert method == "l"
    # a document long enough to be compressed (rows over ~2 KB), with text that compresses
    data = {"id": "dh-lz4", "kind": "place", "type": "Museum", "name": {"de": "Museum"},
            "description": {"de": "Zeche Zollverein " * 300}, "sources": ["t:1"]}
    pg.upsert_entities([HubEntity("dh-lz4", "place", data, data, "c", clock())])
    with pg.transaction() as conn:
        used = conn.execute("SELECT pg_column_compression(data) FROM entities WHERE id = 'dh-lz4'").fetchone()[0]
    assert used == "lz4"
    assert pg.get_entity("dh-lz4") == data


def _planner_rows(pg: PostgresStore) -> dict[str, float]:
    with pg.transaction() as conn:
        return {name: rows for name, rows in conn.execute(
            "SELECT relname, reltuples FROM pg_class WHERE oid IN ('entities'::regclass, 'records'::regclass)")}


@needs_server
def test_a_big_import_settles_indexes_and_statistics_a_small_one_leaves_them_to_autovacuum(pg: PostgresStore, tmp_path,  # type: ignore[no-untyped-def]
                                                                                  clock) -> None:
    from datenhub import hub
    from datenhub.store.postgres import statistics
    from tests.store.helpers import write_csv

    def rows(prefix: str, count: int) -> list[list[str]]:
        return [[f"{prefix}{i}", f"Zeche {prefix} {i}", "Industriekultur", f"{51.40 + i / 10_000:.4f}", "7.0406",
                 "CC0-1.0", "Zechen und Kokerei", "yes"] for i in range(count)]

    assert _planner_rows(pg) == {"entities": -1.0, "records": -1.0}  # never analysed: the planner guesses
    big = statistics.ANALYZE_BASE + 30
    hub.import_file(pg, write_csv(tmp_path / "big.csv", rows("b", big)), "test", clock=clock)
    # committed with the import: a search right after it is planned for the rows it finds, and reads the full-text
    # index without a pending list (nothing left to clean)
    assert _planner_rows(pg) == {"entities": big, "records": big}
    with pg.transaction() as conn:
        assert conn.execute("SELECT gin_clean_pending_list('entities_open_tsv')").fetchone() == (0,)
        lexemes = conn.execute("SELECT count(*), (SELECT reltuples FROM pg_class WHERE oid = 'lexemes'::regclass) "
                               "FROM lexemes").fetchone()
    assert lexemes[0] == lexemes[1] > 0  # the word searches read ranges of it
    hub.import_file(pg, write_csv(tmp_path / "small.csv", rows("s", 5)), "test", clock=clock, full=False)
    assert _planner_rows(pg) == {"entities": big, "records": big}  # 5 rows: below the threshold
    assert not statistics.needs_analyze(5, big) and statistics.needs_analyze(big, 0)
    with pg.transaction() as conn:  # documents have no statistics to gather (migration 0016)
        targets = conn.execute("SELECT attrelid::regclass::text, attname, attstattarget FROM pg_attribute WHERE "
                               "attname IN ('data', 'data_open') AND attrelid IN ('entities'::regclass, "
                               "'records'::regclass, 'record_history'::regclass) ORDER BY 1, 2").fetchall()
    assert targets == [("entities", "data", 0), ("entities", "data_open", 0), ("record_history", "data", 0),
                       ("records", "data", 0)]


@needs_server
def test_nested_transaction_joins_outer_and_rolls_back_together(pg: PostgresStore) -> None:
    with pytest.raises(RuntimeError), pg.transaction():
        pg.upsert_source(SourceInfo("outer"))
        with pg.transaction():
            pg.upsert_source(SourceInfo("inner"))
        raise RuntimeError("fails after the inner block ended")
    assert pg.list_sources() == []


@needs_server
def test_open_transaction_is_invisible_to_other_threads_until_commit(pg: PostgresStore) -> None:
    seen: list[int] = []

    def other_thread() -> None:
        seen.append(len(pg.list_sources()))

    with pg.transaction():
        pg.upsert_source(SourceInfo("pending"))
        assert [s.name for s in pg.list_sources()] == ["pending"]  # the own thread reads its pinned connection
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
    other_thread()
    assert seen == [0, 1]


@needs_server
def test_timestamps_come_back_in_utc(pg: PostgresStore) -> None:
    at = datetime(2026, 6, 4, 10, 0, tzinfo=UTC)
    import_id = pg.start_import("s", "csv", None, at)
    assert pg.list_imports()[0]["id"] == import_id
    assert pg.list_imports()[0]["started_at"] == "2026-06-04T10:00:00.000000+00:00"


@needs_server
def test_prominence_migration_fills_the_column_of_stored_entities(pg: PostgresStore, tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    from datenhub import hub
    from datenhub.store.ranking import prominence
    from tests.store.helpers import write_csv

    hub.import_file(pg, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    expected = {i["id"]: prominence(i) for i in pg.iter_entities()}
    assert any(expected.values())
    with pg.transaction() as conn:  # as a database from before the migration
        conn.execute("ALTER TABLE entities DROP COLUMN prominence")
        conn.execute("DELETE FROM schema_migrations WHERE name = '0007_prominence'")
    assert pg.migrate() == ["0007_prominence"]
    with pg.transaction() as conn:
        stored = dict(conn.execute("SELECT id, prominence FROM entities WHERE has_open").fetchall())
    assert stored == expected


@needs_server
def test_closed_images_migration_leaves_them_out_of_stored_open_views(pg: PostgresStore, tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    from tests.store.helpers import OPEN_IMAGE, import_pictured

    hub_id = import_pictured(pg, tmp_path, clock)
    with pg.transaction() as conn:  # as a database from before the migration: the full view is the open one
        conn.execute("UPDATE entities SET all_open = true, data_open = NULL WHERE id = %s", (hub_id,))
        conn.execute("DELETE FROM schema_migrations WHERE name = '0020_closed_images'")
    assert len(pg.get_entity(hub_id)["images"]) == 2  # type: ignore[index]
    assert pg.migrate() == ["0020_closed_images"]
    assert pg.get_entity(hub_id)["images"] == [OPEN_IMAGE]  # type: ignore[index]
    assert len(pg.get_entity(hub_id, include_closed=True)["images"]) == 2  # type: ignore[index]


@needs_server
def test_open_first_seen_migration_dates_stored_open_views_by_their_open_records(  # type: ignore[no-untyped-def]
        pg: PostgresStore, tmp_path, clock) -> None:
    from tests.store.helpers import closed_founder_then_open

    hub_id, later = closed_founder_then_open(pg, tmp_path, clock)
    with pg.transaction() as conn:  # as a database from before: dated by the closed record that founded it
        conn.execute("UPDATE entities SET data_open = jsonb_set(data_open::jsonb, '{first_seen}', to_jsonb(%s::text))"
                     "::json WHERE id = %s", (clock().isoformat(), hub_id))
        conn.execute("DELETE FROM schema_migrations WHERE name = '0021_open_first_seen'")
    assert pg.migrate() == ["0021_open_first_seen"]
    assert datetime.fromisoformat(pg.get_entity(hub_id)["first_seen"]) == later  # type: ignore[index]


@needs_server
def test_open_gone_migration_marks_places_that_lost_their_open_view_before(  # type: ignore[no-untyped-def]
        pg: PostgresStore, tmp_path, clock) -> None:
    from datenhub.pipeline import rebuild
    from tests.store.helpers import open_record_leaves

    hub_id, gone = open_record_leaves(pg, tmp_path, clock)
    with pg.transaction() as conn:  # as a database from before: no stub, so the delta feed kept quiet
        conn.execute("UPDATE entities SET data_open = NULL, checksum = left(checksum, 40) WHERE id = %s", (hub_id,))
        conn.execute("DELETE FROM schema_migrations WHERE name = '0022_open_gone'")
    assert pg.search(Query(changed_since=gone)).items == []
    assert pg.migrate() == ["0022_open_gone"]
    assert [(i["id"], i.get("tombstone")) for i in pg.search(Query(changed_since=gone)).items] == [(hub_id, True)]
    with pg.transaction() as conn:  # the stub is what an import writes now: built again, no change
        (seq,) = conn.execute("SELECT seq FROM entities WHERE id = %s", (hub_id,)).fetchone()
    rebuild(pg, [hub_id], clock=lambda: gone + timedelta(days=1))
    with pg.transaction() as conn:
        assert conn.execute("SELECT seq FROM entities WHERE id = %s", (hub_id,)).fetchone() == (seq,)


@needs_server
def test_open_points_migration_unplaces_an_open_place_a_closed_point_placed(  # type: ignore[no-untyped-def]
        pg: PostgresStore, tmp_path, clock) -> None:
    from tests.store.helpers import open_place_closed_point

    place = open_place_closed_point(pg, tmp_path, clock)
    with pg.transaction() as conn:  # as a database from before: the closed record's point placed the row
        conn.execute("UPDATE entities SET lat = 51.4862, lon = 7.0406 WHERE id = %s", (place,))
        if pg.postgis:
            conn.execute("UPDATE entities SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326) WHERE id = %s", (place,))
        conn.execute("DELETE FROM schema_migrations WHERE name = '0025_open_points'")
    box = Query(bbox=(7.03, 51.48, 7.05, 51.49))
    assert [i["id"] for i in pg.search(box).items] == [place]
    assert pg.migrate() == ["0025_open_points"]
    assert pg.search(box).items == []


@needs_server
def test_area_words_migration_fills_what_the_writes_store(pg: PostgresStore, tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    from datenhub import hub
    from tests.store.helpers import write_csv

    hub.import_file(pg, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    query = "SELECT id, area_words FROM entities WHERE area_words IS NOT NULL"
    with pg.transaction() as conn:
        written = {eid: sorted(words) for eid, words in conn.execute(query).fetchall()}
        conn.execute("ALTER TABLE entities DROP COLUMN area_words")  # as a database from before the migration
        conn.execute("DELETE FROM schema_migrations WHERE name = '0017_area_words'")
    assert any(written.values()) and all("." in word for words in written.values() for word in words)
    assert pg.migrate() == ["0017_area_words"]
    with pg.transaction() as conn:
        assert {eid: sorted(words) for eid, words in conn.execute(query).fetchall()} == written


@needs_server
def test_search_words_migration_indexes_stored_entities_again(pg: PostgresStore, tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    from datenhub import hub
    from datenhub.store import Query
    from tests.store.helpers import ROWS, write_csv

    rows = [["s1", "Essen Hbf", "Verkehr", "51.4513", "7.0141", "CC-BY-4.0", "", "yes"], *ROWS]
    hub.import_file(pg, write_csv(tmp_path / "a.csv", rows), "test", clock=clock)
    texts = "SELECT id, open_tsv::text, full_tsv::text, area_words FROM entities ORDER BY id"
    with pg.transaction() as conn:
        written = conn.execute(texts).fetchall()
        # as a database from before the migration: names and descriptions only
        conn.execute("UPDATE entities SET open_tsv = 'x', full_tsv = NULL, area_words = NULL")
        conn.execute("DELETE FROM schema_migrations WHERE name = '0018_search_words'")
    assert pg.search(Query(q="Bahnhof")).items == []
    assert pg.migrate() == ["0018_search_words"]
    with pg.transaction() as conn:
        assert conn.execute(texts).fetchall() == written
    assert [i["name"]["de"] for i in pg.search(Query(q="Bahnhof")).items] == ["Essen Hbf"]


@needs_server
def test_postgres_computes_the_python_area_words_prefix(pg: PostgresStore) -> None:
    from datenhub.store.cells import area_words_prefix, area_words_prefix_sql
    from tests.store.test_cells import _points

    points = _points(500)
    with pg._conns.connection() as conn:
        prefixes = [row[0] for row in conn.execute(
            f"SELECT {area_words_prefix_sql('lat', 'lon')} FROM unnest(%s::float8[], %s::float8[]) AS p(lat, lon)",
            ([lat for lat, _ in points], [lon for _, lon in points]))]
    assert prefixes == [area_words_prefix(lat, lon) for lat, lon in points]


@needs_server
def test_expanded_last_words_find_what_prefix_matches_find(pg: PostgresStore, clock,  # type: ignore[no-untyped-def]
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from datenhub.demo import import_demo
    from datenhub.store import Query
    from datenhub.store.postgres import search
    from tests.store.helpers import typed_queries

    import_demo(pg, clock=clock)
    with pg.transaction() as conn:
        assert conn.execute("SELECT count(*) FROM lexemes WHERE lexeme = 'zollverein'").fetchone() == (1,)
    queries = typed_queries([item["name"]["de"] for item in pg.iter_entities()], 80)
    expanded = [sorted(i["id"] for i in pg.search(Query(q=q, limit=500)).items) for q in queries]
    monkeypatch.setattr(search, "_expansions", lambda conn, term: None)  # PostgreSQL's own prefix match
    native = [sorted(i["id"] for i in pg.search(Query(q=q, limit=500)).items) for q in queries]
    assert expanded == native and sum(map(len, native)) > 100


@needs_server
@pytest.mark.parametrize("level", AREA_LEVELS, ids=lambda level: level.name)
def test_postgres_computes_the_python_area_cell(pg: PostgresStore, level) -> None:  # type: ignore[no-untyped-def]
    from tests.store.test_cells import _points

    points = _points(500)
    with pg._conns.connection() as conn:
        cells = [row[0] for row in conn.execute(
            f"SELECT {level.sql('postgresql')} FROM unnest(%s::float8[], %s::float8[]) AS p(lat, lon)",
            ([lat for lat, _ in points], [lon for _, lon in points]))]
    assert cells == [level.cell(lat, lon) for lat, lon in points]


@needs_server
def test_postgres_computes_the_python_cell_tokens(pg: PostgresStore) -> None:
    from datenhub.store.cells import TEXT_CELL_LEVELS, cell_tokens
    from tests.store.test_cells import _points

    points = _points(500)
    with pg._conns.connection() as conn:
        tokens = [row[0] for row in conn.execute(
            "SELECT hub_cells(lat, lon)::text FROM unnest(%s::float8[], %s::float8[]) AS p(lat, lon)",
            ([lat for lat, _ in points], [lon for _, lon in points]))]
        assert conn.execute("SELECT hub_cells(NULL, 7.0) IS NULL").fetchone() == (True,)  # events without a point
    # the finer levels only (cells.TEXT_CELL_LEVELS), named as SQLite's full-text index names them
    assert tokens == [" ".join(sorted(f"'{t}'" for t in cell_tokens(lat, lon).split()[:TEXT_CELL_LEVELS]))
                      for lat, lon in points]


@needs_server
def test_words_in_a_small_box_come_from_the_words_by_cell(  # type: ignore[no-untyped-def]
        pg: PostgresStore, tmp_path, clock, monkeypatch) -> None:
    import random

    from datenhub import hub
    from datenhub.store import Query
    from datenhub.store.postgres import search
    from tests.store.helpers import write_csv

    rng = random.Random(5)
    rows = [[f"m{n}", f"Ort {n}", "Museum", f"{rng.uniform(51.30, 51.60):.6f}", f"{rng.uniform(6.80, 7.40):.6f}",
             "CC0-1.0", "Museum am Fluss" if n % 4 == 0 else "Park", "yes"] for n in range(3000)]
    hub.import_file(pg, write_csv(tmp_path / "m.csv", rows), "m", clock=clock)
    with pg._conns.connection() as conn:
        conn.execute("ANALYZE entities")
    box = (7.0, 51.43, 7.08, 51.47)
    statements: list[str] = []
    original = search._first_area_page

    def spy(conn, query, c, *args, **kwargs):  # type: ignore[no-untyped-def]
        statements.append(" AND ".join(c.where))
        return original(conn, query, c, *args, **kwargs)

    monkeypatch.setattr(search, "_first_area_page", spy)
    expected = {f"m:m{n}" for n, row in enumerate(rows) if n % 4 == 0
                and box[1] <= float(row[3]) <= box[3] and box[0] <= float(row[4]) <= box[2]}
    assert expected
    # whole words: the box's cells' keys of them (area_words); a word being typed: the cells of the words' index
    for q, index in (("fluss", "e.area_words &&"), ("Museum am Fluss", "e.area_words &&"), ("flu", "hub_cells(")):
        statements.clear()
        page = pg.search(Query(q=q, bbox=box, limit=100))
        assert statements and index in statements[0], q
        found = {s for item in page.items for s in item["sources"]}
        assert found == expected, q


@needs_server
@pytest.mark.parametrize("places", [1300, 2600])  # 2.6 and 5.2 × RANKING_BUDGET: both clearly broad
def test_clearly_broad_words_in_a_box_walk_the_broad_index_with_the_same_pages(  # type: ignore[no-untyped-def]
        pg: PostgresStore, tmp_path, clock, monkeypatch, places) -> None:
    import random

    from datenhub import hub
    from datenhub.store import Query
    from datenhub.store.postgres import search
    from tests.store.helpers import write_csv

    rng = random.Random(2)
    rows = [[f"z{n}", f"Zeche {n}", "Industriekultur", f"{rng.uniform(51.40, 51.55):.6f}",
             f"{rng.uniform(6.90, 7.20):.6f}", "CC0-1.0", "Zeche mit Förderturm" if n % 3 else "", "yes"]
            for n in range(places)]
    hub.import_file(pg, write_csv(tmp_path / "z.csv", rows), "z", clock=clock)
    with pg._conns.connection() as conn:
        conn.execute("ANALYZE entities")  # the estimate decides; give the planner its statistics
    query = Query(q="zeche", bbox=(6.9, 51.4, 7.2, 51.55), limit=25)
    walked: list[str] = []
    original = search._broad_page

    def spy(conn, query, c, select_data):  # type: ignore[no-untyped-def]
        walked.append(" AND ".join(c.where))
        return original(conn, query, c, select_data)

    monkeypatch.setattr(search, "_broad_page", spy)

    def pages() -> list[str]:
        ids, cursor = [], None
        for _ in range(3):
            page = pg.search(query.with_cursor(cursor))
            ids += [item["id"] for item in page.items]
            cursor = page.next_cursor
        return ids

    broad = pages()
    # no index-only clauses (point in box, cells): the walk tests lat and lon on entities_broad's entries
    assert len(walked) == 3 and not any("<@" in where or "hub_cells" in where for where in walked)
    monkeypatch.setattr(search, "_matches", lambda *args: 0.0)  # the bitmap page, counted exactly
    assert pages() == broad and len(broad) == 75
    assert len(walked) == 5  # the first page came from the bitmap; the cursor keeps the next ones broad
    with_description = {f"z{n}" for n in range(places) if n % 3}
    first = [pg.get_entity(i) for i in broad[:25]]
    assert all(e is not None and e["sources"][0].split(":")[1] in with_description for e in first)  # prominence


@needs_server
def test_a_box_by_name_with_category_filters_lists_through_the_area_cells(  # type: ignore[no-untyped-def]
        pg: PostgresStore, tmp_path, clock, monkeypatch) -> None:
    from datenhub import hub
    from datenhub.store import Query
    from datenhub.store.postgres import search
    from tests.store.helpers import write_csv

    hub.import_file(pg, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    used: list[str] = []
    original = search._area_page

    def spy(conn, query, area, open_view, select_data):  # type: ignore[no-untyped-def]
        used.append(area.level.name)
        return original(conn, query, area, open_view, select_data)

    monkeypatch.setattr(search, "_area_page", spy)
    box = (6.9, 51.4, 7.5, 51.6)
    found = pg.search(Query(bbox=box, categories=("Museum",))).items
    assert used == ["coarse"]  # tags are in the area indexes: no candidate path for them
    assert [i["name"]["de"] for i in found] == ["Deutsches Bergbau-Museum", "Museum Folkwang"]


@needs_server
def test_document_layout_migration_rewrites_older_documents(pg: PostgresStore, tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    from datenhub import hub
    from datenhub.store.documents import split_point
    from tests.store.helpers import geo_last, provenance_inside, write_csv

    def older(doc: str) -> str:
        return geo_last(provenance_inside(doc))

    hub.import_file(pg, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    read = "SELECT id, data::text, data_open::text, checksum, seq, changed_at FROM entities ORDER BY id"
    with pg.transaction() as conn:
        written = conn.execute(read).fetchall()
        # as a database from before the layout: the point further back, also in one open view of its own
        for row in written:
            conn.execute("UPDATE entities SET data = %s::json WHERE id = %s", (older(row[1]), row[0]))
        conn.execute("UPDATE entities SET data_open = %s::json WHERE id = %s", (older(written[0][1]), written[0][0]))
        conn.execute("DELETE FROM schema_migrations WHERE name IN ('0011_document_layout', '0012_provenance_last')")
    assert pg.migrate() == ["0011_document_layout", "0012_provenance_last"]
    with pg.transaction() as conn:
        again = conn.execute(read).fetchall()
    assert [r[:2] + r[3:] for r in again] == [r[:2] + r[3:] for r in written]  # same bytes, checksum, seq, time
    assert again[0][2] == written[0][1]
    assert all(split_point(r[1].encode()) is not None for r in again)


@needs_server
def test_spelling_similarity_is_pg_trgms(pg: PostgresStore) -> None:
    from datenhub.store.spelling import similarity

    pairs = [("zolverein", "zollverein"), ("zech", "zeck"), ("bergbaumus", "bergbaumuseum"), ("halde", "museum"),
             ("tetraed", "tetrad"), ("gasometer", "gasomter")]
    with pg.transaction() as conn:
        if conn.execute("SELECT to_regproc('similarity') IS NULL").fetchone()[0]:
            pytest.skip("pg_trgm is not installed in this database")
        theirs = [conn.execute("SELECT similarity(%s, %s)", pair).fetchone()[0] for pair in pairs]
    assert [similarity(a, b) for a, b in pairs] == pytest.approx(theirs, abs=1e-6)  # pg_trgm answers in float4


@needs_server
def test_words_the_statistics_do_not_list_are_ranked_not_walked(  # type: ignore[no-untyped-def]
        pg: PostgresStore, tmp_path, clock, monkeypatch) -> None:
    from datenhub import hub
    from datenhub.store import Query
    from datenhub.store.postgres import search, statistics
    from tests.store.helpers import write_csv

    hub.import_file(pg, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    # A big hub's statistics: "zech" frequent; every other lexeme unlisted, so rarer than the least listed (0.47 %),
    # which the planner guesses at half that: 2,350 of 1M rows, more than the budget would walk for.
    big = statistics.EntityStatistics(1e6, {"zech": 0.2}, 0.0047, [51.0 + i / 100 for i in range(101)],
                                      [6.0 + i / 50 for i in range(101)])
    monkeypatch.setattr(pg._statistics, "get", lambda conn: big)
    walked: list[str] = []
    areas: list[str] = []
    broad_page, area_page = search._broad_page, search._first_area_page

    def walk(conn, query, c, select_data):  # type: ignore[no-untyped-def]
        walked.append(query.q)
        return broad_page(conn, query, c, select_data)

    def area(conn, query, c, *args, **kwargs):  # type: ignore[no-untyped-def]
        areas.append(" AND ".join(c.where))
        return area_page(conn, query, c, *args, **kwargs)

    monkeypatch.setattr(search, "_broad_page", walk)
    monkeypatch.setattr(search, "_first_area_page", area)

    def names(query: Query) -> list[str]:
        return [item["name"]["de"] for item in pg.search(query).items]

    assert names(Query(q="Tetraeder")) == ["Tetraeder"] and walked == []
    # the whole RVR holds about half of this hub's places: its box is not ANDed in from entities_point
    assert names(Query(q="Tetraeder", bbox=(6.5, 51.2, 7.9, 51.9))) == ["Tetraeder"] and walked == []
    assert "<@" not in areas[-1] and "hub_cells" not in areas[-1]
    assert names(Query(q="Tetraeder", bbox=(6.95, 51.50, 6.97, 51.53))) == ["Tetraeder"]  # a few hundred: it is
    assert "<@" in areas[-1]
    assert names(Query(q="Zeche")) and walked == ["Zeche"]  # listed, 200,000 matches: clearly broad
    # a privileged search too, where the planner would guess as much (its estimate is not asked)
    monkeypatch.setattr(search, "_estimated_matches", lambda conn, c: 2_350.0)
    assert names(Query(q="Tetraeder", include_closed=True)) == ["Tetraeder"] and walked == ["Zeche"]
    # a word being typed is bounded by the lexemes it starts: here one, so it is counted ...
    assert names(Query(q="Te")) == ["Tetraeder"] and walked == ["Zeche"]
    # ... and with more lexemes than the budget it has more matches than that: broad without counting
    monkeypatch.setattr(search, "_lexemes_starting", lambda conn, prefix: 501)
    assert names(Query(q="Te")) == ["Tetraeder"] and walked == ["Zeche", "Te"]


def test_connections_the_server_closed_are_replaced_before_use(pg: PostgresStore) -> None:
    import psycopg

    one = open_store(f"{pg.url}&pool_max=1")  # its one pooled connection is the one the server closes
    assert isinstance(one, PostgresStore)
    try:
        with one._conns.connection() as conn:
            pid = conn.info.backend_pid
        # only that backend: the tests beside this one share the server (and, by schema, the database)
        with psycopg.connect(one._conns.url.conninfo, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        assert one.get_entity("dh-nothing") is None  # answered, not a StoreError (a 503 to the client)
    finally:
        one.close()


def test_a_serving_store_gives_up_on_a_locked_table_and_the_api_answers_503(pg: PostgresStore) -> None:
    import time

    import psycopg
    from fastapi.testclient import TestClient

    from datenhub.api.app import create_app

    app = create_app(db_url=pg.url)  # a store of its own: serving, with bounded lock waits
    served = app.state.store
    # what a first import into an empty hub does to readers: its dropped indexes hold the table until it commits
    with psycopg.connect(parse_url(pg.url).conninfo) as holder:
        holder.execute("LOCK TABLE entities IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        answer = TestClient(app).get("/api/v1/places")
        assert answer.status_code == 503 and answer.headers["Retry-After"]
        assert time.monotonic() - started < 15  # the bound (3 s), not the holder's whole transaction
        holder.rollback()
    assert TestClient(app).get("/api/v1/places").status_code == 200
    # only a serving store is bounded: an import (the CLI's store) waits for a concurrent one as before
    with served._conns.connection() as conn, pg._conns.connection() as plain:
        assert conn.execute("SHOW lock_timeout").fetchone() == ("3s",)
        assert plain.execute("SHOW lock_timeout").fetchone() == ("0",)
    served.close()


def test_migration_moves_filters_to_the_open_view(pg: PostgresStore, tmp_path: Path) -> None:
    from datenhub import hub
    from datenhub.store import Query
    from tests.store.helpers import write_csv

    hub.import_file(pg, write_csv(tmp_path / "a.csv"), "test")
    closed = [["c9", "Zeche Zollern", "Museum", "51.5186", "7.3339", "closed", "Interne Notiz", "no"]]
    hub.import_file(pg, write_csv(tmp_path / "b.csv", closed), "intern", priority=1)
    hub_id = pg.get_entity("test:z2")["id"]  # type: ignore[index]
    with pg.transaction() as conn:  # as a hub written before: the full view's tags and columns
        conn.execute("UPDATE entities SET wheelchair = 'no', tags = '{cat:Museum,src:intern}' WHERE id = %s",
                     (hub_id,))
        conn.execute("DELETE FROM schema_migrations WHERE name = '0019_open_view_filters'")
    assert hub_id in [e["id"] for e in pg.search(Query(categories=("Museum",))).items]
    assert pg.migrate() == ["0019_open_view_filters"]
    assert hub_id not in [e["id"] for e in pg.search(Query(categories=("Museum",))).items]
    assert hub_id in [e["id"] for e in pg.search(Query(categories=("Industriekultur",), wheelchair=("yes",))).items]
    assert hub_id in [e["id"] for e in pg.search(Query(sources=("intern",), include_closed=True)).items]


@needs_server
def test_a_hub_in_a_schema_makes_its_own_partitions_beside_a_hub_in_public(pg: PostgresStore) -> None:
    # `db copy --to …?schema=ruhr` into a database whose public schema held a hub stopped at the first reading:
    # public's partition of the month was taken for the schema's own, and none was made
    from datenhub.live.model import OccupancyReading, Sensor, SensorKind

    public = "occupancy_readings_1999_03"  # a month no other test writes
    with pg._conns.connection() as conn:
        conn.execute(f"CREATE TABLE public.{public} (sensor_key integer)")
    try:
        with pg.transaction():
            pg.upsert_sensor(Sensor("s1", "test:p", SensorKind.PEOPLE, "test", 100))
        at = datetime(1999, 3, 9, 12, tzinfo=UTC)
        assert len(pg.add_readings([OccupancyReading("s1", at, count=5, received_at=at)]).inserted) == 1
    finally:
        with pg._conns.connection() as conn:
            conn.execute(f"DROP TABLE public.{public}")
