"""Small instances for the planner tests, and where the shared OPTW data lives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from datenhub.planner import OrienteeringProblem

OPTW_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "optw"

SMALL_OPTW = """\
2 2 4 1
0 100
 0 0.0 0.0 0.0 0.0 0 0 0 100
 1 3.0 4.0 2.0 10.0 1 1 1 0 50
 2 6.0 8.0 2.0 20.0 1 1 1 10 60
 3 -3.0 -4.0 2.0 15.0 1 1 1 0 100
 4 0.0 9.0 1.0 5.0 0 2 1 2 30 90
"""


@pytest.fixture
def optw_data() -> Path:
    if not (OPTW_DATA / "optima_m1.csv").exists():
        pytest.skip(f"shared OPTW data not found at {OPTW_DATA}")
    return OPTW_DATA


def random_problem(seed: int, customers: int, start: int = 0, end: int = 0) -> OrienteeringProblem:
    """Euclidean instance on a 100x100 square with random windows and a tight budget."""
    rng = np.random.default_rng(seed)
    n = customers + (1 if start == end else 2)
    xy = rng.uniform(0, 100, size=(n, 2))
    travel = np.floor(np.linalg.norm(xy[:, None] - xy[None], axis=2) * 10) / 10
    profit = rng.integers(1, 30, size=n).astype(float)
    opening = rng.uniform(0, 150, size=n)
    closing = opening + rng.uniform(20, 150, size=n)
    opening[[start, end]] = 0.0
    closing[[start, end]] = 400.0
    return OrienteeringProblem(
        profit=profit,
        service=rng.uniform(0, 15, size=n),
        open=opening,
        close=closing,
        travel=travel,
        start=start,
        end=end,
        max_time=float(rng.uniform(150, 300)),
    )
