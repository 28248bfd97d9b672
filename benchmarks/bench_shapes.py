"""Query shapes: every combination of words, area, nearness, filter and order a client can ask for, timed as
store calls, so that a shape no other benchmark measures cannot stay slow unnoticed (session 16 found pages that
took 0.3-4 s this way: open-now filters, big boxes with filters, pages by change, nearest without a radius).

Prints the median over all shapes, the share over 10 and over 50 ms, and the slowest shapes (best of two calls
each, first page and second page). SQLite at 100k places by default; `--url postgresql://…` measures that hub
instead (bench_postgres.py --keep leaves one of 1M places).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

WORDS: tuple[str | None, ...] = (None, "zeche", "museum", "4711", "zo")  # frequent, common, rare, being typed
BOXES: tuple[tuple[float, float, float, float] | None, ...] = (
    None, (7.0, 51.43, 7.08, 51.47), (6.95, 51.40, 7.10, 51.50), (6.5, 51.2, 7.9, 51.9))  # centre, district, RVR
NEAR: tuple[tuple[tuple[float, float], float | None] | None, ...] = (
    None, ((51.4513, 7.0138), 1000.0), ((51.4513, 7.0138), 5000.0), ((51.4513, 7.0138), None))
FILTERS: tuple[dict[str, Any], ...] = (
    {}, {"categories": ("Museum",)}, {"municipality": "05113000"}, {"wheelchair": ("yes",)},
    {"open_at": datetime(2026, 11, 23, 12, tzinfo=UTC)},  # a Monday: many places closed
    {"include_closed": True})
SORTS: tuple[str | None, ...] = (None, "name", "changed")


def shapes() -> list[dict[str, Any]]:
    out = []
    for q, box, near, extra, sort in itertools.product(WORDS, BOXES, NEAR, FILTERS, SORTS):
        if box is not None and near is not None:
            continue
        shape: dict[str, Any] = {"kind": "place", "q": q, "bbox": box, **extra}
        if near is not None:
            shape.update(near=near[0], radius=near[1])
        if sort is not None:
            shape["sort"] = sort
        out.append(shape)
    return out


def timed(store: Any, query: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    page = store.search(query)
    return (time.perf_counter() - start) * 1000, page


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="a hub to measure (default: the generated 100k places on SQLite)")
    parser.add_argument("--slowest", type=int, default=8)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent))
    from benchmarks.bench_api import our_db
    from datenhub.store import Query, open_store

    url = args.url or f"sqlite:///{our_db(100_000)}"
    store = open_store(url)
    results: list[tuple[float, float, dict[str, Any]]] = []
    for shape in shapes():
        query = Query(**shape)
        store.search(query)  # a first call pays what a serving hub has long paid (plans, memos)
        first, page = min((timed(store, query) for _ in range(2)), key=lambda r: r[0])
        second = timed(store, query.with_cursor(page.next_cursor))[0] if page.next_cursor else 0.0
        results.append((first, second, shape))
    store.close()
    worst = [max(first, second) for first, second, _ in results]
    print(f"Query shapes on {url.split('?')[0]}: {len(results)} shapes, store calls, best of 2")
    print(f"  median {statistics.median(worst):.2f} ms; over 10 ms: {sum(w > 10 for w in worst)}; "
          f"over 50 ms: {sum(w > 50 for w in worst)}; slowest {max(worst):.1f} ms")
    for first, second, shape in sorted(results, key=lambda r: -max(r[0], r[1]))[:args.slowest]:
        described = ", ".join(f"{k}={v}" for k, v in shape.items() if v is not None and k != "kind")
        print(f"    {first:8.1f} ms, page 2 {second:8.1f} ms  {described or 'all places'}")


if __name__ == "__main__":
    main()
