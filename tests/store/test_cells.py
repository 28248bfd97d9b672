"""Grid cells: the area listing's cells are computed alike in Python and in SQL, and cover every box."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime

import pytest

from datenhub.store import Query
from datenhub.store.cells import AREA_LEVELS, area_listing_cells, split_edges


def _points(count: int, seed: int = 11) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    points = [(rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(count)]
    # values on and next to cell edges, where a rounding difference would show
    points += [(level.lat_size * k, level.lon_size * k) for level in AREA_LEVELS for k in range(-3, 4)]
    points += [(51.43 + 1e-12, 7.0 - 1e-12), (90.0, 180.0), (-90.0, -180.0)]
    return points


@pytest.mark.parametrize("level", AREA_LEVELS, ids=lambda level: level.name)
def test_sqlite_computes_the_python_cell(level) -> None:  # type: ignore[no-untyped-def]
    db = sqlite3.connect(":memory:")
    for lat, lon in _points(2000):
        (cell,) = db.execute(f"SELECT {level.sql('sqlite')} FROM (SELECT ? AS lat, ? AS lon)", (lat, lon)).fetchone()
        assert cell == level.cell(lat, lon), (lat, lon)


@pytest.mark.parametrize("level", AREA_LEVELS, ids=lambda level: level.name)
def test_cells_of_a_box_hold_every_point_inside(level) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(5)
    for _ in range(300):
        min_lon, min_lat = rng.uniform(6.4, 7.9), rng.uniform(51.2, 51.8)
        size = rng.uniform(0.001, 0.2)
        box = (min_lon, min_lat, min_lon + size * 1.6, min_lat + size)
        cells = level.cells(*box)
        if cells is None:
            continue
        corners = [(box[1], box[0]), (box[3], box[2]), (box[1], box[2]), (box[3], box[0])]
        inside = corners + [(rng.uniform(box[1], box[3]), rng.uniform(box[0], box[2])) for _ in range(20)]
        assert all(level.cell(lat, lon) in cells for lat, lon in inside)


def test_listing_cells_only_for_a_box_by_name_without_other_filters() -> None:
    city = (7.0, 51.43, 7.08, 51.47)
    listing = area_listing_cells(Query(bbox=city))
    assert listing is not None and listing.level is AREA_LEVELS[0] and len(listing.cells) == 6
    listing = area_listing_cells(Query(bbox=(6.4, 51.2, 8.0, 51.9)))
    assert listing is not None and listing.level is AREA_LEVELS[1]  # the whole RVR
    assert area_listing_cells(Query(bbox=(5.8, 47.2, 15.1, 55.1))) is None  # Germany: sort the candidates
    assert area_listing_cells(Query(bbox=city, limit=200)) is not None
    assert area_listing_cells(Query(bbox=city, limit=201)) is None  # a big page of a small box: its candidates
    assert area_listing_cells(Query(bbox=(6.4, 51.2, 8.0, 51.9), limit=1000)) is not None
    assert area_listing_cells(Query(bbox=city, kind="event")) is None  # events list by start
    assert area_listing_cells(Query(bbox=city, sort="name", kind=None)) is not None
    for other in (dict(q="zeche"), dict(categories=("Museum",)), dict(municipality="05113000"),
                  dict(wheelchair=("yes",)), dict(sort="changed"), dict(near=(51.45, 7.01)),
                  dict(changed_since=datetime(2026, 1, 1, tzinfo=UTC)), dict(types=("Museum",)),
                  dict(sources=("a",)), dict(ids=("x",)), dict(open_at=datetime(2026, 1, 1, tzinfo=UTC))):
        assert area_listing_cells(Query(bbox=city, **other)) is None, other
    assert area_listing_cells(Query()) is None
    # a backend that has checked its tags are common (SQLite, store.sqlite.search._common_tags) lets them through
    assert area_listing_cells(Query(bbox=city, categories=("Museum",), types=("Museum",)), tags=True) is not None
    assert area_listing_cells(Query(bbox=city, categories=("Museum",), wheelchair=("yes",)), tags=True) is None


def test_split_edges_parts_lie_in_their_cell_and_the_box() -> None:
    box = (7.0, 51.43, 7.08, 51.47)  # the benchmark's city centre: 6 fine cells, covered 3 % … 75 %
    listing = area_listing_cells(Query(bbox=box))
    assert listing is not None
    inside, edges = split_edges(listing, 0.15)
    assert sorted(inside + [cell for cell, _ in edges]) == sorted(listing.cells)
    assert len(inside) == 2 and len(edges) == 4
    level = listing.level
    for cell, (x0, y0, x1, y1) in edges:
        c0, d0, c1, d1 = level.bounds(cell)
        assert max(box[0], c0) - 1e-6 < x0 < x1 < min(box[2], c1) + 1e-6
        assert max(box[1], d0) - 1e-6 < y0 < y1 < min(box[3], d1) + 1e-6
        # the part is a small share of its cell, and every point inside it belongs to the cell
        assert (x1 - x0) * (y1 - y0) < 0.15 * level.lon_size * level.lat_size
        assert level.cell((y0 + y1) / 2, (x0 + x1) / 2) == cell
    assert split_edges(listing, 0.0) == (listing.cells, [])  # every cell kept whole
    assert not split_edges(listing, 1.01)[0]  # no cell covered more than whole
