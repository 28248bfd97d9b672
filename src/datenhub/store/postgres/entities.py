"""Writing hub entities: one row each with its index columns (tags, tsvectors, point) derived in Python."""

from __future__ import annotations

from typing import Any

import orjson
import psycopg

from datenhub.store.base import HubEntity
from datenhub.store.postgres.fulltext import tsvector_literal
from datenhub.store.rows import entity_columns

_COLUMNS = ("id", "kind", "type", "name_sort", "lat", "lon", "municipality_ags", "wheelchair", "has_open", "all_open",
            "start_at", "end_at", "opening_hours", "checksum", "changed_at", "seq", "withdrawn_at", "tags",
            "open_tsv", "full_tsv", "data", "data_open")
_CASTS = {"tags": "::text[]", "open_tsv": "::tsvector", "full_tsv": "::tsvector", "data": "::json",
          "data_open": "::json", "start_at": "::timestamptz", "end_at": "::timestamptz"}


def dumps(data: Any) -> str:
    return orjson.dumps(data).decode("utf-8")


def clean(text: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL characters; SQLite can. Drop them from indexed text."""
    return None if text is None else text.replace("\x00", "")


def _upsert_sql(postgis: bool) -> str:
    columns = list(_COLUMNS)
    values = [f"%s{_CASTS.get(c, '')}" for c in columns]
    if postgis:
        columns.append("geom")
        # active entities with a position only: a withdrawn one leaves the spatial index, as in SQLite's R*Tree
        values.append("CASE WHEN %s::boolean THEN ST_SetSRID(ST_MakePoint(%s, %s), 4326) END")
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id")
    return (f"INSERT INTO entities ({', '.join(columns)}) VALUES ({', '.join(values)}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}")


def _row(entity: HubEntity, seq: int, postgis: bool) -> tuple[Any, ...]:
    cols = entity_columns(entity)
    active = entity.withdrawn_at is None
    full_json = dumps(entity.data)
    data_open = None if entity.data_open is None else (
        full_json if entity.data_open is entity.data else dumps(entity.data_open))
    open_text = cols.open_text if active else ""
    full_text = f"{cols.open_text} {cols.all_text}" if active else ""
    row: tuple[Any, ...] = (
        entity.id, entity.kind, entity.data.get("type") or "", clean(cols.name_sort), cols.lat, cols.lon,
        cols.municipality_ags, cols.wheelchair, cols.has_open, cols.all_open, cols.start_at, cols.end_at,
        clean(cols.opening_hours), entity.checksum, entity.changed_at, seq, entity.withdrawn_at,
        cols.tags if active else [],
        tsvector_literal(open_text) if active else None, tsvector_literal(full_text) if active else None,
        full_json, data_open)
    if postgis:
        row += (active and cols.lat is not None, cols.lon, cols.lat)
    return row


def upsert_entities(conn: psycopg.Connection[Any], entities: list[HubEntity], postgis: bool) -> None:
    if not entities:
        return
    # The counter row stays locked until commit, so `seq` order is commit order and the delta feed
    # (sort=changed with a cursor) never skips an entity a slower concurrent import commits later.
    row = conn.execute("UPDATE entity_seq SET value = value + %s RETURNING value", (len(entities),)).fetchone()
    last = int(row[0]) if row else len(entities)
    first = last - len(entities) + 1
    rows = [_row(entity, first + n, postgis) for n, entity in enumerate(entities)]
    with conn.cursor() as cur:
        cur.executemany(_upsert_sql(postgis), rows)

