"""What only the SQLite backend has: the migration hooks that fill new columns from the stored entities."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import orjson
import pytest

from datenhub import hub
from datenhub.pipeline import rebuild
from datenhub.store import Query, open_store
from datenhub.store.documents import split_point
from datenhub.store.ranking import prominence, tier_token
from datenhub.store.sqlite import fulltext, search
from datenhub.store.sqlite.fulltext import fts_expression
from datenhub.store.sqlite.store import SqliteStore
from tests.store.helpers import (
    GOLDEN_ICS,
    OPEN_IMAGE,
    ROWS,
    closed_founder_then_open,
    geo_last,
    import_pictured,
    open_place_closed_point,
    open_record_leaves,
    provenance_inside,
    typed_queries,
    write_csv,
)


def test_prominence_migration_fills_the_column_of_stored_entities(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    expected = {i["id"]: prominence(i) for i in store.iter_entities()}
    assert any(expected.values())
    # as a database from before the migration: no column, migration not applied
    store.db.execute("ALTER TABLE entities DROP COLUMN prominence")
    store.db.execute("DELETE FROM schema_migrations WHERE name = '0008_prominence'")
    assert store.migrate() == ["0008_prominence"]
    stored = dict(store.db.execute("SELECT id, prominence FROM entities WHERE has_open"))
    assert stored == expected
    # and each entity's prominence tier is a token of the full-text index again (broad listings read it)
    every = [v for (v,) in store.db.execute("SELECT prominence FROM entities WHERE withdrawn_at IS NULL")]
    for value in set(every):
        (indexed,) = store.db.execute("SELECT count(*) FROM entities_fts WHERE entities_fts MATCH ?",
                                      (f"cells : {tier_token(value)}",)).fetchone()
        assert indexed == every.count(value)


def test_closed_images_migration_leaves_them_out_of_stored_open_views(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    hub_id = import_pictured(store, tmp_path, clock)
    # as a database from before the migration: the open view is the full one, closed image and all
    store.db.execute("UPDATE entities SET all_open = 1, data_open = NULL WHERE id = ?", (hub_id,))
    store.db.execute("DELETE FROM schema_migrations WHERE name = '0016_closed_images'")
    assert len(store.get_entity(hub_id)["images"]) == 2  # type: ignore[index]
    (seq,) = store.db.execute("SELECT seq FROM entities WHERE id = ?", (hub_id,)).fetchone()
    assert store.migrate() == ["0016_closed_images"]
    assert store.get_entity(hub_id)["images"] == [OPEN_IMAGE]  # type: ignore[index]
    assert len(store.get_entity(hub_id, include_closed=True)["images"]) == 2  # type: ignore[index]
    assert store.db.execute("SELECT seq FROM entities WHERE id = ?", (hub_id,)).fetchone()[0] > seq  # a change


def test_open_first_seen_migration_dates_stored_open_views_by_their_open_records(  # type: ignore[no-untyped-def]
        tmp_path: Path, clock) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    hub_id, later = closed_founder_then_open(store, tmp_path, clock)
    # as a database from before: the open view dated by the closed record that founded the place
    store.db.execute("UPDATE entities SET data_open = json_set(data_open, '$.first_seen', ?) WHERE id = ?",
                     (clock().isoformat(), hub_id))
    store.db.execute("DELETE FROM schema_migrations WHERE name = '0017_open_first_seen'")
    assert store.migrate() == ["0017_open_first_seen"]
    assert datetime.fromisoformat(store.get_entity(hub_id)["first_seen"]) == later  # type: ignore[index]
    full = store.get_entity(hub_id, include_closed=True)
    assert full is not None and datetime.fromisoformat(full["first_seen"]) == clock()


def test_open_gone_migration_marks_places_that_lost_their_open_view_before(  # type: ignore[no-untyped-def]
        tmp_path: Path, clock) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    hub_id, gone = open_record_leaves(store, tmp_path, clock)
    # as a database from before: no stub, so the delta feed kept quiet about the place
    store.db.execute("UPDATE entities SET data_open = NULL, checksum = substr(checksum, 1, 40) WHERE id = ?", (hub_id,))
    store.db.execute("DELETE FROM schema_migrations WHERE name = '0018_open_gone'")
    assert store.search(Query(changed_since=gone)).items == []
    assert store.migrate() == ["0018_open_gone"]
    assert [(i["id"], i.get("tombstone")) for i in store.search(Query(changed_since=gone)).items] == [(hub_id, True)]
    assert store.get_entity(hub_id) is None and store.get_entity(hub_id, include_closed=True) is not None
    # the stub is what an import writes now: the same place built again is no change
    (seq,) = store.db.execute("SELECT seq FROM entities WHERE id = ?", (hub_id,)).fetchone()
    rebuild(store, [hub_id], clock=lambda: gone + timedelta(days=1))
    assert store.db.execute("SELECT seq FROM entities WHERE id = ?", (hub_id,)).fetchone() == (seq,)


@pytest.mark.parametrize("older, migrations", [
    (lambda doc: geo_last(provenance_inside(doc)), ["0011_document_layout", "0012_provenance_last"]),
    (provenance_inside, ["0012_provenance_last"]),
])
def test_document_layout_migration_rewrites_older_documents(  # type: ignore[no-untyped-def]
        tmp_path: Path, clock, older: Callable[[str], str], migrations: list[str]) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    columns = "id, data, data_open, checksum, seq, changed_at"
    written = store.db.execute(f"SELECT {columns} FROM entities ORDER BY id").fetchall()
    # as a database from before the layout: the point further back, also in one open view of its own
    with store.transaction():
        store.db.executemany("UPDATE entities SET data = ? WHERE id = ?", [(older(r[1]), r[0]) for r in written])
        store.db.execute("UPDATE entities SET data_open = ? WHERE id = ?", (older(written[0][1]), written[0][0]))
        store.db.execute(f"DELETE FROM schema_migrations WHERE name IN ({','.join('?' * len(migrations))})",
                         migrations)
    assert store.migrate() == migrations
    again = store.db.execute(f"SELECT {columns} FROM entities ORDER BY id").fetchall()
    assert [r[:2] + r[3:] for r in again] == [r[:2] + r[3:] for r in written]  # same bytes, checksum, seq, time
    assert again[0][2] == written[0][1]
    assert all(split_point(r[1].encode()) is not None for r in again)
    assert all(r[1].endswith("}}") and list(orjson.loads(r[1]))[-1] == "provenance" for r in again)


def test_search_words_migration_indexes_stored_entities_again(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    rows = [["s1", "Essen Hbf", "Verkehr", "51.4513", "7.0141", "CC-BY-4.0", "", "yes"], *ROWS]
    hub.import_file(store, write_csv(tmp_path / "a.csv", rows), "test", clock=clock)
    texts = "SELECT rowid, open_text, all_text FROM entities_fts ORDER BY rowid"
    written = store.db.execute(texts).fetchall()
    with store.transaction():  # as a database from before the migration: names and descriptions only
        store.db.execute("UPDATE entities_fts SET open_text = 'x', all_text = ''")
        store.db.execute("DELETE FROM schema_migrations WHERE name = '0014_search_words'")
    assert store.search(Query(q="Bahnhof")).items == []
    assert store.migrate() == ["0014_search_words"]
    assert store.db.execute(texts).fetchall() == written
    assert [i["name"]["de"] for i in store.search(Query(q="Bahnhof")).items] == ["Essen Hbf"]


def test_last_word_expands_to_the_indexed_terms_it_starts_with(tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    rows = [["a", "Zollverein", "Industriekultur", "51.48", "7.04", "CC0-1.0", "", "yes"],
            ["b", "Zollvereinsiedlung", "Siedlung", "51.49", "7.05", "CC0-1.0", "", "yes"],
            ["c", "Zollern", "Industriekultur", "51.51", "7.33", "CC0-1.0", "", "yes"]]
    hub.import_file(store, write_csv(tmp_path / "z.csv", rows), "test", clock=clock)
    assert fts_expression("zollv", "open_text", store.db) == \
        'open_text : (("zollv" OR "zollverein" OR "zollvereinsiedl"))'
    # nothing longer starts with it
    assert fts_expression("zollvereinsiedlung", "open_text", store.db) == 'open_text : ("zollvereinsiedl")'
    assert fts_expression("zo", "open_text", store.db) == 'open_text : ("zo"*)'  # the prefix index answers
    # several words: the expanded last one is a group, which FTS5 takes only with an explicit AND before it
    assert fts_expression("Siedlung zollv", "open_text", store.db) == \
        'open_text : ("siedlung" AND ("zollv" OR "zollverein" OR "zollvereinsiedl"))'
    queries = ["zollv", "zollverein", "zoll", "zo", "zollvereinsiedlung", "siedlung zollv", "industriekultur zoll"]
    expanded = [[i["id"] for i in store.search(Query(q=q)).items] for q in queries]
    monkeypatch.setattr(fulltext, "_prefix", lambda term, db: f'"{term}"*')  # FTS5's own prefix query
    assert expanded == [[i["id"] for i in search.run_search(store.db, Query(q=q)).items] for q in queries]
    assert [len(ids) for ids in expanded] == [2, 2, 3, 3, 1, 1, 2]


def test_expanded_prefixes_find_what_fts5_prefixes_find_on_the_demo(tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from datenhub.demo import import_demo

    store = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    assert isinstance(store, SqliteStore)
    import_demo(store, clock=clock)
    queries = typed_queries([item["name"]["de"] for item in store.iter_entities()], 120)
    # the same matches; BM25 scores an OR of terms a little differently from one prefix phrase, so the order
    # of equally good matches may differ
    expanded = [sorted(i["id"] for i in search.run_search(store.db, Query(q=q, limit=500)).items) for q in queries]
    monkeypatch.setattr(fulltext, "_prefix", lambda term, db: f'"{term}"*')
    native = [sorted(i["id"] for i in search.run_search(store.db, Query(q=q, limit=500)).items) for q in queries]
    assert expanded == native and sum(map(len, native)) > 100


def test_a_repeated_search_counts_its_matches_once_per_data_version(tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    counts: list[str] = []
    store.db.set_trace_callback(lambda sql: counts.append(sql) if "count(*) FROM (SELECT 1 FROM entities_fts" in sql
                                else None)
    monkeypatch.setattr("datenhub.store.ranking.RANKING_BUDGET", 1)  # "zeche" matches two places: broad
    first = store.search(Query(q="zeche")).items
    assert store.search(Query(q="zeche")).items == first and len(counts) == 1
    hub.import_file(store, write_csv(tmp_path / "b.csv", [["z9", "Zeche Neu", "Industriekultur", "51.50", "7.10",
                                                          "CC0-1.0", "", "no"]]), "other", clock=clock)
    assert len(store.search(Query(q="zeche")).items) == 3 and len(counts) == 2  # new data: counted afresh


def test_words_in_half_the_documents_rank_without_bm25(tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    # "Ruhr" in every description, "Zeche" in three of twelve; the one place named after the Ruhr ranks first
    rows = [[f"p{n}", "Ruhr Museum" if n == 9 else f"Ort {n}", "Museum", f"{51.43 + n * 0.001:.6f}", "7.0", "CC0-1.0",
             f"{'Zeche ' if n < 3 else ''}an der Ruhr {'Ruhr ' * n}", "yes"] for n in range(12)]
    hub.import_file(store, write_csv(tmp_path / "a.csv", rows), "test", clock=clock)
    monkeypatch.setattr(fulltext, "FLAT_MIN_DOCS", 5)
    memo = store._prefix_memo()
    assert fulltext.flat_rank("ruhr", store.db, memo) and not fulltext.flat_rank("zeche", store.db, memo)
    assert not fulltext.flat_rank("zeche ruhr", store.db, memo)  # one rare word: bm25 tells the matches apart
    ranked: list[str] = []
    store.db.set_trace_callback(lambda sql: ranked.append(sql) if "_docsize' WHERE id" in sql else None)
    page = store.search(Query(q="ruhr", limit=5)).items
    assert ranked == []  # bm25 reads each match's column sizes; a flat ranking reads none
    assert [i["id"] for i in page][:1] == [store.search(Query(q="Ruhr Museum")).items[0]["id"]]
    assert len(store.search(Query(q="ruhr", limit=50)).items) == 12
    store.search(Query(q="zeche", limit=5))
    assert ranked  # and a word in fewer documents is still ranked by bm25


def test_a_box_by_name_with_a_common_category_merges_the_cells_and_a_rare_one_sorts_candidates(  # type: ignore[no-untyped-def]
        tmp_path: Path, clock) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    rows = [[f"p{n}", f"Ort {n}", "Natur" if n == 7 else "Museum", f"{51.43 + n * 0.0004:.6f}",
             f"{7.0 + n * 0.0007:.6f}", "CC0-1.0", "", "yes"] for n in range(100)]
    hub.import_file(store, write_csv(tmp_path / "a.csv", rows), "test", clock=clock)
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    box = (7.0, 51.43, 7.08, 51.47)

    def merged(categories: tuple[str, ...]) -> bool:
        statements.clear()
        store.search(Query(bbox=box, categories=categories))
        return any("UNION ALL" in sql for sql in statements)

    assert merged(("Museum",))  # 99 % of the places
    assert not merged(("Natur",))  # 1 %: below AREA_TAG_SHARE, the R*Tree's candidates
    assert merged(("Natur", "Museum"))
    hub.import_file(store, write_csv(tmp_path / "b.csv", [[f"n{n}", f"Wald {n}", "Natur", "51.45", "7.05", "CC0-1.0",
                                                           "", "yes"] for n in range(10)]), "more", clock=clock)
    assert merged(("Natur",))  # 11 of 110 now; the shares are counted afresh after new data


def _plans(store: SqliteStore, query: Query) -> str:
    """The query plans of the statements a search runs, as one text."""
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    page = store.search(query)
    store.db.set_trace_callback(None)
    assert page.items
    return "\n".join(" ".join(row[3] for row in store.db.execute(f"EXPLAIN QUERY PLAN {sql}"))
                     for sql in statements if sql.startswith(("SELECT e.rowid", "SELECT * FROM (SELECT * FROM")))


def test_a_big_box_by_name_walks_the_names_and_a_small_one_sorts_its_candidates(  # type: ignore[no-untyped-def]
        tmp_path: Path, clock) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    rows = [[f"p{n}", f"Ort {n:03d}", "Museum", f"{51.30 + (n % 20) * 0.02:.4f}", f"{6.9 + (n // 20) * 0.05:.4f}",
             "CC0-1.0", "", "yes" if n % 3 else "no"] for n in range(300)]
    hub.import_file(store, write_csv(tmp_path / "a.csv", rows), "test", clock=clock)
    whole = (6.5, 51.2, 7.9, 51.9)  # all 300 places: more than the square root of BIG_BOX_WALK × 300
    corner = (6.89, 51.29, 6.96, 51.36)  # 8 of them
    assert "entities_kind_name" in _plans(store, Query(kind="place", bbox=whole, wheelchair=("yes",)))
    assert "entities_rtree" in _plans(store, Query(kind="place", bbox=corner, wheelchair=("yes",)))
    expected = sorted(f"Ort {n:03d}" for n in range(300) if n % 3)
    assert [i["name"]["de"] for i in store.search(Query(kind="place", bbox=whole, wheelchair=("yes",),
                                                        limit=1000)).items] == expected


def test_pages_by_change_walk_the_sequence_and_a_delta_poll_reads_its_range(  # type: ignore[no-untyped-def]
        tmp_path: Path, clock) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    # readers of the open view: by seq, and by open_seq for the entities whose closed data alone changed since
    walks = _plans(store, Query(kind="place", sort="changed"))
    # each walk stops after a page; only the two pages are sorted into one
    assert "SCAN e USING INDEX entities_seq" in walks and "USING INDEX entities_open_seq (open_seq>?)" in walks
    assert "entities_seq" in _plans(store, Query(kind="place", sort="changed", include_closed=True))
    delta = _plans(store, Query(kind="place", changed_since=clock() - timedelta(days=1)))
    assert "entities_seq" not in delta and "entities_changed (changed_at>?)" in delta  # not every place of the kind


def test_events_by_start_walk_the_index_of_starts_which_holds_no_place(  # type: ignore[no-untyped-def]
        tmp_path: Path, clock) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    hub.import_file(store, GOLDEN_ICS, "events", clock=clock)
    assert "entities_start" in _plans(store, Query(kind="event"))
    assert "entities_start" in _plans(store, Query(kind="event", date_from=clock(), include_closed=True))
    indexed = store.db.execute("SELECT count(*) FROM entities INDEXED BY entities_start WHERE start_at IS NOT NULL")
    assert indexed.fetchone()[0] == len(store.search(Query(kind="event", limit=100)).items) > 0


def _segments(store: SqliteStore) -> int:
    """Segments of the full-text index a one-term search reads: one index lookup each."""
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    store.db.execute("SELECT rowid FROM entities_fts WHERE entities_fts MATCH 'zeche' LIMIT 1").fetchall()
    store.db.set_trace_callback(None)
    return sum("entities_fts_idx" in s for s in statements)


def _rows(count: int, start: int = 0) -> list[list[str]]:
    return [[f"z{n}", f"Zeche Nummer {n}", "Industriekultur", f"{51.40 + n * 1e-4:.5f}", "7.01", "CC0-1.0", "", "yes"]
            for n in range(start, start + count)]


def test_an_import_leaves_one_full_text_segment(tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from datenhub.pipeline import importer

    monkeypatch.setattr(importer, "BATCH", 5)
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    # FTS5 writes a segment whenever its pending terms outgrow its hash (1 MB: every few thousand places on a big
    # import; here every few places)
    store.db.execute("INSERT INTO entities_fts (entities_fts, rank) VALUES ('hashsize', 2000)")
    monkeypatch.setattr(fulltext, "COMPACT_MIN_ROWS", 10**6)
    hub.import_file(store, write_csv(tmp_path / "x.csv", _rows(60, start=5000)), "x", clock=clock, workers=1)
    assert _segments(store) > 5  # without the compaction
    store = open_store(f"sqlite:///{tmp_path / 'hub2.db'}")
    assert isinstance(store, SqliteStore)
    store.db.execute("INSERT INTO entities_fts (entities_fts, rank) VALUES ('hashsize', 2000)")
    monkeypatch.setattr(fulltext, "COMPACT_MIN_ROWS", 10)
    hub.import_file(store, write_csv(tmp_path / "a.csv", _rows(60)), "a", clock=clock, workers=1)
    assert _segments(store) == 1
    automerge = store.db.execute("SELECT v FROM entities_fts_config WHERE k = 'automerge'").fetchone()
    assert automerge == (fulltext.AUTOMERGE,)  # back on for the writes between imports
    # a small import into a bigger index is not worth rewriting the whole index: automerge takes it from there
    hub.import_file(store, write_csv(tmp_path / "b.csv", _rows(10, start=100)), "b", clock=clock, workers=1)
    assert _segments(store) > 1
    assert len(store.search(Query(q="zeche", limit=100)).items) == 70


def test_a_failed_import_leaves_automerge_on(tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)

    def broken(*args: object) -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(store, "write_prepared", broken)
    with pytest.raises(RuntimeError):
        hub.import_file(store, write_csv(tmp_path / "a.csv", _rows(5)), "a", clock=clock, workers=1)
    # rolled back with the import: no setting of its own, FTS5's default (4) applies
    assert store.db.execute("SELECT v FROM entities_fts_config WHERE k = 'automerge'").fetchone() in (
        None, (fulltext.AUTOMERGE,))
    assert fulltext.AUTOMERGE == 4
    assert _journal(tmp_path / "hub.db") == "wal"  # the failed first import wrote without it, and turned it back on


def test_a_new_database_gets_8_kib_pages_and_an_existing_one_keeps_its_own(tmp_path: Path) -> None:
    def page_size(name: str) -> int:
        store = SqliteStore(f"sqlite:///{tmp_path / name}")
        try:
            return int(store.db.execute("PRAGMA page_size").fetchone()[0])
        finally:
            store.close()

    assert page_size("new.db") == 8192
    old = sqlite3.connect(tmp_path / "old.db")
    old.execute("PRAGMA page_size=4096")
    old.execute("CREATE TABLE t (x)")
    old.close()
    assert page_size("old.db") == 4096


def _journal(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        conn.close()


def test_the_first_import_into_an_empty_hub_writes_the_file_directly_and_leaves_wal_on(  # type: ignore[no-untyped-def]
        tmp_path: Path, clock, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    modes: list[str] = []
    write = store.write_prepared

    def watched(prepared: object) -> None:
        modes.append(store.db.execute("PRAGMA journal_mode").fetchone()[0])
        write(prepared)

    monkeypatch.setattr(store, "write_prepared", watched)
    hub.import_file(store, write_csv(tmp_path / "a.csv", _rows(5)), "a", clock=clock, workers=1)
    hub.import_file(store, write_csv(tmp_path / "b.csv", _rows(5, start=1000)), "b", clock=clock, workers=1)
    assert modes == ["delete", "wal"]  # the second import has a hub to read beside it
    assert _journal(tmp_path / "hub.db") == "wal"
    assert len(store.search(Query(q="zeche", limit=100)).items) == 10


def test_another_open_connection_keeps_the_first_import_on_the_wal(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    reader = sqlite3.connect(tmp_path / "hub.db")
    reader.execute("SELECT count(*) FROM entities").fetchone()
    with store._conns.direct() as switched:
        assert not switched
        assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000
    reader.close()
    with store._conns.direct() as switched:
        assert switched


def test_a_first_import_killed_midway_leaves_an_empty_hub_on_the_wal(tmp_path: Path) -> None:
    import subprocess
    import sys

    db, csv_path = tmp_path / "hub.db", write_csv(tmp_path / "a.csv", _rows(300))
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from datenhub import hub\n"
        "from datenhub.pipeline import importer\n"
        "from datenhub.store import open_store\n"
        "importer.BATCH = 50\n"
        "store = open_store(sys.argv[1])\n"
        "write, done = store.write_prepared, []\n"
        "def killing(prepared):\n"
        "    store.db.execute('PRAGMA cache_size=2')  # a tiny page cache: the writes reach the file at once\n"
        "    write(prepared)\n"
        "    done.append(1)\n"
        "    if len(done) == 3:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "store.write_prepared = killing\n"
        "hub.import_file(store, Path(sys.argv[2]), 'a', workers=1)\n")
    killed = subprocess.run([sys.executable, "-c", script, f"sqlite:///{db}", str(csv_path)], capture_output=True)
    assert killed.returncode == -9, killed.stderr.decode()
    assert (tmp_path / "hub.db-journal").exists()  # what the next connection rolls back
    grown = db.stat().st_size
    store = open_store(f"sqlite:///{db}")
    assert (store.counts()["places"], store.counts()["records"]) == (0, 0)
    assert db.stat().st_size < grown  # the pages the import appended are gone
    assert _journal(db) == "wal"
    assert hub.import_file(store, csv_path, "a").new == 300


def test_opening_a_hub_that_a_first_import_holds_says_what_to_wait_for(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from datenhub.store import StoreError
    from datenhub.store.sqlite import connection

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    store = open_store(url)
    assert isinstance(store, SqliteStore)
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 100)
    with store._conns.direct() as switched:
        assert switched
        store.db.execute("BEGIN EXCLUSIVE")  # as an import holds the file once its pages spill
        with pytest.raises(StoreError, match=r"busy for 0\.1 s.*first import into an empty hub"):
            SqliteStore(url).db.execute("SELECT 1")
        store.db.execute("ROLLBACK")


def test_a_first_import_whose_commit_a_reader_holds_up_rolls_back(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    from datenhub.store.base import SourceInfo

    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    reader = sqlite3.connect(tmp_path / "hub.db", isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="locked"), store._conns.direct() as switched:
        assert switched
        store.db.execute("PRAGMA busy_timeout=50")
        with store.transaction():
            store.upsert_source(SourceInfo("a"))
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM sources").fetchone()  # a read the commit must wait for
    assert not store.db.in_transaction  # rolled back, not left open
    assert "stays without the WAL for now" in caplog.text  # the reader still held the file
    reader.execute("ROLLBACK")
    reader.close()
    assert store.get_source("a") is None
    SqliteStore(f"sqlite:///{tmp_path / 'hub.db'}").db.execute("SELECT 1")
    assert _journal(tmp_path / "hub.db") == "wal"  # the next connection turned it on


def test_a_hub_with_keys_but_no_places_keeps_the_wal_for_its_first_import(tmp_path: Path) -> None:
    from datenhub.auth import create_key

    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    create_key(store, "stadt-bochum", ["source:stadt-bochum:write"])  # set up by hand: worth the WAL's care
    with store._conns.direct() as switched:
        assert not switched


def test_migration_moves_filters_to_the_open_view(tmp_path: Path) -> None:
    from datenhub.store.sqlite.store import SqliteStore
    from tests.store.helpers import write_csv

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    store = open_store(url)
    assert isinstance(store, SqliteStore)
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test")
    closed = [["c9", "Zeche Zollern", "Museum", "51.5186", "7.3339", "closed", "Interne Notiz", "no"]]
    hub.import_file(store, write_csv(tmp_path / "b.csv", closed), "intern", priority=1)
    hub_id = store.get_entity("test:z2")["id"]  # type: ignore[index]
    # as a hub written before: the full view's tags and columns
    with store.transaction():
        rowid = store.db.execute("SELECT rowid FROM entities WHERE id = ?", (hub_id,)).fetchone()[0]
        store.db.execute("UPDATE entities SET wheelchair = 'no' WHERE rowid = ?", (rowid,))
        store.db.execute("DELETE FROM entity_tags WHERE entity_rowid = ?", (rowid,))
        store.db.execute("INSERT INTO entity_tags VALUES ('cat:Museum', ?), ('src:intern', ?)", (rowid, rowid))
        store.db.execute("DELETE FROM schema_migrations WHERE name = '0015_open_view_filters'")
    assert hub_id in [e["id"] for e in store.search(Query(categories=("Museum",))).items]
    store.close()
    store = open_store(url)  # migrates
    assert hub_id not in [e["id"] for e in store.search(Query(categories=("Museum",))).items]
    assert hub_id in [e["id"] for e in store.search(Query(categories=("Industriekultur",), wheelchair=("yes",))).items]
    assert hub_id in [e["id"] for e in store.search(Query(sources=("intern",), include_closed=True)).items]
    store.close()


def test_open_points_migration_unplaces_an_open_place_a_closed_point_placed(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    place = open_place_closed_point(store, tmp_path, clock)
    # as a database from before: the closed record's point placed the row, in the R*Tree too
    (rowid,) = store.db.execute("SELECT rowid FROM entities WHERE id = ?", (place,)).fetchone()
    store.db.execute("UPDATE entities SET lat = 51.4862, lon = 7.0406 WHERE rowid = ?", (rowid,))
    store.db.execute("INSERT INTO entities_rtree VALUES (?, 51.4862, 51.4862, 7.0406, 7.0406)", (rowid,))
    store.db.execute("DELETE FROM schema_migrations WHERE name = '0022_open_points'")
    box = Query(bbox=(7.03, 51.48, 7.05, 51.49))
    assert [i["id"] for i in store.search(box).items] == [place]
    assert store.migrate() == ["0022_open_points"]
    assert store.search(box).items == []



def _indexes(db: sqlite3.Connection) -> list[tuple[str, str]]:
    return db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY rowid").fetchall()


def test_the_first_import_leaves_the_indexes_as_the_migrations_made_them_in_their_order(  # type: ignore[no-untyped-def]
        tmp_path: Path, clock) -> None:
    """SQLite's planner, without statistics, breaks ties between indexes by the order they were made in, and the
    searches rely on its choice: an import that built some again at its end made a page of the whole region
    take 0.8 s instead of 0.2 ms (the fine map areas walked instead of the coarse)."""
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    made = _indexes(store.db)
    hub.import_file(store, write_csv(tmp_path / "a.csv", _rows(20)), "a", clock=clock, workers=1)
    assert _indexes(store.db) == made
