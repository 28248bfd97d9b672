"""One filter language for every endpoint and backend: parsed once here, executed by each store."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from datenhub.store.text import query_terms

MAX_LIMIT = 1000
DEFAULT_LIMIT = 20
SORTS = ("relevance", "name", "distance", "changed", "start")
WHEELCHAIR = ("yes", "limited", "no")


# The forms of values the OpenAPI document declares (api.openapi), checked by the parsers below: a value the
# document calls invalid is a 400, and what it calls valid is parsed as such (Python's own parsers take more:
# "1_000", "2026-01-01x10:00", "+5").
NUMBER_PATTERN = r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_PATTERN = (r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}(?::\d{2}(?::\d{2}(?:[.,]\d+)?)?)?)"
                    r"(Z|[ +-]\d{2}(?::?\d{2})?)?)?$")  # a space for "+": an offset's plus left unescaped
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"  # base64url without padding (encode_cursor)
_NUMBER = re.compile(NUMBER_PATTERN)
_DATETIME = re.compile(DATETIME_PATTERN)
_CURSOR = re.compile(CURSOR_PATTERN)


class QueryError(ValueError):
    """A parameter is wrong; `param` names it so the API can say which."""

    def __init__(self, param: str, detail: str) -> None:
        super().__init__(f"{param}: {detail}")
        self.param = param
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Query:
    kind: str | None = "place"
    q: str | None = None
    categories: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    municipality: str | None = None  # AGS after resolution
    bbox: tuple[float, float, float, float] | None = None  # min_lon, min_lat, max_lon, max_lat (OGC order)
    near: tuple[float, float] | None = None  # lat, lon
    radius: float | None = None  # metres
    wheelchair: tuple[str, ...] = ()
    open_licence_only: bool = False
    include_closed: bool = False  # only for callers allowed to read closed data
    sources: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    changed_since: datetime | None = None  # delta feed: includes tombstones of withdrawn entities
    date_from: datetime | None = None  # events ending at or after
    date_to: datetime | None = None  # events starting before
    open_at: datetime | None = None  # filled by the opening-hours engine where available
    sort: str | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT
    extra: dict[str, Any] = field(default_factory=dict)

    def effective_sort(self) -> str:
        if self.sort:
            return self.sort
        if self.changed_since is not None:
            return "changed"
        if self.q:
            return "relevance"
        if self.near:
            return "distance"
        if self.kind == "event":
            return "start"
        return "name"

    @property
    def open_view(self) -> bool:
        """Whether the query reads the open view of entities (anonymous readers, or licence=open)."""
        return not self.include_closed or self.open_licence_only

    def change_key(self, seq: str) -> str:
        """The SQL of the order by change: for readers of the open view the open view's own place in the sequence (a
        change of closed data alone keeps it, HubEntity.open_seq), else `seq` (the column as the caller names it)."""
        return f"coalesce(e.open_seq, {seq.lstrip('+')})" if self.open_view else seq

    def narrowed(self, *, tags: bool = True) -> bool:
        """Whether a filter beyond words, area, kind and licence applies: municipality, wheelchair, ids, dates,
        opening time and, with `tags`, categories, types and sources."""
        return bool(self.ids or self.municipality or self.wheelchair or self.date_from is not None
                    or self.date_to is not None or self.open_at is not None
                    or (tags and (self.categories or self.types or self.sources)))

    def with_cursor(self, cursor: str | None) -> Query:
        return replace(self, cursor=cursor)


def encode_cursor(values: list[Any], query: Query, version: int | None = None) -> str:
    """The position after a page's last row, marked with the listing it belongs to (cursor_mark) and, where the
    sort key depends on the data as a whole (decode_cursor), the version of the data it was taken from."""
    mark = cursor_mark(query) if version is None else f"{cursor_mark(query)}.{version}"
    raw = json.dumps([*values, mark], separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def cursor_mark(query: Query) -> str:
    """What a cursor's sort key means: kind and order, for distances the point, for relevance the words. A cursor
    taken to another listing would otherwise compare, say, a name with change numbers and silently give a wrong
    or empty page. Filters are left out: a next page with other filters is still a well-defined page, and some
    filters move between pages by themselves (open now, today's events)."""
    order = query.effective_sort()
    point = f"{query.near[0]:.7f},{query.near[1]:.7f}" if order == "distance" and query.near else ""
    # relevance is a rank for these words: another search's ranks would place the page anywhere; in any other
    # order the words choose the rows, so a page of one search continued as another would skip what it never saw
    words = " ".join(query_terms(query.q)) if query.q else ""
    return hashlib.blake2s(f"{query.kind}|{order}|{point}|{words}".encode(), digest_size=4).hexdigest()


# the sort key's JSON types per order (relevance: a rank, or a broad listing's text position)
_KEY_TYPES: dict[str, tuple[type, ...]] = {"name": (str,), "start": (str, type(None)), "changed": (int,),
                                           "distance": (int, float), "relevance": (int, float, str)}


def decode_cursor(query: Query, expected_len: int, version: int | None = None) -> list[Any]:
    """The values of `query.cursor`, checked to belong to this listing and, given `version`, to have been taken
    from that version of the data: a text rank that weighs each word by how many records hold it (SQLite's BM25)
    changes for every match when any record changes, so a page after a change would skip or repeat matches.
    Raises QueryError."""
    cursor = query.cursor or ""
    try:
        if not _CURSOR.match(cursor):  # base64 decoding skips other characters: "ab!cd" would pass as "abcd"
            raise ValueError(cursor)
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError):
        raise QueryError("cursor", "not a cursor this server issued; start again without it") from None
    mark, _, taken = str(values[-1]).partition(".") if isinstance(values, list) and values else ("", "", "")
    if not isinstance(values, list) or len(values) != expected_len + 1 or mark != cursor_mark(query):
        raise QueryError("cursor", "the cursor belongs to another listing (another kind, sort order, point or "
                                   "search words); pass it back with the parameters of the page that gave it, or "
                                   "start again without it")
    if version is not None and taken != str(version):
        raise QueryError("cursor", "the records this text search ranks changed since its first page (data was "
                                   "imported or edited), so its ranks no longer compare with the cursor's; start "
                                   "again without cursor")
    values = values[:-1]
    key = values[0]
    if not isinstance(values[-1], str) or isinstance(key, bool) \
            or not isinstance(key, _KEY_TYPES.get(query.effective_sort(), ())):
        raise QueryError("cursor", "not a cursor this server issued; start again without it")
    return values


def _floats(param: str, value: str, count: int) -> list[float]:
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != count:
        raise QueryError(param, f"expected {count} comma-separated numbers, got {value!r}")
    try:
        numbers = [float(p) if _NUMBER.fullmatch(p) else float("invalid") for p in parts]
    except ValueError:
        raise QueryError(param, f"expected numbers, got {value!r}") from None
    if any(n != n or n in (float("inf"), float("-inf")) for n in numbers):
        raise QueryError(param, "numbers must be finite")
    return numbers


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    min_lon, min_lat, max_lon, max_lat = _floats("bbox", value, 4)
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180 and -90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise QueryError("bbox", "coordinates out of range; order is minLon,minLat,maxLon,maxLat")
    if min_lat > max_lat or min_lon > max_lon:
        raise QueryError("bbox", "minimum above maximum; order is minLon,minLat,maxLon,maxLat")
    return min_lon, min_lat, max_lon, max_lat


def parse_near(value: str) -> tuple[float, float]:
    lat, lon = _floats("near", value, 2)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise QueryError("near", "expected lat,lon in WGS84 degrees")
    return lat, lon


# Dates a query may name. Far enough inside Python's years 1-9999 that a day or a week added to a bound (a
# whole-day interval, a week of opening hours) cannot overflow; no data of the hub lies outside them.
EARLIEST = date(1000, 1, 1)
LATEST = date(8999, 12, 31)


def check_date(param: str, day: date) -> date:
    if not EARLIEST <= day <= LATEST:
        raise QueryError(param, f"{day.isoformat()} is outside the dates the hub answers for "
                                f"({EARLIEST.isoformat()} to {LATEST.isoformat()})")
    return day


def parse_datetime(param: str, value: str) -> datetime:
    try:
        form = _DATETIME.match(value)
        if form is None:
            raise ValueError(value)
        day, time, offset = form.groups()
        at = datetime.fromisoformat(day if time is None else
                                    f"{day}T{time}{(offset or '').replace(' ', '+').replace('Z', '+00:00')}")
    except ValueError:
        raise QueryError(param, f"expected an ISO 8601 date or date-time, got {value!r}") from None
    check_date(param, at.date())
    if at.tzinfo is None:
        from datenhub.clock import BERLIN

        at = at.replace(tzinfo=BERLIN)
    return at.astimezone(UTC)


# Events of `from` on: those still running then (their end is exclusive, as iCalendar's DTEND: an all-day event
# of the 12th and 13th ends at the 14th's midnight and is over on the 14th) and those starting then or later (an
# instant's end is its start). {0}: the backend's placeholder.
EVENT_FROM_SQL = "e.end_at > {0} OR e.start_at >= {0}"


def open_stubs_listed(query: Query) -> bool:
    """Whether the delta feed for readers of open data lists the stubs of open views that went (rows.open_document):
    only in the order of change and filtered by kind and ids alone. Such a row's other columns come from the closed
    records the place lives on in, so a filter or an order by them would tell of that data."""
    return query.changed_since is not None and query.effective_sort() == "changed" and not (
        query.q or query.bbox is not None or query.near is not None or replace(query, ids=()).narrowed())


def tombstone_dates(query: Query) -> str:
    """The SQL of a result row's withdrawn_at and changed_at, which date a tombstone (rows.page_from_rows): for
    readers of open data when its open view went, where that was before its last change (an open view that went
    while the hub lives on, or whose closed records were withdrawn after it went: closed data's news)."""
    if query.open_view:
        return "coalesce(e.open_changed_at, e.withdrawn_at), coalesce(e.open_changed_at, e.changed_at)"
    return "e.withdrawn_at, e.changed_at"


def shown_document(query: Query, data_col: str, open_view: bool) -> str:
    """The SQL of a result row's document: in the delta feed NULL (a tombstone) for a withdrawn entity and, for
    readers of open data, for one whose open view went (rows.open_document)."""
    if query.changed_since is None:
        return data_col
    return f"CASE WHEN e.withdrawn_at IS NULL{' AND e.has_open' if open_view else ''} THEN {data_col} ELSE NULL END"


def is_bare_date(value: str) -> bool:
    return len(value.strip()) == 10 and "T" not in value.upper()


def parse_until(param: str, value: str) -> datetime:
    """The exclusive upper end of a time filter: a bare date includes its whole day (up to the next midnight,
    Europe/Berlin), a date-time is taken as given."""
    at = parse_datetime(param, value)
    if not is_bare_date(value):
        return at
    from datenhub.clock import BERLIN

    day = date.fromisoformat(value.strip()) + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=BERLIN).astimezone(UTC)


def _category(value: str) -> str:
    """A category of the hub's vocabulary, in any case or by an alias (model.categories), or a clear error."""
    from datenhub.model.categories import CATEGORIES, normalise_category

    known = normalise_category(value)
    if known is None:
        raise QueryError("category", f"unknown category {value!r}; known: {', '.join(CATEGORIES)}")
    return known


def _schema_type(value: str, kind: str | None) -> str:
    """A schema.org type in any case or with its prefix, spelled as schema.org does, or a clear error: an unknown
    type would otherwise just find nothing."""
    from datenhub.model.schemaorg import canonical_type, similar_types, vocabulary

    places, events, _ = vocabulary()
    kinds = events if kind == "event" else places if kind == "place" else None
    known = canonical_type(value)
    if known is not None and (kinds is None or known in kinds):
        return known
    like = similar_types(value, kinds)
    examples = "Festival, ExhibitionEvent, MusicEvent" if kind == "event" else "Museum, Park, TrainStation"
    hint = f"; did you mean {' or '.join(like)}?" if like else f" (e.g. {examples})"
    if known is not None:  # a schema.org type, but of something else: it could never match here
        raise QueryError("type", f"{known} is not a schema.org type of {kind or 'place or event'}{hint}")
    raise QueryError("type", f"unknown schema.org type {value!r}{hint}")


def _list(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(p.strip() for item in items for p in re.split(r",", item) if p.strip())


def from_params(params: Mapping[str, Any], *, kind: str | None = "place",
                resolve_municipality: Any = None) -> Query:
    """Build a Query from string parameters (HTTP query or CLI options). Raises QueryError."""
    get = params.get
    limit_raw = get("limit")
    limit = DEFAULT_LIMIT
    if limit_raw not in (None, ""):
        try:
            limit = int(str(limit_raw))
        except ValueError:
            raise QueryError("limit", f"expected a whole number, got {limit_raw!r}") from None
        if not 1 <= limit <= MAX_LIMIT:
            raise QueryError("limit", f"must be between 1 and {MAX_LIMIT}")
    near = parse_near(str(get("near"))) if get("near") else None
    radius = None
    if get("radius") not in (None, ""):
        try:
            radius = float(str(get("radius")).strip()) if _NUMBER.fullmatch(str(get("radius")).strip()) else \
                float("invalid")
        except ValueError:
            raise QueryError("radius", "expected metres as a number") from None
        if not 0 < radius <= 500_000:
            raise QueryError("radius", "must be more than 0 and at most 500000 metres")
        if near is None:
            raise QueryError("radius", "needs near=lat,lon")
    wheelchair = _list(get("wheelchair"))
    for value in wheelchair:
        if value not in WHEELCHAIR:
            raise QueryError("wheelchair", f"expected one of {', '.join(WHEELCHAIR)}")
    sort = get("sort") or None
    if sort is not None and sort not in SORTS:
        raise QueryError("sort", f"expected one of {', '.join(SORTS)}")
    if sort == "distance" and near is None:
        raise QueryError("sort", "sort=distance needs near=lat,lon")
    if sort == "relevance" and not get("q"):
        raise QueryError("sort", "sort=relevance needs q")
    if sort == "start" and kind == "place":
        raise QueryError("sort", "sort=start orders events by their start; places have none")
    licence = get("licence")
    if licence not in (None, "", "open", "any"):
        raise QueryError("licence", "expected 'open' (open licences only)")
    municipality = None
    if get("municipality"):
        municipality = str(get("municipality"))
        if resolve_municipality is not None:
            resolved = resolve_municipality(municipality)
            if resolved is None:
                raise QueryError("municipality", f"unknown municipality {municipality!r} (name or AGS)")
            municipality = resolved
    q = get("q")
    if q is not None and len(str(q)) > 500:
        raise QueryError("q", "at most 500 characters")
    date_from = parse_datetime("from", str(get("from"))) if get("from") else None
    date_to = parse_until("to", str(get("to"))) if get("to") else None
    if kind == "place" and (date_from or date_to):
        raise QueryError("from" if date_from else "to", "filters events by their dates; places have none "
                                                         "(open_at or open_now filter places by opening hours)")
    if kind == "event":
        for param in ("open_at", "wheelchair"):  # what places have and events do not: it found nothing, silently
            if get(param):
                raise QueryError(param, "filters places (opening hours, access); events have dates: use from and to")
    if date_from and date_to and date_to <= date_from:
        raise QueryError("to", "is not after from (a date as `to` includes that whole day)")
    return Query(
        kind=kind,
        q=str(q).strip() or None if q else None,
        categories=tuple(_category(c) for c in _list(get("category"))),
        types=tuple(_schema_type(t, kind) for t in _list(get("type"))),
        municipality=municipality,
        bbox=parse_bbox(str(get("bbox"))) if get("bbox") else None,
        near=near,
        radius=radius,
        wheelchair=wheelchair,
        open_licence_only=licence == "open",
        sources=_list(get("source")),
        changed_since=parse_datetime("changed_since", str(get("changed_since"))) if get("changed_since") else None,
        date_from=date_from,
        date_to=date_to,
        open_at=parse_datetime("open_at", str(get("open_at"))) if get("open_at") else None,
        sort=sort,
        cursor=get("cursor") or None,
        limit=limit,
    )
