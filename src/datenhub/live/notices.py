"""The notices occupancy ingest can emit. Each rejected payload becomes a dead letter carrying one of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from datenhub.notices import Location, Notice, Severity
from datenhub.notices.notice import shorten

SOURCE = "occupancy"

CODES: dict[str, tuple[Severity, str]] = {
    "malformed_json": (Severity.ERROR, "the payload is not JSON"),
    "invalid_payload": (Severity.ERROR, "the JSON is not a reading object (or a list of them)"),
    "missing_field": (Severity.ERROR, "a required field (sensor, observed_at, count/free) is missing"),
    "wrong_type": (Severity.ERROR, "a field has the wrong type (e.g. a string where a whole number belongs)"),
    "invalid_timestamp": (Severity.ERROR, "observed_at is not ISO 8601 with a UTC offset"),
    "unknown_sensor": (Severity.ERROR, "the sensor is not registered (datenhub occupancy sensor add)"),
    "sensor_mismatch": (Severity.ERROR, "the payload names another sensor than its MQTT topic"),
    "negative_value": (Severity.ERROR, "a count, free or capacity value is negative"),
    "absurd_value": (Severity.ERROR, "a value is above ten times the capacity"),
    "conflicting_reading": (Severity.WARNING, "a reading for the same sensor and time with other values; "
                                              "the first one is kept"),
    "already_compacted": (Severity.INFO, "at or before the last reading compaction folded into hourly history; "
                                         "not stored (it may be one of those readings, sent again)"),
    "store_refused": (Severity.ERROR, "the database refused the reading's values (e.g. a number too large for its "
                                      "column); fix it at the sender"),
    "store_failed": (Severity.ERROR, "storing failed again and again with an unexpected error; the payload is kept "
                                     "to be sent again once the cause is fixed"),
}


def occupancy_notice(code: str, message: str, *, sensor: str | None = None, field: str | None = None,
                     value: object = None, pointer: str | None = None) -> Notice:
    severity, _ = CODES[code]
    return Notice(code, severity, message, Location(SOURCE, pointer=pointer, field=field, entity_id=sensor),
                  None if value is None else shorten(value))


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A payload we could not (or would not) store, with why, kept for inspection and replay."""

    received_at: datetime
    channel: str  # "http", "mqtt:<topic>", "replay:<file>"
    notice: Notice
    payload: str

    def to_dict(self) -> dict[str, object]:
        return {"received_at": self.received_at.isoformat(), "channel": self.channel, **self.notice.to_dict(),
                "payload": self.payload}
