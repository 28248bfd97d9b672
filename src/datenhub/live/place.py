"""Everything about one place's occupancy, as plain JSON: latest per sensor, status, history, forecast."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from datenhub.clock import BERLIN
from datenhub.live.forecast import forecast
from datenhub.live.model import HourBucket, Sensor, merge_bucket
from datenhub.live.status import Thresholds, place_sensors, place_status
from datenhub.store import Store

INTERVALS = ("raw", "hour", "day")
RAW_LIMIT = 10_000  # readings per sensor in one response
DEFAULT_SPAN = timedelta(hours=24)


def day_buckets(buckets: list[HourBucket]) -> list[dict[str, Any]]:
    """Hour buckets → one summary per sensor and local (Europe/Berlin) day."""
    days: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for b in buckets:
        key = (b.sensor_id, b.hour.astimezone(BERLIN).date().isoformat())
        merged = merge_bucket(days.get(key) or None, [b.n, b.avg_count, b.min_count, b.max_count, b.avg_fraction,
                                                     b.min_fraction, b.max_fraction])
        days[key] = merged
    out = []
    for (sensor, day), v in sorted(days.items()):
        out.append({"sensor": sensor, "from": day, "n": v[0], "avg_count": _r(v[1]), "min_count": v[2],
                    "max_count": v[3], "avg_fraction": _r(v[4]), "min_fraction": _r(v[5]), "max_fraction": _r(v[6])})
    return out


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def history(store: Store, sensors: list[Sensor], start: datetime, end: datetime, interval: str) -> dict[str, Any]:
    ids = [s.id for s in sensors]
    body: dict[str, Any] = {"from": start.isoformat(), "to": end.isoformat(), "interval": interval}
    if interval == "raw":
        items: list[dict[str, object]] = []
        for sensor_id in ids:
            items.extend(r.to_dict() for r in store.readings(sensor_id, start, end, limit=RAW_LIMIT))
        body["items"] = items
    elif interval == "hour":
        body["items"] = [b.to_dict() for b in store.hourly_readings(ids, start, end)]
    else:
        local_start = start.astimezone(BERLIN).replace(hour=0, minute=0, second=0, microsecond=0)
        body["items"] = day_buckets(store.hourly_readings(ids, local_start, end))
    return body


def place_occupancy(store: Store, place_id: str, now: datetime, *, thresholds: Thresholds | None = None,
                    start: datetime | None = None, end: datetime | None = None, interval: str = "hour",
                    with_forecast: bool = True, include_closed: bool = False) -> dict[str, Any] | None:
    """None when neither a place nor a sensor answers to the id (for this reader: live.status.place_sensors)."""
    thresholds = thresholds or Thresholds.from_env()
    entity, sensors = place_sensors(store, place_id, include_closed)
    if entity is None and not sensors:
        return None
    latest = store.latest_readings([s.id for s in sensors])
    end = end or now
    start = start or end - DEFAULT_SPAN
    return {
        "place": entity["id"] if entity else place_id,
        **place_status(latest, sensors, now, thresholds),
        "sensors": [s.to_dict() for s in sensors],
        "latest": [r.to_dict() for r in latest],
        "history": history(store, sensors, start, end, interval) if sensors else None,
        "forecast": forecast(store, sensors, now, thresholds) if with_forecast else None,
    }
