"""Foundation benchmark: first import, unchanged re-import, text+bbox search on 100k generated RVR places.

Targets (issue 2): ≥ 10,000 places/s validated and enriched; unchanged re-import ≥ 4× faster than the first
(measured on the same records with their rows reordered, so the file's fingerprint cannot shortcut it);
peak RSS ≤ 500 MB; text+bbox p99 ≤ 10 ms. Each import figure is the median of several runs in fresh processes.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"


def reordered(csv_path: Path) -> Path:
    """The same records in other bytes (rows in another order), as a feed's next export often is."""
    out = csv_path.with_name(csv_path.stem + ".reordered.csv")
    if not out.exists():
        header, *rows = csv_path.read_text(encoding="utf-8").splitlines(keepends=True)
        random.Random(1).shuffle(rows)
        partial = out.with_suffix(".partial")
        partial.write_text(header + "".join(rows), encoding="utf-8")
        partial.rename(out)
    return out


def one_import(csv_path: Path, db: Path) -> dict[str, float]:
    """Run in a child process so peak RSS is this import's own."""
    from datenhub import hub
    from datenhub.store import open_store

    store = open_store(f"sqlite:///{db}")
    start = time.perf_counter()
    first = hub.import_file(store, csv_path, "bench")
    first_s = time.perf_counter() - start
    start = time.perf_counter()
    # new bytes, the same records: every record read, hashed and compared
    again = hub.import_file(store, csv_path.with_name(csv_path.stem + ".reordered.csv"), "bench")
    again_s = time.perf_counter() - start
    assert again.unchanged == first.new and not again.skipped and not again.changed, again.summary()
    start = time.perf_counter()
    forced = hub.import_file(store, csv_path, "bench", force=True)  # every record checked again as well
    forced_s = time.perf_counter() - start
    assert forced.unchanged == first.new and not forced.skipped, forced.summary()
    start = time.perf_counter()
    same = hub.import_file(store, csv_path, "bench")  # same bytes and settings: recognised, nothing to do
    same_s = time.perf_counter() - start
    assert same.skipped and same.unchanged == first.new, same.summary()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"places": first.new, "first_s": first_s, "reimport_s": again_s, "forced_s": forced_s, "same_s": same_s,
            "peak_rss_mb": rss_mb}


def search_latency(db: Path, queries: int, seed: int = 7) -> dict[str, float]:
    from datenhub.store import Query, open_store

    store = open_store(f"sqlite:///{db}")
    rng = random.Random(seed)
    terms = ["zeche", "halde", "museum", "park", "förderturm", "zollverein", "kunst", "siedlung", "hütte", "ruhr"]
    timings = []
    for i in range(queries):
        lat, lon = rng.uniform(51.35, 51.65), rng.uniform(6.7, 7.6)
        size = rng.uniform(0.02, 0.15)
        query = Query(q=rng.choice(terms), bbox=(lon, lat, lon + size * 1.6, lat + size), limit=20)
        start = time.perf_counter()
        store.search(query)
        if i >= 20:  # warm-up
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {"p50_ms": statistics.median(timings), "p99_ms": timings[int(len(timings) * 0.99) - 1],
            "queries": len(timings)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--places", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_import(Path(args.child[0]), Path(args.child[1]))))
        return
    sys.path.insert(0, str(HERE.parent))
    from benchmarks.generate import generate

    CACHE.mkdir(exist_ok=True)
    csv_path = CACHE / f"places_{args.places}.csv"
    if not csv_path.exists():
        partial = csv_path.with_suffix(".partial")
        generate(partial, args.places)
        partial.rename(csv_path)  # a crash mid-generation never leaves a truncated cache
    reordered(csv_path)  # here, not in the measured child: it holds the whole file in memory
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            db = Path(tmp) / f"bench{run}.db"
            out = subprocess.run([sys.executable, __file__, "--child", str(csv_path), str(db)], check=True,
                                 capture_output=True, text=True).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
        latency = search_latency(Path(tmp) / "bench0.db", 1020)
    first = statistics.median(r["first_s"] for r in runs)
    again = statistics.median(r["reimport_s"] for r in runs)
    forced = statistics.median(r["forced_s"] for r in runs)
    same = statistics.median(r["same_s"] for r in runs)
    rss = statistics.median(r["peak_rss_mb"] for r in runs)
    n = runs[0]["places"]
    print(f"import benchmark: {n:,} generated RVR places, median of {args.runs} runs")
    print(f"  first import        {first:7.2f} s   {n / first:9,.0f} places/s   (target ≥ 10,000)")
    each = " ".join(f"{r['first_s']:.2f}" for r in runs)
    print(f"    each run (s)      {each}")
    print(f"  unchanged re-import {again:7.2f} s   {first / again:9.1f}× faster     (target ≥ 4×; the same records, "
          "rows reordered)")
    print(f"  --force re-import   {forced:7.2f} s   {first / forced:9.1f}× faster     (every record checked again)")
    print(f"  same file again     {same:7.2f} s   {first / same:9.0f}× faster     (input recognised by fingerprint)")
    print(f"  peak RSS            {rss:7.0f} MB                        (target ≤ 500)")
    print(f"  text+bbox search    p50 {latency['p50_ms']:.2f} ms   p99 {latency['p99_ms']:.2f} ms "
          f"over {latency['queries']} queries (target p99 ≤ 10 ms)")


if __name__ == "__main__":
    main()
