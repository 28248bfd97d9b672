"""Small builders for occupancy tests: sensors, payloads, a store with sensors registered."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from datenhub.live.model import Sensor, SensorKind
from datenhub.store import Store
from tests.conftest import FIXED_NOW

PLACE = "test:museum"
PEOPLE = Sensor("museum-eingang", PLACE, SensorKind.PEOPLE, "stadt-test", 200, "CC0-1.0", "Eingang")
PARKING = Sensor("museum-parkplatz", PLACE, SensorKind.PARKING, "stadt-test", 100, "CC0-1.0", "Parkplatz")


def register(store: Store, *sensors: Sensor) -> None:
    with store.transaction():
        for sensor in sensors or (PEOPLE, PARKING):
            store.upsert_sensor(sensor)


def payload(sensor: str = PEOPLE.id, minutes_ago: int = 0, **values: Any) -> dict[str, Any]:
    at = FIXED_NOW - timedelta(minutes=minutes_ago)
    body: dict[str, Any] = {"sensor": sensor, "observed_at": at.isoformat()}
    body.update(values or {"count": 50})
    return body


def at(minutes_ago: int) -> datetime:
    return FIXED_NOW - timedelta(minutes=minutes_ago)
