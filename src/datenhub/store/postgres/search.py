"""Turn a Query into one PostgreSQL statement: filters, licence rule, keyset pagination, all in SQL.

Mirrors `datenhub.store.sqlite.search` clause for clause: the same sort keys, the same cursor values and the
same distance formula, so both backends page through the same results in the same order.
"""

from __future__ import annotations

import math
import re
from typing import Any

import psycopg

from datenhub.enrich.geo import M_PER_DEG, bbox_around
from datenhub.store import ranking
from datenhub.store.base import Page
from datenhub.store.cells import (
    AreaListing,
    area_listing_cells,
    area_where,
    split_edges,
    tag_groups,
)
from datenhub.store.documents import DOCUMENT_META
from datenhub.store.postgres.arrays import number_array, text_array
from datenhub.store.postgres.clauses import (
    Clauses,
    HoursPairs,
    add_area,
    add_area_words,
    add_cells,
    add_distance,
    add_filters,
    sort_key,
)
from datenhub.store.postgres.fulltext import search_words
from datenhub.store.postgres.statistics import EntityStatistics, StatisticsCache
from datenhub.store.query import Query, QueryError, decode_cursor, shown_document, tombstone_dates
from datenhub.store.ranking import BROAD, PROMINENCE_BOOST, broad_cursor, name_match_sql
from datenhub.store.rows import page_from_rows, stamped
from datenhub.store.text import prefix_end


def _tail(query: Query) -> str:
    """The columns after id, document and sort key (rows.page_from_rows)."""
    return f"{tombstone_dates(query)}, {DOCUMENT_META}"


_MAX_EXPANSION = 8


def _expansions(conn: psycopg.Connection[Any], term: str) -> list[str] | None:
    """The lexemes a last query word stands for: itself and the few longer ones the index holds (table lexemes);
    None (a prefix match) when there are many."""
    longer = [lexeme for lexeme in vocabulary(conn, term, _MAX_EXPANSION + 2) if lexeme != term]
    return None if len(longer) > _MAX_EXPANSION else [term, *longer]


def _estimated_matches(conn: psycopg.Connection[Any], c: Clauses) -> float:
    row = conn.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM entities e WHERE {' AND '.join(c.where)}",
                       c.params).fetchone()
    try:
        return float(row[0][0]["Plan"]["Plan Rows"]) if row else 0.0
    except (KeyError, IndexError, TypeError, ValueError):
        return 0.0


def _first_area_page(conn: psycopg.Connection[Any], query: Query, c: Clauses, tsv: str, tsquery: str,
                     select_data: str, words_on_rows: bool = False) -> Page:
    """Words within an area: both conditions come from one bitmap (words AND area), which costs the same for
    every match however few are ranked, so it is built once and its matches give the page in the order
    their number decides: ranked within the budget, broad beyond it. `words_on_rows`: the area's rows (or the
    words' cells' rows, area_words) come first and the words are tested on each (see _words_on_rows)."""
    budget = ranking.RANKING_BUDGET
    name_match = name_match_sql(query.q or "", "m.name_sort", _CONTAINS, "m.type")
    if words_on_rows:
        matched, params = _words_on_area_rows(c)
    else:
        matched, params = f"entities e WHERE {' AND '.join(c.where)}", c.params
    sql = (f"WITH m AS MATERIALIZED (SELECT e.id, e.prominence, e.name_sort, e.type, {tsv} AS tsv FROM {matched}), "
           "b AS MATERIALIZED (SELECT count(*) > %s AS broad FROM m) "
           f"SELECT e.id, ({select_data})::text, p.k, {_tail(query)}, p.broad, p.prominence FROM ("
           "SELECT m.id, m.prominence, b.broad, CASE WHEN b.broad THEN NULL ELSE "
           f"(-ts_rank(m.tsv, %s::tsquery, 1) * (1 + {PROMINENCE_BOOST!r} * m.prominence) * {name_match})::float8 END "
           "AS k "
           "FROM m CROSS JOIN b ORDER BY k, CASE WHEN b.broad THEN -m.prominence END, m.id LIMIT %s) p "
           "JOIN entities e ON e.id = p.id ORDER BY p.k, CASE WHEN p.broad THEN -p.prominence END, p.id")
    found = conn.execute(sql, [*params, budget, tsquery, query.limit + 1]).fetchall()
    rows = [(eid, data, f"{BROAD}{value!r}:{eid}" if broad_rows else k, gone, changed, kind, known, hours, ags)
            for eid, data, k, gone, changed, kind, known, hours, ags, broad_rows, value in found]
    return page_from_rows(query, rows[: query.limit], len(rows) > query.limit)


def _words_and_box_only(query: Query) -> bool:
    """A search whose matches `statistics` can bound from below: words, maybe within a box or around a point
    (which only narrows to a circle, or to places with a point, when it has no radius). The statistics are those
    of the open view, which the full view (include_closed) only adds to."""
    return query.changed_since is None and not query.narrowed()


def _statistics_area(query: Query) -> tuple[tuple[float, float, float, float] | None, float]:
    """The box the statistics count a search's matches in, and the share of that box the search covers: a
    radius covers the circle, π/4 of the box around it."""
    if query.near is None or query.radius is None:
        return query.bbox, 1.0
    min_lat, min_lon, max_lat, max_lon = bbox_around(float(query.near[0]), float(query.near[1]), float(query.radius))
    if query.bbox is not None:  # both: the part of the circle's box within the other
        min_lon, min_lat = max(min_lon, query.bbox[0]), max(min_lat, query.bbox[1])
        max_lon, max_lat = max(min_lon, min(max_lon, query.bbox[2])), max(min_lat, min(max_lat, query.bbox[3]))
    return (min_lon, min_lat, max_lon, max_lat), math.pi / 4


def _words_in_area(known: EntityStatistics, query: Query, tsquery: str, listed_only: bool = False) -> float:
    """The places the statistics expect the words to match in the search's area (filters aside)."""
    box, covered = _statistics_area(query)
    return known.matches(tsquery, box, listed_only) * covered


def _known(conn: psycopg.Connection[Any], stats: StatisticsCache | None) -> EntityStatistics | None:
    return stats.get(conn) if stats is not None else None


def _matches(conn: psycopg.Connection[Any], query: Query, c: Clauses, tsquery: str,
             stats: StatisticsCache | None) -> float:
    """Matches to expect, to decide whether a search is clearly broad. From the statistics only the listed
    (frequent) lexemes count: one they do not list may match anything from nothing to its guess, and a broad
    walk for a word that matches nothing reads the whole of entities_broad (1M places: 3.4 s, where the ranked
    attempt takes 1 ms)."""
    known = _known(conn, stats) if _words_and_box_only(query) else None
    if known is None:
        return _estimated_matches(conn, c)
    listed = _words_in_area(known, query, tsquery, listed_only=True)
    lone = _LONE_PREFIX.fullmatch(tsquery)
    if lone is not None and listed <= 4 * ranking.RANKING_BUDGET:
        # A word being typed ("4", "zo") stands for every lexeme it starts, each held by at least one place (the
        # lexemes table keeps those of withdrawn places too, so this is a bound for a live hub): "4" at 1M places
        # starts ~110,000 lexemes, none of them listed, and counting its matches took 56 ms against 1.5 for the walk.
        count = _lexemes_starting(conn, lone.group(1).replace("''", "'"))
        box, covered = _statistics_area(query)
        if box is None:
            return math.inf if count > ranking.RANKING_BUDGET else max(listed, count)
        listed = max(listed, count * known.box_share(box) * covered)
    return listed


_LONE_PREFIX = re.compile(r"'((?:[^']|'')+)':\*")


def _lexemes_starting(conn: psycopg.Connection[Any], prefix: str) -> int:
    """How many lexemes start with `prefix`, counted up to the point where a search is clearly broad."""
    row = conn.execute("SELECT count(*) FROM (SELECT 1 FROM lexemes WHERE lexeme >= %s AND lexeme < %s ORDER BY lexeme "
                       "LIMIT %s) l",  # in key order, so the scan stops at the limit
                       (prefix, prefix_end(prefix), 4 * ranking.RANKING_BUDGET + 1)).fetchone()
    return int(row[0]) if row else 0


# Words in a small area: the words' index reads every entry of the words (and of the area's cells), which for a
# frequent word or a prefix being typed can cost more than testing the words on each place in the area. 1M places:
# "zo" within 1 km, a page in 46-80 ms through the index's ~106,000 entries, 5-8 ms from the circle's ~900 places;
# "museum" in a city centre, the index's ~143,000 entries in 10.7 ms against 18 ms for the box's ~5,500 places.
# Costs per place in the area (a page's share), per entry of a word and per entry of a prefix (which unites the
# lists of many words), in µs:
AREA_ROW_US = 5.0
WORD_ENTRY_US = 0.075
PREFIX_ENTRY_US = 0.3
WORDS_ON_ROWS_MAX = 10_000  # places in the area at most, whatever the words


def _words_on_rows(conn: psycopg.Connection[Any], c: Clauses, tsquery: str, stats: StatisticsCache | None) -> bool:
    """Whether testing the words on the area's places costs less than asking the words' index (by statistics)."""
    known = _known(conn, stats)
    if known is None or c.box is None or not c.has_words:
        return False
    in_area = known.box_rows(c.box)
    entry_us = PREFIX_ENTRY_US if ":*" in tsquery else WORD_ENTRY_US
    return in_area <= WORDS_ON_ROWS_MAX and AREA_ROW_US * in_area < entry_us * known.matches(tsquery, None)


AREA_KEYS_ON_ROWS_MAX = 64


def _words_on_area_rows(c: Clauses) -> tuple[str, list[Any]]:
    """FROM … WHERE text (and its parameters) for words tested on the rows the other clauses give (with the
    area_words hint, the words' cells' rows): OFFSET 0 keeps the words out of that scan, so their index is not
    asked. The rows carry what the rank and the page need."""
    # Beside the box's own index the planner may take the box's rows and test the words' cells on each of them: an
    # overlap of the row's keys with every key of the cells, ~0.3 µs per key and row. With many keys that costs
    # more than the words' test it was to spare (100k places, "zeche" in a 21 × 17 km box of 7,900 places, 304
    # keys: 660 ms with them, 20 ms without); a few keys (a city centre: 30) keep their index.
    many = c.has_hint("point") and c.area_keys > AREA_KEYS_ON_ROWS_MAX
    if many:
        # the box's rows and the words' own index, each as a bitmap, ANDed: only the places holding both are read
        # (100k places, "zeche" in that box: 7,900 rows read and tested, 12 ms; ANDed, 420 rows, 4 ms)
        flat = c.without_hints("cells", "area_words")
        return f"entities e WHERE {' AND '.join(flat.where)}", flat.params
    words, word_params, rest, rest_params = c.without_hints("cells").split("words")
    return (f"(SELECT e.id, e.prominence, e.name_sort, e.type, e.open_tsv, e.full_tsv FROM entities e WHERE {rest} "
            f"OFFSET 0) e WHERE {words}", [*rest_params, *word_params])


# Words with at most this many places in an area (filters aside) are gathered for a later broad page when a filter
# narrows them (_broad_page): ~10 µs a place through the words' and cells' bitmap, where a walk in prominence order
# reads row after row that the filter rejects. The filters' own estimates are not used: the planner's guess for
# the open-now filter is far too low (1M places, "museum" across the RVR taken as few: page 2 in 1 s).
GATHER_MAX = 4000


def _few_in_area(conn: psycopg.Connection[Any], query: Query, tsquery: str, stats: StatisticsCache | None) -> bool:
    """Called for searches within an area (a box or a radius)."""
    known = _known(conn, stats)
    return known is not None and _words_in_area(known, query, tsquery) <= GATHER_MAX


# Words within a box estimated at more than this many times RANKING_BUDGET matches are taken as broad without
# counting them. The estimate assumes words independent of place, so the margin guards against a word
# clustered elsewhere; 2 rather than 4 since counting in the band between costs 12-40 ms at 1M places
# (frequent words in 8-15 km boxes), the walk 2-4 ms.
BROAD_IN_BOX = 2


# A box holding more places than this is not narrowed through entities_point: the planner prices the hint at a
# constant 0.1 %, and ANDs its bitmap in, which costs per place in the box (1M places, a word with one match in
# the whole RVR: 470 ms for the box's bitmap, 2 ms without it). The words (and the box's cells) narrow enough.
POINT_HINT_MAX_ROWS = 20_000


def _area_hints(conn: psycopg.Connection[Any], query: Query, c: Clauses, stats: StatisticsCache | None) -> Clauses:
    if stats is None or query.bbox is None:
        return c
    known = stats.get(conn)
    return c.without_hints("point") if known is not None and known.box_rows(query.bbox) > POINT_HINT_MAX_ROWS else c


def _listing_hints(conn: psycopg.Connection[Any], query: Query, c: Clauses, stats: StatisticsCache | None
                   ) -> Clauses:
    """A listing in a big box: the box's bitmap costs per place in it, while an index in the page's order (names,
    sequence) stops after a page once enough rows pass the filters. Walk when the planner, told the box by the
    lat/lon histograms instead of the hint's constant, expects that to read fewer rows than the box holds
    (1M places, the whole RVR with wheelchair=yes: 1.7 s → 1 ms); a rare filter (open now on a Monday, in a
    district) keeps the box."""
    if stats is None or query.bbox is None or not c.spatial:
        return c
    known = stats.get(conn)
    if known is None:
        return c
    in_box = known.box_rows(query.bbox)
    if in_box <= POINT_HINT_MAX_ROWS:
        return c
    flat = c.without_hints("point")
    walked = (query.limit + 1) * known.rows / max(_estimated_matches(conn, flat), 1.0)
    return flat if walked < in_box else c


# Rows a page of words in another order (by name, change, start) may walk in that order before it takes the words'
# matches and sorts them instead: a word in at least ~1 % of the places gives a page within them, unless it
# gathers somewhere in the order ("Zeche ..." names sort last: at 1M places the planner's walk by name passed
# 900,000 rows, 4-6 s, before the first "zeche"). Words in more than SORT_SHARE of the places are walked on
# without a bound: sorting their matches costs more than walking to them.
WALK_ROWS = 2000
SORT_SHARE = 0.1


def _words_in_order(conn: psycopg.Connection[Any], query: Query, c: Clauses,
                    order: tuple[str, str], tsquery: str, select_data: str, stats: StatisticsCache | None
                    ) -> Page | None:
    """A page of words by another key: a bounded walk of that key's index where the words look common enough,
    else (or when the walk found too few) their matches, sorted. None: the planner's own plan (no statistics, or
    words in most places)."""
    key, nulls = order
    limit = query.limit + 1
    known = _known(conn, stats)
    if known is None:
        return None
    matches = _matches(conn, query, c.without_hints(), tsquery, stats)
    # The estimate takes the filters as independent of the words, while a filter that goes with them keeps nearly
    # all (museums and the word "museum": 99,795 matches at 1M places, estimated 13,932). What the words (and the
    # area) match alone decides whether a walk is worth a try: it reads at most WALK_ROWS rows in the page's order,
    # testing the words and the filters on each, so a try that finds too few costs the same whatever they are.
    hopeful = max(matches, _words_in_area(known, query, tsquery))
    if hopeful * WALK_ROWS >= 2 * limit * known.rows:
        bounds, bound_params, tests, test_params = c.without_hints().split("order")
        # the inner LIMIT bounds the walk; the outer one stops it once the page is full
        sql = (f"SELECT e.id, ({select_data})::text, p.k, {_tail(query)} FROM (SELECT w.id, w.k FROM ("
               f"SELECT e.id, {key} "
               f"AS k, ({tests}) AS hit FROM entities e WHERE {bounds} ORDER BY k{nulls}, e.id LIMIT %s) w "
               f"WHERE w.hit LIMIT %s) p JOIN entities e ON e.id = p.id ORDER BY p.k{nulls}, p.id")
        found = conn.execute(sql, [*test_params, *bound_params, WALK_ROWS, limit]).fetchall()
        if len(found) == limit:
            return page_from_rows(query, found[: query.limit], True)
    if matches > SORT_SHARE * known.rows:
        return None
    # OFFSET 0 keeps the order out of the matches' scan: the words' index finds them, a top-N sort pages them
    sql = (f"SELECT e.id, ({select_data})::text, p.k, {_tail(query)} FROM (SELECT m.id, m.k FROM ("
           f"SELECT e.id, {key} AS k "
           f"FROM entities e WHERE {' AND '.join(c.where)} OFFSET 0) m ORDER BY m.k{nulls}, m.id LIMIT %s) p "
           f"JOIN entities e ON e.id = p.id ORDER BY p.k{nulls}, p.id")
    rows = conn.execute(sql, [*c.params, limit]).fetchall()
    return page_from_rows(query, rows[: query.limit], len(rows) > query.limit)


def _first_ranked_page(conn: psycopg.Connection[Any], query: Query, c: Clauses, rank: tuple[str, list[Any], str],
                       tsv: str, tsquery: str, select_data: str, stats: StatisticsCache | None = None) -> Page:
    """The first page of a text query in one pass: rank at most RANKING_BUDGET + 1 matches and count them on
    the way; more than the budget makes the listing broad (store.ranking) and the page comes from there."""
    budget = ranking.RANKING_BUDGET
    if c.spatial:
        flat = c.without_hints()
        if _matches(conn, query, flat, tsquery, stats) > BROAD_IN_BOX * budget:
            # clearly broad (words × the box's share by the lat/lon histograms): walking entities_broad and testing
            # each row stops after a page, where ANDing the bitmaps of words and box costs per match (1M places,
            # "zeche" in a 33 × 17 km box: 3 ms against 37 ms)
            return _broad_page(conn, query, flat, select_data)
        if _words_on_rows(conn, c, tsquery, stats):
            return _first_area_page(conn, query, c, tsv, tsquery, select_data, words_on_rows=True)
        # the words' cells find the matches (area_words), the words are tested on them: their own index would read
        # every entry of a frequent word again
        return _first_area_page(conn, query, _area_hints(conn, query, c, stats), tsv, tsquery, select_data,
                                words_on_rows=c.has_hint("area_words"))
    if _matches(conn, query, c, tsquery, stats) > 4 * budget:
        # clearly broad by the planner's statistics (accurate for words alone): skip the ranking attempt, whose
        # bitmap over every match costs more than the broad page itself
        return _broad_page(conn, query, c, select_data)
    sql = (f"SELECT e.id, ({select_data})::text, p.k, {_tail(query)}, p.n FROM (SELECT m.id, m.k, "
           f"count(*) OVER () AS n FROM (SELECT e.id, {rank[0]} AS k FROM entities e WHERE {' AND '.join(c.where)} "
           "LIMIT %s) m ORDER BY m.k, m.id LIMIT %s) p JOIN entities e ON e.id = p.id ORDER BY p.k, p.id")
    found = conn.execute(sql, [*rank[1], *c.params, budget + 1, query.limit + 1]).fetchall()
    if found and found[0][9] > budget:
        return _broad_page(conn, query, c, select_data)
    rows = [row[:9] for row in found]
    return page_from_rows(query, rows[: query.limit], len(rows) > query.limit)


_CONTAINS = "strpos({column}, {word}) > 0"


def _broad_page(conn: psycopg.Connection[Any], query: Query, c: Clauses, select_data: str,
                gather: bool = False) -> Page:
    """A broad listing (store.ranking): prominence, then id, which entities_broad holds in that order, so the
    planner can walk it and stop after a page when the words are frequent. `gather`: take every match first (OFFSET
    0 keeps the order out of that scan; the index hints lead it to the words and cells), then sort them."""
    if query.cursor:
        key, _ = decode_cursor(query, 2)
        try:
            value, last_id = str(key)[len(BROAD):].split(":", 1)
            last = float(value)
        except ValueError:
            raise QueryError("cursor", "not a cursor this server issued; start again without it") from None
        c.add("(e.prominence < %s OR (e.prominence = %s AND e.id > %s))", last, last, last_id)
    matched = f"entities e WHERE {' AND '.join(c.where)}"
    params = c.params
    if gather:
        if c.has_hint("area_words"):  # as in _first_area_page
            matched, params = _words_on_area_rows(c)
        matched = f"(SELECT e.id, e.prominence FROM {matched} OFFSET 0) e"
    sql = (f"SELECT e.id, ({select_data})::text, p.prominence, {_tail(query)} FROM (SELECT e.id, "
           f"e.prominence FROM {matched} ORDER BY e.prominence DESC, e.id LIMIT %s) p "
           "JOIN entities e ON e.id = p.id ORDER BY p.prominence DESC, p.id")
    found = conn.execute(sql, [*params, query.limit + 1]).fetchall()
    rows = [(eid, data, f"{BROAD}{value!r}:{eid}", *rest) for eid, data, value, *rest in found]
    return page_from_rows(query, rows[: query.limit], len(rows) > query.limit)


EDGE_SHARE = 0.15  # with a tag filter, cells the box covers less of are read by their part of the box


# A cell no place has (cells are never negative) and a box no point lies in, to pad the cell arrays with.
_NO_CELL = -1
_NO_EDGE = (_NO_CELL, (-999.0, -999.0, -999.0, -999.0))


def _padded(items: list[Any], size: int, filler: Any = _NO_CELL) -> list[Any]:
    """`items` filled up to `size` with entries that match nothing, when there are any items at all.

    The statement of a map view is prepared (psycopg, from its sixth run on a connection), and PostgreSQL plans
    each run afresh while that custom plan looks cheaper than the generic one. A custom plan counts the cells
    its array holds, the generic plan assumes ten, so a box of a few cells was re-planned on every request
    (planning took 0.4-0.5 ms, executing 0.6-1.6 ms, for a city centre at 1M places). With the arrays at the
    level's largest size the generic plan (the same nested loops) wins after five runs; an empty cell costs one
    index descent (~1.5 µs)."""
    return [*items, *[filler] * (size - len(items))] if items else items


def _area_page(conn: psycopg.Connection[Any], query: Query, area: AreaListing, open_view: bool,
               select_data: str) -> Page:
    """A box by name (store.cells): per cell, a name-ordered index-only range of entities_area_<level> capped at
    a page; the page comes from those few rows. The cells travel as one array parameter, so every box has the
    same statement: it plans in ~0.3 ms where a UNION ALL with a branch per cell took 1.3 ms.

    With a tag filter, a cell the box barely touches would be read almost whole before its range yields a page
    (a tenth of its places lie in the box, a tenth of those are museums). Such cells give their part of the box
    from entities_point, which carries the tags, and those rows are sorted instead: 1M places, a city centre's
    museums, 5.1 → 2.3 ms at p50. Without one, the ranges stop soon enough (an index-only GiST row costs about three
    B-tree rows)."""
    if not area.cells:
        return Page([], None)
    where, params = area_where(area, query, open_view, "postgresql")
    params = [text_array(p) if isinstance(p, list) else p for p in params]  # tag groups (arrays.py)
    limit = query.limit + 1
    cell = area.level.sql("postgresql", "e.")
    inside, edges = split_edges(area, EDGE_SHARE) if tag_groups(query) else (area.cells, [])
    inside, edges = _padded(inside, area.level.max_cells), _padded(edges, area.level.max_cells, _NO_EDGE)
    parts: list[str] = []
    values: list[Any] = []
    if inside:
        parts.append(f"SELECT c.id, c.k FROM unnest(%s::integer[]) AS a(cell) CROSS JOIN LATERAL (SELECT e.id, "
                     f"e.name_sort AS k FROM entities e WHERE {cell} = a.cell AND {' AND '.join(where)} "
                     "ORDER BY e.name_sort, e.id LIMIT %s) c")
        values += [number_array(inside), *params, limit]
    if edges:
        # Each part is an index-only scan of entities_point: the subquery is a fence (OFFSET 0), or the planner
        # would AND in the tags index, or walk the cell in name order after all; withdrawn_at is known (NULL).
        parts.append("SELECT e.id, e.name_sort AS k FROM unnest(%s::integer[], %s::float8[], %s::float8[], "
                     "%s::float8[], %s::float8[]) AS r(cell, x0, y0, x1, y1) CROSS JOIN LATERAL (SELECT e.id, "
                     "e.name_sort, e.lat, e.lon, e.kind, e.has_open, NULL AS withdrawn_at, e.tags FROM entities e "
                     "WHERE point(e.lon, e.lat) <@ box(point(r.x0, r.y0), point(r.x1, r.y1)) AND "
                     f"e.withdrawn_at IS NULL AND e.lat IS NOT NULL OFFSET 0) e WHERE {cell} = r.cell AND "
                     f"{' AND '.join(where)}")
        values += [number_array(c for c, _ in edges), *(number_array(box[i] for _, box in edges) for i in range(4)),
                   *params]
    sql = (f"SELECT e.id, ({select_data})::text, p.k, {_tail(query)} FROM (SELECT u.id, u.k FROM ("
           f"{' UNION ALL '.join(parts)}) u ORDER BY u.k, u.id LIMIT %s) p JOIN entities e ON e.id = p.id "
           "ORDER BY p.k, p.id")
    rows = conn.execute(sql, [*values, limit]).fetchall()
    return page_from_rows(query, rows[: query.limit], len(rows) > query.limit)


# Candidates the nearest-first walk takes per row of a page: a circle in degrees holds the circle in metres that
# the page needs once it is 1/cos(latitude) (~1.6 in the Ruhr) times as wide, so twice the page mostly suffices.
NEAREST_CANDIDATES = 2


def _nearest_page(conn: psycopg.Connection[Any], query: Query, c: Clauses, distance: tuple[str, list[Any]],
                  select_data: str) -> Page | float:
    """A page by distance from entities_point's nearest-first order (GiST `<->`), which reads a few dozen index
    entries where sorting the whole radius read them all (1M places, 1 km in a city centre: ~700 places).

    That order is by distance in degrees, the page's by metres (a degree east is shorter), so the walk takes a
    margin of candidates, and the page is exact when no place beyond them can be nearer than its last row: a
    place further than `far` degrees lies at least kx·far metres away. When that does not hold (the places
    nearest lie far away, or many at the same distance), the squared metres of the candidates' last page row:
    the page lies within that circle."""
    assert query.near is not None
    lat, lon = float(query.near[0]), float(query.near[1])
    kx = math.cos(math.radians(lat)) * M_PER_DEG
    candidates = NEAREST_CANDIDATES * (query.limit + 1)
    order = "point(e.lon, e.lat) <-> point(%s, %s)"
    sql = (f"SELECT e.id, ({select_data})::text, p.k, {_tail(query)}, p.far, p.n FROM (SELECT m.id, m.k, "
           "max(m.d0) OVER () AS far, count(*) OVER () AS n FROM (SELECT e.id, "
           f"{distance[0]} AS k, {order} AS d0 FROM entities e WHERE {' AND '.join(c.where)} ORDER BY {order} "
           "LIMIT %s) m ORDER BY m.k, m.id LIMIT %s) p JOIN entities e ON e.id = p.id ORDER BY p.k, p.id")
    params = [*distance[1], lon, lat, *c.params, lon, lat, candidates, query.limit + 1]
    if not query.narrowed(tags=False) or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        found = conn.execute(sql, params).fetchall()
    else:
        # The planner takes the box for ~0.1 % of the table (the hint's constant), so with a filter the index does
        # not carry (wheelchair, opening hours) it sorted the whole box instead of walking it nearest-first (1M
        # places, 5 km, wheelchair=yes: 170 → 4 ms). Without bitmaps and sorts of the box it walks (every plan
        # sorts the candidates, so that costs all alike). The settings last for this statement's transaction,
        # and the pipeline sends it all in one round trip (still ~0.8 ms more, which the filters the index carries
        # need not pay).
        with conn.pipeline(), conn.transaction():
            conn.execute("SELECT set_config('enable_bitmapscan', 'off', true), "
                         "set_config('enable_sort', 'off', true)")
            cursor = conn.execute(sql, params)
        found = cursor.fetchall()
    if found and found[0][10] >= candidates and found[-1][2] >= (kx * found[0][9]) ** 2 * (1 - 1e-9):
        return float(found[-1][2])
    rows = [row[:9] for row in found]
    return page_from_rows(query, rows[: query.limit], len(rows) > query.limit)


def run_search(conn: psycopg.Connection[Any], query: Query, stats: StatisticsCache | None = None,
               hours_pairs: HoursPairs | None = None) -> Page:
    """One page of `query`; `stats` (the store's, if given) lets word searches estimate their matches without
    asking the planner, `hours_pairs` answers the open_at filter's question (see clauses.add_filters)."""
    open_view = query.open_view
    data_col = "CASE WHEN e.all_open THEN e.data WHEN e.has_open THEN e.data_open END" if open_view else "e.data"
    # tag filters too: the area indexes carry the tags, so rare values cost index entries, not table rows
    area = area_listing_cells(query, tags=True)
    if area is not None:
        return _area_page(conn, query, area, open_view, data_col)
    c = Clauses()
    rank: tuple[str, list[Any], str] | None = None
    words = None
    if query.q:
        words = search_words(query.q, lambda term: _expansions(conn, term))
        if words is None:
            return Page([], None)
        tsquery = words.literal
        if open_view:
            tsv = "e.open_tsv"
            c.add(f"{tsv} @@ %s::tsquery", tsquery, role="words")
        else:
            # full_tsv is NULL where the full view adds no words: both GIN indexes answer this
            tsv = "coalesce(e.full_tsv, e.open_tsv)"
            c.add("(e.full_tsv @@ %s::tsquery OR (e.full_tsv IS NULL AND e.open_tsv @@ %s::tsquery))",
                  tsquery, tsquery, role="words")
        # ascending is better, like FTS5's bm25 rank; float8 so the cursor value compares exactly
        name_match = name_match_sql(query.q, "e.name_sort", _CONTAINS, "e.type")
        rank = (f"(-ts_rank({tsv}, %s::tsquery, 1) * (1 + {PROMINENCE_BOOST!r} * e.prominence) * {name_match})::float8",
                [tsquery], "float8")
    if query.bbox is not None:
        add_area(c, *query.bbox)
    distance = add_distance(c, query)
    if words is not None and open_view and c.box is not None and not add_area_words(c, c.box, words.exact):
        add_cells(c, c.box)
    if not add_filters(conn, c, query, open_view, hours_pairs):
        return Page([], None)
    select_data = shown_document(query, data_col, open_view)
    # ranks move when their records change: a ranked page's cursor holds the version of the data (decode_cursor)
    version = None
    if rank is not None and query.effective_sort() == "relevance":
        version = int((conn.execute("SELECT value FROM entity_seq").fetchone() or [0])[0])
        if not query.cursor:
            return stamped(_first_ranked_page(conn, query, c, rank, tsv, tsquery, select_data, stats), query,
                           version)
        if broad_cursor(decode_cursor(query, 2)[0]):
            version = None  # a broad listing's order is the index's, which writes do not reshuffle
            if c.spatial and query.narrowed() and _few_in_area(conn, query, tsquery, stats):
                # a walk of entities_broad would test a filter on row after row (1M places, "zeche" in a district
                # open now: page 2 in 200-300 ms, where the first, which gathered the matches, took 16-22)
                return _broad_page(conn, query, c, select_data, gather=True)
            return _broad_page(conn, query, c.without_hints(), select_data)

    key, key_params, cast = sort_key(query, rank, distance)
    if query.cursor:
        last_key, last_id = decode_cursor(query, 2, version)  # a ranked page's: raises once the data changed
        c.add(f"({key}, e.id) > (%s::{cast}, %s::text)", *key_params, last_key, last_id, role="order")
    if distance is not None and key == distance[0] and not query.q and query.changed_since is None:
        nearest = _nearest_page(conn, query, c, distance, select_data)
        if isinstance(nearest, Page):
            return nearest
        # the page lies within the metres its candidates reached: sort that circle's places (a small box, a
        # little wider than the circle: bbox_around's metres per degree are not quite the sort key's)
        assert query.near is not None
        min_lat, min_lon, max_lat, max_lon = bbox_around(query.near[0], query.near[1],
                                                         math.sqrt(nearest) * (1 + 1e-4) + 0.01)
        add_area(c, min_lon, min_lat, max_lon, max_lat)
        c.add(f"{distance[0]} <= %s", *distance[1], nearest)
    c = _listing_hints(conn, query, c, stats)
    # NULL start times sort first, as in SQLite; no other key can be NULL
    nulls = " NULLS FIRST" if cast == "timestamptz" else ""
    if rank is not None and not key_params:
        # words listed by name, change or start; the words are the first clause (run_search adds them first)
        page = _words_in_order(conn, query, c, (key, nulls), tsquery, select_data, stats)
        if page is not None:
            return page
    where = " AND ".join(c.where) or "true"
    if rank is not None and key == rank[0] and c.spatial and (c.has_hint("area_words")
                                                              or _words_on_rows(conn, c, tsquery, stats)):
        # a later page of words ranked in a small area: as its first page (_first_area_page)
        matched, matched_params = _words_on_area_rows(c)
        sql = (f"SELECT e.id, ({select_data})::text, p.k, {_tail(query)} FROM (SELECT e.id, {key} AS k FROM {matched} "
               f"ORDER BY k, e.id LIMIT %s) p JOIN entities e ON e.id = p.id ORDER BY p.k, p.id")
        params = [*key_params, *matched_params, query.limit + 1]
    elif c.spatial:
        # The page's ids and sort keys first (from entities_point alone when no other filter needs the table),
        # then only those rows' documents: a box holds thousands of places, a page twenty.
        sql = (f"SELECT e.id, ({select_data})::text, p.k, {_tail(query)} FROM (SELECT e.id, {key} AS k "
               f"FROM entities e WHERE {where} ORDER BY k{nulls}, e.id LIMIT %s) p JOIN entities e ON e.id = p.id "
               f"ORDER BY p.k{nulls}, p.id")
        params = [*key_params, *c.params, query.limit + 1]
    else:
        sql = (f"SELECT e.id, ({select_data})::text, {key}, {_tail(query)} FROM entities e "
               f"WHERE {where} ORDER BY {key}{nulls}, e.id LIMIT %s")
        params = [*key_params, *c.params, *key_params, query.limit + 1]
    try:
        rows = conn.execute(sql, params).fetchall()
    except psycopg.errors.DataError:
        if query.cursor:
            raise QueryError("cursor", "not a cursor this server issued; start again without it") from None
        raise
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return page_from_rows(query, rows, more, version)


def vocabulary(conn: psycopg.Connection[Any], prefix: str, limit: int) -> list[str]:
    """Lexemes starting with `prefix` (non-empty), in order: a range of the lexemes table's key."""
    return [row[0] for row in conn.execute(
        "SELECT lexeme FROM lexemes WHERE lexeme >= %s AND lexeme < %s ORDER BY lexeme LIMIT %s",
        (prefix, prefix_end(prefix), limit))]
