"""Stay planner benchmark: one day over the whole demo dataset, end to end (search, hours, solve, alternatives).

Run: ``python benchmarks/bench_plan.py``. Imports the demo into a temporary SQLite hub, then plans a Saturday
from Essen Hbf with a radius that covers the whole RVR and every sight category of interest, 10 times with
different seeds; prints median and max wall time (target: ≤ 500 ms) and the size of the plans.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from datenhub.clock import BERLIN, fixed
from datenhub.demo import import_demo
from datenhub.planner.plan import make_plan
from datenhub.planner.plan_model import PlanRequest
from datenhub.store import open_store

RUNS = 10
TARGET_MS = 500.0
NOW = datetime(2026, 6, 4, 12, 0, tzinfo=BERLIN)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="datenhub-bench-plan-") as folder:
        store = open_store(f"sqlite:///{Path(folder) / 'demo.db'}")
        import_demo(store, clock=fixed(NOW))
        places = sum(1 for _ in store.iter_entities("place"))
        rows = []
        for seed in range(RUNS):
            request = PlanRequest(start="db-stations:8000098", date="2026-06-06", start_time="09:00",
                                  end_time="20:00", radius_km=150, mode="transit", seed=seed)
            started = time.perf_counter()
            plan = make_plan(store, request, clock=fixed(NOW))
            rows.append(((time.perf_counter() - started) * 1000, len(plan.days[0].stops), len(plan.alternatives),
                         plan.days[0].score))
        store.close()
    times = [r[0] for r in rows]
    median, worst = statistics.median(times), max(times)
    print(f"Stay planner: one day, whole demo dataset ({places} places, radius 150 km), {RUNS} runs")
    print(f"{'':10} {'ms':>8}")
    print(f"{'median':10} {median:8.1f}")
    print(f"{'max':10} {worst:8.1f}")
    print(f"{'target':10} {TARGET_MS:8.1f}")
    print(f"stops per plan: {sorted({r[1] for r in rows})}, alternatives: {sorted({r[2] for r in rows})}, "
          f"scores: {min(r[3] for r in rows):.0f}–{max(r[3] for r in rows):.0f}")
    return 0 if median <= TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
