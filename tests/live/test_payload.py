"""Payload validation: every bad input becomes a notice with a code, never an exception."""

from __future__ import annotations

import orjson
import pytest

from datenhub.live.model import Method, OccupancyReading
from datenhub.live.payload import decode, parse_reading
from datenhub.notices import Notice
from tests.conftest import FIXED_NOW
from tests.live.helpers import PARKING, PEOPLE, payload

SENSORS = {PEOPLE.id: PEOPLE, PARKING.id: PARKING}


def parse(obj: object, topic: str | None = None) -> OccupancyReading | Notice:
    return parse_reading(obj, SENSORS.get, FIXED_NOW, topic)


def code(result: object) -> str:
    assert isinstance(result, Notice), result
    return result.code


def test_parse_count_derives_fraction_from_sensor_capacity() -> None:
    reading = parse(payload(count=50))
    assert not isinstance(reading, Notice)
    assert (reading.count, reading.capacity, reading.fraction, reading.method) == (50, 200, 0.25, Method.COUNT)


def test_parse_free_on_car_park_derives_occupied_fraction() -> None:
    reading = parse(payload(PARKING.id, free=25, capacity=100))
    assert not isinstance(reading, Notice)
    assert (reading.free, reading.fraction, reading.method) == (25, 0.75, Method.FREE)


def test_parse_count_above_capacity_caps_fraction_keeps_count() -> None:
    reading = parse(payload(count=260))
    assert not isinstance(reading, Notice)
    assert (reading.count, reading.fraction) == (260, 1.0)


def test_parse_window_uses_end_and_length() -> None:
    obj = {"sensor": PEOPLE.id, "window": {"start": "2026-06-04T10:00:00+02:00", "end": "2026-06-04T10:15:00+02:00"},
           "count": 10}
    reading = parse(obj)
    assert not isinstance(reading, Notice)
    assert reading.window_seconds == 900 and reading.observed_at.minute == 15


@pytest.mark.parametrize(("obj", "expected"), [
    (payload(count="12"), "wrong_type"),
    (payload(count=1.5), "wrong_type"),
    (payload(count=True), "wrong_type"),
    (payload(count=-1), "negative_value"),
    (payload(count=2001), "absurd_value"),
    (payload(count=99_999_999), "absurd_value"),
    (payload(fraction=1.5), "absurd_value"),
    (payload("nobody-knows"), "unknown_sensor"),
    ({"observed_at": "2026-06-04T10:00:00+02:00", "count": 1}, "missing_field"),
    ({"sensor": PEOPLE.id, "count": 1}, "missing_field"),
    (payload(capacity=100), "missing_field"),
    ({"sensor": PEOPLE.id, "observed_at": "2026-06-04T10:00:00", "count": 1}, "invalid_timestamp"),
    ({"sensor": PEOPLE.id, "observed_at": "gestern", "count": 1}, "invalid_timestamp"),
    ({"sensor": PEOPLE.id, "observed_at": 1717488000, "count": 1}, "wrong_type"),
    ({"sensor": PEOPLE.id, "observed_at": "2027-01-01T00:00:00+00:00", "count": 1}, "invalid_timestamp"),
    # a device's unset clock: no datetime beyond year 1 to read back, no monthly partition for it
    ({"sensor": PEOPLE.id, "observed_at": "0001-01-01T00:30:00+01:00", "count": 1}, "invalid_timestamp"),
    ({"sensor": PEOPLE.id, "observed_at": "1969-12-31T23:30:00Z", "count": 1}, "invalid_timestamp"),
    ({"sensor": PEOPLE.id, "window": {"start": "1900-01-01T00:00:00Z", "end": "2026-06-04T10:00:00Z"}, "count": 1},
     "invalid_timestamp"),
    ({"sensor": PEOPLE.id, "window": {"start": "2026-01-01T00:00:00Z", "end": "2026-06-04T10:00:00Z"}, "count": 1},
     "invalid_timestamp"),
    ({"sensor": "a/b", "observed_at": "2026-06-04T10:00:00+02:00", "count": 1}, "wrong_type"),
    ([1, 2], "invalid_payload"),
])
def test_parse_bad_payload_gives_notice_code(obj: object, expected: str) -> None:
    assert code(parse(obj)) == expected


def test_parse_topic_names_other_sensor_is_mismatch() -> None:
    assert code(parse(payload(PEOPLE.id), topic=PARKING.id)) == "sensor_mismatch"


def test_parse_sensor_from_topic_when_payload_has_none() -> None:
    obj = payload()
    del obj["sensor"]
    reading = parse(obj, topic=PEOPLE.id)
    assert not isinstance(reading, Notice) and reading.sensor_id == PEOPLE.id


def test_decode_malformed_json_is_notice_and_list_is_kept() -> None:
    assert code(decode(b"{not json")) == "malformed_json"
    assert code(decode(b"42")) == "invalid_payload"
    assert decode(orjson.dumps([payload(), payload()])) == [payload(), payload()]


def test_decode_ngsi_ld_offstreetparking_and_crowdflow() -> None:
    parking = {"id": "urn:ngsi-ld:OffStreetParking:museum-parkplatz", "type": "OffStreetParking",
               "availableSpotNumber": {"type": "Property", "value": 40, "observedAt": "2026-06-04T09:00:00Z"},
               "totalSpotNumber": {"type": "Property", "value": 100}, "@context": ["https://uri.etsi.org/ngsi-ld/"]}
    crowd = {"id": "urn:ngsi-ld:CrowdFlowObserved:museum-eingang", "type": "CrowdFlowObserved",
             "peopleCount": 80, "occupancy": 0.4, "refDevice": "urn:ngsi-ld:Device:secret-mac",
             "dateObservedFrom": "2026-06-04T09:00:00Z", "dateObservedTo": "2026-06-04T09:15:00Z"}
    items = decode(orjson.dumps([parking, crowd]))
    assert isinstance(items, list)
    readings = [parse(item) for item in items]
    p, c = (r for r in readings if isinstance(r, OccupancyReading))
    assert (p.sensor_id, p.free, p.capacity, p.fraction) == ("museum-parkplatz", 40, 100, 0.6)
    assert (c.count, c.fraction, c.method, c.window_seconds) == (80, 0.4, Method.REPORTED, 900)
    assert "secret-mac" not in str(items)
