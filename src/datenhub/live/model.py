"""The occupancy model: sensors and their readings. Aggregates only: no personal data, no device ids.

Absolute numbers (`count`, `free`, `capacity`) and the derived `fraction` (0–1) are kept apart, and
`method` says how the fraction was obtained, so a consumer never mistakes one for the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from datenhub.model.licence import LicenceId, parse_licence

SENSOR_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")  # no '/', '+' or '#': it is an MQTT topic level


class SensorKind(StrEnum):
    PEOPLE = "people"  # a people counter: count of persons present
    PARKING = "parking"  # a car park: free spaces (count of occupied spaces derivable)
    TICKETING = "ticketing"  # tickets sold/scanned in a window
    MANUAL = "manual"  # staff enter a count or a level by hand


class Method(StrEnum):
    """How the fraction of a reading was obtained."""

    COUNT = "count/capacity"
    FREE = "free/capacity"
    REPORTED = "reported"  # the source sent a fraction (e.g. NGSI-LD CrowdFlowObserved.occupancy)
    NONE = "none"  # no capacity known: absolute numbers only


def valid_sensor_id(value: str) -> bool:
    return bool(SENSOR_ID_RE.match(value))


def sensor_licence(text: str | None) -> str | None:
    """A sensor's licence as the hub writes licences ("CC BY 4.0" → CC-BY-4.0); ValueError names the known ones.
    None stays None: such a sensor's readings are not published to anonymous readers (live.status.readable)."""
    if text is None or not text.strip():
        return None
    licence = parse_licence(text)
    if licence is None:
        raise ValueError(f"unknown licence {text!r}; use one of {', '.join(LicenceId)}")
    return licence.value


@dataclass(frozen=True, slots=True)
class Sensor:
    id: str
    place_id: str
    kind: SensorKind
    source: str
    capacity: int | None = None
    licence: str | None = None
    name: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "place": self.place_id, "kind": self.kind.value, "capacity": self.capacity,
                "source": self.source, "licence": self.licence, "name": self.name}


@dataclass(frozen=True, slots=True)
class OccupancyReading:
    """One aggregate observation of a sensor at `observed_at` (aware), or over the window ending then."""

    sensor_id: str
    observed_at: datetime
    count: int | None = None
    free: int | None = None
    capacity: int | None = None
    fraction: float | None = None
    method: Method = Method.NONE
    window_seconds: int | None = None
    received_at: datetime | None = None

    def same_values(self, other: OccupancyReading) -> bool:
        """Equal as data (a re-delivery), ignoring when it was received."""
        return (self.count, self.free, self.capacity, self.window_seconds) == (
            other.count, other.free, other.capacity, other.window_seconds) and _close(self.fraction, other.fraction)

    def with_received(self, at: datetime) -> OccupancyReading:
        return replace(self, received_at=at)

    def to_dict(self) -> dict[str, object]:
        return {"sensor": self.sensor_id, "observed_at": self.observed_at.isoformat(), "count": self.count,
                "free": self.free, "capacity": self.capacity,
                "fraction": None if self.fraction is None else round(self.fraction, 4),
                "method": self.method.value, "window_seconds": self.window_seconds}


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) < 1e-6


def derive(sensor: Sensor, observed_at: datetime, *, count: int | None, free: int | None,
           capacity: int | None, fraction: float | None = None, window_seconds: int | None = None) -> OccupancyReading:
    """Fill in the fraction from the absolute numbers; a count above capacity is kept, the fraction capped at 1."""
    cap = capacity if capacity is not None else sensor.capacity
    method = Method.NONE
    if fraction is not None:
        method = Method.REPORTED
    elif free is not None and cap:
        fraction, method = (cap - free) / cap, Method.FREE
    elif count is not None and cap:
        fraction, method = count / cap, Method.COUNT
    if fraction is not None:
        fraction = min(1.0, max(0.0, fraction))
    return OccupancyReading(sensor.id, observed_at, count, free, cap, fraction, method, window_seconds)


@dataclass(frozen=True, slots=True)
class ReadingsWrite:
    """What `Store.add_readings` did: new readings, re-deliveries, conflicts (new, kept) for dead letters, and
    readings refused as `compacted`: at or before their sensor's compaction horizon, whose raw readings are gone
    (a re-sent one would be counted twice)."""

    inserted: list[OccupancyReading]
    duplicates: int
    conflicts: list[tuple[OccupancyReading, OccupancyReading]]
    compacted: list[OccupancyReading] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class HourBucket:
    """One sensor-hour: `n` readings; occupied counts (count, or capacity − free) and fractions summarised."""

    sensor_id: str
    hour: datetime
    n: int
    avg_count: float | None
    min_count: int | None
    max_count: int | None
    avg_fraction: float | None
    min_fraction: float | None
    max_fraction: float | None

    def to_dict(self) -> dict[str, object]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {"sensor": self.sensor_id, "from": self.hour.isoformat(), "n": self.n, "avg_count": r(self.avg_count),
                "min_count": self.min_count, "max_count": self.max_count, "avg_fraction": r(self.avg_fraction),
                "min_fraction": r(self.min_fraction), "max_fraction": r(self.max_fraction)}


# The people (cars …) a reading counts, as SQL over a readings row, for both stores' aggregates: its count, else
# capacity minus free, never below 0 (a car park that reports more free spaces than it has is empty, not -400)
OCCUPIED_SQL = "coalesce(count, CASE WHEN free > capacity THEN 0 ELSE capacity - free END)"


def merge_bucket(old: list[Any] | None, new: list[Any]) -> list[Any]:
    """Combine two summaries of one sensor-hour (compacted + late raw readings): n, avg/min/max count and fraction."""
    if old is None:
        return new
    n = old[0] + new[0]

    def avg(a: float | None, b: float | None) -> float | None:
        if a is None or b is None:
            return a if b is None else b
        return float((a * old[0] + b * new[0]) / n)

    def pick(fn: Any, a: Any, b: Any) -> Any:
        return a if b is None else b if a is None else fn(a, b)

    return [n, avg(old[1], new[1]), pick(min, old[2], new[2]), pick(max, old[3], new[3]), avg(old[4], new[4]),
            pick(min, old[5], new[5]), pick(max, old[6], new[6])]


K = TypeVar("K")


Conflict = tuple[OccupancyReading, OccupancyReading]  # (rejected, kept)


def split_new_readings(keyed: list[K], readings: list[OccupancyReading], known: dict[K, OccupancyReading]
                       ) -> tuple[list[tuple[K, OccupancyReading]], int, list[Conflict]]:
    """One reading per (sensor, observed_at), the first one kept, whatever the backend.

    `keyed` holds each reading's storage key; `known` the readings already stored under those keys (it is
    extended with the new ones). Returns (new readings with their keys, duplicates, conflicts as
    (rejected, kept)): an equal repeat is a duplicate, a different value for a known key a conflict.
    """
    new: list[tuple[K, OccupancyReading]] = []
    duplicates = 0
    conflicts: list[Conflict] = []
    for key, reading in zip(keyed, readings, strict=True):
        kept = known.get(key)
        if kept is None:
            known[key] = reading
            new.append((key, reading))
        elif kept.same_values(reading):
            duplicates += 1
        else:
            conflicts.append((reading, kept))
    return new, duplicates, conflicts
