"""Deterministic occupancy readings for the PostgreSQL benchmark: N sensors, one reading each per step.

A reading's values depend only on (sensor, step), so any run with the same arguments produces the same
series without a cache file: people counters with a daily curve plus noise, every 15 minutes by default.
Batches come in time order (every sensor at step t, then t+1 …), as a live feed delivers them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from datenhub.live.model import Method, OccupancyReading, Sensor, SensorKind

T0 = datetime(2026, 1, 1, tzinfo=UTC)
CAPACITY = 400


def bench_sensors(count: int) -> list[Sensor]:
    return [Sensor(f"bench-{i:05d}", f"bench:p{i + 1}", SensorKind.PEOPLE, "bench", CAPACITY) for i in range(count)]


def reading_batches(sensors: int, total: int, batch: int = 10_000, step: timedelta = timedelta(minutes=15),
                    start: datetime = T0) -> Iterator[list[OccupancyReading]]:
    """`total` readings (rounded down to whole steps) in batches of about `batch`, oldest first."""
    steps = total // sensors
    ids = [f"bench-{i:05d}" for i in range(sensors)]
    out: list[OccupancyReading] = []
    for n in range(steps):
        at = start + n * step
        received = at + timedelta(seconds=20)
        hour = at.hour + at.minute / 60
        daily = max(0.0, math.sin((hour - 7) / 14 * math.pi))  # open 7-21 UTC, peak mid-afternoon
        for s, sensor_id in enumerate(ids):
            noise = ((n * 7919 + s * 104729) % 101) / 100 - 0.5  # in [-0.5, 0.5], no RNG state to carry
            count = max(0, min(CAPACITY, round(CAPACITY * (0.8 * daily + 0.1 * noise + 0.05))))
            out.append(OccupancyReading(sensor_id, at, count=count, capacity=CAPACITY, fraction=count / CAPACITY,
                                        method=Method.COUNT, received_at=received))
        if len(out) >= batch:
            yield out
            out = []
    if out:
        yield out
