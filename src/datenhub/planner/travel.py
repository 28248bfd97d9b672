"""Travel times between points for the stay planner, behind one small contract a timetable source can replace.

The built-in sources estimate from straight-line distance: a speed, a detour factor for the real path, and a
fixed wait per leg (transit: walking to the stop, waiting, changing). A GTFS-based source only has to give
``matrix(points)``; the planner reads nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
Point = tuple[float, float]  # lat, lon (WGS84)
EARTH_RADIUS_KM = 6371.0088


@runtime_checkable
class TravelTimeSource(Protocol):
    """Minutes from every point to every other point, for one way of travelling."""

    @property
    def mode(self) -> str:
        """The way of travelling the plan's legs are labelled with: walk, bike or transit."""
        ...

    def matrix(self, points: Sequence[Point]) -> FloatArray:
        """An n×n matrix of non-negative minutes; the diagonal is 0."""
        ...


def straight_km(points: Sequence[Point]) -> FloatArray:
    """Great-circle distances in km between every pair of points (haversine)."""
    if not points:
        return np.zeros((0, 0))
    lat = np.radians(np.array([p[0] for p in points], dtype=np.float64))
    lon = np.radians(np.array([p[1] for p in points], dtype=np.float64))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass(frozen=True)
class StraightLineTravel:
    """Estimate: straight-line km × ``detour`` at ``speed_kmh``, plus ``wait_minutes`` per leg."""

    mode: str
    speed_kmh: float
    detour: float
    wait_minutes: float = 0.0
    walk: StraightLineTravel | None = None  # a quicker walk replaces short transit legs

    def path_km(self, points: Sequence[Point]) -> FloatArray:
        return straight_km(points) * self.detour

    def own_matrix(self, points: Sequence[Point]) -> FloatArray:
        minutes = self.path_km(points) / self.speed_kmh * 60.0 + self.wait_minutes
        np.fill_diagonal(minutes, 0.0)
        return minutes

    def matrix(self, points: Sequence[Point]) -> FloatArray:
        minutes = self.own_matrix(points)
        if self.walk is not None:
            minutes = np.minimum(minutes, self.walk.own_matrix(points))
        return minutes

    def legs(self, points: Sequence[Point]) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
        """Minutes, km, and whether walking is the quicker way, for every pair."""
        own = self.own_matrix(points)
        km = self.path_km(points)
        if self.walk is None:
            return own, km, np.zeros(own.shape, dtype=bool)
        walk = self.walk.own_matrix(points)
        walks = walk < own
        return np.where(walks, walk, own), np.where(walks, self.walk.path_km(points), km), walks


WALK = StraightLineTravel("walk", speed_kmh=4.5, detour=1.3)
BIKE = StraightLineTravel("bike", speed_kmh=15.0, detour=1.25)
# Transit approximated until a GTFS source exists: 25 km/h on a path 1.4× the straight line, 8 min to get to
# the stop, wait and change per leg; a leg shorter on foot is walked.
TRANSIT = StraightLineTravel("transit", speed_kmh=25.0, detour=1.4, wait_minutes=8.0, walk=WALK)

TRAVEL_SOURCES: dict[str, TravelTimeSource] = {"walk": WALK, "bike": BIKE, "transit": TRANSIT}


def travel_source(mode: str) -> TravelTimeSource:
    try:
        return TRAVEL_SOURCES[mode]
    except KeyError:
        raise ValueError(f"unknown travel mode {mode!r}; use one of {', '.join(TRAVEL_SOURCES)}") from None


def legs_of(source: TravelTimeSource, points: Sequence[Point]) -> tuple[FloatArray, FloatArray, list[list[str]]]:
    """Minutes, km and mode of every pair; km is straight-line for sources that do not know their path."""
    legs = getattr(source, "legs", None)
    if callable(legs):
        minutes, km, walks = legs(points)
        modes = [["walk" if w else source.mode for w in row] for row in walks.tolist()]
        return minutes, km, modes
    n = len(points)
    return source.matrix(points), straight_km(points), [[source.mode] * n for _ in range(n)]


def round_minutes(minutes: FloatArray) -> FloatArray:
    """Whole minutes, rounded up: a plan's clock times are then exact and never optimistic."""
    return np.ceil(minutes - 1e-9).clip(min=0.0)


def is_finite_point(point: Point) -> bool:
    return all(math.isfinite(v) for v in point) and -90 <= point[0] <= 90 and -180 <= point[1] <= 180
