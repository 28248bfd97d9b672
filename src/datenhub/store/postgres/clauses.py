"""The WHERE clauses of a PostgreSQL search, each with its parameters and its role, and the builders that add
them for an area, the words' cells, a distance, the plain filters and the sort key (search.py puts them together)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import psycopg

from datenhub.enrich.geo import M_PER_DEG, bbox_around
from datenhub.store.cells import TEXT_CELL_LEVELS, area_words_covering, covering, tag_groups
from datenhub.store.hooks import HOURS_PAIRS_SQL, open_values_at
from datenhub.store.postgres.arrays import text_array
from datenhub.store.query import EVENT_FROM_SQL, Query, QueryError, open_stubs_listed


class Clauses:
    """The WHERE clauses of a search, in order, each with its parameters and its role: "words" (run_search adds
    them first), "hint:<name>" (only there to lead the planner to an index), "order" (a bound a walk in the page's
    order can use: the kind before the sort key in the order indexes, the cursor), or "" (a filter)."""

    def __init__(self) -> None:
        self.clauses: list[tuple[str, tuple[Any, ...], str]] = []
        self.spatial = False
        self.box: tuple[float, float, float, float] | None = None  # (min_lon, min_lat, max_lon, max_lat)
        self.area_keys = 0  # keys of the area_words hint (add_area_words)

    @property
    def where(self) -> list[str]:
        return [sql for sql, _, _ in self.clauses]

    @property
    def params(self) -> list[Any]:
        return [param for _, params, _ in self.clauses for param in params]

    @property
    def has_words(self) -> bool:
        return any(role == "words" for _, _, role in self.clauses)

    def has_hint(self, name: str) -> bool:
        return any(role == f"hint:{name}" for _, _, role in self.clauses)

    def add(self, sql: str, *params: Any, role: str = "") -> None:
        self.clauses.append((sql, params, role))

    def add_hint(self, name: str, sql: str, *params: Any) -> None:
        """A clause that only lets the planner use an index (`point`: entities_point, `cells`: the cells of
        entities_open_tsv, `area_words`: entities_area_words); an exact clause beside it decides."""
        self.add(sql, *params, role=f"hint:{name}")

    def without_hints(self, *names: str) -> Clauses:
        """The same conditions without the index clauses (those named, or all): their selectivity is a constant
        guess (0.1 %), so the planner estimates matches right, and may walk another index, only without them."""
        def dropped(role: str) -> bool:
            return role.startswith("hint:") and (not names or role[5:] in names)

        if not any(dropped(role) for _, _, role in self.clauses):
            return self
        flat = Clauses()
        flat.clauses = [clause for clause in self.clauses if not dropped(clause[2])]
        flat.spatial, flat.box, flat.area_keys = self.spatial, self.box, self.area_keys
        return flat

    def split(self, *roles: str) -> tuple[str, list[Any], str, list[Any]]:
        """(the clauses of these roles, their parameters, the others, theirs), each joined with AND."""
        def joined(clauses: list[tuple[str, tuple[Any, ...], str]]) -> tuple[str, list[Any]]:
            return " AND ".join(sql for sql, _, _ in clauses) or "true", [p for _, ps, _ in clauses for p in ps]

        these = joined([clause for clause in self.clauses if clause[2] in roles])
        others = joined([clause for clause in self.clauses if clause[2] not in roles])
        return (*these, *others)


def add_area(c: Clauses, min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> None:
    """Active entities inside a box, boundary included: entities_point narrows, the exact test decides."""
    c.spatial = True
    c.box = (min_lon, min_lat, max_lon, max_lat)
    # the first two clauses are the index's own expression and predicate, so the planner can use it
    c.add_hint("point", "point(e.lon, e.lat) <@ box(point(%s, %s), point(%s, %s))", min_lon, min_lat, max_lon,
               max_lat)
    c.add("e.withdrawn_at IS NULL AND e.lat IS NOT NULL")
    c.add("e.lat BETWEEN %s AND %s AND e.lon BETWEEN %s AND %s", min_lat, max_lat, min_lon, max_lon)


def add_area_words(c: Clauses, box: tuple[float, float, float, float], groups: tuple[tuple[str, ...], ...]) -> bool:
    """Words within a box from entities_area_words: per group of lexemes, the box's cells' keys of them (a place
    lies in one cell, so together they mean "all the words, in one of these cells"). False when the search has
    no whole word or the box too many cells; add_cells then."""
    keys = area_words_covering(box, groups)
    for group in keys or ():
        c.add_hint("area_words", "e.area_words && %s::text[]", text_array(group))
        c.area_keys = max(c.area_keys, len(group))
    return keys is not None


def add_cells(c: Clauses, box: tuple[float, float, float, float]) -> None:
    """Words within a box: the box's grid cells, so the words and the area come from one scan of
    entities_open_tsv (open_tsv, hub_cells(lat, lon)) that skips through a frequent word's entries."""
    tokens = covering(*box, levels=TEXT_CELL_LEVELS)
    if tokens:
        c.add_hint("cells", "hub_cells(e.lat, e.lon) @@ %s::tsquery", " | ".join(f"'{t}'" for t in tokens))


def add_distance(c: Clauses, query: Query) -> tuple[str, list[Any]] | None:
    """The squared equirectangular distance in m² (SQLite's sort key), with a radius filter when asked."""
    if query.near is None:
        return None
    lat, lon = float(query.near[0]), float(query.near[1])
    kx = math.cos(math.radians(lat)) * M_PER_DEG
    expr = ("(((e.lat - %s) * %s) * ((e.lat - %s) * %s) + ((e.lon - %s) * %s) * ((e.lon - %s) * %s))")
    expr_params = [lat, M_PER_DEG, lat, M_PER_DEG, lon, kx, lon, kx]
    c.add("e.lat IS NOT NULL")
    if query.radius is not None:
        min_lat, min_lon, max_lat, max_lon = bbox_around(lat, lon, query.radius)
        add_area(c, min_lon, min_lat, max_lon, max_lat)
        c.add(f"{expr} <= %s", *expr_params, float(query.radius) * float(query.radius))
    return expr, expr_params


HoursPairs = Callable[[psycopg.Connection[Any]], list[tuple[str, str | None]]]


def add_filters(conn: psycopg.Connection[Any], c: Clauses, query: Query, open_view: bool,
             hours_pairs: HoursPairs | None = None) -> bool:
    """The plain filters; False when the result is known to be empty. `hours_pairs` gives the distinct (opening
    hours, state prefix) pairs of active entities (the store keeps them per data version)."""
    if query.kind:
        c.add("e.kind = %s", query.kind, role="order")
    if open_view:
        # the licence rule lives in the query, not in a later filter; the delta feed also lists the stubs of
        # open views that went (rows.open_document), as tombstones
        c.add("(e.has_open OR e.data_open IS NOT NULL)" if open_stubs_listed(query) else "e.has_open")
    if query.changed_since is not None:
        c.add("e.changed_at >= %s", query.changed_since)  # inclusive, as on SQLite: seen twice, never missed
        if open_view:  # not an entity whose closed data alone changed since
            c.add("(e.open_changed_at IS NULL OR e.open_changed_at >= %s)", query.changed_since)
    else:
        c.add("e.withdrawn_at IS NULL")
    for wanted in tag_groups(query):
        c.add("e.tags && %s::text[]", text_array(wanted))
    if query.municipality:
        c.add("e.municipality_ags = %s", query.municipality)
    if query.wheelchair:
        c.add("e.wheelchair = ANY(%s::text[])", text_array(query.wheelchair))
    if query.ids:
        c.add("e.id = ANY(%s::text[])", text_array(query.ids))
    if query.date_from is not None:
        c.add(f"({EVENT_FROM_SQL.format('%s')})", query.date_from, query.date_from)
    if query.date_to is not None:
        c.add("e.start_at < %s", query.date_to)
    if query.open_at is not None:
        pairs = hours_pairs(conn) if hours_pairs is not None else conn.execute(HOURS_PAIRS_SQL).fetchall()
        allowed = open_values_at([(p[0], p[1]) for p in pairs], query.open_at)
        if not allowed:
            return False
        c.add("(e.opening_hours, coalesce(substr(e.municipality_ags, 1, 2), '')) IN "
              "(SELECT * FROM unnest(%s::text[], %s::text[]))", text_array([a[0] for a in allowed]),
              text_array([a[1] for a in allowed]))
    return True


def sort_key(query: Query, rank: tuple[str, list[Any], str] | None,
              distance: tuple[str, list[Any]] | None) -> tuple[str, list[Any], str]:
    """(SQL expression, its parameters, its type) of the sort key."""
    sort = query.effective_sort()
    if sort == "relevance":
        if rank is None:
            raise QueryError("sort", "sort=relevance needs q")
        return rank
    if sort == "distance":
        if distance is None:
            raise QueryError("sort", "sort=distance needs near=lat,lon")
        return distance[0], distance[1], "float8"
    if sort == "changed":
        return query.change_key("e.seq"), [], "bigint"
    if sort == "start":
        return "e.start_at", [], "timestamptz"
    return "e.name_sort", [], "text"
