"""Record and entity writes for SQLite, in two halves: a pure one (JSON, index columns, row tuples) that an
import worker process can run, and the SQL that runs where the transaction is. Only strings and numbers
cross between the two, which is what makes handing batches over between processes cheap.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from datenhub.store.base import HubEntity, StoredRecord
from datenhub.store.documents import dump_document, relaid_rows
from datenhub.store.ranking import prominence
from datenhub.store.rows import (
    CLOSED_IMAGE,
    OPEN_LICENCE_SQL,
    closed_images_left_out,
    entity_columns,
    filter_columns,
    index_tokens,
    iso,
    open_document,
    open_first_seen,
    open_views_gone,
    search_texts,
    stored_views,
)
from datenhub.store.sqlite.schema import ADD_TALLIES
from datenhub.store.tallies import KEY_COLUMNS, tally_key, tally_rows, written


def dumps(data: Any) -> str:
    return orjson.dumps(data).decode("utf-8")


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass(slots=True)
class EntityRow:
    id: str
    values: tuple[Any, ...]  # the entities columns between rowid and seq, then after seq (see _ENTITY_SQL)
    tail: tuple[Any, ...]
    fts: tuple[str, str, str] | None  # open_text, all_text, cells; None for tombstones
    point: tuple[float, float] | None
    tags: list[str]

    def __reduce__(self) -> tuple[type[EntityRow], tuple[Any, ...]]:
        # positional state: rows come back from import workers by the thousand (dataclass default: 2× dearer)
        return EntityRow, (self.id, self.values, self.tail, self.fts, self.point, self.tags)


@dataclass(slots=True)
class PreparedWrites:
    records: list[tuple[Any, ...]] = field(default_factory=list)
    entities: list[EntityRow] = field(default_factory=list)


def record_row(r: StoredRecord) -> tuple[Any, ...]:
    """The records columns, then the record's tally_key (write_records)."""
    return (r.record_id, r.source, r.local_id, r.kind, r.hub_id, r.checksum, r.data_json or dumps(r.data),
            iso(r.first_seen), iso(r.last_changed), iso(r.withdrawn_at), r.draft, r.draft_notices, *tally_key(r.data))


def entity_row(entity: HubEntity) -> EntityRow:
    cols = entity_columns(entity)
    full_json = dump_document(entity.data)
    # An open view equal to the full one (the usual case) is not stored twice: readers use OPEN_DATA,
    # which falls back to `data` when all_open is set.
    open_json = open_document(entity, cols.all_open)
    values = (entity.id, entity.kind, cols.type, cols.name_sort, cols.lat, cols.lon,
              cols.municipality_ags, cols.wheelchair, int(cols.has_open), int(cols.all_open), cols.start_at,
              cols.end_at, entity.checksum, iso(entity.changed_at))
    tail = (iso(entity.withdrawn_at), full_json, open_json, cols.opening_hours, cols.prominence,
            iso(entity.open_changed_at), entity.open_seq)
    live = entity.withdrawn_at is None
    return EntityRow(entity.id, values, tail, (cols.open_text, cols.all_text, cols.cells) if live else None,
                     (cols.lat, cols.lon) if live and cols.lat is not None and cols.lon is not None else None,
                     cols.tags if live else [])


def prepare(records: list[StoredRecord], entities: list[HubEntity]) -> PreparedWrites:
    """The pure half: no connection needed."""
    return PreparedWrites([record_row(r) for r in records], [entity_row(e) for e in entities])


# Rows known to be new take a plain INSERT: SQLite's upsert costs a third more per row (100k records: 0.9 s
# against 0.55 s), and most rows of a big import are new.
_RECORD_INSERT = (
    "INSERT INTO records (record_id, source, local_id, kind, hub_id, checksum, data, first_seen, last_changed,"
    " withdrawn_at, draft, draft_notices) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_RECORD_SQL = (
    f"{_RECORD_INSERT} ON CONFLICT (record_id) DO UPDATE SET hub_id = excluded.hub_id, "
    "checksum = excluded.checksum, data = excluded.data, "
    "last_changed = excluded.last_changed, withdrawn_at = excluded.withdrawn_at, kind = excluded.kind, "
    "draft = excluded.draft, draft_notices = excluded.draft_notices")

_ENTITY_INSERT = (
    "INSERT INTO entities (rowid, id, kind, type, name_sort, lat, lon, municipality_ags, wheelchair, has_open,"
    " all_open, start_at, end_at, checksum, changed_at, seq, withdrawn_at, data, data_open, opening_hours,"
    f" prominence, open_changed_at, open_seq) VALUES ({', '.join('?' * 23)})")
_ENTITY_SQL = (
    f"{_ENTITY_INSERT} ON CONFLICT (rowid) DO UPDATE SET "
    "kind = excluded.kind, type = excluded.type, name_sort = excluded.name_sort, lat = excluded.lat, "
    "lon = excluded.lon, municipality_ags = excluded.municipality_ags, wheelchair = excluded.wheelchair, "
    "has_open = excluded.has_open, all_open = excluded.all_open, start_at = excluded.start_at, "
    "end_at = excluded.end_at, checksum = excluded.checksum, changed_at = excluded.changed_at, "
    "seq = excluded.seq, withdrawn_at = excluded.withdrawn_at, data = excluded.data, "
    "data_open = excluded.data_open, opening_hours = excluded.opening_hours, prominence = excluded.prominence, "
    "open_changed_at = excluded.open_changed_at, open_seq = excluded.open_seq")


def backfill_prominence(db: sqlite3.Connection) -> None:
    """Compute the ranking prior of every stored entity and put its tier token into the full-text index (after
    the migration that added the column)."""
    rows = db.execute(f"SELECT rowid, {OPEN_VIEW}, lat, lon FROM entities WHERE withdrawn_at IS NULL").fetchall()
    values = [(rowid, prominence(orjson.loads(view) if view else None), lat, lon) for rowid, view, lat, lon in rows]
    db.executemany("UPDATE entities SET prominence = ? WHERE rowid = ?", [(p, rowid) for rowid, p, _, _ in values])
    db.executemany("UPDATE entities_fts SET cells = ? WHERE rowid = ?", [
        (index_tokens({"lat": lat, "lon": lon} if lat is not None and lon is not None else None, p), rowid)
        for rowid, p, lat, lon in values])


def refilter(db: sqlite3.Connection) -> int:
    """Filter columns and tags from the open view (rows.entity_columns) for the active entities whose views
    differ: stored before, they held the full view's. Returns the entities rewritten."""
    rows = db.execute("SELECT rowid, id, kind, data, data_open, has_open FROM entities WHERE withdrawn_at IS NULL "
                      "AND NOT all_open").fetchall()
    for rowid, entity_id, kind, data, data_open, has_open in rows:
        cols = filter_columns(entity_id, kind, data, data_open, has_open)
        db.execute("UPDATE entities SET type = ?, municipality_ags = ?, wheelchair = ?, start_at = ?, end_at = ? "
                   "WHERE rowid = ?", (cols.type, cols.municipality_ags, cols.wheelchair, cols.start_at, cols.end_at,
                                       rowid))
        db.execute("DELETE FROM entity_tags WHERE entity_rowid = ?", (rowid,))
        db.executemany("INSERT INTO entity_tags (tag, entity_rowid) VALUES (?, ?)", [(t, rowid) for t in cols.tags])
    return len(rows)


def hide_closed_images(db: sqlite3.Connection) -> int:
    """Leave closed images out of the open views stored before the open view did (rows.closed_images_left_out).
    Returns the entities rewritten."""
    rows = db.execute("SELECT id, kind, data, data_open, has_open, all_open, checksum FROM entities WHERE "
                      "withdrawn_at IS NULL AND has_open AND instr(iif(all_open, data, data_open), ?) > 0",
                      (CLOSED_IMAGE,)).fetchall()
    fixed = closed_images_left_out(rows, datetime.now(UTC))
    write_entities(db, [entity_row(e) for e in fixed])
    return len(fixed)


def mend_open_first_seen(db: sqlite3.Connection) -> int:
    """Open views first seen with their first open record (rows.open_first_seen); returns the entities rewritten."""
    rows = db.execute("SELECT id, kind, data, data_open, has_open, all_open, checksum FROM entities WHERE "
                      "withdrawn_at IS NULL AND has_open AND NOT all_open").fetchall()
    firsts = dict(db.execute("SELECT hub_id, min(first_seen) FROM records WHERE withdrawn_at IS NULL AND "
                             f"json_extract(data, '$.licence') IN {OPEN_LICENCE_SQL} GROUP BY hub_id").fetchall())
    fixed = open_first_seen(rows, firsts, datetime.now(UTC))
    write_entities(db, [entity_row(e) for e in fixed])
    return len(fixed)


def mark_open_views_gone(db: sqlite3.Connection) -> int:
    """Stubs for the open views that went before the store kept them (rows.open_views_gone); returns the entities
    rewritten."""
    rows = db.execute("SELECT id, kind, data, checksum FROM entities e WHERE withdrawn_at IS NULL AND NOT has_open "
                      "AND data_open IS NULL AND EXISTS (SELECT 1 FROM records r WHERE r.hub_id = e.id AND "
                      f"json_extract(r.data, '$.licence') IN {OPEN_LICENCE_SQL})").fetchall()
    gone = open_views_gone(rows, datetime.now(UTC))
    write_entities(db, [entity_row(e) for e in gone])
    return len(gone)


def rebuild_text(db: sqlite3.Connection, chunk: int = 2000) -> int:
    """Index the text of every stored entity again (search_texts), a chunk of rows at a time; documents,
    checksums and sequence numbers stay. Returns the rows indexed."""
    done, after = 0, 0
    while rows := db.execute("SELECT rowid, data, data_open, has_open, all_open FROM entities WHERE rowid > ? AND "
                             "withdrawn_at IS NULL ORDER BY rowid LIMIT ?", (after, chunk)).fetchall():
        after = rows[-1][0]
        db.executemany("UPDATE entities_fts SET open_text = ?, all_text = ? WHERE rowid = ?",
                       [(*search_texts(*stored_views(*row[1:])), row[0]) for row in rows])
        done += len(rows)
    return done


def relay_documents(db: sqlite3.Connection, chunk: int = 2000) -> int:
    """Rewrite the documents stored before `geo` followed `id` (documents.relaid), a chunk of rows at a time;
    checksums, sequence numbers and change times stay, since the content does. Returns the rows rewritten."""
    rewritten, after = 0, 0
    while rows := db.execute("SELECT rowid, data, data_open FROM entities WHERE rowid > ? ORDER BY rowid LIMIT ?",
                             (after, chunk)).fetchall():
        after = rows[-1][0]
        updates = [(data, data_open, rowid) for rowid, data, data_open in relaid_rows(rows)]
        db.executemany("UPDATE entities SET data = ?, data_open = ? WHERE rowid = ?", updates)
        rewritten += len(updates)
    return rewritten


OPEN_VIEW = "CASE WHEN has_open THEN iif(all_open, data, data_open) ELSE data END"  # what prominence is built
# from: the open view where there is one (as entity_columns does)


def write_records(db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    """record_row rows. The previous version of a changed record goes to record_history (trigger records_history);
    new records are added to record_tallies here, changed ones by the trigger records_tally_update."""
    if not rows:
        return
    known: set[str] = set()
    for chunk in chunks([row[0] for row in rows], 500):
        marks = ",".join("?" * len(chunk))
        known.update(r for (r,) in db.execute(f"SELECT record_id FROM records WHERE record_id IN ({marks})", chunk))
    new = [row for row in rows if row[0] not in known]
    db.executemany(_RECORD_INSERT, [row[:-KEY_COLUMNS] for row in new])
    db.executemany(ADD_TALLIES, tally_rows(written(new)))
    if known:
        db.executemany(_RECORD_SQL, [row[:-KEY_COLUMNS] for row in rows if row[0] in known])


def write_entities(db: sqlite3.Connection, rows: list[EntityRow]) -> int:
    """Returns the rows written to the full-text index."""
    if not rows:
        return 0
    seq = int((db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone() or ["0"])[0])
    existing: dict[str, int] = {}
    for chunk in chunks([r.id for r in rows], 500):
        marks = ",".join("?" * len(chunk))
        existing.update(db.execute(f"SELECT id, rowid FROM entities WHERE id IN ({marks})", chunk).fetchall())
    for chunk in chunks(list(existing.values()), 500):
        marks = ",".join("?" * len(chunk))
        db.execute(f"DELETE FROM entities_fts WHERE rowid IN ({marks})", chunk)
        db.execute(f"DELETE FROM entities_rtree WHERE id IN ({marks})", chunk)
        db.execute(f"DELETE FROM entity_tags WHERE entity_rowid IN ({marks})", chunk)
    values: list[tuple[Any, ...]] = []  # new rows (_ENTITY_INSERT)
    updates: list[tuple[Any, ...]] = []  # rows of entities stored before (_ENTITY_SQL)
    fts: list[tuple[Any, ...]] = []
    rtree: list[tuple[int, float, float, float, float]] = []
    tags: list[tuple[str, int]] = []
    next_rowid = int((db.execute("SELECT max(rowid) FROM entities").fetchone()[0]) or 0)
    for row in rows:
        seq += 1
        rowid = existing.get(row.id)
        if rowid is None:
            next_rowid += 1
            rowid = next_rowid
            values.append((rowid, *row.values, seq, *row.tail))
        else:
            updates.append((rowid, *row.values, seq, *row.tail))
        if row.fts is not None:
            fts.append((rowid, *row.fts))
        if row.point is not None:
            lat, lon = row.point
            rtree.append((rowid, lat, lat, lon, lon))
        tags.extend((tag, rowid) for tag in row.tags)
    db.executemany(_ENTITY_INSERT, values)
    if updates:
        db.executemany(_ENTITY_SQL, updates)
    db.executemany("INSERT INTO entities_fts (rowid, open_text, all_text, cells) VALUES (?, ?, ?, ?)", fts)
    db.executemany("INSERT INTO entities_rtree VALUES (?, ?, ?, ?, ?)", rtree)
    db.executemany("INSERT OR IGNORE INTO entity_tags (tag, entity_rowid) VALUES (?, ?)", tags)
    db.execute("INSERT INTO meta (key, value) VALUES ('seq', ?) ON CONFLICT (key) DO UPDATE SET value = "
               "excluded.value", (str(seq),))
    return len(fts)
