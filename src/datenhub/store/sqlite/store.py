"""SqliteStore: the embedded default backend (WAL, FTS5 with German stems, R*Tree)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import orjson

from datenhub.ingest.base import RawInput
from datenhub.notices import Location, Notice, Severity
from datenhub.store.access import ApiKey, Delivery, Webhook
from datenhub.store.base import (
    COUNTS,
    OWN_NOTICES,
    Candidate,
    EntityState,
    HubEntity,
    Page,
    RecordState,
    SourceInfo,
    Store,
    StoredRecord,
)
from datenhub.store.cells import FULL_ONLY
from datenhub.store.derived import DerivedFigures
from datenhub.store.hooks import HOURS_PAIRS_SQL
from datenhub.store.query import Query
from datenhub.store.rows import OPEN_LICENCE_SQL, iso, parse_iso
from datenhub.store.sqlite import fulltext, writes
from datenhub.store.sqlite.connection import Connections, path_from_url
from datenhub.store.sqlite.kept import SqliteKeptMixin, dump_words, load_words
from datenhub.store.sqlite.occupancy import SqliteOccupancyMixin
from datenhub.store.sqlite.schema import (
    BACKFILL_PROMINENCE,
    CLOSED_IMAGES,
    MIGRATIONS,
    OPEN_FIRST_SEEN,
    OPEN_GONE_STUBS,
    OPEN_VIEW_FILTERS,
    REBUILD_TEXT,
    RELAY_DOCUMENTS,
    RELAY_PROVENANCE,
)
from datenhub.store.sqlite.search import run_search
from datenhub.store.tallies import (
    ATTRIBUTIONS_SQL,
    COUNT_SQL,
    RECORD_TALLY_SQL,
    SOURCE_TALLY_SQL,
    OpenTally,
    active_licences,
    attribution_lists,
    open_tallies,
)

# whether an entity changed since ?1 changed its open view (or the stub of one that went)
# per source and licence, one scan serving record_licences and open_record_changes: active and withdrawn records,
# the last change of a record and the last withdrawal (ISO text in UTC: max() is the latest)
_OPEN_CHANGE = "(has_open OR data_open IS NOT NULL) AND (open_changed_at IS NULL OR open_changed_at >= ?1)"
# the open view, stored only when it differs from `data`; none where has_open is unset, though data_open may hold the
# stub of a view that went (rows.open_document)
OPEN_DATA = "CASE WHEN all_open THEN data WHEN has_open THEN data_open END"


# each source's latest import that ran (an unchanged input is recorded but skipped) and that said what is wrong
# with all its records, and the single-record writes since (OWN_NOTICES): Store.list_notices
_CURRENT_IMPORTS = ("import_id IN (SELECT i.id FROM imports i WHERE i.status = 'ok' AND json_extract(i.stats, "
                    "'$.skipped') IS NOT 1 AND i.id >= coalesce((SELECT max(b.id) FROM imports b WHERE b.source = "
                    "i.source AND b.status = 'ok' AND json_extract(b.stats, '$.skipped') IS NOT 1 AND "
                    f"json_extract(b.stats, '$.{OWN_NOTICES}') IS NULL), 0))")


class SqliteStore(SqliteOccupancyMixin, SqliteKeptMixin, Store):
    def __init__(self, url: str) -> None:
        self.url = url
        self._conns = Connections(path_from_url(url))
        self._tx = threading.local()  # transaction nesting depth, per thread like the connections
        self._derived = DerivedFigures()
        self._version: tuple[tuple[int, int], tuple[int, int]] | None = None  # see data_version

    @property
    def db(self) -> sqlite3.Connection:
        return self._conns.get()

    # lifecycle ---------------------------------------------------------------------------------------------
    def holds_hub(self) -> bool:
        return self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").fetchone() is not None

    def migrate(self) -> list[str]:
        db = self.db
        db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        done = {row[0] for row in db.execute("SELECT name FROM schema_migrations")}
        applied = []
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            with self.transaction():
                for statement in sql.split(";\n"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (name, iso(datetime.now(UTC))))
            applied.append(name)
        # Migrations that need Python after their SQL: the data of every stored entity, computed again.
        # One rewrite serves both document-layout migrations.
        for markers, backfill in (({BACKFILL_PROMINENCE}, writes.backfill_prominence),
                                  ({RELAY_DOCUMENTS, RELAY_PROVENANCE}, writes.relay_documents),
                                  ({REBUILD_TEXT}, writes.rebuild_text),
                                  ({OPEN_VIEW_FILTERS}, writes.refilter),
                                  ({CLOSED_IMAGES}, writes.hide_closed_images),
                                  ({OPEN_FIRST_SEEN}, writes.mend_open_first_seen),
                                  ({OPEN_GONE_STUBS}, writes.mark_open_views_gone)):
            if markers.intersection(applied):
                with self.transaction():
                    backfill(db)
        return applied

    def close(self) -> None:
        self._conns.close()

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """An import: read through the page cache (Connections.unmapped); the full-text index merges nothing
        while it runs and is compacted at its end if the import wrote much of it (fulltext). Inside the import's
        transaction (importer.run_import), so all of it commits, and is checkpointed, once: a compaction of its
        own cost 0.3-0.7 s more per 100k places, and a killed import cannot leave automerge off. The indexes stay:
        SQLite's planner, without statistics, breaks ties between indexes by the order they were made in, and the
        searches rely on its choices (session 30 dropped three and built them at the end: 2% faster imports, and
        a page of the whole region took 0.8 s instead of 0.2 ms)."""
        self._tx.indexed = 0
        with self._conns.direct(), self.transaction():
            fulltext.set_automerge(self.db, False)
            try:
                with self._conns.unmapped():
                    yield
                written = self._tx.indexed
            finally:
                self._tx.indexed = None
                fulltext.set_automerge(self.db, True)
            if written:
                fulltext.compact_after_import(self.db, written)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        db = self.db
        depth = getattr(self._tx, "depth", 0)
        if depth:
            self._tx.depth = depth + 1
            try:
                yield
            finally:
                self._tx.depth = depth
            return
        db.execute("BEGIN IMMEDIATE")
        self._tx.depth = 1
        try:
            yield
            db.execute("COMMIT")  # may fail (a reader holding the file past the busy timeout): then roll back
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            self._tx.depth = 0
            self._version = None  # a rollback takes back changes that total_changes still counts

    # sources and raw input ---------------------------------------------------------------------------------
    def upsert_source(self, source: SourceInfo) -> None:
        self.db.execute(
            "INSERT INTO sources (name, title, licence, attribution, priority, url, description) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET title = coalesce(excluded.title, title), "
            "licence = coalesce(excluded.licence, licence), attribution = coalesce(excluded.attribution, attribution),"
            " priority = excluded.priority, url = coalesce(excluded.url, url), "
            "description = coalesce(excluded.description, description)",
            (source.name, source.title, source.licence, source.attribution, source.priority, source.url,
             source.description),
        )

    def _source_from_row(self, row: tuple[Any, ...]) -> SourceInfo:
        return SourceInfo(name=row[0], title=row[1], licence=row[2], attribution=row[3], priority=row[4],
                          url=row[5], description=row[6])

    def get_source(self, name: str) -> SourceInfo | None:
        row = self.db.execute("SELECT name, title, licence, attribution, priority, url, description FROM sources "
                              "WHERE name = ?", (name,)).fetchone()
        return self._source_from_row(row) if row else None

    def list_sources(self) -> list[SourceInfo]:
        out = []
        rows = self.db.execute("SELECT name, title, licence, attribution, priority, url, description FROM sources "
                               "ORDER BY priority, name").fetchall()
        for row in rows:
            info = self._source_from_row(row)
            total, withdrawn = self.db.execute(
                SOURCE_TALLY_SQL.format(source="?"), (info.name,)).fetchone()
            last = self.db.execute("SELECT finished_at, status FROM imports WHERE source = ? ORDER BY id DESC LIMIT 1",
                                   (info.name,)).fetchone()
            info.stats = {"records": total, "active": total - withdrawn, "withdrawn": withdrawn,
                          "last_import": last[0] if last else None, "last_status": last[1] if last else None}
            out.append(info)
        return out

    def record_attributions(self) -> dict[str, list[str]]:
        return attribution_lists(self.db.execute(ATTRIBUTIONS_SQL))

    def open_record_changes(self) -> dict[str, OpenTally]:
        return open_tallies(self.db.execute(RECORD_TALLY_SQL))

    def record_licences(self) -> dict[str, dict[str, int]]:
        return active_licences(self.db.execute(RECORD_TALLY_SQL))

    def save_raw(self, raw: RawInput) -> int:
        sha = raw.sha256
        row = self.db.execute("SELECT id FROM raw_inputs WHERE source = ? AND sha256 = ?", (raw.source, sha)).fetchone()
        if row:
            return int(row[0])
        cur = self.db.execute(
            "INSERT INTO raw_inputs (source, name, media_type, fetched_at, sha256, size, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (raw.source, raw.name, raw.media_type, iso(raw.fetched_at), sha, len(raw.payload), raw.payload),
        )
        return int(cur.lastrowid or 0)

    def get_raw(self, raw_id: int) -> RawInput | None:
        row = self.db.execute("SELECT source, name, payload, fetched_at, media_type FROM raw_inputs WHERE id = ?",
                              (raw_id,)).fetchone()
        if row is None:
            return None
        return RawInput(row[0], row[1], bytes(row[2]), parse_iso(row[3]) or datetime.now(UTC), row[4])

    # imports and notices -----------------------------------------------------------------------------------
    def start_import(self, source: str, adapter: str, raw_id: int | None, at: datetime) -> int:
        cur = self.db.execute("INSERT INTO imports (source, adapter, raw_id, started_at, status) "
                              "VALUES (?, ?, ?, ?, 'running')", (source, adapter, raw_id, iso(at)))
        return int(cur.lastrowid or 0)

    def finish_import(self, import_id: int, status: str, stats: dict[str, Any], at: datetime) -> None:
        self.db.execute("UPDATE imports SET status = ?, stats = ?, finished_at = ? WHERE id = ?",
                        (status, writes.dumps(stats), iso(at), import_id))

    def list_imports(self, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        sql = "SELECT id, source, adapter, raw_id, started_at, finished_at, status, stats FROM imports"
        params: list[Any] = []
        if source:
            sql += " WHERE source = ?"
            params.append(source)
        rows = self.db.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]).fetchall()
        keys = ("id", "source", "adapter", "raw_id", "started_at", "finished_at", "status", "stats")
        return [{**dict(zip(keys, r, strict=True)), "stats": orjson.loads(r[7]) if r[7] else {}} for r in rows]

    def save_notices(self, import_id: int, notices: list[Notice]) -> None:
        self.db.executemany(
            "INSERT INTO notices (import_id, source, code, severity, message, file, row, pointer, field, entity_id,"
            " value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(import_id, n.location.source, n.code, n.severity.value, n.message, n.location.file, n.location.row,
              n.location.pointer, n.location.field, n.location.entity_id, n.value) for n in notices],
        )

    def supersede_notices(self, source: str, local_ids: list[str], import_id: int | None) -> None:
        before = import_id if import_id is not None else 2**62
        for start in range(0, len(local_ids), 500):
            chunk = local_ids[start:start + 500]
            self.db.execute(f"DELETE FROM notices WHERE source = ? AND import_id < ? AND entity_id IN "
                            f"({','.join('?' * len(chunk))})", [source, before, *chunk])

    def list_notices(self, *, source: str | None = None, code: str | None = None, entity_id: str | None = None,
                     import_id: int | None = None, current: bool = False, limit: int = 100,
                     severity: Severity | None = None) -> list[Notice]:
        where, params = [], []
        for column, value in (("source", source), ("code", code), ("entity_id", entity_id),
                              ("import_id", import_id), ("severity", severity.value if severity else None)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if current:
            where.append(_CURRENT_IMPORTS)
        sql = ("SELECT code, severity, message, source, file, row, pointer, field, entity_id, value FROM notices"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC LIMIT ?")
        return [Notice(r[0], Severity(r[1]), r[2], Location(r[3], r[4], r[5], r[6], r[7], r[8]), r[9])
                for r in self.db.execute(sql, [*params, limit])]

    # records -----------------------------------------------------------------------------------------------
    def record_states(self, source: str) -> dict[str, RecordState]:
        return {r[0]: RecordState(r[1], r[2], r[3] is not None, r[4], r[5]) for r in self.db.execute(
            "SELECT local_id, checksum, hub_id, withdrawn_at, draft, draft_notices FROM records WHERE source = ?",
            (source,))}

    def set_record_drafts(self, source: str, drafts: list[tuple[str, str, str | None]]) -> None:
        self.db.executemany("UPDATE records SET draft = ?, draft_notices = ? WHERE record_id = ?",
                            [(draft, notices, f"{source}:{lid}") for lid, draft, notices in drafts])

    def upsert_records(self, records: list[StoredRecord]) -> None:
        writes.write_records(self.db, [writes.record_row(r) for r in records])

    def withdraw_records(self, record_ids: list[str], at: datetime) -> None:
        self.db.executemany("UPDATE records SET withdrawn_at = ? WHERE record_id = ? AND withdrawn_at IS NULL",
                            [(iso(at), rid) for rid in record_ids])

    def _record(self, row: tuple[Any, ...]) -> StoredRecord:
        return StoredRecord(row[0], row[1], row[2], row[3], row[4], row[5], orjson.loads(row[6]),
                            parse_iso(row[7]) or datetime.now(UTC), parse_iso(row[8]) or datetime.now(UTC),
                            parse_iso(row[9]))

    _RECORD_COLUMNS = ("record_id, source, local_id, kind, hub_id, checksum, data, first_seen, last_changed, "
                       "withdrawn_at")

    def get_record(self, record_id: str) -> StoredRecord | None:
        row = self.db.execute(f"SELECT {self._RECORD_COLUMNS} FROM records WHERE record_id = ?",
                              (record_id,)).fetchone()
        return self._record(row) if row else None

    def records_of_hubs(self, hub_ids: list[str]) -> dict[str, list[StoredRecord]]:
        out: dict[str, list[StoredRecord]] = {}
        for chunk in writes.chunks(hub_ids, 500):
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(f"SELECT {self._RECORD_COLUMNS} FROM records WHERE hub_id IN ({marks})",
                                       chunk):
                out.setdefault(row[4], []).append(self._record(row))
        return out

    def record_history(self, record_id: str) -> list[dict[str, Any]]:
        return [{"changed_at": r[0], "checksum": r[1], "data": orjson.loads(r[2])} for r in self.db.execute(
            "SELECT changed_at, checksum, data FROM record_history WHERE record_id = ? ORDER BY rowid", (record_id,))]

    def reassign_records(self, assignments: dict[str, str]) -> None:
        self.db.executemany("UPDATE records SET hub_id = ? WHERE record_id = ?",
                            [(hub, rid) for rid, hub in assignments.items()])

    # hub entities ------------------------------------------------------------------------------------------
    def merge_candidates(self, kind: str, exclude_source: str | None = None) -> list[Candidate]:
        # the full view (as PostgreSQL): merging is the steward's side; `e.type` is the open view's
        sql = ("SELECT e.id, e.lat, e.lon, json_extract(e.data, '$.name.de'), json_extract(e.data, '$.type'), "
               "json_extract(e.data, '$.sources') FROM entities e WHERE e.kind = ? AND e.withdrawn_at IS NULL AND "
               "e.lat IS NOT NULL")
        params: list[Any] = [kind]
        if exclude_source is not None:  # whether its records there are open or closed
            sql += " AND e.rowid NOT IN (SELECT entity_rowid FROM entity_tags WHERE tag IN (?, ?))"
            params += [f"src:{exclude_source}", f"{FULL_ONLY}src:{exclude_source}"]
        return [Candidate(row[0], row[1], row[2], row[3] or "", row[4] or "",
                          tuple(s.split(":", 1)[0] for s in orjson.loads(row[5] or "[]")))
                for row in self.db.execute(sql, params)]

    def entity_checksums(self, hub_ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in writes.chunks(hub_ids, 500):
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(f"SELECT id, checksum FROM entities WHERE id IN ({marks})", chunk).fetchall())
        return out

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put_meta(self, key: str, value: str, *, replace: bool = True) -> None:
        self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO " + (
            "UPDATE SET value = excluded.value" if replace else "NOTHING"), (key, value))

    def entity_states(self, hub_ids: list[str]) -> dict[str, EntityState]:
        out: dict[str, EntityState] = {}
        for chunk in writes.chunks(hub_ids, 500):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute("SELECT id, checksum, coalesce(open_changed_at, changed_at), "
                                   f"coalesce(open_seq, seq) FROM entities WHERE id IN ({marks})", chunk)
            out.update((eid, EntityState(checksum, datetime.fromisoformat(at), seq)) for eid, checksum, at, seq in rows)
        return out

    def upsert_entities(self, entities: list[HubEntity]) -> None:
        self._count_indexed(writes.write_entities(self.db, [writes.entity_row(e) for e in entities]))

    def _count_indexed(self, rows: int) -> None:
        if getattr(self._tx, "indexed", None) is not None:  # inside bulk(): see compact_after_import
            self._tx.indexed += rows

    def write_preparer(self) -> Callable[[list[StoredRecord], list[HubEntity]], Any]:
        return writes.prepare

    def write_prepared(self, prepared: Any) -> None:
        writes.write_records(self.db, prepared.records)
        self._count_indexed(writes.write_entities(self.db, prepared.entities))

    def add_alias(self, alias: str, hub_id: str) -> None:
        self.db.execute("INSERT INTO aliases (alias, hub_id) VALUES (?, ?) ON CONFLICT (alias) DO UPDATE SET "
                        "hub_id = excluded.hub_id", (alias, hub_id))

    def remove_alias(self, alias: str) -> None:
        self.db.execute("DELETE FROM aliases WHERE alias = ?", (alias,))

    def set_override(self, record_id: str, action: str, hub_id: str | None, at: datetime) -> None:
        if action == "clear":
            self.db.execute("DELETE FROM overrides WHERE record_id = ?", (record_id,))
            return
        self.db.execute("INSERT INTO overrides (record_id, action, hub_id, created_at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (record_id) DO UPDATE SET action = excluded.action, hub_id = excluded.hub_id, "
                        "created_at = excluded.created_at", (record_id, action, hub_id, iso(at)))

    def overrides(self) -> dict[str, tuple[str, str | None]]:
        return {r[0]: (r[1], r[2]) for r in self.db.execute("SELECT record_id, action, hub_id FROM overrides")}

    # reading -----------------------------------------------------------------------------------------------
    # an entity id from a hub id, an alias (merged away) or a record id: ?1 the id asked for, ?2 whether it can be a
    # record id
    _RESOLVE = ("coalesce((SELECT hub_id FROM records WHERE ?2 AND record_id = ?1), "
                "(SELECT hub_id FROM aliases WHERE alias = ?1), ?1)")
    # the same for a reader of open data: only an open record's id, and only the alias of a hub that was published
    # (its tombstone keeps an open stub), lead to a place; else the id would tell of closed data
    _RESOLVE_OPEN = (f"coalesce((SELECT hub_id FROM records WHERE ?2 AND record_id = ?1 AND json_extract(data, "
                     f"'$.licence') IN {OPEN_LICENCE_SQL}), (SELECT a.hub_id FROM aliases a WHERE a.alias = ?1 AND "
                     "EXISTS (SELECT 1 FROM entities o WHERE o.id = ?1 AND o.has_open)), ?1)")

    def get_entity(self, entity_id: str, *, include_closed: bool = False,
                   include_withdrawn: bool = False, exact: bool = False) -> dict[str, Any] | None:
        column = "data" if include_closed else OPEN_DATA
        resolve = self._RESOLVE if include_closed else self._RESOLVE_OPEN
        sql = f"SELECT {column} FROM entities WHERE id = {'?1' if exact else resolve}" + (
            "" if include_withdrawn else " AND withdrawn_at IS NULL")
        row = self.db.execute(sql, (entity_id,) if exact else (entity_id, ":" in entity_id)).fetchone()
        if row is None or row[0] is None:
            return None
        return orjson.loads(row[0])  # type: ignore[no-any-return]

    def get_entity_sensing(self, entity_id: str, *, include_closed: bool = False) -> tuple[dict[str, Any] | None, bool]:
        # one statement, as on PostgreSQL: a detail view is the most frequent read, and each statement is a read
        # transaction of its own (locks and a stat of the file)
        column = "data" if include_closed else OPEN_DATA
        row = self.db.execute(
            f"SELECT v.doc, EXISTS (SELECT 1 FROM occupancy_sensors s WHERE s.place_id = v.id OR s.place_id IN "
            f"(SELECT value FROM json_each(v.doc, '$.sources'))) FROM (SELECT id, {column} AS doc FROM entities "
            f"WHERE id = {self._RESOLVE if include_closed else self._RESOLVE_OPEN} AND withdrawn_at IS NULL) v",
            (entity_id, ":" in entity_id)).fetchone()
        if row is None or row[0] is None:
            return None, False
        return orjson.loads(row[0]), bool(row[1])

    def search_rows(self, query: Query) -> Page:
        return run_search(self.db, query, self.hours_pairs, self._prefix_memo)

    def vocabulary(self, prefix: str, limit: int) -> list[str]:
        return fulltext.vocabulary(self.db, prefix, limit)

    def _prefix_memo(self) -> dict[str, Any]:
        return self._cached("prefixes", dict)  # type: ignore[no-any-return]

    def iter_entities(self, kind: str | None = None, *, include_closed: bool = False) -> Iterator[dict[str, Any]]:
        column = "data" if include_closed else OPEN_DATA
        sql = f"SELECT {column} FROM entities WHERE withdrawn_at IS NULL" + ("" if include_closed else
                                                                              " AND has_open = 1")
        params: list[Any] = []
        if kind:
            sql += " AND kind = ?"
            params.append(kind)
        for row in self.db.execute(sql + " ORDER BY id", params):
            yield orjson.loads(row[0])

    def iter_page_dates(self) -> Iterator[tuple[str, str, datetime]]:
        # the open view's last_changed is open_changed_at where closed data changed alone since (merge.build_hub)
        for entity_id, kind, at in self.db.execute("SELECT id, kind, coalesce(open_changed_at, changed_at) FROM "
                                                   "entities WHERE withdrawn_at IS NULL AND has_open ORDER BY id"):
            yield entity_id, kind, datetime.fromisoformat(at)

    # access control -----------------------------------------------------------------------------------------
    def save_key(self, key: ApiKey) -> None:
        self.db.execute("INSERT INTO api_keys (key_id, secret_hash, name, scopes, created_at, revoked_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (key.key_id, key.secret_hash, key.name, " ".join(key.scopes),
                                                      iso(key.created_at), iso(key.revoked_at)))

    def _key(self, row: tuple[Any, ...]) -> ApiKey:
        return ApiKey(row[0], row[1], row[2], tuple(row[3].split()), parse_iso(row[4]) or datetime.now(UTC),
                      parse_iso(row[5]))

    def get_key(self, key_id: str) -> ApiKey | None:
        row = self.db.execute("SELECT key_id, secret_hash, name, scopes, created_at, revoked_at FROM api_keys "
                              "WHERE key_id = ?", (key_id,)).fetchone()
        return self._key(row) if row else None

    def list_keys(self) -> list[ApiKey]:
        return [self._key(r) for r in self.db.execute(
            "SELECT key_id, secret_hash, name, scopes, created_at, revoked_at FROM api_keys ORDER BY created_at")]

    def revoke_key(self, key_id: str, at: datetime) -> bool:
        cur = self.db.execute("UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL",
                              (iso(at), key_id))
        return cur.rowcount > 0

    def append_audit(self, at: datetime, key_id: str | None, method: str, path: str, status: int,
                     record_ids: list[str], detail: str | None = None) -> None:
        self.db.execute("INSERT INTO audit_log (at, key_id, method, path, status, record_ids, detail) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)", (iso(at), key_id, method, path, status,
                                                         dump_words(record_ids), detail))

    def list_audit(self, limit: int = 100) -> list[dict[str, Any]]:
        keys = ("at", "key_id", "method", "path", "status", "record_ids", "detail")
        return [dict(zip(keys, (*r[:5], " ".join(load_words(r[5])), r[6]), strict=True)) for r in self.db.execute(
            "SELECT at, key_id, method, path, status, record_ids, detail FROM audit_log ORDER BY id DESC LIMIT ?",
            (limit,))]

    # webhooks -----------------------------------------------------------------------------------------------
    _HOOK_COLUMNS = "id, url, secret, key_id, created_at, active"

    def _hook(self, row: tuple[Any, ...]) -> Webhook:
        return Webhook(row[0], row[1], row[2], row[3], parse_iso(row[4]) or datetime.now(UTC), bool(row[5]))

    def save_webhook(self, hook: Webhook) -> None:
        self.db.execute(f"INSERT INTO webhooks ({self._HOOK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                        (hook.id, hook.url, hook.secret, hook.key_id, iso(hook.created_at), int(hook.active)))

    def list_webhooks(self, key_id: str | None = None) -> list[Webhook]:
        sql = f"SELECT {self._HOOK_COLUMNS} FROM webhooks WHERE active = 1"
        params: list[Any] = []
        if key_id is not None:
            sql += " AND key_id = ?"
            params.append(key_id)
        return [self._hook(r) for r in self.db.execute(sql + " ORDER BY created_at", params)]

    def delete_webhook(self, hook_id: str, key_id: str | None = None) -> bool:
        sql, params = "UPDATE webhooks SET active = 0 WHERE id = ? AND active = 1", [hook_id]
        if key_id is not None:
            sql += " AND key_id = ?"
            params.append(key_id)
        return self.db.execute(sql, params).rowcount > 0

    def changed_kinds(self, since: datetime) -> dict[str, bool]:
        return {kind: bool(has_open) for kind, has_open in self.db.execute(
            f"SELECT kind, max({_OPEN_CHANGE}) FROM entities WHERE changed_at >= ?1 GROUP BY kind", (iso(since),))}

    def enqueue_notification(self, payload: str, at: datetime, webhook_ids: list[str] | None = None) -> int:
        chosen = "" if webhook_ids is None else f" AND id IN ({','.join('?' * len(webhook_ids))})"
        cur = self.db.execute("INSERT INTO webhook_outbox (webhook_id, payload, next_at) SELECT id, ?, ? FROM "
                              f"webhooks WHERE active = 1{chosen}", (payload, iso(at), *(webhook_ids or ())))
        return cur.rowcount

    def due_deliveries(self, at: datetime, limit: int = 50) -> list[Delivery]:
        rows = self.db.execute(
            f"SELECT o.id, o.payload, o.attempts, {', '.join('w.' + c.strip() for c in self._HOOK_COLUMNS.split(','))}"
            " FROM webhook_outbox o JOIN webhooks w ON w.id = o.webhook_id WHERE o.delivered_at IS NULL AND "
            "o.next_at IS NOT NULL AND o.next_at <= ? AND w.active = 1 ORDER BY o.next_at LIMIT ?",
            (iso(at), limit)).fetchall()
        return [Delivery(r[0], self._hook(r[3:]), r[1], r[2]) for r in rows]

    def finish_delivery(self, delivery_id: int, *, delivered_at: datetime | None, next_at: datetime | None,
                        error: str | None) -> None:
        self.db.execute("UPDATE webhook_outbox SET attempts = attempts + 1, delivered_at = ?, next_at = ?, "
                        "last_error = ? WHERE id = ?", (iso(delivered_at), iso(next_at), error, delivery_id))

    def data_version(self) -> tuple[int, int]:
        """Changes whenever an import or write changed anything: a key for caches of derived figures."""
        # PRAGMA data_version moves when another connection commits, total_changes when this one writes: while
        # neither moved the figures cannot have changed, and every search asks (one cheap statement, not two reads)
        marker = (self.db.execute("PRAGMA data_version").fetchone()[0], self.db.total_changes)
        if self._version is not None and self._version[0] == marker:
            return self._version[1]
        seq = self.db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        last_import = self.db.execute("SELECT max(id) FROM imports").fetchone()[0]
        version = int(seq[0]) if seq else 0, int(last_import or 0)
        self._version = (marker, version)
        return version

    def _cached(self, name: str, compute: Any) -> Any:
        return self._derived.get(name, self.data_version(), compute)

    def hours_pairs(self) -> list[tuple[str, str | None]]:
        """Distinct (opening_hours, state prefix) of active entities, for the open_at filter (cached)."""
        return self._cached("hours_pairs", lambda: self.db.execute(HOURS_PAIRS_SQL).fetchall())

    def counts(self) -> dict[str, int]:
        return dict(self._cached("counts", self._count))

    def _count(self) -> dict[str, int]:
        return dict(zip(COUNTS, self.db.execute(COUNT_SQL).fetchone(), strict=True))

