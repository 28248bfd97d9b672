"""PostgreSQL benchmark (issue 8): import throughput, occupancy readings ingest and queries, and the API query
mix with 1 and 4 workers, side by side with SQLite at 100k places.

Default: 100k places and 1M readings (a few minutes). The issue's scale, about half an hour on two cores:
    python benchmarks/bench_postgres.py --places 1000000 --readings 10000000

Needs a reachable PostgreSQL (scripts/ci-postgres.sh creates a fresh database, dropped afterwards) and wrk.
Targets: import ≥ 10,000 places/s; p99 ≤ 50 ms with 4 workers at 1M places.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPT = HERE.parent / "scripts" / "ci-postgres.sh"
BOX = "7.0,51.43,7.08,51.47"  # a city-centre sized box, as in bench_api
DISTRICT = "6.95,51.40,7.10,51.50"  # 10 × 11 km: a frequent word here has 2-4 × RANKING_BUDGET matches
MIX = {
    "get-by-id": "/api/v1/places/{id}",
    "OGC bbox items": f"/ogc/collections/places/items?bbox={BOX}&limit=20",
    "near 1 km": "/api/v1/places?near=51.4513,7.0138&radius=1000",
    "text + bbox": "/api/v1/places?q=zeche&bbox=6.9,51.4,7.2,51.55",
    "text in city centre": f"/api/v1/places?q=museum&bbox={BOX}",  # a frequent word (1 in 7) in a small box
    "text in a district": f"/api/v1/places?q=zeche&bbox={DISTRICT}",
    "JSON-LD text page": "/api/v1/places?q=zeche&f=jsonld",
    "GeoJSON bbox page": f"/api/v1/places?bbox={BOX}&f=geojson",
    "category map view": f"/api/v1/places?bbox={BOX}&category=Museum&f=geojson",
}
STORE_CALLS = ("record_states", "overrides", "merge_candidates", "upsert_records", "withdraw_records",
               "list_sources", "records_of_hubs", "entity_checksums", "upsert_entities", "write_prepared",
               "save_notices", "save_raw", "start_import", "finish_import", "list_imports", "get_source",
               "upsert_source")


def fresh_postgres() -> str | None:
    out = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True)
    return out.stdout.strip() or None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed_store(store: Any) -> dict[str, float]:
    """Wrap the store methods the importer calls; returns the seconds spent in each (filled as it runs)."""
    spent: dict[str, float] = {}

    def wrap(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - start
        return timed

    for name in STORE_CALLS:
        setattr(store, name, wrap(name, getattr(store, name)))
    return spent


def bench_import(url: str, places: int) -> tuple[float, int, dict[str, float], float]:
    from benchmarks.bench_api import our_db  # noqa: F401  (makes sure the cached CSV exists)
    from benchmarks.generate import generate
    from datenhub import hub
    from datenhub.store import open_store

    csv_path = HERE / ".cache" / f"places_{places}.csv"
    if not csv_path.exists():
        csv_path.parent.mkdir(exist_ok=True)
        partial = csv_path.with_suffix(".partial")
        generate(partial, places)
        partial.rename(csv_path)
    store = open_store(url)
    spent = timed_store(store)
    start = time.perf_counter()
    result = hub.import_file(store, csv_path, "bench")
    seconds = time.perf_counter() - start
    # What autovacuum does some minutes after a big import, done now: the visibility map that lets area searches
    # answer from entities_point alone (index-only scans). The import has analysed the tables itself.
    start = time.perf_counter()
    with store._conns.connection() as conn:  # type: ignore[attr-defined]
        conn.execute("VACUUM (ANALYZE) entities")
    vacuum = time.perf_counter() - start
    store.close()
    return seconds, result.new, spent, vacuum


def bench_readings(url: str, total: int, sensors: int) -> dict[str, Any]:
    from benchmarks.generate_occupancy import T0, bench_sensors, reading_batches
    from datenhub.store import open_store

    store = open_store(url)
    with store.transaction():
        for sensor in bench_sensors(sensors):
            store.upsert_sensor(sensor)
    written, start = 0, time.perf_counter()
    last = T0
    for batch in reading_batches(sensors, total):
        written += len(store.add_readings(batch).inserted)
        last = batch[-1].observed_at
    seconds = time.perf_counter() - start
    with store._conns.connection() as conn:  # type: ignore[attr-defined]
        conn.execute("ANALYZE occupancy_readings")
    ids = [s.id for s in bench_sensors(sensors)]
    step = max(1, len(ids) // 50)
    queries: dict[str, Callable[[int], Any]] = {
        "latest of 50 sensors": lambda n: store.latest_readings(ids[n % step::step][:50]),
        "one sensor, last 24 h": lambda n: store.readings(ids[n % len(ids)], last - timedelta(days=1), last),
        "hourly, 10 sensors × 7 d": lambda n: store.hourly_readings(
            ids[(n * 10) % len(ids):(n * 10) % len(ids) + 10], last - timedelta(days=7), last),
    }
    latencies: dict[str, tuple[float, float]] = {}
    for name, run in queries.items():
        run(0)
        times = []
        for n in range(200):
            t = time.perf_counter()
            run(n)
            times.append((time.perf_counter() - t) * 1000)
        latencies[name] = (statistics.median(times), percentile(times, 99))
    with store._conns.connection() as conn:  # type: ignore[attr-defined]
        row = conn.execute("SELECT (SELECT count(*) FROM occupancy_readings), pg_size_pretty(sum("
                           "pg_total_relation_size(relid))), count(*) FILTER (WHERE isleaf) "
                           "FROM pg_partition_tree('occupancy_readings')").fetchone()
    store.close()
    return {"written": written, "seconds": seconds, "latencies": latencies, "rows": row}


def serve_and_measure(url: str, workers: int, entity_id: str, seconds: int, connections: int,
                      server: str = "uvicorn", runs: int = 3) -> dict[str, dict[str, float]]:
    """Each endpoint's figures as the median of `runs` wrk runs: every run opens its connections afresh, and how
    they land on several workers moves one run's req/s by up to 2-3× (docs/operations.md)."""
    from benchmarks.bench_api import free_port, measure, wait_for, wrk

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "datenhub.cli", "serve", "--db", url, "--port", str(port),
                             "--workers", str(workers), "--server", server],
                            # the response cache off: wrk repeats one URL, and the query path is what is measured
                            env={**os.environ, "DATENHUB_RATE_LIMIT_ANON": "1000000000",
                                 "DATENHUB_LOG_LEVEL": "WARNING", "DATENHUB_RESPONSE_CACHE": "0"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/ready")
        time.sleep(1)
        results = {}
        for name, path in MIX.items():
            target = f"http://127.0.0.1:{port}" + path.format(id=entity_id)
            # one unmeasured second first: every worker pays its first query of this kind (plans, lexeme memo)
            # before the measured run, as a serving hub long has
            wrk(target, 1, connections)
            results[name] = measure(target, seconds, connections, runs, None)
        return results
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def first_id(url: str) -> str:
    from datenhub.store import Query, open_store

    store = open_store(url)
    try:
        return str(store.search(Query(limit=1)).items[0]["id"])
    finally:
        store.close()


def store_latencies(url: str, calls: int = 200) -> dict[str, tuple[float, float]]:
    """p50 and p99 (ms) of the API mix's queries as store calls from one client: the query cost without HTTP."""
    from datenhub.store import Query, open_store

    def box(text: str) -> tuple[float, float, float, float]:
        a, b, c, d = (float(v) for v in text.split(","))
        return a, b, c, d

    queries = {"get-by-id": None, "bbox page, city centre": Query(bbox=box(BOX)),
               "bbox page, whole RVR": Query(bbox=(6.4, 51.2, 8.0, 51.9)),
               "near 1 km": Query(near=(51.4513, 7.0138), radius=1000), "text": Query(q="zeche"),
               "text + bbox": Query(q="zeche", bbox=(6.9, 51.4, 7.2, 51.55)),
               "text in city centre": Query(q="museum", bbox=box(BOX)),
               "text in a district": Query(q="zeche", bbox=box(DISTRICT)),
               # a word in one name ("… 4711"): the statistics do not list it, so its count is unknown to them
               "rare word": Query(q="4711"), "rare word, whole RVR": Query(q="4711", bbox=(6.5, 51.2, 7.9, 51.9)),
               "category map view": Query(bbox=box(BOX), categories=("Museum",))}
    store = open_store(url)
    try:
        entity_id = str(store.search(Query(limit=1)).items[0]["id"])
        out = {}
        for name, query in queries.items():
            def call(query: Query | None = query) -> object:
                return store.get_entity(entity_id) if query is None else store.search(query)
            for _ in range(10):
                call()
            times = []
            for _ in range(calls):
                start = time.perf_counter()
                call()
                times.append((time.perf_counter() - start) * 1000)
            out[name] = (statistics.median(times), percentile(times, 99))
        return out
    finally:
        store.close()


def on_database(url: str, sql: str) -> Any:
    """Run one statement on the hub database at `url`; its first row, if any."""
    from datenhub.store import open_store

    store = open_store(url)
    try:
        with store._conns.connection() as conn:  # type: ignore[attr-defined]
            cursor = conn.execute(sql)
            return cursor.fetchone() if cursor.description else None
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--places", type=int, default=100_000)
    parser.add_argument("--readings", type=int, default=1_000_000, help="occupancy readings (0: skip)")
    parser.add_argument("--sensors", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=6, help="wrk run per endpoint")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3, help="wrk runs per endpoint; figures are their medians")
    parser.add_argument("--server", choices=("uvicorn", "granian", "both"), default="both",
                        help="HTTP server(s) the hub runs on for the API runs (datenhub serve --server)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database (prints its URL)")
    parser.add_argument("--url", help="measure the API on this database (one kept by --keep) instead of importing "
                                      "into a fresh one; it is never dropped")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent))
    from benchmarks.bench_api import our_db

    if subprocess.run(["which", "wrk"], capture_output=True).returncode != 0:
        print("bench_postgres: skipped — needs wrk (apt-get install wrk)")
        return
    pg = args.url or fresh_postgres()
    if pg is None:
        print("bench_postgres: skipped — no PostgreSQL reachable")
        return
    try:
        if args.url:
            print(f"PostgreSQL benchmark on {pg} (no import), {args.readings:,} occupancy readings")
        else:
            seconds, new, spent, vacuum = bench_import(pg, args.places)
            in_store = sum(spent.values())
            print(f"PostgreSQL benchmark: {args.places:,} generated places, {args.readings:,} occupancy readings")
            print(f"  import into PostgreSQL  {seconds:7.1f} s  {new / seconds:8,.0f} places/s  (target ≥ 10,000); "
                  f"VACUUM ANALYZE after it {vacuum:.1f} s")
            print(f"    in store calls {in_store:6.1f} s = {in_store / seconds:4.0%} of the import: " + ", ".join(
                f"{name} {t:.1f} s" for name, t in sorted(spent.items(), key=lambda kv: -kv[1]) if t >= 0.05))
        if args.readings:
            r = bench_readings(pg, args.readings, args.sensors)
            count, size, partitions = r["rows"]
            print(f"  readings ingest (add_readings, batches of 10,000, {args.sensors:,} sensors)  "
                  f"{r['seconds']:7.1f} s  {r['written'] / r['seconds']:8,.0f} readings/s  "
                  f"({count:,} rows, {partitions} monthly partitions, {size})")
            for name, (p50, p99) in r["latencies"].items():
                print(f"    {name:26s} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  (store call, one client)")
        sqlite_url = f"sqlite:///{our_db(100_000)}"
        print("  store calls, one client, 200 each: p50 / p99 ms")
        pg_calls, sqlite_calls = store_latencies(pg), store_latencies(sqlite_url)
        for name, (p50, p99) in pg_calls.items():
            print(f"    {name:24s} PostgreSQL {p50:7.2f} / {p99:7.2f}   SQLite 100k {sqlite_calls[name][0]:6.2f} / "
                  f"{sqlite_calls[name][1]:6.2f}")
        servers = ("uvicorn", "granian") if args.server == "both" else (args.server,)
        runs = {("SQLite 100k", 1, server): serve_and_measure(sqlite_url, 1, first_id(sqlite_url), args.seconds,
                                                              args.connections, server, args.runs)
                for server in servers}
        pg_id = first_id(pg)
        places = int(on_database(pg, "SELECT count(*) FROM entities WHERE kind = 'place' AND withdrawn_at IS NULL")[0])
        on_database(pg, "CHECKPOINT")  # the import's dirty pages written now, not while wrk measures
        label = f"PG {places // 1000:,}k"
        for server in servers:
            for workers in (1, 4):
                runs[(label, workers, server)] = serve_and_measure(pg, workers, pg_id, args.seconds,
                                                                   args.connections, server, args.runs)
        heads = [f"{name} {w}w {server}" for name, w, server in runs]
        print(f"  API (response cache off), wrk {args.connections} connections × {args.seconds} s per endpoint, "
              f"median of {args.runs} runs: req/s  p50  p99 (ms)")
        print(f"  {'endpoint':20s} " + " ".join(f"{h:>28s}" for h in heads))
        for endpoint in MIX:
            cells = []
            for result in runs.values():
                m = result[endpoint]
                bad = f" !{m['non2xx']:.0f}" if m.get("non2xx") else ""
                cells.append(f"{m['rps']:7.0f} {m['p50']:8.2f} {m['p99']:8.2f}{bad}")
            print(f"  {endpoint:20s} " + " ".join(f"{c:>28s}" for c in cells))
        print("  target: p99 ≤ 50 ms with 4 workers at 1M places")
    finally:
        if args.keep and not args.url:
            print(f"  kept {pg} (drop with scripts/ci-postgres.sh --drop URL; measure it again with --url URL)")
        elif not args.url:
            subprocess.run(["bash", str(SCRIPT), "--drop", pg], capture_output=True)


if __name__ == "__main__":
    main()
