"""PostgreSQL benchmark (issue 8): import throughput and an API query mix with 1 and 4 workers, side by side
with SQLite on the same generated places. Default 100k places; `--places 1000000` for the 1M figure.

Needs a reachable PostgreSQL (scripts/ci-postgres.sh creates a fresh database and drops it afterwards) and wrk.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MIX = ["/api/v1/places/{id}", "/ogc/collections/places/items?bbox=7.0,51.43,7.08,51.47&limit=20",
       "/api/v1/places?near=51.4513,7.0138&radius=1000", "/api/v1/places?q=zeche&bbox=6.9,51.4,7.2,51.55"]


def fresh_postgres() -> str | None:
    out = subprocess.run(["bash", str(HERE.parent / "scripts" / "ci-postgres.sh")], capture_output=True, text=True)
    return out.stdout.strip() or None


def serve_and_measure(url: str, workers: int, entity_id: str, seconds: int) -> dict[str, dict[str, float]]:
    from benchmarks.bench_api import free_port, wait_for, wrk

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "datenhub.cli", "serve", "--db", url, "--port", str(port),
                             "--workers", str(workers)], env={**__import__("os").environ,
                                                              "DATENHUB_RATE_LIMIT_ANON": "1000000000",
                                                              "DATENHUB_LOG_LEVEL": "WARNING"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/ready")
        time.sleep(1)
        return {path.replace("{id}", "ID")[:42]: wrk(f"http://127.0.0.1:{port}" + path.format(id=entity_id),
                                                              seconds, 32) for path in MIX}
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--places", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=6)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent))
    from benchmarks.bench_api import our_db
    from benchmarks.generate import generate
    from datenhub import hub
    from datenhub.store import open_store

    pg = fresh_postgres()
    if pg is None:
        print("bench_postgres: skipped — no PostgreSQL reachable")
        return
    try:
        csv_path = HERE / ".cache" / f"places_{args.places}.csv"
        if not csv_path.exists():
            generate(csv_path, args.places)
        store = open_store(pg)
        start = time.perf_counter()
        result = hub.import_file(store, csv_path, "bench")
        pg_import = time.perf_counter() - start
        entity_id = store.search(__import__("datenhub.store", fromlist=["Query"]).Query(limit=1)).items[0]["id"]
        store.close()
        sqlite_db = our_db(args.places)
        print(f"PostgreSQL benchmark: {args.places:,} generated places")
        print(f"  import into PostgreSQL  {pg_import:7.1f} s  {result.new / pg_import:8,.0f} places/s  "
              "(target ≥ 10,000)")
        rows = []
        for label, url in (("SQLite", f"sqlite:///{sqlite_db}"), ("PostgreSQL", pg)):
            for workers in (1, 4):
                if label == "SQLite" and workers == 4:
                    continue  # SQLite serves from one process here; PostgreSQL is the multi-worker backend
                for path, r in serve_and_measure(url, workers, entity_id if label == "PostgreSQL" else
                                                 open_store(url).search(__import__("datenhub.store", fromlist=[
                                                     "Query"]).Query(limit=1)).items[0]["id"],
                                                 args.seconds).items():
                    rows.append((label, workers, path, r))
        print(f"  {'backend':11s} {'workers':>7s}  {'endpoint':42s} {'req/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s}")
        for label, workers, path, r in rows:
            print(f"  {label:11s} {workers:7d}  {path:42s} {r['rps']:8.0f} {r['p50']:8.2f} {r['p99']:8.2f}")
        print("  target: p99 ≤ 50 ms with 4 workers at 1M places")
    finally:
        subprocess.run(["bash", str(HERE.parent / "scripts" / "ci-postgres.sh"), "--drop", pg], capture_output=True)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        main()
