"""Opening-hours engine benchmark: parse and state_at throughput, side by side with opening_hours.js under node.

Run: ``python benchmarks/bench_hours.py``. Uses the distinct values of the reference suite in
../shared/data/opening_hours when present (else a small built-in sample) and the npm package ``opening_hours``
(installed into ~/.cache/datenhub-oh-oracle) when node and npm are available.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import contextlib

from datenhub.hours import OpeningHours, OpeningHoursError, clear_cache

BERLIN = ZoneInfo("Europe/Berlin")
ESSEN = (51.4556, 7.0116)
RUNS = 5
CHECKS = 100_000
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "opening_hours" / "opening_hours_js_cases.en.json"
CACHE = Path(os.environ.get("DATENHUB_OH_ORACLE", Path.home() / ".cache" / "datenhub-oh-oracle"))
SAMPLE = [
    "Mo-Fr 10:00-18:00; PH off",
    "Mo-Su 10:00-18:00; PH off",
    "Tu-Su 10:00-17:00; Mo off",
    "24/7",
    "Mo-Fr 08:00-12:00,13:00-17:00; Sa 09:00-13:00; PH off",
    "Fr-Sa 22:00-04:00",
    "sunrise-sunset",
    "Apr-Oct Tu-Su 10:00-18:00; Nov-Mar Sa,Su 11:00-16:00",
    'Mo-Fr 09:00-17:00 || "nach Vereinbarung"',
    "Sa[1] 10:00-14:00; easter -2 days off",
]

NODE_DRIVER = r"""
const OH = require(__dirname + '/node_modules/opening_hours');
const req = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const nominatim = {lat: req.lat, lon: req.lon, address: {country_code: 'de', state: 'Nordrhein-Westfalen'}};
const parse = [], state = [];
for (let run = 0; run < req.runs; run++) {
  let t0 = process.hrtime.bigint();
  for (const v of req.values) { try { new OH(v, nominatim, {mode: 0}); } catch (e) {} }
  parse.push(Number(process.hrtime.bigint() - t0) / 1e9);
  const compiled = [];
  for (const v of req.values) { try { compiled.push(new OH(v, nominatim, {mode: 0})); } catch (e) {} }
  const dates = req.times.map(t => new Date(t));
  t0 = process.hrtime.bigint();
  for (let i = 0; i < req.checks; i++) { compiled[i % compiled.length].getState(dates[i % dates.length]); }
  state.push(Number(process.hrtime.bigint() - t0) / 1e9);
}
process.stdout.write(JSON.stringify({parse, state}));
"""


def load_values() -> list[str]:
    if not SHARED.is_file():
        print(f"[skip] {SHARED} not found: using {len(SAMPLE)} built-in sample values instead of the reference suite")
        return SAMPLE
    data = json.loads(SHARED.read_text("utf-8"))
    seen: dict[str, None] = {}
    for group in ("interval_tests", "should_warn", "prettify_value", "comp_matching_rule", "should_fail"):
        for case in data[group]:
            if isinstance(case.get("value"), str):
                seen.setdefault(case["value"], None)
    return list(seen)


def python_parse(values: list[str]) -> float:
    clear_cache()
    t0 = time.perf_counter()
    for v in values:
        with contextlib.suppress(OpeningHoursError):
            OpeningHours.parse(v, lat=ESSEN[0], lon=ESSEN[1])
    return time.perf_counter() - t0


def python_state(compiled: list[OpeningHours], moments: list[datetime]) -> float:
    n_c, n_m = len(compiled), len(moments)
    t0 = time.perf_counter()
    for i in range(CHECKS):
        compiled[i % n_c].state_at(moments[i % n_m])
    return time.perf_counter() - t0


def node_figures(values: list[str], times_ms: list[int]) -> dict[str, list[float]] | None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        print("[skip] node/npm not available: no opening_hours.js comparison")
        return None
    if not (CACHE / "node_modules" / "opening_hours").is_dir():
        CACHE.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(CACHE), "opening_hours"],
                check=True,
                capture_output=True,
                timeout=300,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            print(f"[skip] could not install npm opening_hours: {exc}")
            return None
    driver = CACHE / "bench_driver.js"
    driver.write_text(NODE_DRIVER)
    payload = json.dumps(
        {"values": values, "times": times_ms, "lat": ESSEN[0], "lon": ESSEN[1], "runs": RUNS, "checks": CHECKS}
    )
    done = subprocess.run(
        ["node", str(driver)],
        input=payload,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
        env=dict(os.environ, TZ="Europe/Berlin"),
    )
    return json.loads(done.stdout)


def main() -> None:
    values = load_values()
    rng = random.Random(42)
    start = datetime(2024, 1, 1, tzinfo=BERLIN).timestamp()
    end = datetime(2027, 12, 31, tzinfo=BERLIN).timestamp()
    stamps = [int(rng.uniform(start, end)) // 60 * 60 for _ in range(5000)]
    moments = [datetime.fromtimestamp(s, BERLIN) for s in stamps]
    compiled = []
    for v in values:
        with contextlib.suppress(OpeningHoursError):
            compiled.append(OpeningHours.parse(v, lat=ESSEN[0], lon=ESSEN[1]))
    py_parse = statistics.median(len(values) / python_parse(values) for _ in range(RUNS))
    python_state(compiled, moments)  # warm the per-day caches as a long-running service would have them
    py_state = statistics.median(CHECKS / python_state(compiled, moments) for _ in range(RUNS))
    node = node_figures(values, [s * 1000 for s in stamps])
    rows: list[tuple[str, float, float | None]] = [("parse (values/s, uncached)", py_parse, None),
                                                   ("state_at (checks/s)", py_state, None)]
    if node is not None:
        rows = [
            ("parse (values/s, uncached)", py_parse, len(values) / statistics.median(node["parse"])),
            ("state_at (checks/s)", py_state, CHECKS / statistics.median(node["state"])),
        ]
    print(
        f"\nopening-hours benchmark: {len(values)} distinct values ({len(compiled)} valid), "
        f"{CHECKS} state checks, median of {RUNS} runs"
    )
    print(f"{'figure':<30} {'datenhub':>12} {'opening_hours.js':>18} {'ratio':>8}")
    for name, ours, theirs in rows:
        other = f"{theirs:>18,.0f}" if theirs else f"{'n/a':>18}"
        ratio = f"{ours / theirs:>7.2f}x" if theirs else f"{'':>8}"
        print(f"{name:<30} {ours:>12,.0f} {other} {ratio}")
    print("targets: parse >= node's, state_at >= 200,000 checks/s")


if __name__ == "__main__":
    main()
