"""Web benchmark (issue 5): server-side render time of the home, a place and the screen page at 100k places,
and the weight of the first load of the home and screen pages (HTML plus every asset they reference).

Render time is measured in-process through httpx's ASGI transport in one event loop (so, as in a server, the
thread pool and its database connections stay warm), median and p99 over several hundred requests.
Targets: p99 ≤ 50 ms per page; screen page first load ≤ 300 KB.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


async def weight(client, path: str) -> tuple[int, list[tuple[str, int]]]:  # type: ignore[no-untyped-def]
    """Bytes of the page and of every same-origin script, stylesheet, image and data file it loads first."""
    page = await client.get(path)
    parts = [(path, len(page.content))]
    for ref in sorted(set(re.findall(r'(?:src|href)="(/[^"#?]+(?:\?[^"#]*)?)"', page.text))):
        if ref.startswith(("/places/", "/events", "/api/v1/places?", "/admin")) or ref == "/":
            continue  # navigation links, not loaded with the page
        if not re.search(r"\.(js|css|png|svg|ico|json|geojson|woff2?)(\?|$)", ref) and "/static/" not in ref:
            continue
        parts.append((ref, len((await client.get(ref)).content)))
    return sum(size for _, size in parts), parts


async def run(args: argparse.Namespace) -> None:
    import httpx

    from benchmarks.bench_api import our_db
    from datenhub.api.app import create_app
    from datenhub.api.ratelimit import Limits
    from datenhub.store import open_store

    db = our_db(args.places)
    store = open_store(f"sqlite:///{db}")
    app = create_app(store=store, limits=Limits(10**9, 10**9))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
    place = store.search(__import__("datenhub.store", fromlist=["Query"]).Query(q="zeche", limit=1)).items[0]
    geo = place["geo"]
    pages = {
        "home": "/",
        "home + search": "/?q=zeche&category=Museum",
        "place page": f"/places/{place['id']}",
        "screen page": f"/screen?lat={geo['lat']}&lon={geo['lon']}",
        "screen data": f"/screen/data.json?lat={geo['lat']}&lon={geo['lon']}",
    }
    print(f"web benchmark: {args.places:,} places, {args.requests} requests per page, in-process render")
    print(f"  {'page':16s} {'p50 ms':>8s} {'p99 ms':>8s}   (target p99 ≤ 50 ms)")
    for name, path in pages.items():
        for _ in range(10):
            await client.get(path)
        timings = []
        for _ in range(args.requests):
            start = time.perf_counter()
            response = await client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        timings.sort()
        print(f"  {name:16s} {statistics.median(timings):8.2f} {timings[int(len(timings) * 0.99) - 1]:8.2f}")
    for name, path in (("home", "/"), ("screen", pages["screen page"])):
        total, parts = await weight(client, path)
        print(f"  first load {name:7s} {total / 1024:7.0f} KB uncompressed over {len(parts)} files"
              + ("   (target ≤ 300 KB)" if name == "screen" else ""))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--places", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent))
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
