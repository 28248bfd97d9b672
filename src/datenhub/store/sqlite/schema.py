"""SQLite schema migrations, applied in order and recorded in `schema_migrations`."""

from __future__ import annotations

from datenhub.store.cells import AREA_LEVELS

MIGRATIONS: list[tuple[str, str]] = [
    ("0001_foundation", """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
    name TEXT PRIMARY KEY, title TEXT, licence TEXT, attribution TEXT, priority INTEGER NOT NULL DEFAULT 100,
    url TEXT, description TEXT
);
CREATE TABLE raw_inputs (
    id INTEGER PRIMARY KEY, source TEXT NOT NULL, name TEXT NOT NULL, media_type TEXT,
    fetched_at TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, payload BLOB NOT NULL,
    UNIQUE (source, sha256)
);
CREATE TABLE imports (
    id INTEGER PRIMARY KEY, source TEXT NOT NULL, adapter TEXT NOT NULL, raw_id INTEGER REFERENCES raw_inputs(id),
    started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL, stats TEXT
);
CREATE TABLE records (
    record_id TEXT PRIMARY KEY, source TEXT NOT NULL, local_id TEXT NOT NULL, kind TEXT NOT NULL,
    hub_id TEXT NOT NULL, checksum TEXT NOT NULL, data TEXT NOT NULL,
    first_seen TEXT NOT NULL, last_changed TEXT NOT NULL, withdrawn_at TEXT
);
CREATE INDEX records_source ON records (source);
CREATE INDEX records_hub ON records (hub_id);
CREATE TABLE record_history (
    record_id TEXT NOT NULL, changed_at TEXT NOT NULL, checksum TEXT NOT NULL, data TEXT NOT NULL
);
CREATE INDEX record_history_id ON record_history (record_id);
CREATE TABLE entities (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, type TEXT NOT NULL,
    name_sort TEXT NOT NULL, lat REAL, lon REAL, municipality_ags TEXT, wheelchair TEXT,
    has_open INTEGER NOT NULL, all_open INTEGER NOT NULL, start_at TEXT, end_at TEXT,
    checksum TEXT NOT NULL, changed_at TEXT NOT NULL, seq INTEGER NOT NULL, withdrawn_at TEXT,
    data TEXT NOT NULL, data_open TEXT
);
CREATE INDEX entities_kind_name ON entities (kind, name_sort, id);
CREATE INDEX entities_changed ON entities (changed_at, id);
CREATE INDEX entities_municipality ON entities (municipality_ags);
CREATE INDEX entities_start ON entities (kind, start_at, id);
CREATE TABLE entity_tags (tag TEXT NOT NULL, entity_rowid INTEGER NOT NULL, PRIMARY KEY (tag, entity_rowid))
    WITHOUT ROWID;
CREATE INDEX entity_tags_rowid ON entity_tags (entity_rowid);
CREATE VIRTUAL TABLE entities_fts USING fts5 (open_text, all_text, cells,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
INSERT INTO entities_fts (entities_fts, rank) VALUES ('rank', 'bm25(1.0, 1.0, 0.0)');
CREATE VIRTUAL TABLE entities_rtree USING rtree (id, min_lat, max_lat, min_lon, max_lon);
CREATE TABLE aliases (alias TEXT PRIMARY KEY, hub_id TEXT NOT NULL);
CREATE TABLE overrides (record_id TEXT PRIMARY KEY, action TEXT NOT NULL, hub_id TEXT, created_at TEXT NOT NULL);
CREATE TABLE notices (
    id INTEGER PRIMARY KEY, import_id INTEGER NOT NULL, source TEXT, code TEXT NOT NULL, severity TEXT NOT NULL,
    message TEXT NOT NULL, file TEXT, row INTEGER, pointer TEXT, field TEXT, entity_id TEXT, value TEXT
);
CREATE INDEX notices_import ON notices (import_id);
CREATE INDEX notices_code ON notices (source, code);
CREATE INDEX notices_entity ON notices (entity_id);
"""),
]

MIGRATIONS.append(("0002_opening_hours", """
ALTER TABLE entities ADD COLUMN opening_hours TEXT;
CREATE INDEX entities_hours ON entities (kind, opening_hours) WHERE opening_hours IS NOT NULL;
UPDATE entities SET opening_hours = json_extract(data, '$.opening_hours');
"""))

MIGRATIONS.append(("0003_keys_audit", """
CREATE TABLE api_keys (
    key_id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, name TEXT NOT NULL, scopes TEXT NOT NULL,
    created_at TEXT NOT NULL, revoked_at TEXT
);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, key_id TEXT, method TEXT NOT NULL, path TEXT NOT NULL,
    status INTEGER NOT NULL, record_ids TEXT, detail TEXT
);
"""))

MIGRATIONS.append(("0004_webhooks", """
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL, key_id TEXT, created_at TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE webhook_outbox (
    id INTEGER PRIMARY KEY, webhook_id TEXT NOT NULL, payload TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_at TEXT, delivered_at TEXT, last_error TEXT
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (delivered_at, next_at);
"""))

MIGRATIONS.append(("0005_occupancy", """
CREATE TABLE occupancy_sensors (
    key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, place_id TEXT NOT NULL, kind TEXT NOT NULL,
    source TEXT NOT NULL, capacity INTEGER, licence TEXT, name TEXT
);
CREATE INDEX occupancy_sensors_place ON occupancy_sensors (place_id);
CREATE TABLE occupancy_readings (
    sensor_key INTEGER NOT NULL, observed_at INTEGER NOT NULL, count INTEGER, free INTEGER, capacity INTEGER,
    fraction REAL, method TEXT NOT NULL, window_s INTEGER, received_at INTEGER NOT NULL,
    PRIMARY KEY (sensor_key, observed_at)
) WITHOUT ROWID;
CREATE TABLE occupancy_latest (
    sensor_key INTEGER PRIMARY KEY, observed_at INTEGER NOT NULL, count INTEGER, free INTEGER, capacity INTEGER,
    fraction REAL, method TEXT NOT NULL, window_s INTEGER, received_at INTEGER NOT NULL
);
CREATE INDEX occupancy_latest_received ON occupancy_latest (received_at);
CREATE TABLE occupancy_hourly (
    sensor_key INTEGER NOT NULL, hour INTEGER NOT NULL, n INTEGER NOT NULL, avg_count REAL, min_count INTEGER,
    max_count INTEGER, avg_fraction REAL, min_fraction REAL, max_fraction REAL,
    PRIMARY KEY (sensor_key, hour)
) WITHOUT ROWID;
CREATE TABLE occupancy_dead_letters (
    id INTEGER PRIMARY KEY, received_at TEXT NOT NULL, channel TEXT NOT NULL, code TEXT NOT NULL,
    severity TEXT NOT NULL, message TEXT NOT NULL, sensor_id TEXT, field TEXT, pointer TEXT, value TEXT,
    payload TEXT NOT NULL
);
CREATE INDEX occupancy_dead_letters_code ON occupancy_dead_letters (code)
"""))

# The previous version of a changed record goes to its history inside SQLite: records that are new (most of
# a big import) cost nothing, where a lookup per record did before.
MIGRATIONS.append(("0006_record_history_trigger", """
CREATE TRIGGER records_history BEFORE UPDATE OF data ON records
BEGIN
    INSERT INTO record_history (record_id, changed_at, checksum, data)
    VALUES (old.record_id, old.last_changed, old.checksum, old.data); END
"""))

MIGRATIONS.append(("0007_record_drafts", """
-- What each record was built from (a checksum of the adapter's draft) and what the checks said about it: an
-- import that meets the same draft again skips its checks and replays the notices.
ALTER TABLE records ADD COLUMN draft TEXT;
ALTER TABLE records ADD COLUMN draft_notices TEXT;
"""))

BACKFILL_PROMINENCE = "0008_prominence"  # after this migration the store computes the column for every entity
MIGRATIONS.append((BACKFILL_PROMINENCE, """
-- A ranking prior (rows.prominence): relevance = text rank × (1 + prominence).
ALTER TABLE entities ADD COLUMN prominence REAL NOT NULL DEFAULT 0;
"""))

MIGRATIONS.append(("0009_fts_vocab", """
-- The indexed terms, for expanding a search's last word (search._prefix) without FTS5's prefix merge.
CREATE VIRTUAL TABLE entities_fts_vocab USING fts5vocab (entities_fts, 'row');
"""))

MIGRATIONS.append(("0010_area_listing", "\n".join(
    # Map views by name (store.cells.AREA_LEVELS): per level, the area cell then the listing order, covering
    # every column the listing filters on, so a page is a merge of index ranges that never touches the table.
    f"CREATE INDEX entities_area_{level.name} ON entities ({level.sql('sqlite')}, name_sort, id, kind, has_open, "
    "lat, lon) WHERE withdrawn_at IS NULL;"
    for level in AREA_LEVELS)))

RELAY_DOCUMENTS = "0011_document_layout"  # after this migration the store rewrites documents of an older layout
MIGRATIONS.append((RELAY_DOCUMENTS, """
-- Entity documents keep `geo` right after `id` (store.documents.dump_document), so list pages are written from
-- their bytes; writes.relay_documents rewrites those stored before that layout.
"""))

RELAY_PROVENANCE = "0012_provenance_last"  # the same rewrite for the layout with the bookkeeping tail last
MIGRATIONS.append((RELAY_PROVENANCE, """
-- Entity documents end with their bookkeeping members, provenance last (store.documents.TAIL), so formats that
-- do not show them parse documents without them; writes.relay_documents rewrites those stored before that layout.
"""))

MIGRATIONS.append(("0013_sequence_index", """
-- Pages by `changed` (sort=changed, and the delta feed's full sync) walk the sequence and stop after a page, as
-- PostgreSQL's entities_seq does; without it every page sorted the whole hub (100k places: ~400 ms a page).
CREATE INDEX entities_seq ON entities (seq, id);
"""))

REBUILD_TEXT = "0014_search_words"  # after this migration the store indexes the text of every entity again
MIGRATIONS.append((REBUILD_TEXT, """
-- Indexed text holds what a place is in three languages (model.search_words), the heads of German compounds and
-- the long forms of abbreviations (store.text.index_text); writes.rebuild_text indexes stored entities again.
"""))

OPEN_VIEW_FILTERS = "0015_open_view_filters"  # after this migration the store computes filter columns again
MIGRATIONS.append((OPEN_VIEW_FILTERS, """
-- The columns and tags filters read come from an entity's open view (store.rows.entity_columns): an anonymous
-- filter must not find a place by what only its closed records say. writes.refilter rewrites the entities whose
-- views differ; tags only the full view has carry the prefix `full:`.
"""))

CLOSED_IMAGES = "0016_closed_images"  # after this migration the store leaves closed images out of open views
MIGRATIONS.append((CLOSED_IMAGES, """
-- An image carries its own licence: an open record's closed images are not part of the entity's open view
-- (model.licence.without_closed_images). writes.hide_closed_images rewrites the open views stored before.
"""))

OPEN_FIRST_SEEN = "0017_open_first_seen"  # after this migration the store dates open views by their open records
MIGRATIONS.append((OPEN_FIRST_SEEN, """
-- An open view is first seen with its first open record, not with a closed one that founded the place (its date
-- would tell of it); writes.mend_open_first_seen rewrites the open views stored before.
"""))

OPEN_GONE_STUBS = "0018_open_gone"  # after this migration the store keeps a stub where an open view went
MIGRATIONS.append((OPEN_GONE_STUBS, """
-- A place whose last open record went while closed ones keep it is a tombstone for readers of open data: its
-- row keeps a stub as its open view (rows.open_document), so the delta feed lists it; writes.mark_open_views_gone
-- marks the places that lost their open view before.
"""))

MIGRATIONS.append(("0019_event_start_index", """
-- Only events have a start: an index of every place's empty one cost each import of 100k places ~0.3 s. Searches
-- for events say `start_at IS NOT NULL` (always true for them), which lets SQLite use the partial index.
DROP INDEX entities_start;
CREATE INDEX entities_start ON entities (kind, start_at, id) WHERE start_at IS NOT NULL;
"""))

MIGRATIONS.append(("0020_open_changed_at", """
-- When an entity's open view last changed, where that was before its last change (a change of closed data alone):
-- the open delta feed and the open view's date go by it. NULL: the same as changed_at, as for every row before.
ALTER TABLE entities ADD COLUMN open_changed_at TEXT;
"""))

MIGRATIONS.append(("0021_open_seq", """
-- The open view's place in the order of changes, where a change of closed data alone moved the entity's own `seq`:
-- the open delta feed goes by it, so its order tells nothing of that change. NULL: the same as seq.
ALTER TABLE entities ADD COLUMN open_seq INTEGER;
"""))

MIGRATIONS.append(("0022_open_points", """
-- An entity with an open view is placed by the open view's point or not at all (rows.entity_columns): a closed
-- record's point would let an anonymous box or radius find it there. Rows stored before lose such a point.
DELETE FROM entities_rtree WHERE id IN (SELECT rowid FROM entities WHERE has_open AND NOT all_open AND
    withdrawn_at IS NULL AND lat IS NOT NULL AND json_extract(data_open, '$.geo') IS NULL);
UPDATE entities SET lat = NULL, lon = NULL WHERE has_open AND NOT all_open AND withdrawn_at IS NULL
    AND lat IS NOT NULL AND json_extract(data_open, '$.geo') IS NULL;
"""))

MIGRATIONS.append(("0023_changed_index", """
-- The delta feed reads a range of change times and orders it by sequence: the id in this index served nothing, and
-- an import, whose rows share one change time, put each row at a random place of it (100k places: ~0.3 s).
-- By change time alone (and rowid, which SQLite adds), an import's rows go to its end.
DROP INDEX entities_changed;
CREATE INDEX entities_changed ON entities (changed_at);
"""))

MIGRATIONS.append(("0024_open_seq_index", """
-- A listing of the open view by change without changed_since (a full sync's first pass) walks two orders: entities
-- whose open view is current by `seq` (entities_seq), the few whose closed data alone changed since by `open_seq`
-- (this index, which holds only those). Rows of all-open hubs leave it empty: imports pay nothing for it.
CREATE INDEX entities_open_seq ON entities (open_seq, id) WHERE open_seq IS NOT NULL;
"""))

MIGRATIONS.append(("0025_occupancy_compacted", """
-- Per sensor, the latest observed_at compaction folded into occupancy_hourly (integer microseconds): its raw
-- readings are gone, so a reading at or before it is refused (it may be one of them, sent again). Hubs compacted
-- before know only the hours: the end of a sensor's last compacted hour stands in for it.
CREATE TABLE occupancy_compacted (sensor_key INTEGER PRIMARY KEY, through INTEGER NOT NULL);
INSERT INTO occupancy_compacted (sensor_key, through)
    SELECT sensor_key, max(hour) + 3599999999 FROM occupancy_hourly GROUP BY sensor_key;
"""))

# One record's place in record_tallies ({r}: a row of records), and how a group takes in a change
_TALLY_KEY = ("coalesce(json_extract({r}.data, '$.licence'), ''), "
              "coalesce(json_extract({r}.data, '$.attribution'), '')")
_TALLY_MERGE = (
    "ON CONFLICT (source, licence, attribution) DO UPDATE SET active = active + excluded.active, "
    "withdrawn = withdrawn + excluded.withdrawn, "
    "last_changed = nullif(max(coalesce(last_changed, ''), coalesce(excluded.last_changed, '')), ''), "
    "last_withdrawn = nullif(max(coalesce(last_withdrawn, ''), coalesce(excluded.last_withdrawn, '')), '')")
_TALLY_INSERT = ("INSERT INTO record_tallies (source, licence, attribution, active, withdrawn, last_changed, "
                 "last_withdrawn)")
# what writes.write_records adds for the records it inserts (tallies.tally_rows)
ADD_TALLIES = f"{_TALLY_INSERT} VALUES (?, ?, ?, ?, ?, ?, ?) {_TALLY_MERGE}"
_TALLY_ADD = (f"{_TALLY_INSERT} VALUES (new.source, {_TALLY_KEY.format(r='new')}, new.withdrawn_at IS NULL, "
              f"new.withdrawn_at IS NOT NULL, new.last_changed, new.withdrawn_at) {_TALLY_MERGE}")

MIGRATIONS.append(("0026_record_tallies", f"""
-- Per source, licence and attribution: its active and withdrawn records, their last change and last withdrawal
-- (store/tallies.py), so that the catalogue, /api/v1/sources and the landing page read a few rows after a change
-- instead of every record's document. writes.write_records adds the records it inserts; this trigger moves the
-- changed ones. Records are never deleted. A record that leaves a group (its licence or attribution changed)
-- counts as a change of the group it left, at its own change time: that group's open data changed then (the same
-- tallies as store/postgres/schema.py's).
CREATE TABLE record_tallies (
    source TEXT NOT NULL, licence TEXT NOT NULL, attribution TEXT NOT NULL, active INTEGER NOT NULL,
    withdrawn INTEGER NOT NULL, last_changed TEXT, last_withdrawn TEXT, PRIMARY KEY (source, licence, attribution)
) WITHOUT ROWID;
{_TALLY_INSERT} SELECT source, {_TALLY_KEY.format(r='records')}, count(*) - count(withdrawn_at),
    count(withdrawn_at), max(last_changed), max(withdrawn_at) FROM records GROUP BY 1, 2, 3;
CREATE TRIGGER records_tally_update AFTER UPDATE OF source, data, checksum, last_changed, withdrawn_at ON records
WHEN old.checksum IS NOT new.checksum OR old.withdrawn_at IS NOT new.withdrawn_at OR old.source IS NOT new.source
    OR old.last_changed IS NOT new.last_changed
BEGIN UPDATE record_tallies SET active = active - (old.withdrawn_at IS NULL),
    withdrawn = withdrawn - (old.withdrawn_at IS NOT NULL),
    last_changed = max(coalesce(last_changed, ''), new.last_changed)
    WHERE (source, licence, attribution) = (old.source, {_TALLY_KEY.format(r='old')}); {_TALLY_ADD}; END
"""))

MIGRATIONS.append(("0027_withdrawn_index", """
-- The withdrawn entities, counted for /health and the admin pages (tallies.COUNT_SQL): a few rows of their own
-- instead of a pass over every entity; a first import, which withdraws nothing, writes none.
CREATE INDEX entities_withdrawn ON entities (withdrawn_at) WHERE withdrawn_at IS NOT NULL;
"""))
