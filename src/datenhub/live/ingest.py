"""Ingest: payloads from any channel (HTTP batch, MQTT, replay) → validated readings in the store; everything
rejected goes to the dead-letter table with its notice. Nothing here raises on bad input."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import orjson

from datenhub.clock import Clock, utc_now
from datenhub.live.model import OccupancyReading, Sensor
from datenhub.live.notices import DeadLetter, occupancy_notice
from datenhub.live.payload import decode, parse_reading
from datenhub.notices import Notice
from datenhub.store import Store, StoreError

SENSOR_TTL = 30.0  # seconds a known sensor's capacity is trusted before it is looked up again


@dataclass(slots=True)
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    notices: list[Notice] = field(default_factory=list)
    readings: list[OccupancyReading] = field(default_factory=list)

    def add(self, other: IngestResult) -> None:
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.rejected += other.rejected
        self.notices.extend(other.notices)
        self.readings.extend(other.readings)

    def summary(self) -> dict[str, int]:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


@dataclass(frozen=True, slots=True)
class Message:
    """One unit as it arrived: raw bytes (kept verbatim for dead letters), the channel, the topic's sensor."""

    raw: bytes
    channel: str
    topic_sensor: str | None = None


class SensorCache:
    """Sensor lookups for validation; unknown ids are asked again each time (they may be registered meanwhile)."""

    def __init__(self, store: Store, ttl: float = SENSOR_TTL) -> None:
        self.store, self.ttl = store, ttl
        self._known: dict[str, tuple[float, Sensor]] = {}
        self._lock = threading.Lock()

    def __call__(self, sensor_id: str) -> Sensor | None:
        now = time.monotonic()
        with self._lock:
            hit = self._known.get(sensor_id)
        if hit and now - hit[0] < self.ttl:
            return hit[1]
        sensor = self.store.get_sensor(sensor_id)
        if sensor is not None:
            with self._lock:
                self._known[sensor_id] = (now, sensor)
        return sensor

    def forget(self, sensor_id: str) -> None:
        with self._lock:
            self._known.pop(sensor_id, None)


# What SQLite says when its file cannot be used right now (busy, gone, unreadable, full): the database's state,
# not the message's, so the message waits. Any other OperationalError is a statement that cannot run.
_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o", "readonly", "no such table", "malformed",
                "not a database", "disk is full")


def _error_kinds() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    """(transient, about the data) exception types of the installed backends."""
    transient: list[type[BaseException]] = [StoreError]
    data: list[type[BaseException]] = [sqlite3.IntegrityError, sqlite3.DataError, OverflowError]
    try:
        import psycopg
        import psycopg_pool

        # OperationalError: connection lost, locks, deadlocks, serialization, disk full, shutdown;
        # UndefinedTable: a database without the hub's schema (it is being set up)
        transient += [psycopg.OperationalError, psycopg.InterfaceError, psycopg_pool.PoolTimeout,
                      psycopg.errors.UndefinedTable]
        data += [psycopg.DataError, psycopg.IntegrityError]
    except ImportError:
        pass
    return tuple(transient), tuple(data)


_TRANSIENT, _DATA = _error_kinds()
StoreFailure = Literal["transient", "data", "unknown"]


def store_failure(exc: BaseException) -> StoreFailure:
    """Why a write failed: `transient` (the database is busy, locked or away: retry as is), `data` (it refused
    these values: retrying cannot help) or `unknown` (retry a few times, then give the message up)."""
    if isinstance(exc, sqlite3.OperationalError):
        return "transient" if any(word in str(exc).lower() for word in _UNAVAILABLE) else "unknown"
    if isinstance(exc, _TRANSIENT):
        return "transient"
    return "data" if isinstance(exc, _DATA) else "unknown"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a reading came from, for its dead letter: the channel, and the payload item as sent."""

    channel: str
    item: Any


def _differences(new: OccupancyReading, kept: OccupancyReading) -> str:
    """e.g. "count 61 (stored: 60)": what makes a reading conflict with the one stored under its key."""
    fields = ("count", "free", "capacity", "fraction", "window_seconds")
    return ", ".join(f"{name} {getattr(new, name)} (stored: {getattr(kept, name)})" for name in fields
                     if getattr(new, name) != getattr(kept, name))


def _text(obj: Any) -> str:
    return orjson.dumps(obj).decode("utf-8") if not isinstance(obj, str) else obj


class OccupancyIngestor:
    """Validates and stores; `on_stored` (e.g. a live stream) hears about every new reading after commit."""

    def __init__(self, store: Store, clock: Clock = utc_now, *,
                 on_stored: Callable[[list[OccupancyReading]], None] | None = None) -> None:
        self.store, self.clock, self.on_stored = store, clock, on_stored
        self.sensors = SensorCache(store)

    def ingest(self, messages: Iterable[Message]) -> IngestResult:
        """Validate every message, then write all readings and dead letters in one transaction."""
        now = self.clock()
        readings: list[tuple[OccupancyReading, Origin]] = []
        letters: list[DeadLetter] = []
        for message in messages:
            items = decode(message.raw)
            if isinstance(items, Notice):
                letters.append(DeadLetter(now, message.channel, items, message.raw.decode("utf-8", "replace")))
                continue
            self._parse(items, message.channel, message.topic_sensor, now, readings, letters)
        return self._store(readings, letters, now)

    def ingest_items(self, items: list[Any], channel: str) -> IngestResult:
        """Already decoded payload objects (the HTTP batch, after its key was checked)."""
        now = self.clock()
        readings: list[tuple[OccupancyReading, Origin]] = []
        letters: list[DeadLetter] = []
        self._parse(items, channel, None, now, readings, letters)
        return self._store(readings, letters, now)

    def dead_letter(self, notice: Notice, raw: bytes, channel: str) -> None:
        with self.store.transaction():
            self.store.add_dead_letters([DeadLetter(self.clock(), channel, notice, raw.decode("utf-8", "replace"))])

    def give_up(self, message: Message, exc: BaseException, attempts: int) -> IngestResult:
        """Dead-letter a message the store would not take (`store_failure` not transient), payload verbatim, so it
        stops blocking the messages behind it. May raise if the store cannot take the dead letter either."""
        error = f"{type(exc).__name__}: {exc}"[:300]
        if store_failure(exc) == "data":
            notice = occupancy_notice("store_refused", f"the database refused the reading ({error}); fix the "
                                      "values at the sender", sensor=message.topic_sensor)
        else:
            notice = occupancy_notice("store_failed", f"storing failed {attempts} times ({error}); send the "
                                      "payload again once the cause is fixed", sensor=message.topic_sensor)
        self.dead_letter(notice, message.raw, message.channel)
        return IngestResult(rejected=1, notices=[notice])

    def _parse(self, items: list[Any], channel: str, topic_sensor: str | None, now: datetime,
               readings: list[tuple[OccupancyReading, Origin]], letters: list[DeadLetter]) -> None:
        for item in items:
            parsed = parse_reading(item, self.sensors, now, topic_sensor)
            if isinstance(parsed, Notice):
                letters.append(DeadLetter(now, channel, parsed, _text(item)))
            else:
                readings.append((parsed.with_received(now), Origin(channel, item)))

    def _store(self, readings: list[tuple[OccupancyReading, Origin]], letters: list[DeadLetter],
               now: datetime) -> IngestResult:
        # the stores hand back the readings they were given; equal values are the same data where they are not
        by_object = {id(r): origin for r, origin in readings}
        by_value: dict[OccupancyReading, Origin] = {}
        for reading, origin in readings:
            by_value.setdefault(reading, origin)
        with self.store.transaction():
            written = self.store.add_readings([r for r, _ in readings])
            for new, kept in written.conflicts:
                notice = occupancy_notice(
                    "conflicting_reading", f"a reading for {new.observed_at.isoformat()} is stored with other values:"
                    f" {_differences(new, kept)}; the first one is kept", sensor=new.sensor_id, field="observed_at",
                    value=new.observed_at.isoformat())
                # the dead letter says which channel the reading came on and keeps it as sent, as every other one
                origin = by_object.get(id(new)) or by_value[new]
                letters.append(DeadLetter(now, origin.channel, notice, _text(origin.item)))
            for late in written.compacted:
                notice = occupancy_notice(
                    "already_compacted", f"{late.observed_at.isoformat()} is at or before the last reading compaction"
                    " folded into hourly history; not stored, as it may be one of those sent again",
                    sensor=late.sensor_id, field="observed_at", value=late.observed_at.isoformat())
                origin = by_object.get(id(late)) or by_value[late]
                letters.append(DeadLetter(now, origin.channel, notice, _text(origin.item)))
            if letters:
                self.store.add_dead_letters(letters)
        result = IngestResult(len(written.inserted), written.duplicates, len(letters), [d.notice for d in letters],
                              written.inserted)
        if self.on_stored and written.inserted:
            self.on_stored(written.inserted)
        return result
