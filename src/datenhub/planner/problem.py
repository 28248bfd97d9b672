"""The orienteering problem with time windows (OPTW/TOPTW) as data, and what a solver returns.

Time semantics, shared by the solver and its checker:

* a tour leaves ``start`` at ``open[start]`` plus the start's service duration;
* at a visited node, service begins at ``max(arrival, open[i])`` and must begin by ``close[i]``;
  it lasts ``service[i]``;
* service at ``end`` (arrival, or ``open[end]`` if later) must begin by the deadline
  ``min(close[end], open[start] + max_time)``.

Start and end nodes earn no profit and are never listed in a route.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class OrienteeringProblem:
    """n nodes with profit, service duration and a (open, close) window for the start of service.

    ``travel[i, j]`` is the travel time from i to j; it need not be symmetric nor obey the
    triangle inequality. Arrays are converted to float numpy arrays on construction.
    """

    profit: FloatArray
    service: FloatArray
    open: FloatArray
    close: FloatArray
    travel: FloatArray
    start: int = 0
    end: int = 0
    max_time: float = math.inf
    names: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        for name in ("profit", "service", "open", "close", "travel"):
            object.__setattr__(self, name, np.array(getattr(self, name), dtype=np.float64))
        n = self.profit.shape[0]
        if self.profit.ndim != 1 or n == 0:
            raise ValueError("profit must be a non-empty vector")
        for name in ("service", "open", "close"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name} must have length {n}")
        if self.travel.shape != (n, n):
            raise ValueError(f"travel must be a {n}x{n} matrix, got shape {self.travel.shape}")
        if not np.all(np.isfinite(self.travel)) or np.any(self.travel < 0):
            raise ValueError("travel times must be finite and non-negative")
        if np.any(self.service < 0):
            raise ValueError("service durations must be non-negative")
        if not (0 <= self.start < n and 0 <= self.end < n):
            raise ValueError(f"start and end must be node indices in [0, {n})")
        if self.max_time < 0:
            raise ValueError("max_time must be non-negative")

    @classmethod
    def from_windows(
        cls,
        profit: ArrayLike,
        service: ArrayLike,
        windows: Sequence[tuple[float, float]],
        travel: ArrayLike,
        start: int = 0,
        end: int = 0,
        max_time: float = math.inf,
    ) -> OrienteeringProblem:
        """Build a problem from a list of (open, close) pairs instead of two vectors."""
        win = np.array(windows, dtype=np.float64).reshape(-1, 2)
        return cls(profit, service, win[:, 0], win[:, 1], travel, start, end, max_time)  # type: ignore[arg-type]

    @property
    def size(self) -> int:
        return int(self.profit.shape[0])

    @property
    def deadline(self) -> float:
        """Latest arrival at the end node."""
        return float(min(self.close[self.end], self.open[self.start] + self.max_time))

    @property
    def customers(self) -> list[int]:
        """Nodes a route may visit: every node but the start and end."""
        return [i for i in range(self.size) if i not in (self.start, self.end)]


@dataclass(frozen=True)
class Solution:
    """Routes as node ids in visit order (start and end excluded), their total profit and effort."""

    routes: tuple[tuple[int, ...], ...]
    score: float
    seconds: float = 0.0
    iterations: int = 0

    def to_dict(self) -> dict[str, object]:
        score: float | int = int(self.score) if float(self.score).is_integer() else self.score
        return {
            "score": score,
            "routes": [list(r) for r in self.routes],
            "seconds": round(self.seconds, 3),
        }
