"""The occupancy part of the store contract (datenhub.live): live sensors and their readings, a reading's key
being (sensor, observed_at). `Store` takes it on; both backends implement it in their occupancy modules."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from datenhub.live.model import HourBucket, OccupancyReading, ReadingsWrite, Sensor
from datenhub.live.notices import DeadLetter


class OccupancyStore(ABC):
    @abstractmethod
    def upsert_sensor(self, sensor: Sensor) -> None:
        """Register or update a sensor (place, kind, capacity, source, licence)."""

    @abstractmethod
    def get_sensor(self, sensor_id: str) -> Sensor | None: ...

    @abstractmethod
    def list_sensors(self, place_ids: list[str] | None = None) -> list[Sensor]:
        """Every sensor, or those of the given place ids, in id order."""

    @abstractmethod
    def add_readings(self, readings: list[OccupancyReading]) -> ReadingsWrite:
        """Insert readings of registered sensors (each with `received_at`); idempotent per (sensor, observed_at):
        an equal re-delivery counts as duplicate, a different value for a stored key is returned as a conflict and
        the first value kept; one at or before its sensor's compaction horizon is returned as `compacted`, unstored
        (it may be a compacted one sent again). The latest-per-sensor row moves only forward in observed time."""

    @abstractmethod
    def readings(self, sensor_id: str, start: datetime | None = None, end: datetime | None = None,
                 limit: int | None = None) -> list[OccupancyReading]:
        """Raw readings with start <= observed_at < end, oldest first."""

    @abstractmethod
    def latest_readings(self, sensor_ids: list[str]) -> list[OccupancyReading]:
        """The newest reading of each sensor that has one (the fast path: one row per sensor)."""

    @abstractmethod
    def add_latest_readings(self, readings: list[OccupancyReading]) -> None:
        """Store latest rows as `latest_readings` gives them (db copy), moving each only forward."""

    @abstractmethod
    def latest_changed(self, received_after: datetime | None, limit: int = 1000) -> list[OccupancyReading]:
        """Latest rows received after the instant, oldest first (live streams poll this)."""

    @abstractmethod
    def hourly_readings(self, sensor_ids: list[str], start: datetime, end: datetime) -> list[HourBucket]:
        """Hour buckets from compacted aggregates and raw readings alike, by sensor and hour."""

    @abstractmethod
    def compact_readings(self, before: datetime) -> tuple[int, int]:
        """Fold raw readings before `before` into hourly aggregates, delete them, move horizons: (deleted, hours)."""

    @abstractmethod
    def compaction_horizons(self, sensor_ids: list[str]) -> dict[str, datetime]:
        """Per sensor that has one, its horizon: the latest observed_at compaction folded (its latest row stays)."""

    @abstractmethod
    def set_compaction_horizons(self, horizons: dict[str, datetime]) -> None:
        """Store horizons as `compaction_horizons` gives them (db copy); a horizon only moves forward."""

    @abstractmethod
    def compacted_hours(self, sensor_ids: list[str]) -> list[HourBucket]:
        """The hourly aggregates compaction wrote (not the hours of raw readings), by sensor and hour."""

    @abstractmethod
    def add_compacted_hours(self, buckets: list[HourBucket]) -> None:
        """Store aggregates as `compacted_hours` gives them (db copy), for sensors already registered."""

    @abstractmethod
    def add_dead_letters(self, letters: list[DeadLetter]) -> None: ...

    @abstractmethod
    def list_dead_letters(self, code: str | None = None, limit: int = 100) -> list[DeadLetter]:
        """Newest first."""

    @abstractmethod
    def prune_dead_letters(self, before: datetime) -> int:
        """Delete dead letters received before the instant; return how many."""
