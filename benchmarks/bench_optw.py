"""Benchmark of the OPTW/TOPTW solver on the Righini-Salani (Solomon 100-customer) instances.

    python benchmarks/bench_optw.py            # all instances, m = 1..4
    python benchmarks/bench_optw.py --quick    # a subset

For m = 1 it reports the gap to the proven optima of optima_m1.csv (or the best known score where
no optimum is proven); for m = 2..4 the score (the data folder has no reference values for them).
Every route is re-checked by the checker below, which parses the instance file on its own and
shares no code with the solver.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import statistics
import sys
import time
from multiprocessing import Pool
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "optw"
QUICK = ("c101", "c104", "r101", "r105", "r110", "rc101", "rc104", "rc107")
sys.path.insert(0, str(REPO / "src"))


# --- independent checker: own parser, own distances, own time arithmetic --------------------------


def load_plain(path: Path) -> dict[str, list]:
    """Vertices of a KU Leuven OPTW file: coordinates, service, profit, window."""
    rows = [line.split() for line in path.read_text().splitlines()[2:] if line.strip()]
    xs = [float(r[1]) for r in rows]
    ys = [float(r[2]) for r in rows]
    scale = 100 if path.stem.startswith("pr") else 10
    n = len(rows)
    dist = [
        [math.floor(math.hypot(xs[i] - xs[j], ys[i] - ys[j]) * scale + 1e-7) / scale for j in range(n)]
        for i in range(n)
    ]
    return {
        "service": [float(r[3]) for r in rows],
        "profit": [float(r[4]) for r in rows],
        "open": [float(r[-2]) for r in rows],
        "close": [float(r[-1]) for r in rows],
        "dist": dist,
    }


def check_routes(data: dict[str, list], routes: list[list[int]], tours: int) -> tuple[float, list[str]]:
    """Score of the routes and every rule they break (depot 0, budget = its closing time)."""
    errors: list[str] = []
    if len(routes) > tours:
        errors.append(f"{len(routes)} routes for {tours} tours")
    flat = [v for route in routes for v in route]
    if len(flat) != len(set(flat)):
        errors.append("a vertex is visited twice")
    for route in routes:
        t, here = 0.0, 0
        for v in route:
            if not 0 < v < len(data["profit"]):
                errors.append(f"vertex {v} does not exist")
                break
            t = max(t + data["service"][here] + data["dist"][here][v], data["open"][v])
            if t > data["close"][v] + 1e-6:
                errors.append(f"vertex {v} starts at {t:.2f} > {data['close'][v]}")
            here = v
        back = t + data["service"][here] + data["dist"][here][0]
        if back > data["close"][0] + 1e-6:
            errors.append(f"route ends at {back:.2f} > budget {data['close'][0]}")
    return sum(data["profit"][v] for v in set(flat) if 0 < v < len(data["profit"])), errors


# --- runs ----------------------------------------------------------------------------------------


def run_one(job: tuple[str, Path, int, float, int]) -> dict[str, Any]:
    from datenhub.planner import read_optw, solve

    name, path, tours, time_limit, seed = job
    started = time.perf_counter()
    solution = solve(read_optw(path).problem, tours=tours, time_limit=time_limit, seed=seed)
    seconds = time.perf_counter() - started
    score, errors = check_routes(load_plain(path), [list(r) for r in solution.routes], tours)
    return {"name": name, "tours": tours, "score": score, "seconds": seconds, "errors": errors}


def references(data: Path) -> dict[str, tuple[float, bool, Path]]:
    """instance -> (reference score, proven optimal?, file)."""
    refs = {}
    with (data / "optima_m1.csv").open() as fh:
        for row in csv.DictReader(fh):
            proven = bool(row["optimal_prize"])
            value = float(row["optimal_prize"] or row["best_feasible_prize_if_unsolved"])
            refs[row["instance"]] = (value, proven, data / row["instance_file"])
    return refs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--time-limit", type=float, default=1.8, help="seconds per solve")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tours", default="1,2,3,4", help="comma-separated m values")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel solves")
    args = parser.parse_args()
    if not (args.data / "optima_m1.csv").exists():
        print(f"skipped: no OPTW data at {args.data}")
        return 0
    refs = references(args.data)
    names = [n for n in refs if not args.quick or n in QUICK]
    tour_counts = [int(m) for m in args.tours.split(",")]
    jobs = [(n, refs[n][2], m, args.time_limit, args.seed) for m in tour_counts for n in names]
    print(f"{len(jobs)} solves, {args.time_limit} s each, {args.jobs} in parallel (each single-process)")
    with Pool(args.jobs) as pool:
        results = pool.map(run_one, jobs, chunksize=1)
    by = {(r["name"], r["tours"]): r for r in results}

    header = f"{'instance':10} {'ref':>6} {'m=1':>6} {'gap%':>6} {'s':>5}" + "".join(
        f" {'m=' + str(m):>6}" for m in tour_counts if m != 1
    )
    print(header)
    gaps, seconds, infeasible = [], [], []
    for n in names:
        ref, proven, _ = refs[n]
        line = f"{n:10} {ref:6.0f}{'' if proven else '*'}"
        if 1 in tour_counts:
            r = by[(n, 1)]
            gap = 100.0 * (ref - r["score"]) / ref
            gaps.append(max(gap, 0.0))  # beating an unproven best known value is no negative gap
            line += f"{'' if not proven else ' '}{r['score']:6.0f} {gap:6.2f} {r['seconds']:5.2f}"
        for m in tour_counts:
            if m != 1:
                line += f" {by[(n, m)]['score']:6.0f}"
        print(line)
    for r in results:
        seconds.append(r["seconds"])
        if r["errors"]:
            infeasible.append(f"{r['name']} m={r['tours']}: {'; '.join(r['errors'])}")
    print("* best known, not proven optimal (a negative gap beats it; counted as 0 in the summary)")
    print("\nsummary")
    if gaps:
        print(f"  m=1 gap to reference: mean {statistics.mean(gaps):.2f} %, max {max(gaps):.2f} %")
        print(f"  m=1 matches reference on {sum(g <= 1e-9 for g in gaps)} of {len(gaps)} instances")
    for m in tour_counts:
        total = sum(by[(n, m)]["score"] for n in names)
        print(f"  m={m} total score {total:.0f}")
    print(f"  seconds per solve: mean {statistics.mean(seconds):.2f}, max {max(seconds):.2f}")
    print(f"  feasibility (independent check): {len(results) - len(infeasible)}/{len(results)} ok")
    for problem in infeasible:
        print(f"  INFEASIBLE {problem}")
    return 1 if infeasible else 0


if __name__ == "__main__":
    sys.exit(main())
