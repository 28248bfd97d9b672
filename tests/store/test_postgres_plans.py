"""Plans PostgreSQL must keep: map views planned once per connection, not on every request (search._padded);
pages by distance walking entities_point nearest-first (search._nearest_page)."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from typing import Any

import pytest

pytest.importorskip("psycopg")

from datenhub.store import Query, open_store
from datenhub.store.base import HubEntity
from datenhub.store.postgres.search import run_search
from datenhub.store.postgres.statistics import StatisticsCache
from datenhub.store.postgres.store import PostgresStore

AT = datetime(2026, 5, 1, tzinfo=UTC)


def _places(count: int) -> list[HubEntity]:
    out = []
    for n in range(count):
        category = "Museum" if n % 20 == 0 else "Park"
        data = {"id": f"p{n}", "kind": "place", "type": "Place", "categories": [category],
                "wheelchair": "yes" if n % 3 == 0 else "no",
                "name": {"de": f"Ort {n}"}, "licence": "CC0-1.0",
                "geo": {"lat": 51.40 + (n * 7919 % 4000) / 40_000, "lon": 6.95 + (n * 104_729 % 4000) / 25_000}}
        out.append(HubEntity(f"p{n}", "place", data, data, f"c{n}", AT))
    return out


@pytest.mark.parametrize("query", [
    Query(bbox=(7.0, 51.43, 7.08, 51.47)),
    Query(bbox=(7.0, 51.43, 7.08, 51.47), categories=("Museum",)),  # cells inside and edge parts
], ids=["box", "box-category"])
def test_a_map_view_gets_a_generic_plan(pg: PostgresStore, query: Query) -> None:
    pg.upsert_entities(_places(4000))
    with pg._conns.connection() as conn:
        conn.execute("ANALYZE entities")
    one = open_store(f"{pg.url}&pool_max=1")  # one connection: the plan cache is per connection
    assert isinstance(one, PostgresStore)
    try:
        pages = [one.search(query) for _ in range(12)]
        with one._conns.connection() as conn:
            plans = conn.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                                 "WHERE statement LIKE '%%CROSS JOIN LATERAL%%'").fetchall()
    finally:
        one.close()
    assert pages[0].items and all(page.items == pages[0].items for page in pages)
    # psycopg prepares the statement on its sixth run; PostgreSQL plans the first five of those afresh, then
    # keeps the generic plan while it does not look dearer than theirs
    assert plans and plans[0][0] > 0, plans



@pytest.mark.parametrize(("radius", "wheelchair"), [(None, ()), (2000.0, ()), (2000.0, ("yes",))])
def test_a_page_by_distance_walks_the_point_index_nearest_first(pg: PostgresStore, radius: float | None,
                                                                wheelchair: tuple[str, ...]) -> None:
    pg.upsert_entities(_places(4000))
    plans: list[str] = []
    query = Query(near=(51.45, 7.03), radius=radius, kind="place", limit=5, wheelchair=wheelchair)
    with pg._conns.connection() as conn:
        # as autovacuum leaves a table after inserts: the visibility map makes the walk index-only
        _vacuumed(conn)
        execute = conn.execute

        def explaining(sql, params=None, **kwargs):  # type: ignore[no-untyped-def]
            if "<->" in str(sql):
                plans.append("\n".join(row[0] for row in execute(f"EXPLAIN {sql}", params)))
            return execute(sql, params, **kwargs)

        conn.execute = explaining  # type: ignore[method-assign,assignment]
        page = run_search(conn, query)
    assert plans and any("Order By: " in line and "<-> " in line for line in plans[0].splitlines()), plans
    kx = math.cos(math.radians(51.45)) * 111_195
    candidates = [e.data for e in _places(4000) if not wheelchair or e.data["wheelchair"] == "yes"]
    nearest = sorted(candidates, key=lambda d: (
        ((d["geo"]["lat"] - 51.45) * 111_195) ** 2 + ((d["geo"]["lon"] - 7.03) * kx) ** 2, d["id"]))
    assert [i["id"] for i in page.items] == [d["id"] for d in nearest[:5]]


def _vacuumed(conn: Any) -> None:
    """VACUUM (ANALYZE) entities until its pages are all visible. A transaction open elsewhere on the server (the
    other test worker's) can hold back what one VACUUM may mark visible; index-only plans then lose their edge."""
    deadline = time.monotonic() + 30  # the other worker's longest transaction, with a wide margin
    while True:
        conn.execute("VACUUM (ANALYZE) entities")
        pages, visible = conn.execute("SELECT relpages, relallvisible FROM pg_class WHERE oid = 'entities'::regclass"
                                      ).fetchone()
        if visible >= pages:
            return
        assert time.monotonic() < deadline, f"entities stayed {visible} of {pages} pages visible to all"
        time.sleep(0.1)


def _analysed(pg: PostgresStore, places: list[HubEntity]) -> None:
    """The places written, the table vacuumed and analysed, and the store's statistics read afresh."""
    pg.upsert_entities(places)
    with pg._conns.connection() as conn:
        _vacuumed(conn)
    pg._statistics.invalidate()


def _pages(pg: PostgresStore, query: Query, stats: StatisticsCache | None,
           most: int = 1000) -> tuple[list[list[str]], list[str]]:
    """The ids of each page of `query` (following the cursor, at most `most` pages) and every statement run."""
    statements: list[str] = []
    found: list[list[str]] = []
    with pg._conns.connection() as conn:
        execute = conn.execute

        def recording(sql, params=None, **kwargs):  # type: ignore[no-untyped-def]
            statements.append(str(sql))
            return execute(sql, params, **kwargs)

        conn.execute = recording  # type: ignore[method-assign,assignment]
        try:
            while len(found) < most:
                page = run_search(conn, query, stats)
                found.append([i["id"] for i in page.items])
                if page.next_cursor is None:
                    break
                query = query.with_cursor(page.next_cursor)
        finally:
            del conn.execute  # the class's method again, before the connection goes back to the pool
    return found, statements


def test_words_by_name_gathered_at_the_end_of_the_names_take_their_matches(pg: PostgresStore) -> None:
    # "Zeche ..." names sort last: a walk by name would pass every other place first (1M places: 4-6 s)
    places = _places(4000)
    for entity in places[:200]:
        entity.data["name"] = {"de": f"Zeche {entity.id}"}
    _analysed(pg, places)
    expected = [entity_id for _, entity_id in sorted((f"Zeche p{n}", f"p{n}") for n in range(200))]
    first, statements = _pages(pg, Query(q="zeche", sort="name", kind="place", limit=10), pg._statistics, most=1)
    assert first == [expected[:10]]
    assert any("OFFSET 0" in sql for sql in statements), statements
    pages, _ = _pages(pg, Query(q="zeche", sort="name", kind="place", limit=30), pg._statistics)
    assert [entity_id for page in pages for entity_id in page] == expected


@pytest.mark.parametrize("near", [False, True], ids=["box", "radius"])
def test_a_prefix_in_a_small_area_is_tested_on_the_areas_places(pg: PostgresStore, near: bool) -> None:
    # every place's name starts with "Ort": the prefix's index entries outnumber the area's places many times
    _analysed(pg, _places(4000))
    area: dict[str, object] = {"near": (51.45, 7.03), "radius": 1000.0} if near else \
        {"bbox": (7.02, 51.44, 7.05, 51.46)}
    query = Query(q="or", kind="place", limit=7, **area)  # type: ignore[arg-type]
    on_rows, statements = _pages(pg, query, pg._statistics)
    from_index, index_statements = _pages(pg, query, None)
    assert len(on_rows) > 2 and on_rows == from_index  # the same pages either way, the cursor's too
    assert sum("OFFSET 0) e WHERE" in sql for sql in statements) == len(on_rows), statements
    assert not any("OFFSET 0) e WHERE" in sql for sql in index_statements)


def test_later_broad_pages_with_a_filter_gather_the_areas_matches(pg: PostgresStore,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # ~2,000 places in the box, a third of them wheelchair=yes: more matches than the ranking budget (broad), few
    # enough that the first page gathered them; the later pages gather them too instead of walking entities_broad
    from datenhub.store.postgres import search

    _analysed(pg, _places(4000))
    query = Query(q="ort", bbox=(6.95, 51.40, 7.03, 51.50), wheelchair=("yes",), kind="place", limit=100)
    gathered, statements = _pages(pg, query, pg._statistics)
    assert len(gathered) > 3
    assert sum("OFFSET 0) e ORDER BY e.prominence DESC" in sql for sql in statements) == len(gathered) - 1
    monkeypatch.setattr(search, "BROAD_IN_BOX", 0)  # every page clearly broad, none gathered: the walk
    monkeypatch.setattr(search, "GATHER_MAX", 0)
    walked, statements = _pages(pg, query, pg._statistics)
    assert not any("OFFSET 0) e ORDER BY e.prominence DESC" in sql for sql in statements)
    assert walked == gathered


@pytest.mark.parametrize("sort", ["name", "changed"])
def test_words_with_a_filter_that_goes_with_them_walk_the_order(pg: PostgresStore, sort: str) -> None:
    # the word "museum" in exactly the Museum places: independent, word and category would share 0.25 % of the
    # places; together they hold 5 %, and a walk in the page's order finds a page within a few rows
    places = _places(4000)
    for entity in places:
        if entity.data["categories"] == ["Museum"]:
            entity.data["name"] = {"de": f"Museum {entity.id}"}
    _analysed(pg, places)
    query = Query(q="museum", categories=("Museum",), sort=sort, kind="place", limit=5)
    walked, statements = _pages(pg, query, pg._statistics, most=2)
    planned, _ = _pages(pg, query, None, most=2)  # no statistics: the planner's own plan
    assert sum(") AS hit FROM entities e WHERE" in sql for sql in statements) == 2, statements
    assert walked == planned and len(walked[1]) == 5
    museums = {e.id for e in places if e.data["categories"] == ["Museum"]}
    assert all(entity_id in museums for page in walked for entity_id in page)


def test_words_in_a_big_box_and_the_box_are_asked_of_their_own_indexes(pg: PostgresStore) -> None:
    # a box of many cells: testing the words on every place of the box read them all (100k places, a 21 × 17 km
    # box: 7,900 places for 420 matches); the box's and the words' bitmaps ANDed read only the matches
    places = _places(4000)
    for entity in places[::40]:
        entity.data["name"] = {"de": f"Zeche {entity.id}"}
    _analysed(pg, places)
    query = Query(q="zeche", kind="place", limit=7, bbox=(6.95, 51.40, 7.11, 51.50))
    pages, statements = _pages(pg, query, pg._statistics)
    from_index, _ = _pages(pg, query, None)
    assert sum(len(page) for page in pages) == 100 and pages == from_index
    assert any("point(e.lon, e.lat) <@" in sql and "@@" in sql for sql in statements), statements
    assert not any("OFFSET 0) e WHERE" in sql for sql in statements), statements


@pytest.mark.parametrize(("include_closed", "index"), [(False, "entities_open_order"), (True, "entities_seq")])
def test_a_page_by_change_walks_its_readers_order(pg: PostgresStore, include_closed: bool, index: str) -> None:
    # readers of the open view go by coalesce(open_seq, seq), which a change of closed data alone leaves as it was;
    # keys that read closed data by seq: each order has its index, so a page stops after a page's rows
    _analysed(pg, _places(4000))
    query = Query(sort="changed", kind="place", include_closed=include_closed, limit=5)
    first = pg.search(query)
    query = query.with_cursor(first.next_cursor or "")
    with pg._conns.connection() as conn:
        run: list[tuple[Any, Any]] = []
        execute = conn.execute

        def recording(sql, params=None, **kwargs):  # type: ignore[no-untyped-def]
            run.append((sql, params))
            return execute(sql, params, **kwargs)

        conn.execute = recording  # type: ignore[method-assign,assignment]
        try:
            page = run_search(conn, query, pg._statistics)
        finally:
            del conn.execute
        plan = "\n".join(row[0] for row in conn.execute(f"EXPLAIN {run[-1][0]}", run[-1][1]))
    assert len(page.items) == 5 and not {i["id"] for i in page.items} & {i["id"] for i in first.items}
    assert f"Index Scan using {index} " in plan and "Sort" not in plan, plan
