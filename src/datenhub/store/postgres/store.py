"""PostgresStore: the server backend (psycopg 3 pool, PostGIS when installed, full text over our German stems)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any

import psycopg

from datenhub.ingest.base import RawInput
from datenhub.notices import Location, Notice, Severity
from datenhub.store.access import ApiKey
from datenhub.store.base import (
    COUNTS,
    OWN_NOTICES,
    Candidate,
    EntityState,
    HubEntity,
    Page,
    SourceInfo,
    Store,
    StoredRecord,
    StoreError,
)
from datenhub.store.cells import FULL_ONLY
from datenhub.store.derived import DerivedFigures
from datenhub.store.hooks import HOURS_PAIRS_SQL
from datenhub.store.postgres import deferred, statistics
from datenhub.store.postgres import entities as entity_rows
from datenhub.store.postgres.arrays import text_array
from datenhub.store.postgres.connection import Connections, parse_url
from datenhub.store.postgres.entities import clean, dumps
from datenhub.store.postgres.kept import PostgresKeptMixin
from datenhub.store.postgres.occupancy import PostgresOccupancyMixin
from datenhub.store.postgres.records import RecordsMixin, record_row
from datenhub.store.postgres.schema import (
    BACKFILL_PROMINENCE,
    CLOSED_IMAGES,
    MIGRATION_LOCK,
    MIGRATIONS,
    OPEN_FIRST_SEEN,
    OPEN_GONE_STUBS,
    OPEN_VIEW_FILTERS,
    REBUILD_TEXT,
    RELAY_DOCUMENTS,
    RELAY_PROVENANCE,
    ensure_extensions,
)
from datenhub.store.postgres.search import run_search, vocabulary
from datenhub.store.postgres.webhooks import WebhooksMixin
from datenhub.store.query import Query
from datenhub.store.rows import OPEN_LICENCE_SQL, iso
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

_BATCH = 1000
_PAGE_DATES_BATCH = 20_000  # rows of three short columns the sitemap's cursor fetches at a time
RECORD_LOCK_SPACE = 0x4448  # "DH": the first key of the two-key advisory locks on record ids (lock_record)


# each source's latest import that ran (an unchanged input is recorded but skipped): Store.list_notices
# as SQLite's: the latest import that said what is wrong with all its records, and the single-record writes since
_CURRENT_IMPORTS = ("import_id IN (SELECT i.id FROM imports i WHERE i.status = 'ok' AND (i.stats->>'skipped') IS "
                    "DISTINCT FROM 'true' AND i.id >= coalesce((SELECT max(b.id) FROM imports b WHERE b.source = "
                    "i.source AND b.status = 'ok' AND (b.stats->>'skipped') IS DISTINCT FROM 'true' AND "
                    f"b.stats->'{OWN_NOTICES}' IS NULL), 0))")


class PostgresStore(PostgresOccupancyMixin, PostgresKeptMixin, RecordsMixin, WebhooksMixin, Store):
    keeps_gone_terms = True  # table lexemes (search.vocabulary) only grows

    def __init__(self, url: str) -> None:
        self.url = url
        self._parsed = parse_url(url)
        self._conns = Connections(self._parsed)
        self._postgis: bool | None = None
        self._derived = DerivedFigures()
        self._statistics = statistics.StatisticsCache()  # the planner's statistics, for word searches' estimates
        self._bulk = threading.local()  # entity rows an import (bulk) wrote so far in this thread

    # lifecycle ---------------------------------------------------------------------------------------------
    def migrate(self) -> list[str]:
        applied = []
        with self._conns.transaction() as conn:
            if self._read_only_replica(conn):
                return []
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            schema = self._parsed.schema
            if schema and conn.execute("SELECT to_regnamespace(%s) IS NULL", (schema,)).fetchone() == (True,):
                conn.execute(f'CREATE SCHEMA "{schema}"')
            usable = ensure_extensions(conn)
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, "
                         "applied_at timestamptz NOT NULL DEFAULT now())")
            done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
            for migration in MIGRATIONS:
                if migration.name in done or (migration.requires and migration.requires not in usable):
                    continue
                conn.execute(migration.sql)
                conn.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (migration.name,))
                applied.append(migration.name)
            # Migrations that need Python after their SQL: the data of every stored entity, computed again.
            # One rewrite serves both document-layout migrations.
            for markers, backfill in (({BACKFILL_PROMINENCE}, entity_rows.backfill_prominence),
                                      ({RELAY_DOCUMENTS, RELAY_PROVENANCE}, entity_rows.relay_documents),
                                      ({REBUILD_TEXT}, entity_rows.rebuild_text),
                                      ({OPEN_VIEW_FILTERS}, entity_rows.refilter),
                                      ({CLOSED_IMAGES}, entity_rows.hide_closed_images),
                                      ({OPEN_FIRST_SEEN}, entity_rows.mend_open_first_seen),
                                      ({OPEN_GONE_STUBS}, entity_rows.mark_open_views_gone)):
                if markers.intersection(applied):
                    backfill(conn)
        self._postgis = None
        return applied

    def holds_hub(self) -> bool:
        # in the URL's schema itself: the search path falls back to public, which may hold another hub
        table = f'"{self._parsed.schema}".schema_migrations' if self._parsed.schema else "schema_migrations"
        with self._conns.connection() as conn:
            return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone() == (True,)

    @staticmethod
    def _read_only_replica(conn: Any) -> bool:
        """A hot standby cannot migrate: its schema comes from the primary; fail early if it has none."""
        if not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
            return False
        if conn.execute("SELECT to_regclass('schema_migrations')").fetchone()[0] is None:
            raise StoreError("this is a read-only replica without the DatenHub schema; run `datenhub db upgrade` "
                             "against the primary server first")
        return True

    @property
    def postgis(self) -> bool:
        """Whether entities carry a PostGIS point (decided by the migrations, looked up once)."""
        if self._postgis is None:
            with self._conns.connection() as conn:
                self._postgis = entity_rows.has_postgis(conn)
        return self._postgis

    def close(self) -> None:
        self._conns.close()

    def transaction(self) -> AbstractContextManager[Any]:
        return self._conns.transaction()

    def lock_record(self, record_id: str) -> None:
        # a transaction-scoped advisory lock on the id: it serialises writers of a record that does not exist yet
        # too, where a row lock has no row. The two-key form is a key space of its own (the one-key locks are
        # the migrations' and the occupancy partitions').
        with self._conns.connection() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (RECORD_LOCK_SPACE, record_id))
            # and the row: an import writes records without the advisory lock, so a write in progress is waited
            # for here, and the record read next is the one it committed (not the one it is replacing)
            conn.execute("SELECT 1 FROM records WHERE record_id = %s FOR UPDATE", (record_id,))

    def serve(self, lock_wait_s: float) -> None:
        self._conns.bound_lock_waits(lock_wait_s)

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """An import: into an empty hub it builds the secondary indexes after its rows (deferred); when it wrote more
        entities than autovacuum would wait for, it settles the full-text indexes and analyses the tables at its
        end, inside its transaction (statistics.needs_analyze, settle)."""
        with self._conns.transaction() as conn:
            known = statistics.known_rows(conn)
            self._bulk.written = 0
            try:
                with deferred.indexes_after_load(conn):
                    yield
                if statistics.needs_analyze(self._bulk.written, known):
                    statistics.settle(conn)
                    self._statistics.invalidate()
            finally:
                self._bulk.written = None

    def _count_written(self, rows: int) -> None:
        if getattr(self._bulk, "written", None) is not None:
            self._bulk.written += rows

    def _all(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        with self._conns.connection() as conn:
            return conn.execute(sql, params).fetchall()

    def _one(self, sql: str, params: Any = ()) -> tuple[Any, ...] | None:
        with self._conns.connection() as conn:
            return conn.execute(sql, params).fetchone()

    def _run(self, sql: str, params: Any = ()) -> int:
        with self._conns.connection() as conn:
            return conn.execute(sql, params).rowcount

    def _many(self, sql: str, rows: list[Any]) -> None:
        if rows:
            with self._conns.connection() as conn, conn.cursor() as cur:
                cur.executemany(sql, rows)

    # sources and raw input ---------------------------------------------------------------------------------
    def upsert_source(self, source: SourceInfo) -> None:
        self._run(
            "INSERT INTO sources AS s (name, title, licence, attribution, priority, url, description) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET "
            "title = coalesce(excluded.title, s.title), licence = coalesce(excluded.licence, s.licence), "
            "attribution = coalesce(excluded.attribution, s.attribution), priority = excluded.priority, "
            "url = coalesce(excluded.url, s.url), description = coalesce(excluded.description, s.description)",
            (source.name, source.title, source.licence, source.attribution, source.priority, source.url,
             source.description))

    _SOURCE_COLUMNS = "name, title, licence, attribution, priority, url, description"

    def get_source(self, name: str) -> SourceInfo | None:
        row = self._one(f"SELECT {self._SOURCE_COLUMNS} FROM sources WHERE name = %s", (name,))
        return SourceInfo(*row) if row else None

    def list_sources(self) -> list[SourceInfo]:
        out = []
        for row in self._all(
                f"SELECT {self._SOURCE_COLUMNS}, t.*, i.finished_at, i.status FROM sources s CROSS JOIN LATERAL "
                f"({SOURCE_TALLY_SQL.format(source='s.name')}) t LEFT JOIN LATERAL (SELECT finished_at, status "
                "FROM imports WHERE source = s.name ORDER BY id DESC LIMIT 1) i ON true ORDER BY s.priority, s.name"):
            info = SourceInfo(*row[:7])
            total, withdrawn = int(row[7]), int(row[8])
            info.stats = {"records": total, "active": total - withdrawn, "withdrawn": withdrawn,
                          "last_import": iso(row[9]), "last_status": row[10]}
            out.append(info)
        return out

    def record_attributions(self) -> dict[str, list[str]]:
        return attribution_lists(self._all(ATTRIBUTIONS_SQL))

    def open_record_changes(self) -> dict[str, OpenTally]:
        return open_tallies(self._all(RECORD_TALLY_SQL))

    def record_licences(self) -> dict[str, dict[str, int]]:
        return active_licences(self._all(RECORD_TALLY_SQL))

    def save_raw(self, raw: RawInput) -> int:
        sha = raw.sha256
        with self._conns.connection() as conn:
            # ON CONFLICT: two importers saving the same bytes at once both get the one row
            row = conn.execute(
                "INSERT INTO raw_inputs (source, name, media_type, fetched_at, sha256, size, payload) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (source, sha256) DO NOTHING RETURNING id",
                (raw.source, raw.name, raw.media_type, raw.fetched_at, sha, len(raw.payload), raw.payload),
            ).fetchone()
            if row is None:
                row = conn.execute("SELECT id FROM raw_inputs WHERE source = %s AND sha256 = %s",
                                   (raw.source, sha)).fetchone()
        return int(row[0]) if row else 0

    def get_raw(self, raw_id: int) -> RawInput | None:
        row = self._one("SELECT source, name, payload, fetched_at, media_type FROM raw_inputs WHERE id = %s",
                        (raw_id,))
        return RawInput(row[0], row[1], bytes(row[2]), row[3], row[4]) if row else None

    # imports and notices -----------------------------------------------------------------------------------
    def start_import(self, source: str, adapter: str, raw_id: int | None, at: datetime) -> int:
        row = self._one("INSERT INTO imports (source, adapter, raw_id, started_at, status) "
                        "VALUES (%s, %s, %s, %s, 'running') RETURNING id", (source, adapter, raw_id, at))
        return int(row[0]) if row else 0

    def finish_import(self, import_id: int, status: str, stats: dict[str, Any], at: datetime) -> None:
        self._run("UPDATE imports SET status = %s, stats = %s::jsonb, finished_at = %s WHERE id = %s",
                  (status, clean(dumps(stats)), at, import_id))

    def list_imports(self, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        sql = "SELECT id, source, adapter, raw_id, started_at, finished_at, status, stats FROM imports"
        params: list[Any] = []
        if source:
            sql += " WHERE source = %s"
            params.append(source)
        rows = self._all(sql + " ORDER BY id DESC LIMIT %s", [*params, limit])
        return [{"id": r[0], "source": r[1], "adapter": r[2], "raw_id": r[3], "started_at": iso(r[4]),
                 "finished_at": iso(r[5]), "status": r[6], "stats": r[7] or {}} for r in rows]

    def save_notices(self, import_id: int, notices: list[Notice]) -> None:
        self._many(
            'INSERT INTO notices (import_id, source, code, severity, message, file, "row", pointer, field, '
            "entity_id, value) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [(import_id, clean(n.location.source), clean(n.code), n.severity.value, clean(n.message),
              clean(n.location.file), n.location.row, clean(n.location.pointer), clean(n.location.field),
              clean(n.location.entity_id), clean(n.value)) for n in notices])

    def supersede_notices(self, source: str, local_ids: list[str], import_id: int | None) -> None:
        if local_ids:
            self._run("DELETE FROM notices WHERE source = %s AND import_id < %s AND entity_id = ANY(%s::text[])",
                      (source, import_id if import_id is not None else 2**62, text_array(local_ids)))

    def list_notices(self, *, source: str | None = None, code: str | None = None, entity_id: str | None = None,
                     import_id: int | None = None, current: bool = False, limit: int = 100,
                     severity: Severity | None = None) -> list[Notice]:
        where, params = [], []
        for column, value in (("source", source), ("code", code), ("entity_id", entity_id),
                              ("import_id", import_id), ("severity", severity.value if severity else None)):
            if value is not None:
                where.append(f"{column} = %s")
                params.append(value)
        if current:
            where.append(_CURRENT_IMPORTS)
        sql = ('SELECT code, severity, message, source, file, "row", pointer, field, entity_id, value FROM notices'
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC LIMIT %s")
        return [Notice(r[0], Severity(r[1]), r[2], Location(r[3], r[4], r[5], r[6], r[7], r[8]), r[9])
                for r in self._all(sql, [*params, limit])]

    # hub entities ------------------------------------------------------------------------------------------
    def merge_candidates(self, kind: str, exclude_source: str | None = None) -> list[Candidate]:
        out = []
        sql = ("SELECT id, lat, lon, data->'name'->>'de', data->>'type', data->'sources' "
               "FROM entities WHERE kind = %s AND withdrawn_at IS NULL AND lat IS NOT NULL")
        params: tuple[Any, ...] = (kind,)
        if exclude_source is not None:  # whether its records there are open or closed
            sql += " AND NOT (tags && ARRAY[%s, %s])"
            params += (f"src:{exclude_source}", f"{FULL_ONLY}src:{exclude_source}")
        for row in self._all(sql, params):
            out.append(Candidate(row[0], row[1], row[2], row[3] or "", row[4] or "",
                                 tuple(s.split(":", 1)[0] for s in row[5] or [])))
        return out

    def entity_checksums(self, hub_ids: list[str]) -> dict[str, str]:
        return dict(self._all("SELECT id, checksum FROM entities WHERE id = ANY(%s::text[])", (hub_ids,)))

    def get_meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = %s", (key,))
        return None if row is None else str(row[0])

    def put_meta(self, key: str, value: str, *, replace: bool = True) -> None:
        self._run("INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO " + (
            "UPDATE SET value = excluded.value" if replace else "NOTHING"), (key, value))

    def entity_states(self, hub_ids: list[str]) -> dict[str, EntityState]:
        return {eid: EntityState(checksum, at, seq) for eid, checksum, at, seq in self._all(
            "SELECT id, checksum, coalesce(open_changed_at, changed_at), coalesce(open_seq, seq) FROM entities "
            "WHERE id = ANY(%s::text[])", (hub_ids,))}

    def upsert_entities(self, entities: list[HubEntity]) -> None:
        postgis = self.postgis
        with self._conns.transaction() as conn:
            entity_rows.upsert_entities(conn, entities, postgis)
        self._count_written(len(entities))

    def write_preparer(self) -> Callable[[list[StoredRecord], list[HubEntity]], Any]:
        return prepare_writes

    def write_prepared(self, prepared: Any) -> None:
        record_rows, parts = prepared
        postgis = self.postgis
        with self._conns.transaction() as conn:
            self.upsert_record_rows(record_rows)
            entity_rows.upsert_entity_parts(conn, parts, postgis)
        self._count_written(len(parts))

    def add_alias(self, alias: str, hub_id: str) -> None:
        self._run("INSERT INTO aliases (alias, hub_id) VALUES (%s, %s) ON CONFLICT (alias) DO UPDATE SET "
                  "hub_id = excluded.hub_id", (alias, hub_id))

    def remove_alias(self, alias: str) -> None:
        self._run("DELETE FROM aliases WHERE alias = %s", (alias,))

    def set_override(self, record_id: str, action: str, hub_id: str | None, at: datetime) -> None:
        if action == "clear":
            self._run("DELETE FROM overrides WHERE record_id = %s", (record_id,))
            return
        self._run("INSERT INTO overrides (record_id, action, hub_id, created_at) VALUES (%s, %s, %s, %s) "
                  "ON CONFLICT (record_id) DO UPDATE SET action = excluded.action, hub_id = excluded.hub_id, "
                  "created_at = excluded.created_at", (record_id, action, hub_id, at))

    def overrides(self) -> dict[str, tuple[str, str | None]]:
        return {r[0]: (r[1], r[2]) for r in self._all("SELECT record_id, action, hub_id FROM overrides")}

    # reading -----------------------------------------------------------------------------------------------
    # a hub id for a hub id, an alias or a source record id; inlined so a lookup is one round trip
    _RESOLVE = ("coalesce((SELECT hub_id FROM records WHERE record_id = %s AND %s), "
                "(SELECT hub_id FROM aliases WHERE alias = %s), %s)")
    # the same for a reader of open data: only an open record's id, and only the alias of a hub that was published
    # (its tombstone keeps an open stub), lead to a place; else the id would tell of closed data
    _RESOLVE_OPEN = (f"coalesce((SELECT hub_id FROM records WHERE record_id = %s AND %s AND data->>'licence' IN "
                     f"{OPEN_LICENCE_SQL}), (SELECT a.hub_id FROM aliases a WHERE a.alias = %s AND EXISTS (SELECT 1 "
                     "FROM entities o WHERE o.id = a.alias AND o.has_open)), %s)")

    def get_entity(self, entity_id: str, *, include_closed: bool = False,
                   include_withdrawn: bool = False, exact: bool = False) -> dict[str, Any] | None:
        column = "data" if include_closed else entity_rows.OPEN_DATA
        resolve = self._RESOLVE if include_closed else self._RESOLVE_OPEN
        sql = f"SELECT {column} FROM entities WHERE id = {'%s' if exact else resolve}" + (
            "" if include_withdrawn else " AND withdrawn_at IS NULL")
        row = self._one(sql, (entity_id,) if exact else (entity_id, ":" in entity_id, entity_id, entity_id))
        return None if row is None or row[0] is None else row[0]  # type: ignore[no-any-return]

    def get_entity_sensing(self, entity_id: str, *, include_closed: bool = False) -> tuple[dict[str, Any] | None, bool]:
        column = "data" if include_closed else entity_rows.OPEN_DATA
        sql = (f"SELECT v.doc, EXISTS (SELECT 1 FROM occupancy_sensors s WHERE s.place_id = v.id OR s.place_id IN "
               f"(SELECT json_array_elements_text(v.doc->'sources'))) FROM (SELECT id, {column} AS doc FROM entities "
               f"WHERE id = {self._RESOLVE if include_closed else self._RESOLVE_OPEN} AND withdrawn_at IS NULL) v")
        row = self._one(sql, (entity_id, ":" in entity_id, entity_id, entity_id))
        if row is None or row[0] is None:
            return None, False
        return row[0], bool(row[1])

    def search_rows(self, query: Query) -> Page:
        with self._conns.connection() as conn:
            return run_search(conn, query, self._statistics, self._hours_pairs)

    def _hours_pairs(self, conn: psycopg.Connection[Any]) -> list[tuple[str, str | None]]:
        """(opening_hours, state prefix) pairs for the open_at filter, kept per data version: every distinct value
        with every state prefix the hub holds and none, read by skipping through two indexes (1M places: 1.1 ms),
        where the distinct pairs of active entities took a scan of the table (0.8 s warm) after every change. A
        pair no entity has matches nothing; beyond HOURS_PAIRS_CAP pairs, the exact ones are read instead."""
        version = _version(conn.execute(_DATA_VERSION).fetchone())
        return self._derived.get("hours_pairs", version, lambda: _hours_pairs(conn))

    def vocabulary(self, prefix: str, limit: int) -> list[str]:
        with self._conns.connection() as conn:
            return vocabulary(conn, prefix, limit)

    def iter_entities(self, kind: str | None = None, *, include_closed: bool = False) -> Iterator[dict[str, Any]]:
        # keyset batches, each its own checkout: an abandoned export holds no connection
        column = "data" if include_closed else entity_rows.OPEN_DATA
        view = "true" if include_closed else "has_open"
        last = ""
        while True:
            rows = self._all(f"SELECT id, {column} FROM entities WHERE withdrawn_at IS NULL AND {view}"
                             " AND (%s::text IS NULL OR kind = %s) AND id > %s ORDER BY id LIMIT %s",
                             (kind or None, kind or None, last, _BATCH))
            for row in rows:
                yield row[1]
            if len(rows) < _BATCH:
                return
            last = rows[-1][0]

    def iter_page_dates(self) -> Iterator[tuple[str, str, datetime]]:
        # one server-side cursor planned for all its rows (a scan and a sort: 1.7 s at 1M places), where keyset
        # batches or a cursor planned for its first rows walk the id index to every row's heap page (4.5 s)
        with self._conns.transaction() as conn:
            conn.execute("SELECT set_config('cursor_tuple_fraction', '1', true)")
            with conn.cursor(name="page_dates") as cursor:
                cursor.itersize = _PAGE_DATES_BATCH
                cursor.execute("SELECT id, kind, coalesce(open_changed_at, changed_at) FROM entities WHERE "
                               "withdrawn_at IS NULL AND has_open ORDER BY id")
                yield from cursor

    # access control -----------------------------------------------------------------------------------------
    _KEY_COLUMNS = "key_id, secret_hash, name, scopes, created_at, revoked_at"

    def save_key(self, key: ApiKey) -> None:
        self._run(f"INSERT INTO api_keys ({self._KEY_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)",
                  (key.key_id, key.secret_hash, key.name, list(key.scopes), key.created_at, key.revoked_at))

    def get_key(self, key_id: str) -> ApiKey | None:
        row = self._one(f"SELECT {self._KEY_COLUMNS} FROM api_keys WHERE key_id = %s", (key_id,))
        return ApiKey(row[0], row[1], row[2], tuple(row[3]), row[4], row[5]) if row else None

    def list_keys(self) -> list[ApiKey]:
        return [ApiKey(r[0], r[1], r[2], tuple(r[3]), r[4], r[5])
                for r in self._all(f"SELECT {self._KEY_COLUMNS} FROM api_keys ORDER BY created_at")]

    def revoke_key(self, key_id: str, at: datetime) -> bool:
        return self._run("UPDATE api_keys SET revoked_at = %s WHERE key_id = %s AND revoked_at IS NULL",
                         (at, key_id)) > 0

    def append_audit(self, at: datetime, key_id: str | None, method: str, path: str, status: int,
                     record_ids: list[str], detail: str | None = None) -> None:
        self._run("INSERT INTO audit_log (at, key_id, method, path, status, record_ids, detail) "
                  "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                  (at, key_id, method, clean(path), status, [clean(r) for r in record_ids], clean(detail)))

    def list_audit(self, limit: int = 100) -> list[dict[str, Any]]:
        return [{"at": iso(r[0]), "key_id": r[1], "method": r[2], "path": r[3], "status": r[4],
                 "record_ids": " ".join(r[5]), "detail": r[6]} for r in self._all(
            "SELECT at, key_id, method, path, status, record_ids, detail FROM audit_log ORDER BY id DESC LIMIT %s",
            (limit,))]

    def data_version(self) -> tuple[int, int]:
        """Changes whenever an import or write changed anything: a key for caches of derived figures and of API
        responses (every entity write takes the next `entity_seq` values; every import adds an `imports` row)."""
        return _version(self._one(_DATA_VERSION))

    def counts(self) -> dict[str, int]:
        with self._conns.connection() as conn:
            version = _version(conn.execute(_DATA_VERSION).fetchone())
            return dict(self._derived.get("counts", version, lambda: _count(conn)))


_DATA_VERSION = "SELECT (SELECT value FROM entity_seq), (SELECT coalesce(max(id), 0) FROM imports)"


def _count(conn: psycopg.Connection[Any]) -> dict[str, int]:
    """Store.counts() (1M places, warm cache: 0.79 → 0.41 s; tallies.COUNT_SQL)."""
    row = conn.execute(COUNT_SQL).fetchone()
    values = [int(v) for v in row] if row else [0] * len(COUNTS)
    return dict(zip(COUNTS, values, strict=True))


HOURS_PAIRS_CAP = 20_000
# distinct values of an index's leading columns, one descent each (PostgreSQL has no skip scan before 18)
_DISTINCT_HOURS = (
    "WITH RECURSIVE h (kind, hours) AS ((SELECT kind, opening_hours FROM entities WHERE opening_hours IS NOT NULL "
    "ORDER BY kind, opening_hours LIMIT 1) UNION ALL SELECT n.* FROM h, LATERAL (SELECT kind, opening_hours "
    "FROM entities WHERE opening_hours IS NOT NULL AND (kind, opening_hours) > (h.kind, h.hours) "
    "ORDER BY kind, opening_hours LIMIT 1) n) SELECT DISTINCT hours FROM h")  # entities_hours
_DISTINCT_STATES = (
    "WITH RECURSIVE m (ags) AS ((SELECT municipality_ags FROM entities WHERE municipality_ags IS NOT NULL "
    "ORDER BY 1 LIMIT 1) UNION ALL SELECT (SELECT municipality_ags FROM entities WHERE municipality_ags > m.ags "
    "ORDER BY 1 LIMIT 1) FROM m WHERE m.ags IS NOT NULL) "
    "SELECT DISTINCT substr(ags, 1, 2) FROM m WHERE ags IS NOT NULL")  # entities_municipality


def _hours_pairs(conn: psycopg.Connection[Any]) -> list[tuple[str, str | None]]:
    hours = [row[0] for row in conn.execute(_DISTINCT_HOURS)]
    states: list[str | None] = [None, *(row[0] for row in conn.execute(_DISTINCT_STATES))]
    if len(hours) * len(states) > HOURS_PAIRS_CAP:
        return [(h, p) for h, p in conn.execute(HOURS_PAIRS_SQL)]
    return [(h, p) for h in hours for p in states]


def _version(row: Any) -> tuple[int, int]:
    return (int(row[0] or 0), int(row[1])) if row else (0, 0)


def prepare_writes(records: list[StoredRecord], entities: list[HubEntity]) -> Any:
    """Import workers build the COPY rows (JSON, tsvector literals); the importer only sends them."""
    return [record_row(r) for r in records], [entity_rows.entity_parts(e) for e in entities]
