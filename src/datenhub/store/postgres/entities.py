"""Writing hub entities: index columns (tags, tsvectors) derived in Python, a batch COPYed and upserted at once."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from typing import Any

import orjson
import psycopg

from datenhub.store.base import HubEntity
from datenhub.store.cells import area_words_prefix
from datenhub.store.documents import dump_document, relaid_rows
from datenhub.store.postgres.arrays import number_array, text_array
from datenhub.store.postgres.bulk import copy_new, copy_to_stage, known_keys
from datenhub.store.postgres.fulltext import tsvector
from datenhub.store.ranking import prominence
from datenhub.store.rows import (
    CLOSED_IMAGE,
    OPEN_LICENCE_SQL,
    closed_images_left_out,
    entity_columns,
    filter_columns,
    open_document,
    open_first_seen,
    open_views_gone,
    search_texts,
    stored_views,
)

_COLUMNS = ("id", "kind", "type", "name_sort", "lat", "lon", "municipality_ags", "wheelchair", "has_open", "all_open",
            "start_at", "end_at", "opening_hours", "checksum", "changed_at", "seq", "withdrawn_at", "tags",
            "open_tsv", "full_tsv", "data", "data_open", "prominence", "area_words", "open_changed_at",
            "open_seq")


# the open view (see entity_parts); none where has_open is unset, though data_open may hold the stub of a view that
# went (rows.open_document)
OPEN_DATA = "CASE WHEN all_open THEN data WHEN has_open THEN data_open END"


def dumps(data: Any) -> str:
    return orjson.dumps(data).decode("utf-8")


def clean(text: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL characters; SQLite can. Drop them from indexed text."""
    return None if text is None else text.replace("\x00", "")


def backfill_prominence(conn: psycopg.Connection[Any]) -> None:
    """Compute the ranking prior of every stored entity (after the migration that added the column)."""
    rows = conn.execute(f"SELECT id, CASE WHEN has_open THEN {OPEN_DATA} ELSE data END FROM entities "
                        "WHERE withdrawn_at IS NULL").fetchall()
    conn.execute("UPDATE entities e SET prominence = p.value FROM unnest(%s::text[], %s::float8[]) AS p (id, value) "
                 "WHERE e.id = p.id", (text_array([r[0] for r in rows]),
                                               number_array([prominence(r[1]) for r in rows])))


def relay_documents(conn: psycopg.Connection[Any], chunk: int = 2000) -> int:
    """Rewrite the documents stored before `geo` followed `id` (documents.relaid), a chunk of rows at a time;
    checksums, sequence numbers and change times stay, since the content does. Returns the rows rewritten."""
    rewritten, after = 0, ""
    while rows := conn.execute("SELECT id, data::text, data_open::text FROM entities WHERE id > %s ORDER BY id "
                               "LIMIT %s", (after, chunk)).fetchall():
        after = rows[-1][0]
        changed = relaid_rows(rows)
        conn.execute("UPDATE entities e SET data = d.data::json, data_open = d.data_open::json FROM unnest("
                     "%s::text[], %s::text[], %s::text[]) AS d (id, data, data_open) WHERE e.id = d.id",
                     (text_array([r[0] for r in changed]), text_array([r[1] for r in changed]),
                      text_array([r[2] for r in changed])))
        rewritten += len(changed)
    return rewritten


def _upsert_sql(postgis: bool) -> str:
    columns = list(_COLUMNS)
    values = list(_COLUMNS)
    if postgis:
        columns.append("geom")
        # active entities with a position only: a withdrawn one leaves the spatial index, as in SQLite's R*Tree
        values.append("CASE WHEN withdrawn_at IS NULL AND lat IS NOT NULL THEN "
                      "ST_SetSRID(ST_MakePoint(lon, lat), 4326) END")
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id")
    return (f"INSERT INTO entities ({', '.join(columns)}) SELECT {', '.join(values)} FROM entities_stage "
            f"ON CONFLICT (id) DO UPDATE SET {updates}")


# id, the columns before seq, the columns after it, the lexemes of the index (for table lexemes)
EntityParts = tuple[str, tuple[Any, ...], tuple[Any, ...], tuple[str, ...]]


def entity_parts(entity: HubEntity) -> EntityParts:
    """Everything of the row but `seq` (given at write time): pure, so an import worker can compute it."""
    cols = entity_columns(entity, cells=False)
    active = entity.withdrawn_at is None
    full_json = dump_document(entity.data)
    # An open view equal to the full one (most entities) is stored once: readers take `data` when all_open
    # is set (OPEN_DATA), and full_tsv stays NULL when the full view adds no words (searches then use
    # open_tsv), which also spares the second GIN index the entity.
    data_open = open_document(entity, cols.all_open)
    open_tsv = full_tsv = area_words = None
    words: tuple[str, ...] = ()
    if active:
        open_tsv, full_tsv, area_words, words = text_columns(cols.open_text, cols.all_text, cols.lat, cols.lon)
    head = (entity.id, entity.kind, cols.type, clean(cols.name_sort), cols.lat, cols.lon,
            cols.municipality_ags, cols.wheelchair, cols.has_open, cols.all_open, cols.start_at, cols.end_at,
            clean(cols.opening_hours), entity.checksum, entity.changed_at)
    tail = (entity.withdrawn_at, text_array(cols.tags if active else []), open_tsv, full_tsv, full_json, data_open,
            cols.prominence, area_words, entity.open_changed_at, entity.open_seq)
    return entity.id, head, tail, words


def text_columns(open_text: str, all_text: str, lat: float | None, lon: float | None
                 ) -> tuple[str, str | None, str | None, tuple[str, ...]]:
    """open_tsv, full_tsv, area_words and the lexemes of an active entity's indexed text (search_texts)."""
    open_tsv, words = tsvector(open_text)
    area_words = None
    if lat is not None and lon is not None:
        prefix = area_words_prefix(lat, lon)
        area_words = text_array([prefix + word for word in words])
    full_tsv = None
    if all_text:
        full_tsv, words = tsvector(f"{open_text} {all_text}")
    return open_tsv, full_tsv, area_words, words


def refilter(conn: psycopg.Connection[Any]) -> int:
    """Filter columns and tags from the open view (rows.entity_columns) for the active entities whose views
    differ: stored before, they held the full view's. Returns the entities rewritten."""
    rows = conn.execute("SELECT id, kind, data::text, data_open::text, has_open FROM entities WHERE withdrawn_at IS "
                        "NULL AND NOT all_open").fetchall()
    updates = []
    for entity_id, kind, data, data_open, has_open in rows:
        cols = filter_columns(entity_id, kind, data, data_open, has_open)
        updates.append((cols.type, cols.municipality_ags, cols.wheelchair, cols.start_at, cols.end_at,
                        text_array(cols.tags), entity_id))
    with conn.cursor() as cur:
        cur.executemany("UPDATE entities SET type = %s, municipality_ags = %s, wheelchair = %s, "
                        "start_at = %s::timestamptz, end_at = %s::timestamptz, tags = %s::text[] WHERE id = %s",
                        updates)
    return len(rows)


def hide_closed_images(conn: psycopg.Connection[Any]) -> int:
    """Leave closed images out of the open views stored before the open view did (rows.closed_images_left_out).
    Returns the entities rewritten."""
    rows = conn.execute(f"SELECT id, kind, data::text, data_open::text, has_open, all_open, checksum FROM entities "
                        f"WHERE withdrawn_at IS NULL AND has_open AND strpos(({OPEN_DATA})::text, %s) > 0",
                        (CLOSED_IMAGE,)).fetchall()
    fixed = closed_images_left_out(rows, datetime.now(UTC))
    if fixed:
        upsert_entities(conn, fixed, has_postgis(conn))
    return len(fixed)


def mend_open_first_seen(conn: psycopg.Connection[Any]) -> int:
    """Open views first seen with their first open record (rows.open_first_seen); returns the entities rewritten."""
    rows = conn.execute("SELECT id, kind, data::text, data_open::text, has_open, all_open, checksum FROM entities "
                        "WHERE withdrawn_at IS NULL AND has_open AND NOT all_open").fetchall()
    firsts = dict(conn.execute("SELECT hub_id, min(first_seen) FROM records WHERE withdrawn_at IS NULL AND "
                               f"data->>'licence' IN {OPEN_LICENCE_SQL} GROUP BY hub_id").fetchall())
    fixed = open_first_seen(rows, firsts, datetime.now(UTC))
    if fixed:
        upsert_entities(conn, fixed, has_postgis(conn))
    return len(fixed)


def mark_open_views_gone(conn: psycopg.Connection[Any]) -> int:
    """Stubs for the open views that went before the store kept them (rows.open_views_gone); returns the entities
    rewritten."""
    rows = conn.execute("SELECT id, kind, data::text, checksum FROM entities e WHERE withdrawn_at IS NULL AND NOT "
                        "has_open AND data_open IS NULL AND EXISTS (SELECT 1 FROM records r WHERE r.hub_id = e.id AND "
                        f"r.data->>'licence' IN {OPEN_LICENCE_SQL})").fetchall()
    gone = open_views_gone(rows, datetime.now(UTC))
    if gone:
        upsert_entities(conn, gone, has_postgis(conn))
    return len(gone)


def has_postgis(conn: psycopg.Connection[Any]) -> bool:
    """Whether entities carry a PostGIS point (the migrations decide it by the extensions the server has)."""
    return conn.execute("SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND "
                        "table_name = 'entities' AND column_name = 'geom'").fetchone() is not None


def rebuild_text(conn: psycopg.Connection[Any], chunk: int = 2000) -> int:
    """Index the text of every stored entity again (search_texts), a chunk of rows at a time; documents,
    checksums and sequence numbers stay. Returns the rows indexed."""
    done, after = 0, ""
    sql = ("SELECT id, data::text, data_open::text, has_open, all_open, lat, lon FROM entities "
           "WHERE id > %s AND withdrawn_at IS NULL ORDER BY id LIMIT %s")
    while rows := conn.execute(sql, (after, chunk)).fetchall():
        after = rows[-1][0]
        updates: list[tuple[Any, ...]] = []
        lexemes: set[str] = set()
        for entity_id, data, data_open, has_open, all_open, lat, lon in rows:
            views = stored_views(data, data_open, has_open, all_open)
            open_tsv, full_tsv, area_words, words = text_columns(*search_texts(*views), lat, lon)
            updates.append((open_tsv, full_tsv, area_words, entity_id))
            lexemes.update(words)
        with conn.cursor() as cur:
            cur.executemany("UPDATE entities SET open_tsv = %s::tsvector, full_tsv = %s::tsvector, "
                            "area_words = %s::text[] WHERE id = %s", updates)
        conn.execute("INSERT INTO lexemes (lexeme) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING",
                     (text_array(sorted(lexemes)),))
        done += len(rows)
    return done


def upsert_entities(conn: psycopg.Connection[Any], entities: list[HubEntity], postgis: bool) -> None:
    upsert_entity_parts(conn, [entity_parts(e) for e in entities], postgis)


_LAT, _LON, _WITHDRAWN = _COLUMNS.index("lat"), _COLUMNS.index("lon"), _COLUMNS.index("withdrawn_at")
_POINT = struct.Struct("<BIIdd")  # EWKB: little-endian, Point with SRID, SRID, x, y


def _geom(row: tuple[Any, ...]) -> str | None:
    """The geometry column as hex EWKB, what the upsert computes with ST_MakePoint for a staged row."""
    if row[_WITHDRAWN] is not None or row[_LAT] is None or row[_LON] is None:
        return None
    return _POINT.pack(1, 0x20000001, 4326, row[_LON], row[_LAT]).hex()


def upsert_entity_parts(conn: psycopg.Connection[Any], entities: list[EntityParts], postgis: bool) -> None:
    if not entities:
        return
    # The counter row stays locked until commit, so `seq` order is commit order and the delta feed
    # (sort=changed with a cursor) never skips an entity a slower concurrent import commits later.
    row = conn.execute("UPDATE entity_seq SET value = value + %s RETURNING value", (len(entities),)).fetchone()
    last = int(row[0]) if row else len(entities)
    first = last - len(entities) + 1
    # one row per id (the last one wins, as it would row by row): ON CONFLICT cannot touch a row twice
    latest = {parts[0]: (first + n, parts) for n, parts in enumerate(entities)}
    rows = {eid: (*head, seq, *tail) for eid, (seq, (_, head, tail, _)) in latest.items()}
    known = known_keys(conn, "entities", "id", list(rows))
    # hubs founded by this batch (most of a first import) go straight into the table
    fresh = [(*r, _geom(r)) if postgis else r for eid, r in rows.items() if eid not in known]
    if copy_new(conn, "entities", (*_COLUMNS, "geom") if postgis else _COLUMNS, fresh):
        rows = {eid: r for eid, r in rows.items() if eid in known}
    if rows:
        copy_to_stage(conn, "entities_stage", "entities", _COLUMNS, rows.values())
        conn.execute(_upsert_sql(postgis))
    # Every lexeme the index has held (search expands a last word from here: search._expansions). Lexemes of
    # withdrawn entities stay: a query term nothing holds any more costs the GIN index nothing. Sorted, so
    # concurrent imports take the index entries in the same order.
    words = sorted({word for _, (_, (_, _, _, found)) in latest.items() for word in found})
    if words:
        conn.execute("INSERT INTO lexemes (lexeme) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING",
                     (text_array(words),))
