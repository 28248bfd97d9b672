"""Reading payloads → OccupancyReading, or the notice saying why not. Never raises on bad input.

The payload: {"sensor": "<id>", "observed_at": "<ISO 8601 with offset>", "count": <int>, "capacity": <int>}
(`free` instead of `count` for car parks; `fraction` 0–1 when a source only reports a level; `window`
{"start", "end"} instead of `observed_at` for counts over a period). NGSI-LD entities are translated first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from datenhub.live.model import OccupancyReading, Sensor, derive, valid_sensor_id
from datenhub.live.ngsi import is_ngsi, ngsi_to_payloads
from datenhub.live.notices import occupancy_notice
from datenhub.notices import Notice

ABSURD_FACTOR = 10
CEILING = 10_000_000  # no sensor we know counts more; beyond this a value is a unit or encoding error
FUTURE_TOLERANCE = timedelta(hours=1)
# No counter of this hub's sensors read before 2000; a year-1 or 1900 time is a device's unset clock, and one
# stored would break reading it back (datetime's range) and PostgreSQL's monthly partitions
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
MAX_WINDOW = timedelta(days=31)  # a window of one reading: a month's ticket count at most

SensorLookup = Callable[[str], Sensor | None]


class _Bad(Exception):
    def __init__(self, notice: Notice) -> None:
        self.notice = notice


def decode(raw: bytes | str) -> list[Any] | Notice:
    """Bytes → a list of payload objects (a single object becomes a list of one), or malformed_json."""
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        return occupancy_notice("malformed_json", f"the payload is not JSON: {exc}", value=text[:120])
    if isinstance(doc, dict):
        return ngsi_to_payloads(doc) if is_ngsi(doc) else [doc]
    if isinstance(doc, list):
        out: list[Any] = []
        for item in doc:
            out.extend(ngsi_to_payloads(item) if isinstance(item, dict) and is_ngsi(item) else [item])
        return out
    return occupancy_notice("invalid_payload", "expected a JSON object or a list of objects", value=doc)


def _whole(obj: dict[str, Any], name: str, sensor: str | None) -> int | None:
    value = obj.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            isinstance(value, float) and not value.is_integer()):
        raise _Bad(occupancy_notice("wrong_type", f"{name} must be a whole number, not {type(value).__name__}",
                                    sensor=sensor, field=name, value=value))
    number = int(value)
    if number < 0:
        raise _Bad(occupancy_notice("negative_value", f"{name} is negative", sensor=sensor, field=name, value=value))
    if number > CEILING:
        raise _Bad(occupancy_notice("absurd_value", f"{name} {number} is beyond any plausible sensor",
                                    sensor=sensor, field=name, value=value))
    return number


def _instant(value: object, field: str, sensor: str | None) -> datetime:
    if not isinstance(value, str):
        raise _Bad(occupancy_notice("wrong_type", f"{field} must be an ISO 8601 string", sensor=sensor, field=field,
                                    value=value))
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise _Bad(occupancy_notice("invalid_timestamp", f"{field} is not ISO 8601", sensor=sensor, field=field,
                                    value=value)) from None
    if at.tzinfo is None:
        raise _Bad(occupancy_notice("invalid_timestamp", f"{field} needs a UTC offset (e.g. +02:00 or Z)",
                                    sensor=sensor, field=field, value=value))
    return at


def _when(obj: dict[str, Any], sensor: str) -> tuple[datetime, int | None]:
    window = obj.get("window")
    if obj.get("observed_at") is None and isinstance(window, dict):
        start = _instant(window.get("start"), "window.start", sensor)
        end = _instant(window.get("end"), "window.end", sensor)
        if end <= start:
            raise _Bad(occupancy_notice("invalid_timestamp", "window.end must be after window.start", sensor=sensor,
                                        field="window", value=window))
        if end - start > MAX_WINDOW or start < EARLIEST:
            raise _Bad(occupancy_notice("invalid_timestamp", f"a window starts in {EARLIEST.year} or later and lasts "
                                        f"{MAX_WINDOW.days} days at most", sensor=sensor, field="window",
                                        value=window))
        return end, int((end - start).total_seconds())
    if obj.get("observed_at") is None:
        raise _Bad(occupancy_notice("missing_field", "observed_at (or window) is required", sensor=sensor,
                                    field="observed_at"))
    return _instant(obj["observed_at"], "observed_at", sensor), None


def _fraction(obj: dict[str, Any], sensor: str) -> float | None:
    value = obj.get("fraction")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(occupancy_notice("wrong_type", "fraction must be a number from 0 to 1", sensor=sensor,
                                    field="fraction", value=value))
    if value < 0:
        raise _Bad(occupancy_notice("negative_value", "fraction is negative", sensor=sensor, field="fraction",
                                    value=value))
    if value > 1:
        raise _Bad(occupancy_notice("absurd_value", "fraction is above 1", sensor=sensor, field="fraction",
                                    value=value))
    return float(value)


def _reading(obj: object, sensors: SensorLookup, now: datetime, topic_sensor: str | None) -> OccupancyReading:
    if not isinstance(obj, dict):
        raise _Bad(occupancy_notice("invalid_payload", "each reading must be a JSON object", value=obj))
    sensor_id = obj.get("sensor", topic_sensor)
    if sensor_id is None:
        raise _Bad(occupancy_notice("missing_field", "sensor is required", field="sensor"))
    if not isinstance(sensor_id, str) or not valid_sensor_id(sensor_id):
        raise _Bad(occupancy_notice("wrong_type", "sensor must be an id of letters, digits and . _ : -",
                                    field="sensor", value=sensor_id))
    if topic_sensor is not None and sensor_id != topic_sensor:
        raise _Bad(occupancy_notice("sensor_mismatch", f"payload sensor {sensor_id!r} on the topic of "
                                    f"{topic_sensor!r}", sensor=sensor_id, field="sensor", value=sensor_id))
    sensor = sensors(sensor_id)
    if sensor is None:
        raise _Bad(occupancy_notice("unknown_sensor", f"no sensor {sensor_id!r} is registered", sensor=sensor_id,
                                    field="sensor", value=sensor_id))
    observed_at, window = _when(obj, sensor_id)
    if observed_at > now + FUTURE_TOLERANCE:
        raise _Bad(occupancy_notice("invalid_timestamp", "observed_at lies in the future", sensor=sensor_id,
                                    field="observed_at", value=obj.get("observed_at")))
    if observed_at < EARLIEST:
        raise _Bad(occupancy_notice("invalid_timestamp", f"observed_at lies before {EARLIEST.year}: a device's "
                                    "unset clock, most likely", sensor=sensor_id, field="observed_at",
                                    value=obj.get("observed_at")))
    count, free, capacity = (_whole(obj, name, sensor_id) for name in ("count", "free", "capacity"))
    fraction = _fraction(obj, sensor_id)
    if count is None and free is None and fraction is None:
        raise _Bad(occupancy_notice("missing_field", "count (or free, or fraction) is required", sensor=sensor_id,
                                    field="count"))
    cap = capacity if capacity is not None else sensor.capacity
    for name, value in (("count", count), ("free", free)):
        if value is not None and cap and value > cap * ABSURD_FACTOR:
            raise _Bad(occupancy_notice("absurd_value", f"{name} {value} is more than {ABSURD_FACTOR}× the "
                                        f"capacity {cap}", sensor=sensor_id, field=name, value=value))
    return derive(sensor, observed_at, count=count, free=free, capacity=capacity, fraction=fraction,
                  window_seconds=window)


def parse_reading(obj: object, sensors: SensorLookup, now: datetime,
                  topic_sensor: str | None = None) -> OccupancyReading | Notice:
    """One decoded payload object → a reading, or the notice that rejects it."""
    try:
        return _reading(obj, sensors, now, topic_sensor)
    except _Bad as bad:
        return bad.notice
