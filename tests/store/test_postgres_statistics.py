"""Word searches' match estimates from the planner's statistics: the arithmetic alone, and against the planner."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

pytest.importorskip("psycopg")

from datenhub.store import Query
from datenhub.store.base import HubEntity
from datenhub.store.postgres.fulltext import tsquery_literal
from datenhub.store.postgres.statistics import DEFAULT_WORD_SHARE, EntityStatistics, StatisticsCache, read
from datenhub.store.postgres.store import PostgresStore

STATS = EntityStatistics(rows=1000.0, words={"zech": 0.1, "zechenhaus": 0.004, "ruhr": 0.5}, least=0.004,
                         lat=[51.0, 51.5, 52.0], lon=[6.0, 7.0, 8.0])


def test_lexemes_combine_like_the_planner() -> None:
    assert STATS.query_share("'zech'") == 0.1
    assert STATS.query_share("'halde'") == 0.002  # not listed: half the least common's
    assert STATS.query_share("'ruhr' & 'zech'") == pytest.approx(0.05)
    assert STATS.query_share("('ruhr' <-> 'zech')") == pytest.approx(0.05)
    assert STATS.query_share("('zech' | 'zechenhaus')") == pytest.approx(1 - 0.9 * 0.996)
    assert STATS.query_share("'zech':*") == pytest.approx(0.104)  # every listed lexeme it starts
    assert STATS.query_share("'xyz':*") == 0.002
    rare = EntityStatistics(1000.0, {"a": 0.5}, 0.5, [0.0, 1.0], [0.0, 1.0])
    assert rare.word_share("b") == DEFAULT_WORD_SHARE  # never more than the planner's default


def test_box_share_from_the_histograms() -> None:
    assert STATS.matches("'ruhr'", None) == 500.0
    # half of the first latitude bucket (a quarter of the rows), the whole longitude range
    assert STATS.matches("'ruhr'", (5.0, 51.0, 9.0, 51.25)) == pytest.approx(500 * 0.25)
    assert STATS.matches("'ruhr'", (7.0, 51.5, 8.0, 52.0)) == pytest.approx(500 * 0.5 * 0.5)
    assert STATS.matches("'ruhr'", (9.0, 53.0, 10.0, 54.0)) == 0.0  # outside every bucket


def test_estimates_follow_the_planner_after_analyze(pg: PostgresStore, monkeypatch: pytest.MonkeyPatch) -> None:

    at = datetime(2026, 5, 1, tzinfo=UTC)
    entities = []
    for n in range(3000):
        words = "Zeche Halde" if n % 10 == 0 else "Park"
        data = {"id": f"h{n}", "kind": "place", "type": "Park", "name": {"de": f"{words} {n}"},
                # distinct coordinates, so ANALYZE keeps histograms for them
                "geo": {"lat": 51.3 + (n * 7919 % 3000) / 7500, "lon": 6.8 + n / 6000}, "licence": "CC0-1.0"}
        entities.append(HubEntity(f"h{n}", "place", data, data, f"c{n}", at))
    pg.upsert_entities(entities)
    with pg._conns.connection() as conn:
        conn.execute("ANALYZE entities")
        stats = read(conn)
        assert stats is not None and stats.rows == 3000
        box = (6.9, 51.4, 7.1, 51.6)
        literal = tsquery_literal("zeche")
        assert literal is not None
        planner = conn.execute(
            "EXPLAIN (FORMAT JSON) SELECT 1 FROM entities e WHERE e.open_tsv @@ %s::tsquery AND "
            "e.lat BETWEEN %s AND %s AND e.lon BETWEEN %s AND %s", (literal, box[1], box[3], box[0], box[2])
        ).fetchone()[0][0]["Plan"]["Plan Rows"]  # type: ignore[index]
        ours = stats.matches(literal, box)
        assert math.isclose(ours, planner, rel_tol=0.25) or abs(ours - planner) < 5, (ours, planner)
        cache = StatisticsCache()
        assert cache.get(conn) == stats
    # the search uses them instead of asking the planner, and finds the page
    def no_explain(*_: object) -> float:
        raise AssertionError("the planner was asked")

    monkeypatch.setattr("datenhub.store.postgres.search._estimated_matches", no_explain)
    page = pg.search(Query(q="zeche", bbox=box, limit=5))
    assert len(page.items) == 5 and all("Zeche" in i["name"]["de"] for i in page.items)
    # so does a search around a point: a radius counts the circle's part of its box, no radius every place
    # (1M places, a rare word near a point without a radius was taken as broad and walked 0.8-1.8 s)
    for radius in (5000.0, None):
        near = pg.search(Query(q="zeche", near=(51.5, 7.0), radius=radius, limit=5))
        assert len(near.items) == 5 and all("Zeche" in i["name"]["de"] for i in near.items), radius
        rare = pg.search(Query(q="4711", near=(51.5, 7.0), radius=radius, limit=5))
        assert rare.items == [], radius


def test_a_radius_counts_the_circle_of_its_box() -> None:
    from datenhub.store.postgres.search import _statistics_area

    box, covered = _statistics_area(Query(q="zeche", near=(51.5, 7.0), radius=1000.0))
    assert box is not None and covered == pytest.approx(math.pi / 4)
    assert box[1] < 51.5 < box[3] and box[0] < 7.0 < box[2]
    assert (box[3] - box[1]) * 111_195 == pytest.approx(2000, rel=0.01)
    inside, _ = _statistics_area(Query(q="zeche", near=(51.5, 7.0), radius=1000.0, bbox=(7.0, 51.0, 8.0, 52.0)))
    assert inside == (7.0, box[1], box[2], box[3])  # the part of the circle's box within the other
    assert _statistics_area(Query(q="zeche", near=(51.5, 7.0))) == (None, 1.0)
