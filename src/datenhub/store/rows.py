"""Backend-neutral derivation of the indexed columns of an entity (so SQLite and PostgreSQL agree)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson

from datenhub.enrich.geo import plane_m
from datenhub.model.licence import OPEN_LICENCES, without_closed_images
from datenhub.model.search_words import kind_words
from datenhub.store.base import OPEN_GONE, HubEntity, Page
from datenhub.store.cells import FULL_ONLY, cell_tokens
from datenhub.store.documents import RawDocument, dump_document
from datenhub.store.query import Query, decode_cursor, encode_cursor
from datenhub.store.ranking import broad_cursor, prominence, tier_token
from datenhub.store.text import fold, index_text


def iso(at: datetime | None) -> str | None:
    return None if at is None else _iso(at)


@lru_cache(maxsize=4096)  # writes stamp thousands of rows with the same instant
def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def parse_iso(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _plain(value: Any) -> Any:
    """Timestamps as the ISO text SQLite stores; PostgreSQL hands out datetimes."""
    return iso(value) if isinstance(value, datetime) else value


def page_from_rows(query: Query, rows: list[Any], more: bool, version: int | None = None) -> Page:
    """A search page from rows of (id, JSON or NULL for a tombstone, sort key, withdrawn_at, changed_at,
    kind, known, opening_hours, municipality_ags): the last four as store.documents.RawDocument takes them.
    `version`: the data version a sort key that depends on all the data holds for (query.decode_cursor)."""
    raw: list[RawDocument | dict[str, Any]] = []
    distances: dict[str, float] = {}
    for entity_id, data, _, withdrawn_at, changed_at, kind, known, hours, ags in rows:
        if data is None:
            # a tombstone for the delta feed: the id, what it was and when it went away (query.tombstone_dates),
            # nothing else; an open view that went while the hub lives on has no withdrawal of its own
            raw.append({"id": entity_id, "kind": kind, "withdrawn_at": _plain(withdrawn_at or changed_at),
                        "last_changed": _plain(changed_at), "tombstone": True})
            continue
        doc = RawDocument(data if isinstance(data, bytes) else data.encode(), kind, bool(known), hours, ags)
        raw.append(doc)
        if query.near is not None:
            parts = doc.parts()
            # another layout: the document itself says whether it has a point
            point = (float(parts[1]), float(parts[2])) if parts else _geo_point(orjson.loads(doc.raw))
            if point is not None:
                distances[entity_id] = round(plane_m(query.near[0], query.near[1], point[0], point[1]), 1)
    next_cursor = encode_cursor([_plain(rows[-1][2]), rows[-1][0]], query, version) if more and rows else None
    return Page(None, next_cursor, distances, raw=raw)


def stamped(page: Page, query: Query, version: int) -> Page:
    """A ranked page's cursor marked with the data version its ranks hold for (query.decode_cursor), for stores
    that write the cursor before they know the listing is ranked; a broad listing's cursor stays as it is."""
    if page.next_cursor is not None:
        values = decode_cursor(query.with_cursor(page.next_cursor), 2)
        if not broad_cursor(values[0]):
            page.next_cursor = encode_cursor(values, query, version)
    return page


def _geo_point(item: dict[str, Any]) -> tuple[float, float] | None:
    geo = item.get("geo")
    return (geo["lat"], geo["lon"]) if geo else None


def _search_text(data: dict[str, Any] | None) -> str:
    if not data:
        return ""
    municipality = data.get("municipality") or {}
    address = data.get("address") or {}
    return index_text(
        *(data.get("name") or {}).values(),
        *(data.get("description") or {}).values(),
        " ".join(data.get("categories") or []),
        " ".join(data.get("keywords") or []),
        municipality.get("name"),
        address.get("locality"),
        data.get("location_name"),
        kind_words(data),
    )


def search_texts(data: dict[str, Any], data_open: dict[str, Any] | None) -> tuple[str, str]:
    """The indexed text of an entity's open view, and of what its full view adds ("" when nothing): what
    entity_columns stores, and what the stores index again when the text's rules change (rebuild_text)."""
    full = _search_text(data)
    open_text = full if data_open is data else _search_text(data_open)
    return open_text, "" if open_text == full else full


def stored_views(data: str | bytes, data_open: str | bytes | None, has_open: Any, all_open: Any
                 ) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """An entity's full and open views from its stored documents: the open one is `data` itself when all of it
    is open, its own document when part is, none when nothing is (as both backends store them)."""
    full = orjson.loads(data)
    return full, (full if all_open else orjson.loads(data_open) if has_open and data_open else None)


def filter_columns(entity_id: str, kind: str, data: str | bytes, data_open: str | bytes | None, has_open: Any,
                   ) -> EntityColumns:
    """The columns of a stored entity whose open view differs from its full one (or that has none), computed
    again from its documents: what the migration to filters on the open view rewrites (open_view_filters)."""
    full, shown = stored_views(data, data_open, has_open, False)
    return entity_columns(HubEntity(entity_id, kind, full, shown, "", datetime(1970, 1, 1, tzinfo=UTC)))


# the open licence ids as an SQL list, for a test of a record's stored licence (constants, safe to inline)
OPEN_LICENCE_SQL = "(" + ", ".join(f"'{licence.value}'" for licence in sorted(OPEN_LICENCES)) + ")"
CLOSED_IMAGE = '"licence":"closed"'  # how a stored document (orjson, no blanks) names a closed licence


def closed_images_left_out(rows: list[tuple[Any, ...]], now: datetime) -> list[HubEntity]:
    """(id, kind, data, data_open, has_open, all_open, checksum) of stored entities → those whose open view shows
    closed images, with the view as the store keeps it now (model.licence.without_closed_images): what the
    migration that leaves them out writes back, as a change, so delta-feed readers drop the images too."""
    fixed = []
    for entity_id, kind, data, data_open, has_open, all_open, checksum in rows:
        full, shown = stored_views(data, data_open, has_open, all_open)
        kept = without_closed_images(shown) if shown is not None else None
        if kept is None or kept is shown:
            continue
        kept["last_changed"] = now.astimezone(UTC).isoformat()
        fixed.append(HubEntity(entity_id, kind, full, kept, checksum, now))
    return fixed


def open_first_seen(rows: list[tuple[Any, ...]], firsts: dict[str, Any], now: datetime) -> list[HubEntity]:
    """(id, kind, data, data_open, has_open, all_open, checksum) of stored entities with both open and closed
    records, and the first_seen of each hub's first open record → those whose open view says another date (the
    closed founder's, before build_hub took the open records' own), with it mended: what the migration writes."""
    fixed = []
    for entity_id, kind, data, data_open, has_open, all_open, checksum in rows:
        full, shown = stored_views(data, data_open, has_open, all_open)
        first = firsts.get(entity_id)
        if shown is None or shown is full or first is None:
            continue
        when = (first if isinstance(first, datetime) else datetime.fromisoformat(str(first))).astimezone(UTC)
        if shown.get("first_seen") == when.isoformat():
            continue
        fixed.append(HubEntity(entity_id, kind, full, {**shown, "first_seen": when.isoformat(),
                                                       "last_changed": now.astimezone(UTC).isoformat()},
                               checksum, now))
    return fixed


def open_document(entity: HubEntity, all_open: bool) -> str | None:
    """The stored `data_open`: none where it equals the full view (readers fall back to `data`) or where there is
    no open view; a stub of id and kind where the open view went while the hub lives on (HubEntity.open_gone),
    which with has_open unset marks the row as a tombstone for readers of open data, and nothing more."""
    if entity.open_gone:
        return dump_document({"id": entity.id, "kind": entity.kind})
    return None if entity.data_open is None or all_open else dump_document(entity.data_open)


def open_views_gone(rows: list[tuple[Any, ...]], now: datetime) -> list[HubEntity]:
    """(id, kind, data, checksum) of live entities without an open view whose hub holds an open record (withdrawn,
    since none is live) → the same with the open view marked gone (HubEntity.open_gone), as a change: what the
    migration writes for hubs that lost their open view before the store kept its stub."""
    return [HubEntity(entity_id, kind, orjson.loads(data) if isinstance(data, str | bytes) else data, None,
                      checksum + OPEN_GONE, now, open_gone=True) for entity_id, kind, data, checksum in rows]


def index_tokens(geo: dict[str, float] | None, value: float) -> str:
    """The `cells` column of SQLite's full-text index: grid cells (store.cells) and the prominence tier
    (store.ranking), so the index alone can restrict text to an area and stream broad listings tier by tier."""
    tier = tier_token(value)
    return f"{cell_tokens(geo['lat'], geo['lon'])} {tier}" if geo else tier


@dataclass(slots=True)
class EntityColumns:
    name_sort: str
    lat: float | None
    lon: float | None
    municipality_ags: str | None
    wheelchair: str | None
    has_open: bool
    all_open: bool
    start_at: str | None
    end_at: str | None
    tags: list[str]
    open_text: str
    all_text: str
    opening_hours: str | None = None
    cells: str = ""
    prominence: float = 0.0
    type: str = ""


def _tags(view: dict[str, Any]) -> set[str]:
    return {f"type:{view.get('type')}", *(f"cat:{c}" for c in view.get("categories") or []),
            *(f"src:{rid.split(':', 1)[0]}" for rid in view.get("sources") or [])}


def entity_columns(entity: HubEntity, cells: bool = True) -> EntityColumns:
    """The columns an entity row derives from its documents; `cells=False` leaves out the `cells` tokens of
    SQLite's full-text index, which PostgreSQL does not keep."""
    if isinstance(entity.columns, EntityColumns):
        return entity.columns
    data = entity.data
    # Every column a filter reads comes from the open view where there is one: an anonymous filter must not find
    # (or miss) a place by what only its closed records say. Tags only the full view has are kept apart for
    # readers of closed data (cells.tag_groups).
    shown = entity.data_open or data
    name = (shown.get("name") or {}).get("de") or next(iter((shown.get("name") or {"": ""}).values()))
    # The point too: an entity with an open view has the open view's point or none (a closed record's would let
    # an anonymous box or radius find it there), and so has a withdrawn place's open stub
    geo = shown.get("geo")
    all_open = entity.data_open is data or (entity.data_open is not None and entity.data_open == data)
    if all_open:
        tags = _tags(data)
    elif entity.data_open is None:
        tags = {FULL_ONLY + tag for tag in _tags(data)}
    else:
        tags = _tags(shown)
        tags |= {FULL_ONLY + tag for tag in _tags(data) - tags}
    start = shown.get("start")
    end = shown.get("end") or start
    open_text, all_text = search_texts(data, entity.data_open)
    value = prominence(shown)
    return EntityColumns(
        name_sort=fold(name)[:200],
        lat=geo["lat"] if geo else None,
        lon=geo["lon"] if geo else None,
        municipality_ags=(shown.get("municipality") or {}).get("ags"),
        wheelchair=shown.get("wheelchair"),
        has_open=entity.data_open is not None,
        all_open=all_open,
        start_at=iso(datetime.fromisoformat(start)) if start else None,
        end_at=iso(datetime.fromisoformat(end)) if end else None,
        tags=sorted(tags),
        # FTS columns: open_text holds the open view; all_text only what the full view adds. Privileged
        # searches match either column, anonymous ones only open_text, so open entities are indexed once.
        open_text=open_text,
        all_text=all_text,
        opening_hours=shown.get("opening_hours"),
        cells=index_tokens(geo, value) if cells else "",
        prominence=value,
        type=shown.get("type") or "",
    )
