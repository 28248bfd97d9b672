"""Turn a Query into one SQLite statement: filters, licence rule, keyset pagination, all in SQL."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from datenhub.enrich.geo import M_PER_DEG, bbox_around
from datenhub.store import ranking
from datenhub.store.base import Page
from datenhub.store.cells import AREA_LEVELS, AreaListing, area_listing_cells, area_where, covering, tag_groups
from datenhub.store.documents import DOCUMENT_META
from datenhub.store.query import (
    EVENT_FROM_SQL,
    Query,
    QueryError,
    decode_cursor,
    open_stubs_listed,
    shown_document,
    tombstone_dates,
)
from datenhub.store.ranking import BROAD, PROMINENCE_BOOST, broad_cursor, name_match_sql, tier_name
from datenhub.store.rows import iso, page_from_rows
from datenhub.store.sqlite.fulltext import flat_rank, fts_expression, remember, tiers

OPEN_DATA_E = "CASE WHEN e.all_open THEN e.data WHEN e.has_open THEN e.data_open END"  # as store.OPEN_DATA


def _within_box(box: tuple[float, float, float, float], text_drives: bool, where: list[str],
                params: list[Any]) -> None:
    """Restrict to a lon/lat box: plain column tests, after the R*Tree's candidates unless something else drives
    (full text, or a name-ordered walk through a big box: _big_box)."""
    min_lon, min_lat, max_lon, max_lat = box
    if not text_drives:
        # The R*Tree holds 32-bit floats rounded outwards, so "overlaps the box" finds every candidate and "lies
        # within" would miss points a few metres inside an edge; the exact test below decides.
        where.append("e.rowid IN (SELECT id FROM entities_rtree WHERE max_lat >= ? AND min_lat <= ? AND "
                     "max_lon >= ? AND min_lon <= ?)")
        params += [min_lat, max_lat, min_lon, max_lon]
    where.append("e.lat BETWEEN ? AND ? AND e.lon BETWEEN ? AND ?")
    params += [min_lat, max_lat, min_lon, max_lon]


def _with_documents(db: sqlite3.Connection, query: Query, page: list[Any], select_data: str) -> list[Any]:
    """(rowid, sort key, id) rows of a page, in order, as page rows (id, JSON, sort key, withdrawn_at, changed_at).

    A second statement by rowid, not a join in the first: for a city-centre box of 100k places the joined form
    (materialised subquery, second sorter) cost 0.14 ms more per page than both statements together, while
    small candidate sets (near 1 km) pay ~0.015 ms for the extra statement.
    """
    if not page:
        return []
    docs = {rowid: rest for rowid, *rest in db.execute(
        f"SELECT e.rowid, {select_data}, {tombstone_dates(query)}, {DOCUMENT_META} FROM entities e "
        f"WHERE e.rowid IN ({','.join('?' * len(page))})", [rowid for rowid, _, _ in page])}
    # entity rows are never deleted (withdrawn ones stay), so every rowid of the page is found
    return [(eid, docs[rowid][0], key, *docs[rowid][1:]) for rowid, key, eid in page]


def _change_walks(query: Query) -> tuple[tuple[str, str, str | None], ...] | None:
    """A listing of the open view by change without changed_since or words (a full sync's first pass, a big box by
    change): its order, coalesce(open_seq, seq) (Query.change_key), as two index walks, each (sort column,
    condition, the index to walk where the planner must be told), which the page merges; each walk may stop after a
    page. The second holds only entities whose closed data alone changed since their open view did: few, so its walk
    is short whatever else the query asks. None for every other query: words or a range of change times find few
    enough rows to sort. (PostgreSQL has an index of that order instead, entities_open_order.)"""
    if not query.open_view or query.effective_sort() != "changed" or query.changed_since is not None or query.q:
        return None
    return ("e.seq", "e.open_seq IS NULL", None), ("e.open_seq", "e.open_seq IS NOT NULL", "entities_open_seq")


def _merged_walks(db: sqlite3.Connection, walks: tuple[tuple[str, str, str | None], ...], joins: str,
                  conditions: list[str], values: list[Any], after: list[Any], limit: int) -> list[Any]:
    """(rowid, sort key, id) rows of a page in an order two index walks give (Query.change_walks): each walk stops
    after a page, and the page is the first of both. The planner has no statistics of a partial index that holds
    few rows, so it is told (a category filter took the category's every place into a sort instead: 3 × slower)."""
    arms, arm_values = [], []
    for column, condition, index in walks:
        own = [condition, f"({column}, e.id) > (?, ?)"] if after else [condition]
        indexed = f" INDEXED BY {index}" if index else ""
        arms.append(f"SELECT * FROM (SELECT e.rowid, {column} AS k, e.id FROM entities e{indexed}{joins} WHERE "
                    f"{' AND '.join([*conditions, *own])} ORDER BY {column}, e.id LIMIT ?)")
        arm_values += [*values, *after, limit]
    return db.execute(f"SELECT * FROM ({' UNION ALL '.join(arms)}) ORDER BY k, id LIMIT ?",
                      [*arm_values, limit]).fetchall()


def _broad(db: sqlite3.Connection, query: Query, expression: str, memo: dict[str, Any] | None) -> bool:
    """More text matches than the ranking budget (see store.ranking); a cursor keeps its listing's mode.
    The answer depends on the expression and the index alone, so it is memoised like the prefix expansions
    (per data version): a popular search counts its matches once, not on every request."""
    if query.cursor:
        return broad_cursor(decode_cursor(query, 2)[0])
    try:
        count = _memo_count(db, memo, f"{_BROAD_KEY}{ranking.RANKING_BUDGET}\x00{expression}",
                            "SELECT count(*) FROM (SELECT 1 FROM entities_fts WHERE entities_fts MATCH ? LIMIT ?)",
                            [expression, ranking.RANKING_BUDGET + 1])
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc).lower():
            raise QueryError("q", "the search text cannot be used; use words, not operators") from None
        raise
    return count > ranking.RANKING_BUDGET


_THIRD = itemgetter(2)
_BROAD_KEY = "\x00broad\x00"  # memo key prefix; no query term contains NUL


def _broad_page(db: sqlite3.Connection, query: Query, joins: str, where: list[str], params: list[Any], at: int,
                select_data: str, memo: dict[str, Any] | None) -> Page:
    """A broad listing (store.ranking): prominence tier by tier, each in rowid order, which FTS5 streams
    without ranking or sorting anything, so a page costs about as much as it holds, whatever the matches."""
    start, after = None, 0
    if query.cursor:
        key, _ = decode_cursor(query, 2)
        try:
            tier_text, rowid_text = str(key)[len(BROAD):].split(":")
            start, after = int(tier_text), int(rowid_text)
        except ValueError:
            raise QueryError("cursor", "not a cursor this server issued; start again without it") from None
    expression = params[at]
    rows: list[Any] = []
    for tier in tiers(db, memo):
        if start is not None and tier > start:
            continue
        tier_params = [*params[:at], f"({expression}) AND cells : {tier_name(tier)}", *params[at + 1:]]
        clauses = list(where)
        if tier == start:
            clauses.append("f.rowid > ?")
            tier_params.append(after)
        sql = (f"SELECT p.eid, {select_data}, p.rid, {tombstone_dates(query)}, {DOCUMENT_META} FROM ("
               f"SELECT e.rowid AS rid, e.id AS eid FROM entities e{joins} WHERE {' AND '.join(clauses)} "
               "ORDER BY f.rowid LIMIT ?) p JOIN entities e ON e.rowid = p.rid")
        # sorted here, not by an outer ORDER BY: SQLite put the page's ~35 KB of documents through a sorter
        found = sorted(db.execute(sql, [*tier_params, query.limit + 1 - len(rows)]).fetchall(), key=_THIRD)
        rows += [(eid, data, f"{BROAD}{tier:03d}:{rid}", *rest) for eid, data, rid, *rest in found]
        if len(rows) > query.limit:
            break
    more = len(rows) > query.limit
    return page_from_rows(query, rows[: query.limit], more)


AREA_TAG_SHARE = 0.02  # a box by name with a tag filter reads about a page / (the box's share × the tag's share)
# rows: with a tag on at least 2 % of the entities that stays near the candidate path's cost for a city centre,
# and far below it for bigger boxes (100k places, "Museum" at 10 %: 3.3 → 0.4 ms for a city centre, 171 → 0.8 ms
# for the whole RVR)


def _common_tags(db: sqlite3.Connection, query: Query, memo: dict[str, Any] | None) -> bool:
    """Whether every tag filter of the query holds at least AREA_TAG_SHARE of the active entities (memoised
    per data version, like the search's other counts)."""
    groups = tag_groups(query)
    total = _memo_count(db, memo, "\x00active", "SELECT count(*) FROM entities WHERE withdrawn_at IS NULL", [])
    for group in groups:
        found = _memo_count(db, memo, "\x00tags\x00" + "\x00".join(group),
                            f"SELECT count(*) FROM entity_tags WHERE tag IN ({','.join('?' * len(group))})", group)
        if found < AREA_TAG_SHARE * total:
            return False
    return True


def _memo_count(db: sqlite3.Connection, memo: dict[str, Any] | None, key: str, sql: str, params: list[Any]) -> int:
    """A count that depends on the index alone, memoised per data version (see fulltext.remember)."""
    known = memo.get(key) if memo is not None else None
    if known is None:
        known = int(db.execute(sql, params).fetchone()[0])
        remember(memo, key, known)
    return int(known)


def _area_page(db: sqlite3.Connection, query: Query, area: AreaListing, open_view: bool,
               select_data: str) -> Page:
    """A box by name (store.cells): SQLite merges one name-ordered range of entities_area_<level> per cell
    (MERGE (UNION ALL) over co-routines) and stops after the page."""
    if not area.cells:
        return Page([], None)
    where, params = area_where(area, query, open_view, "sqlite")
    where.insert(0, f"{area.level.sql('sqlite', 'e.')} = ?")
    branch = f"SELECT e.rowid, e.name_sort, e.id FROM entities e WHERE {' AND '.join(where)}"
    sql = " UNION ALL ".join([branch] * len(area.cells)) + " ORDER BY 2, 3 LIMIT ?"
    found = db.execute(sql, [v for cell in area.cells for v in (cell, *params)] + [query.limit + 1]).fetchall()
    rows = _with_documents(db, query, found[: query.limit], select_data)
    return page_from_rows(query, rows, len(found) > query.limit)


# A box by name is walked in name order (entities_kind_name) instead of sorting its R*Tree candidates when it
# holds more places than the square root of this many times the hub's: the walk reads about a page over the box's
# share (and over what the other filters let through), the R*Tree every place in the box. 100k places, the whole
# RVR with wheelchair=yes: 364 → 0.3 ms; municipality: 549 → 7 ms; a 10 × 11 km district stays with the R*Tree.
BIG_BOX_WALK = 100


def _big_box(db: sqlite3.Connection, memo: dict[str, Any] | None, box: tuple[float, float, float, float]) -> bool:
    level = AREA_LEVELS[-1]
    counts = memo.get(_CELL_COUNTS_KEY) if memo is not None else None
    if counts is None:
        # entities_area_coarse alone: ~0.1 s per 100k places, once per data version
        counts = db.execute(f"SELECT {level.sql('sqlite')} AS cell, count(*) FROM entities WHERE withdrawn_at IS NULL "
                            "AND lat IS NOT NULL GROUP BY cell").fetchall()
        remember(memo, _CELL_COUNTS_KEY, counts)
    total = sum(n for _, n in counts)
    inside = sum(n * level.part(cell, box)[1] for cell, n in counts)
    return inside * inside > BIG_BOX_WALK * total


_CELL_COUNTS_KEY = "\x00cells"  # memo key (no query term contains NUL)


def _within(lat: float, lon: float, radius: float, dist_expr: str, text_drives: bool) -> tuple[list[str], list[Any]]:
    """The clauses (and their parameters) of a circle: its box (a little wider: bbox_around's metres per degree are
    not quite the sort key's), then the distance."""
    south, west, north, east = bbox_around(lat, lon, radius * (1 + 1e-4) + 0.01)
    where: list[str] = []
    params: list[Any] = []
    _within_box((west, south, east, north), text_drives, where, params)
    where.append(f"{dist_expr} <= ?")
    params.append(radius * radius)
    return where, params


# Radii (m) a page by distance tries first, each 4× the last: a page of 20 in a city lies within the first or the
# second, where sorting a whole radius (or, without one, the whole hub) reads every place in it.
NEAREST_RINGS = (500.0, 2000.0, 8000.0, 32_000.0)


def _nearest_rows(near: tuple[float, float], radius: float | None, limit: int, dist_expr: str,
                  page_rows: Callable[[list[str], list[Any]], list[Any]]) -> list[Any] | None:
    """The page's rows from the smallest ring (well within the radius) that holds more than a page: every place
    outside a ring is further away than every place in it. None when none does (the caller sorts the whole
    radius then). 100k places: no radius 349 → 0.5 ms, 5 km 7.1 → 2.1 ms."""
    for ring in NEAREST_RINGS:
        if radius is not None and 2 * ring >= radius:
            return None  # a ring failing this close to the radius costs more than it could save
        found = page_rows(*_within(near[0], near[1], ring, dist_expr, False))
        if len(found) > limit:
            return found
    return None


def run_search(db: sqlite3.Connection, query: Query, hours_pairs: Any = None,
               memo: Callable[[], dict[str, Any]] | None = None) -> Page:
    """One page of `query`. `memo` gives the store's memo of index-only answers (prefix expansions, counts),
    asked for only by the text and tag paths: checking that it is current is a statement of its own, which a
    box or a radius listing need not pay."""
    open_view = query.open_view
    # as BLOB: the bytes go to orjson (or straight into a response) without a round trip through str
    data_col = f"CAST({OPEN_DATA_E if open_view else 'e.data'} AS BLOB)"
    area = area_listing_cells(query, tags=True)
    if area is not None and (not tag_groups(query) or _common_tags(db, query, memo() if memo else None)):
        return _area_page(db, query, area, open_view, data_col)
    where: list[str] = []
    params: list[Any] = []
    joins = ""
    # A page by distance reads a ring or the radius from the R*Tree (_nearest_rows). Pages by name or by change
    # (without changed_since, whose range of entities_changed is the better start for a delta poll) can walk an
    # index in their order and stop after a page: kind_name, or entities_seq once the kind is kept off the
    # planner ("+").
    walk = query.effective_sort() == "name" or (query.effective_sort() == "changed" and query.changed_since is None)
    big_box = query.bbox is not None and not query.q and query.near is None and walk \
        and _big_box(db, memo() if memo else None, query.bbox)
    # (a delta poll's range of change times drives too: by kind, SQLite read every place to find the few changed
    # since, ~190 ms at 100k places for a poll that found nothing)
    selective = query.q or (query.bbox is not None and not big_box) or (query.near is not None and (
        query.radius is not None or query.effective_sort() == "distance")) or (
        walk and query.effective_sort() == "changed") or query.changed_since is not None
    if query.kind:
        # With a spatial or text constraint that side must drive the query; "+" keeps the planner off the
        # kind index (which would otherwise scan every place of the kind).
        where.append("+e.kind = ?" if selective else "e.kind = ?")
        params.append(query.kind)
        if query.kind == "event" and query.changed_since is None:
            # true of every live event (not of a withdrawn one's tombstone): lets entities_start (partial) serve
            where.append("e.start_at IS NOT NULL")
    if open_view:
        # the licence rule lives in the query, not in a later filter; the delta feed also lists the stubs of
        # open views that went (rows.open_document), as tombstones
        where.append("(e.has_open OR e.data_open IS NOT NULL)" if open_stubs_listed(query) else "e.has_open = 1")
    if query.changed_since is not None:
        where.append("e.changed_at >= ?")  # inclusive: a sync may see a record twice, never miss one
        params.append(iso(query.changed_since))
        if open_view:  # not an entity whose closed data alone changed since
            where.append("(e.open_changed_at IS NULL OR e.open_changed_at >= ?)")
            params.append(iso(query.changed_since))
    else:
        where.append("e.withdrawn_at IS NULL")
    rank_expr = None
    broad = False
    text_at = -1
    box = query.bbox
    if box is None and query.near is not None and query.radius is not None:
        south, west, north, east = bbox_around(query.near[0], query.near[1], query.radius)
        box = (west, south, east, north)
    prefixes = memo() if memo and query.q else None
    if query.q:
        expression = fts_expression(query.q, "open_text" if open_view else "{open_text all_text}", db,
                                    prefixes)
        if expression is None:
            return Page([], None)
        cells = covering(*box) if box is not None else None
        if cells:
            # the index intersects text and area itself; the exact box test follows on the few rows left
            expression = f"({expression}) AND cells : ({' OR '.join(cells)})"
        joins += " JOIN entities_fts f ON f.rowid = e.rowid"
        where.append("f.entities_fts MATCH ?")
        text_at = len(params)  # a broad listing adds the prominence tier to this parameter
        params.append(expression)
        broad = query.effective_sort() == "relevance" and _broad(db, query, expression, prefixes)
        name_match = name_match_sql(query.q, "e.name_sort", "instr({column}, {word}) > 0", "e.type")
        # bm25 is negative, better first; where it cannot tell the matches apart (fulltext.flat_rank) it is
        # left out, as a constant of the same sign
        text_rank = "-1.0" if not broad and flat_rank(query.q, db, prefixes) else "f.rank"
        rank_expr = f"({text_rank} * (1.0 + {PROMINENCE_BOOST!r} * e.prominence) * {name_match})"
    if query.bbox is not None:
        _within_box(query.bbox, bool(query.q) or big_box, where, params)
    dist_expr = None
    radius_where: list[str] = []  # apart, since a ring within the radius (_nearest_rows) stands in for them
    radius_params: list[Any] = []
    circle_at = (0, 0)  # where in `where` and `params` the circle's clauses go: ahead of the tag filters, whose
    # `rowid IN` SQLite would otherwise take first
    if query.near is not None:
        lat, lon = query.near
        kx = math.cos(math.radians(lat)) * M_PER_DEG
        dist_expr = f"(((e.lat - {lat!r}) * {M_PER_DEG!r}) * ((e.lat - {lat!r}) * {M_PER_DEG!r}) + " \
                    f"((e.lon - {lon!r}) * {kx!r}) * ((e.lon - {lon!r}) * {kx!r}))"
        where.append("e.lat IS NOT NULL")
        circle_at = (len(where), len(params))
        if query.radius is not None:
            radius_where, radius_params = _within(lat, lon, query.radius, dist_expr, bool(query.q))
    for group in tag_groups(query):
        where.append(f"e.rowid IN (SELECT entity_rowid FROM entity_tags WHERE tag IN ({','.join('?' * len(group))}))")
        params += group
    if query.municipality:
        where.append("e.municipality_ags = ?")
        params.append(query.municipality)
    if query.wheelchair:
        where.append(f"e.wheelchair IN ({','.join('?' * len(query.wheelchair))})")
        params += list(query.wheelchair)
    if query.ids:
        where.append(f"e.id IN ({','.join('?' * len(query.ids))})")
        params += list(query.ids)
    if query.date_from is not None:
        where.append(f"({EVENT_FROM_SQL.format('?')})")
        params += [iso(query.date_from)] * 2
    if query.date_to is not None:
        where.append("e.start_at < ?")
        params.append(iso(query.date_to))
    if query.open_at is not None:
        from datenhub.store.hooks import HOURS_PAIRS_SQL, open_values_at

        pairs = hours_pairs() if hours_pairs is not None else db.execute(HOURS_PAIRS_SQL).fetchall()
        allowed = open_values_at(pairs, query.open_at)
        if not allowed:
            return Page([], None)
        where.append("(e.opening_hours, coalesce(substr(e.municipality_ags, 1, 2), '')) IN "
                     f"(VALUES {','.join('(?, ?)' for _ in allowed)})")
        params += [x for pair in allowed for x in pair]

    select_data = shown_document(query, data_col, open_view)
    if broad:
        return _broad_page(db, query, joins, where, params, text_at, select_data, prefixes)
    sort = query.effective_sort()
    if sort == "relevance":
        if rank_expr is None:
            raise QueryError("sort", "sort=relevance needs q")
        key = rank_expr
    elif sort == "distance":
        if dist_expr is None:
            raise QueryError("sort", "sort=distance needs near=lat,lon")
        key = dist_expr
    elif sort == "changed":
        # "+": not entities_seq, which a delta poll would walk whole
        key = query.change_key("e.seq" if walk else "+e.seq")
    elif sort == "start":
        key = "e.start_at"
    else:
        key = "e.name_sort"
    walks = _change_walks(query)
    # BM25 weighs words by the whole index: any write re-ranks every match, so ranked pages belong to a version
    version = _data_version(db) if sort == "relevance" else None
    after: list[Any] = []
    if query.cursor:
        after = list(decode_cursor(query, 2, version))
        if walks is None:
            where.append(f"({key}, e.id) > (?, ?)")
            params += after
    # Find and order the page first, then read the JSON of those rows only: the sorter never carries the
    # documents of every candidate.
    def page_rows(circle: list[str], circle_params: list[Any]) -> list[Any]:
        (w, p) = circle_at
        conditions = where[:w] + circle + where[w:]
        values = [*params[:p], *circle_params, *params[p:]]
        if walks is not None:
            return _merged_walks(db, walks, joins, conditions, values, after, query.limit + 1)
        sql = (f"SELECT e.rowid, {key}, e.id FROM entities e{joins} WHERE {' AND '.join(conditions) or '1'} "
               f"ORDER BY {key}, e.id LIMIT ?")
        return db.execute(sql, [*values, query.limit + 1]).fetchall()

    try:
        found = None
        if key == dist_expr and query.near is not None and not query.q and query.bbox is None \
                and query.changed_since is None:
            found = _nearest_rows(query.near, query.radius, query.limit, dist_expr, page_rows)
        page = page_rows(radius_where, radius_params) if found is None else found
        rows = _with_documents(db, query, page, select_data)
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc).lower():
            raise QueryError("q", "the search text cannot be used; use words, not operators") from None
        raise
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return page_from_rows(query, rows, more, version)


def _data_version(db: sqlite3.Connection) -> int:
    """The entities' change number (meta `seq`): every write of an entity, and so of its indexed text, moves it."""
    row = db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
    return int(row[0]) if row else 0
