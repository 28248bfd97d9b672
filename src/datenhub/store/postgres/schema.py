"""PostgreSQL schema migrations, applied in order and recorded in `schema_migrations`.

Some migrations need an extension (PostGIS); they are applied as soon as it is available in the database,
so a hub started without PostGIS gets its spatial index on the first `datenhub db upgrade` after it is installed.
Entity and record payloads are `json`, not `jsonb`: json keeps the canonical key order byte for byte, so the
published JSON and the merge do not depend on the backend. Every column a query filters on is its own column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from datenhub.store.cells import AREA_LEVELS, TEXT_CELL_LEVELS, area_words_prefix_sql, cell_tokens_sql

# Extensions created when missing and allowed (needs the CREATE privilege on the database); all optional.
EXTENSIONS = ("postgis", "pg_trgm", "unaccent")
# One lock for every migrating process of a database (parallel workers, several app servers starting at once).
MIGRATION_LOCK = 0x44_48_52  # "DHR"


@dataclass(frozen=True, slots=True)
class Migration:
    name: str
    sql: str
    requires: str | None = None  # an extension the migration needs; skipped (not recorded) until present


MIGRATIONS: list[Migration] = [Migration("0001_foundation", """
CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE entity_seq (one boolean PRIMARY KEY DEFAULT true CHECK (one), value bigint NOT NULL);
INSERT INTO entity_seq (value) VALUES (0);
CREATE TABLE sources (
    name text COLLATE "C" PRIMARY KEY, title text, licence text, attribution text,
    priority integer NOT NULL DEFAULT 100, url text, description text
);
CREATE TABLE raw_inputs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, source text NOT NULL, name text NOT NULL, media_type text,
    fetched_at timestamptz NOT NULL, sha256 text NOT NULL, size bigint NOT NULL, payload bytea NOT NULL,
    UNIQUE (source, sha256)
);
CREATE TABLE imports (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, source text NOT NULL, adapter text NOT NULL,
    raw_id bigint REFERENCES raw_inputs (id), started_at timestamptz NOT NULL, finished_at timestamptz,
    status text NOT NULL, stats jsonb
);
CREATE INDEX imports_source ON imports (source, id);
CREATE TABLE records (
    record_id text COLLATE "C" PRIMARY KEY, source text NOT NULL, local_id text NOT NULL, kind text NOT NULL,
    hub_id text COLLATE "C" NOT NULL, checksum text NOT NULL, data json NOT NULL,
    first_seen timestamptz NOT NULL, last_changed timestamptz NOT NULL, withdrawn_at timestamptz
);
CREATE INDEX records_source ON records (source);
CREATE INDEX records_hub ON records (hub_id);
CREATE TABLE record_history (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, record_id text COLLATE "C" NOT NULL,
    changed_at timestamptz NOT NULL, checksum text NOT NULL, data json NOT NULL
);
CREATE INDEX record_history_id ON record_history (record_id, id);
CREATE TABLE entities (
    id text COLLATE "C" PRIMARY KEY, kind text NOT NULL, type text NOT NULL, name_sort text COLLATE "C" NOT NULL,
    lat double precision, lon double precision, municipality_ags text, wheelchair text,
    has_open boolean NOT NULL, all_open boolean NOT NULL, start_at timestamptz, end_at timestamptz,
    opening_hours text, checksum text NOT NULL, changed_at timestamptz NOT NULL, seq bigint NOT NULL,
    withdrawn_at timestamptz,
    tags text[] NOT NULL DEFAULT '{}',  -- type:, cat:, src: tags of active entities
    open_tsv tsvector,                   -- stems of the open view (anonymous searches)
    full_tsv tsvector,                   -- stems of both views (privileged searches)
    data json NOT NULL, data_open json
);
CREATE INDEX entities_kind_name ON entities (kind, name_sort, id);
CREATE INDEX entities_changed ON entities (changed_at);
CREATE INDEX entities_seq ON entities (seq, id);
CREATE INDEX entities_municipality ON entities (municipality_ags);
CREATE INDEX entities_start ON entities (kind, start_at NULLS FIRST, id);
CREATE INDEX entities_hours ON entities (kind, opening_hours) WHERE opening_hours IS NOT NULL;
CREATE INDEX entities_lat_lon ON entities (lat, lon) WHERE withdrawn_at IS NULL;
CREATE INDEX entities_tags ON entities USING gin (tags);
CREATE INDEX entities_open_tsv ON entities USING gin (open_tsv);
CREATE INDEX entities_full_tsv ON entities USING gin (full_tsv);
CREATE TABLE aliases (alias text COLLATE "C" PRIMARY KEY, hub_id text NOT NULL);
CREATE TABLE overrides (
    record_id text COLLATE "C" PRIMARY KEY, action text NOT NULL, hub_id text, created_at timestamptz NOT NULL
);
CREATE TABLE notices (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, import_id bigint NOT NULL, source text, code text NOT NULL,
    severity text NOT NULL, message text NOT NULL, file text, "row" integer, pointer text, field text,
    entity_id text, value text
);
CREATE INDEX notices_import ON notices (import_id);
CREATE INDEX notices_code ON notices (source, code);
CREATE INDEX notices_entity ON notices (entity_id);
CREATE TABLE api_keys (
    key_id text PRIMARY KEY, secret_hash text NOT NULL, name text NOT NULL, scopes text[] NOT NULL,
    created_at timestamptz NOT NULL, revoked_at timestamptz
);
CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL, key_id text, method text NOT NULL,
    path text NOT NULL, status integer NOT NULL, record_ids text[] NOT NULL, detail text
);
""")]

MIGRATIONS.append(Migration("0002_postgis", """
ALTER TABLE entities ADD COLUMN geom geometry(Point, 4326);
UPDATE entities SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326) WHERE withdrawn_at IS NULL AND lat IS NOT NULL;
CREATE INDEX entities_geom ON entities USING gist (geom);
""", requires="postgis"))

MIGRATIONS.append(Migration("0003_webhooks", """
CREATE TABLE webhooks (
    id text PRIMARY KEY, url text NOT NULL, secret text NOT NULL, key_id text, created_at timestamptz NOT NULL,
    active boolean NOT NULL DEFAULT true
);
CREATE TABLE webhook_outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, webhook_id text NOT NULL REFERENCES webhooks (id),
    payload text NOT NULL, attempts integer NOT NULL DEFAULT 0, next_at timestamptz, delivered_at timestamptz,
    last_error text
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_at) WHERE delivered_at IS NULL;
"""))


MIGRATIONS.append(Migration("0004_occupancy", """
CREATE TABLE occupancy_sensors (
    key integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id text NOT NULL UNIQUE, place_id text NOT NULL,
    kind text NOT NULL, source text NOT NULL, capacity integer, licence text, name text
);
CREATE INDEX occupancy_sensors_place ON occupancy_sensors (place_id);
CREATE TABLE occupancy_readings (
    sensor_key integer NOT NULL, observed_at timestamptz NOT NULL, count integer, free integer, capacity integer,
    fraction double precision, method text NOT NULL, window_s integer, received_at timestamptz NOT NULL,
    PRIMARY KEY (sensor_key, observed_at)
) PARTITION BY RANGE (observed_at);
CREATE TABLE occupancy_latest (
    sensor_key integer PRIMARY KEY, observed_at timestamptz NOT NULL, count integer, free integer, capacity integer,
    fraction double precision, method text NOT NULL, window_s integer, received_at timestamptz NOT NULL
);
CREATE INDEX occupancy_latest_received ON occupancy_latest (received_at);
CREATE TABLE occupancy_hourly (
    sensor_key integer NOT NULL, hour timestamptz NOT NULL, n integer NOT NULL, avg_count double precision,
    min_count integer, max_count integer, avg_fraction double precision, min_fraction double precision,
    max_fraction double precision, PRIMARY KEY (sensor_key, hour)
);
CREATE TABLE occupancy_dead_letters (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, received_at timestamptz NOT NULL, channel text NOT NULL,
    code text NOT NULL, severity text NOT NULL, message text NOT NULL, sensor_id text, field text, pointer text,
    value text, payload text NOT NULL
);
CREATE INDEX occupancy_dead_letters_code ON occupancy_dead_letters (code);
"""))

MIGRATIONS.append(Migration("0005_point_index", """
-- Boxes and radii: one GiST index on a plain point that also carries every column an area search filters and
-- sorts on, so `bbox` and `near` pick their page from the index alone (an index-only scan) and read only the
-- page's rows from the table. It needs no PostGIS; the geometry column stays for GIS clients, unindexed
-- (CREATE INDEX … USING gist (geom) if a client needs one). Replaces the (lat, lon) B-tree and the geometry
-- index, which the planner ANDed together and every insert paid for.
DROP INDEX IF EXISTS entities_lat_lon;
DROP INDEX IF EXISTS entities_geom;
CREATE INDEX entities_point ON entities USING gist (point(lon, lat)) INCLUDE (lat, lon, kind, has_open, name_sort, id)
    WHERE withdrawn_at IS NULL AND lat IS NOT NULL;
"""))


def ensure_extensions(conn: psycopg.Connection[Any]) -> set[str]:
    """Create the optional extensions where allowed; return those usable from this connection's search_path."""
    installed = {row[0] for row in conn.execute("SELECT extname FROM pg_extension")}
    available = {row[0] for row in conn.execute("SELECT name FROM pg_available_extensions")}
    for name in EXTENSIONS:
        if name in installed or name not in available:
            continue
        try:
            with conn.transaction():  # a savepoint: no privilege must not abort the migration
                conn.execute(f"CREATE EXTENSION IF NOT EXISTS {name} SCHEMA public")
        except psycopg.Error:
            continue
    usable = set()
    row = conn.execute("SELECT to_regtype('geometry') IS NOT NULL").fetchone()
    if row and row[0]:
        usable.add("postgis")
    for name, function in (("pg_trgm", "similarity"), ("unaccent", "unaccent")):
        if conn.execute("SELECT 1 FROM pg_proc WHERE proname = %s AND pg_function_is_visible(oid)",
                        (function,)).fetchone():
            usable.add(name)
    return usable

MIGRATIONS.append(Migration("0006_record_drafts", """
-- See the SQLite migration 0007: the draft each record was built from, and its notices, for replay.
ALTER TABLE records ADD COLUMN draft text;
ALTER TABLE records ADD COLUMN draft_notices text;
"""))

BACKFILL_PROMINENCE = "0007_prominence"  # after this migration the store computes the column for every entity
MIGRATIONS.append(Migration(BACKFILL_PROMINENCE, """
-- A ranking prior (rows.prominence): relevance = text rank × (1 + prominence).
ALTER TABLE entities ADD COLUMN prominence double precision NOT NULL DEFAULT 0;
"""))

MIGRATIONS.append(Migration("0008_broad_index", """
-- Broad listings (store.ranking) in their order: the planner can walk it and test the words row by row,
-- stopping after a page, instead of fetching and sorting every match of a frequent word.
CREATE INDEX entities_broad ON entities (prominence DESC, id) WHERE withdrawn_at IS NULL;
"""))

MIGRATIONS.append(Migration("0009_lexemes", """
-- The lexemes the full-text index holds, so a search's last word can be expanded to the few lexemes it starts
-- (exact GIN entries) instead of a prefix match, which scans and merges far more (search._expansions).
CREATE TABLE lexemes (lexeme text COLLATE "C" PRIMARY KEY);
INSERT INTO lexemes (lexeme) SELECT word FROM ts_stat($$SELECT coalesce(full_tsv, open_tsv) FROM entities
    WHERE coalesce(full_tsv, open_tsv) IS NOT NULL$$) ON CONFLICT DO NOTHING;
"""))

MIGRATIONS.append(Migration("0010_area_listing", "\n".join(
    # Map views by name (store.cells.AREA_LEVELS): per level, the area cell then the listing order, carrying
    # every column the listing filters on (tags too), so each cell's range is an index-only scan that never
    # reads a table row it does not list.
    f"CREATE INDEX entities_area_{level.name} ON entities ({level.sql('postgresql')}, name_sort, id) "
    "INCLUDE (kind, has_open, lat, lon, tags) WHERE withdrawn_at IS NULL;"
    for level in AREA_LEVELS)))

RELAY_DOCUMENTS = "0011_document_layout"  # after this migration the store rewrites documents of an older layout
MIGRATIONS.append(Migration(RELAY_DOCUMENTS, """
-- Entity documents keep `geo` right after `id` (store.documents.dump_document), so list pages are written from
-- their bytes; entities.relay_documents rewrites those stored before that layout.
"""))

RELAY_PROVENANCE = "0012_provenance_last"  # the same rewrite for the layout with the bookkeeping tail last
MIGRATIONS.append(Migration(RELAY_PROVENANCE, """
-- Entity documents end with their bookkeeping members, provenance last (store.documents.TAIL), so formats that
-- do not show them parse documents without them; entities.relay_documents rewrites those stored before that layout.
"""))

MIGRATIONS.append(Migration("0013_index_keys", """
-- Broad listings within a box (search._broad_page): lat and lon become keys of entities_broad, so the walk in
-- prominence order tests the box on the index entry and reads only rows inside it. A B-tree tests conditions
-- on key columns in the index, on INCLUDE columns only after reading the row. 1M places, "zeche" in a 33 × 17 km
-- box: ~3,600 rows read for a page before, ~260 now.
DROP INDEX IF EXISTS entities_broad;
CREATE INDEX entities_broad ON entities (prominence DESC, id, lat, lon) WHERE withdrawn_at IS NULL;
-- A map view's box parts that barely touch a cell come from entities_point (search._area_page); with the tags in
-- it, a category filter is tested there without reading the rows.
DROP INDEX IF EXISTS entities_point;
CREATE INDEX entities_point ON entities USING gist (point(lon, lat)) INCLUDE (lat, lon, kind, has_open, name_sort, id,
    tags) WHERE withdrawn_at IS NULL AND lat IS NOT NULL;
"""))

MIGRATIONS.append(Migration("0014_text_cells", f"""
-- Words within a box (search._first_ranked_page): the GIN index on the open view's words gets a second column,
-- the place's grid cells of ~1 and ~4.4 km (store.cells.cell_tokens, tokens SQLite's FTS5 table holds too), so
-- "these words in these cells" is one index scan that skips through a frequent word's entries instead of
-- building a bitmap of all of them. 1M places, "museum" (145k places) in a city centre: 45-61 ms before, 12-20
-- ms after. Searches without a box use the first column alone, as before. Coarser cells are left out: a box that
-- needs them holds so many matches that the search walks entities_broad instead, and each level costs every
-- insert one more index entry.
CREATE OR REPLACE FUNCTION hub_cells(lat float8, lon float8) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN lat IS NULL OR lon IS NULL THEN NULL
                 ELSE array_to_tsvector({cell_tokens_sql('lat', 'lon', TEXT_CELL_LEVELS)}) END $$;
DROP INDEX IF EXISTS entities_open_tsv;
CREATE INDEX entities_open_tsv ON entities USING gin (open_tsv, hub_cells(lat, lon));
"""))

MIGRATIONS.append(Migration("0015_lz4_documents", """
-- Documents are compressed with lz4 where the server has it (PostgreSQL 14+ built with lz4, as Debian's is). An
-- entity's document (~1.6 KB) is compressed on every write and decompressed on every read; lz4 does both in
-- about half of pglz's time at the same size (100k documents: written in 1.0-1.5 s instead of 2.3-2.6 s, read in
-- 0.9-1.1 s instead of 1.2-1.6 s; 311 MB against 305 MB). Values written before keep pglz until rewritten.
DO $$ BEGIN
    EXECUTE 'ALTER TABLE entities ALTER COLUMN data SET COMPRESSION lz4, ALTER COLUMN data_open SET COMPRESSION lz4';
    EXECUTE 'ALTER TABLE records ALTER COLUMN data SET COMPRESSION lz4';
    EXECUTE 'ALTER TABLE record_history ALTER COLUMN data SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'this server has no lz4: documents stay compressed with pglz';
END $$;
"""))

MIGRATIONS.append(Migration("0016_no_document_statistics", """
-- No statistics for the documents: nothing filters or sorts by them, and reading a sample of them to gauge their
-- width was a third of every ANALYZE of entities (100k places: 0.90 -> 0.61 s), the one an import runs included.
ALTER TABLE entities ALTER COLUMN data SET STATISTICS 0, ALTER COLUMN data_open SET STATISTICS 0;
ALTER TABLE records ALTER COLUMN data SET STATISTICS 0;
ALTER TABLE record_history ALTER COLUMN data SET STATISTICS 0;
"""))

MIGRATIONS.append(Migration("0017_area_words", f"""
-- Words by cell (store.cells.area_words_prefix): a frequent word in a small box reads only the box's cells' entries
-- of that word from this index, where entities_open_tsv reads every entry of the word and skips through them
-- with the cells' (1M places, "museum" in a city centre: 1,206 entries in 0.9 ms against 3,791 of 143,000 in 8
-- ms). Filled by the writes from here on (postgres.entities.entity_parts), for stored entities here. Its keys
-- compare bytewise (COLLATE "C"): only equality matters, and the database's collation (even C.UTF-8) would
-- compare them through strcoll on every index insert (100k places: 2-3 s less of PostgreSQL's CPU).
ALTER TABLE entities ADD COLUMN area_words text[] COLLATE "C";
UPDATE entities SET area_words = ARRAY(SELECT {area_words_prefix_sql('lat', 'lon')} || l
                                       FROM unnest(tsvector_to_array(open_tsv)) AS l)
    WHERE withdrawn_at IS NULL AND open_tsv IS NOT NULL AND lat IS NOT NULL AND lon IS NOT NULL;
CREATE INDEX entities_area_words ON entities USING gin (area_words);
"""))

REBUILD_TEXT = "0018_search_words"  # after this migration the store indexes the text of every entity again
MIGRATIONS.append(Migration(REBUILD_TEXT, """
-- Indexed text holds what a place is in three languages (model.search_words), the heads of German compounds and
-- the long forms of abbreviations (store.text.index_text); entities.rebuild_text indexes stored entities again.
"""))

OPEN_VIEW_FILTERS = "0019_open_view_filters"  # after this migration the store computes filter columns again
MIGRATIONS.append(Migration(OPEN_VIEW_FILTERS, """
-- The columns and tags filters read come from an entity's open view (store.rows.entity_columns): an anonymous
-- filter must not find a place by what only its closed records say. entities.refilter rewrites the entities whose
-- views differ; tags only the full view has carry the prefix `full:`.
"""))

CLOSED_IMAGES = "0020_closed_images"  # after this migration the store leaves closed images out of open views
MIGRATIONS.append(Migration(CLOSED_IMAGES, """
-- An image carries its own licence: an open record's closed images are not part of the entity's open view
-- (model.licence.without_closed_images). entities.hide_closed_images rewrites the open views stored before.
"""))

OPEN_FIRST_SEEN = "0021_open_first_seen"  # after this migration the store dates open views by their open records
MIGRATIONS.append(Migration(OPEN_FIRST_SEEN, """
-- An open view is first seen with its first open record, not with a closed one that founded the place (its date
-- would tell of it); entities.mend_open_first_seen rewrites the open views stored before.
"""))

OPEN_GONE_STUBS = "0022_open_gone"  # after this migration the store keeps a stub where an open view went
MIGRATIONS.append(Migration(OPEN_GONE_STUBS, """
-- A place whose last open record went while closed ones keep it is a tombstone for readers of open data: its
-- row keeps a stub as its open view (rows.open_document), so the delta feed lists it;
-- entities.mark_open_views_gone marks the places that lost their open view before.
"""))

MIGRATIONS.append(Migration("0023_open_changed_at", """
-- When an entity's open view last changed, where that was before its last change (a change of closed data alone):
-- the open delta feed and the open view's date go by it. NULL: the same as changed_at, as for every row before.
ALTER TABLE entities ADD COLUMN open_changed_at timestamptz;
"""))

MIGRATIONS.append(Migration("0024_open_seq", """
-- The open view's place in the order of changes, where a change of closed data alone moved the entity's own `seq`:
-- the open delta feed goes by it, so its order tells nothing of that change. NULL: the same as seq.
ALTER TABLE entities ADD COLUMN open_seq bigint;
"""))

MIGRATIONS.append(Migration("0025_open_points", """
-- An entity with an open view is placed by the open view's point or not at all (rows.entity_columns): a closed
-- record's point would let an anonymous box or radius find it there. Rows stored before lose such a point.
UPDATE entities SET lat = NULL, lon = NULL, area_words = NULL WHERE has_open AND NOT all_open
    AND withdrawn_at IS NULL AND lat IS NOT NULL AND (data_open -> 'geo') IS NULL;
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
               AND table_name = 'entities' AND column_name = 'geom') THEN
        EXECUTE 'UPDATE entities SET geom = NULL WHERE lat IS NULL AND geom IS NOT NULL';
    END IF;
END $$;
"""))

MIGRATIONS.append(Migration("0026_open_order_index", """
-- Readers of the open view list by change in the open view's own order, coalesce(open_seq, seq) (a change of closed
-- data alone keeps an entity's place there): this index lets a page by change, with words or filters, walk that
-- order and stop after a page, as entities_seq does for keys that read closed data.
CREATE INDEX entities_open_order ON entities ((coalesce(open_seq, seq)), id);
-- the planner's statistics of the new expression (without them it guesses a third of the rows); an empty hub is
-- left unanalysed, as a new one is (its first import settles them)
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM entities) THEN
        ANALYZE entities;
    END IF;
END $$;
"""))

MIGRATIONS.append(Migration("0027_occupancy_compacted", """
-- Per sensor, the latest observed_at compaction folded into occupancy_hourly: its raw readings are gone, so a
-- reading at or before it is refused (it may be one of them, sent again). Hubs compacted before know only the
-- hours: the end of a sensor's last compacted hour stands in for it.
CREATE TABLE occupancy_compacted (sensor_key integer PRIMARY KEY, through timestamptz NOT NULL);
INSERT INTO occupancy_compacted (sensor_key, through)
    SELECT sensor_key, max(hour) + interval '1 hour' - interval '1 microsecond' FROM occupancy_hourly
    GROUP BY sensor_key;
"""))

# How a group of record_tallies takes in a change
_TALLY_UPSERT = (
    "ON CONFLICT (source, licence, attribution) DO UPDATE SET active = t.active + excluded.active, "
    "withdrawn = t.withdrawn + excluded.withdrawn, last_changed = greatest(t.last_changed, excluded.last_changed), "
    "last_withdrawn = greatest(t.last_withdrawn, excluded.last_withdrawn)")
# what RecordsMixin adds for the records it writes and withdraws (tallies.tally_rows)
ADD_TALLIES = ("INSERT INTO record_tallies AS t (source, licence, attribution, active, withdrawn, last_changed, "
               f"last_withdrawn) VALUES (%s, %s, %s, %s, %s, %s, %s) {_TALLY_UPSERT}")

MIGRATIONS.append(Migration("0028_record_tallies", """
-- Per source, licence and attribution: its active and withdrawn records, their last change and last withdrawal
-- (store/tallies.py), so that the catalogue, /api/v1/sources and the landing page read a few rows after a change
-- instead of every record's document (1M places: 11 s per process after every change). The record writer keeps
-- them (RecordsMixin: no trigger, whose transition tables would copy every updated row). Records are never
-- deleted. A record that leaves a group (its licence or attribution changed) counts as a change of the group it
-- left, at its own change time: that group's open data changed then (as store/sqlite/schema.py's). Groups are
-- written in key order, so two writers at once cannot deadlock on them.
CREATE TABLE record_tallies (
    source text COLLATE "C" NOT NULL, licence text COLLATE "C" NOT NULL, attribution text COLLATE "C" NOT NULL,
    active bigint NOT NULL, withdrawn bigint NOT NULL, last_changed timestamptz, last_withdrawn timestamptz,
    PRIMARY KEY (source, licence, attribution)
);
INSERT INTO record_tallies SELECT source, coalesce(data->>'licence', ''), coalesce(data->>'attribution', ''),
    count(*) - count(withdrawn_at), count(withdrawn_at), max(last_changed), max(withdrawn_at) FROM records
    GROUP BY 1, 2, 3;
"""))

MIGRATIONS.append(Migration("0029_withdrawn_index", """
-- The withdrawn entities, counted for /health and the admin pages (tallies.COUNT_SQL): a few rows of their own
-- instead of a pass over every entity (1M places: 0.5 s warm, 12 s from disk); a first import, which withdraws
-- nothing, writes none.
CREATE INDEX entities_withdrawn ON entities (withdrawn_at) WHERE withdrawn_at IS NOT NULL;
"""))
