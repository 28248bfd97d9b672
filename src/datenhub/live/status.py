"""Place status from the latest readings: one fraction per place (capacity-weighted), then frei / mäßig / voll."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from datenhub.live.model import OccupancyReading, Sensor
from datenhub.model.licence import is_open, parse_licence
from datenhub.store import Store
from datenhub.store.base import sensor_place_ids

STALE_AFTER = timedelta(minutes=60)  # an older latest reading is shown, flagged stale, and left out of the status
FREE, MODERATE, FULL = "frei", "mäßig", "voll"
LABELS = {FREE: {"de": "frei", "en": "quiet"}, MODERATE: {"de": "mäßig", "en": "moderate"},
          FULL: {"de": "voll", "en": "busy"}}


@dataclass(frozen=True, slots=True)
class Thresholds:
    """fraction < moderate_from → frei; < full_from → mäßig; else voll.
    Configure with DATENHUB_OCCUPANCY_THRESHOLDS="0.5,0.85"."""

    moderate_from: float = 0.5
    full_from: float = 0.85

    def __post_init__(self) -> None:
        if not 0 <= self.moderate_from <= self.full_from <= 1:
            raise ValueError("thresholds must satisfy 0 <= moderate_from <= full_from <= 1")

    def status(self, fraction: float | None) -> str | None:
        if fraction is None:
            return None
        return FREE if fraction < self.moderate_from else MODERATE if fraction < self.full_from else FULL

    @classmethod
    def from_env(cls) -> Thresholds:
        value = os.environ.get("DATENHUB_OCCUPANCY_THRESHOLDS")
        if not value:
            return cls()
        low, _, high = value.partition(",")
        return cls(float(low), float(high))


def combine(pairs: Iterable[tuple[float | None, int | None]]) -> float | None:
    """(fraction, capacity) per sensor → one fraction: capacity-weighted where capacities are known, else the mean."""
    known = [(f, c) for f, c in pairs if f is not None]
    weighted = [(f, c) for f, c in known if c]
    if weighted:
        return sum(f * c for f, c in weighted) / sum(c for _, c in weighted)  # type: ignore[misc]
    return sum(f for f, _ in known) / len(known) if known else None  # type: ignore[misc]


def sensor_is_open(sensor: Sensor) -> bool:
    """Readings are data like records: published to anonymous readers only under an open licence. A sensor
    registered without one is not known to be open, as a record without one is held back."""
    licence = parse_licence(sensor.licence)
    return licence is not None and is_open(licence)


def readable(store: Store, sensors: list[Sensor], include_closed: bool) -> list[Sensor]:
    """The sensors a reader may see: all with closed:read (and for the operator's CLI), else the open ones whose
    place is not one only closed data holds (its id would tell of that data)."""
    if include_closed:
        return sensors
    hidden: dict[str, bool] = {}
    for place_id in {s.place_id for s in sensors if sensor_is_open(s)}:
        hidden[place_id] = store.get_entity(place_id) is None and store.get_entity(
            place_id, include_closed=True) is not None
    return [s for s in sensors if sensor_is_open(s) and not hidden[s.place_id]]


def place_sensors(store: Store, place_id: str, include_closed: bool = False,
                  ) -> tuple[dict[str, object] | None, list[Sensor]]:
    """The place entity as the reader may see it (None if unknown) and its readable sensors, registered under its
    hub id or any record id (or under the id itself where no place answers to it: sensors may come first). A
    place only closed data holds has no sensors for a reader of open data, so its id tells them nothing."""
    entity = store.get_entity(place_id, include_closed=include_closed)
    if entity is None and not include_closed and store.get_entity(place_id, include_closed=True) is not None:
        return None, []
    sensors = store.list_sensors(sensor_place_ids(entity, place_id) if entity is not None else [place_id])
    return entity, sensors if include_closed else [s for s in sensors if sensor_is_open(s)]


def place_status(latest: list[OccupancyReading], sensors: list[Sensor], now: datetime,
                 thresholds: Thresholds) -> dict[str, object]:
    capacity = {s.id: s.capacity for s in sensors}
    fresh = [r for r in latest if now - r.observed_at <= STALE_AFTER]
    fraction = combine((r.fraction, r.capacity or capacity.get(r.sensor_id)) for r in fresh)
    updated = max((r.observed_at for r in latest), default=None)
    return {"fraction": None if fraction is None else round(fraction, 4), "status": thresholds.status(fraction),
            "updated_at": updated.isoformat() if updated else None, "stale": bool(latest) and not fresh,
            "thresholds": {"moderate_from": thresholds.moderate_from, "full_from": thresholds.full_from}}
