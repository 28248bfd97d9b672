"""Occupancy time series in SQLite: readings keyed (sensor, observed_at) WITHOUT ROWID, a latest-per-sensor
table moved forward on insert, hourly aggregates for compacted history, and dead letters.

Instants are integer microseconds since the epoch (UTC): compact, exact and ordered.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from datenhub.live.model import (
    OCCUPIED_SQL,
    HourBucket,
    Method,
    OccupancyReading,
    ReadingsWrite,
    Sensor,
    SensorKind,
    merge_bucket,
    split_new_readings,
)
from datenhub.live.notices import DeadLetter
from datenhub.notices import Location, Notice, Severity
from datenhub.store.rows import iso, parse_iso

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HOUR_US = 3_600_000_000
_CHUNK = 300
_READING = "r.observed_at, r.count, r.free, r.capacity, r.fraction, r.method, r.window_s, r.received_at"
_SENSOR = "id, place_id, kind, source, capacity, licence, name"


def to_us(at: datetime) -> int:
    seconds = at.timestamp()
    if seconds >= 0:  # the fast path: whole seconds from the float are exact, microseconds from the field
        return int(seconds) * 1_000_000 + at.microsecond
    return (at - EPOCH) // timedelta(microseconds=1)


def from_us(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


def _reading(sensor_id: str, row: tuple[Any, ...]) -> OccupancyReading:
    return OccupancyReading(sensor_id, from_us(row[0]), row[1], row[2], row[3], row[4], Method(row[5]), row[6],
                            from_us(row[7]))


def _chunks(items: list[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class SqliteOccupancyMixin:
    if TYPE_CHECKING:  # provided by SqliteStore
        @property
        def db(self) -> sqlite3.Connection: ...

        def transaction(self) -> AbstractContextManager[None]: ...

    # sensors -------------------------------------------------------------------------------------------------
    def upsert_sensor(self, sensor: Sensor) -> None:
        self.db.execute(
            f"INSERT INTO occupancy_sensors ({_SENSOR}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "place_id = excluded.place_id, kind = excluded.kind, source = excluded.source, "
            "capacity = excluded.capacity, licence = excluded.licence, name = excluded.name",
            (sensor.id, sensor.place_id, sensor.kind.value, sensor.source, sensor.capacity, sensor.licence,
             sensor.name))

    @staticmethod
    def _sensor(row: tuple[Any, ...]) -> Sensor:
        return Sensor(row[0], row[1], SensorKind(row[2]), row[3], row[4], row[5], row[6])

    def get_sensor(self, sensor_id: str) -> Sensor | None:
        row = self.db.execute(f"SELECT {_SENSOR} FROM occupancy_sensors WHERE id = ?", (sensor_id,)).fetchone()
        return self._sensor(row) if row else None

    def list_sensors(self, place_ids: list[str] | None = None) -> list[Sensor]:
        if place_ids is None:
            return [self._sensor(r) for r in self.db.execute(f"SELECT {_SENSOR} FROM occupancy_sensors ORDER BY id")]
        out: list[Sensor] = []
        for chunk in _chunks(place_ids):
            marks = ",".join("?" * len(chunk))
            out.extend(self._sensor(r) for r in self.db.execute(
                f"SELECT {_SENSOR} FROM occupancy_sensors WHERE place_id IN ({marks})", chunk))
        return sorted(out, key=lambda s: s.id)

    def _keys(self, sensor_ids: list[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for chunk in _chunks(sensor_ids):
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(f"SELECT id, key FROM occupancy_sensors WHERE id IN ({marks})", chunk))
        return out

    def _horizons(self, sensor_keys: list[int]) -> dict[int, int]:
        out: dict[int, int] = {}
        for chunk in _chunks(sensor_keys):
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(
                f"SELECT sensor_key, through FROM occupancy_compacted WHERE sensor_key IN ({marks})", chunk))
        return out

    def compaction_horizons(self, sensor_ids: list[str]) -> dict[str, datetime]:
        keys = self._keys(sensor_ids)
        names = {v: k for k, v in keys.items()}
        return {names[key]: from_us(at) for key, at in sorted(self._horizons(list(names)).items(),
                                                                key=lambda item: names[item[0]])}

    def set_compaction_horizons(self, horizons: dict[str, datetime]) -> None:
        keys = self._keys(sorted(horizons))
        self.db.executemany(
            "INSERT INTO occupancy_compacted (sensor_key, through) VALUES (?, ?) ON CONFLICT (sensor_key) DO UPDATE "
            "SET through = max(through, excluded.through)",
            [(keys[sensor_id], to_us(at)) for sensor_id, at in horizons.items()])

    # readings ------------------------------------------------------------------------------------------------
    def _existing(self, keys: list[tuple[int, int]], names: dict[int, str]) -> dict[tuple[int, int], OccupancyReading]:
        found: dict[tuple[int, int], OccupancyReading] = {}
        for chunk in _chunks(keys):
            values = ",".join(["(?, ?)"] * len(chunk))
            flat = [v for key in chunk for v in key]
            for row in self.db.execute(
                    f"WITH k(s, t) AS (VALUES {values}) SELECT r.sensor_key, {_READING} FROM k "
                    "JOIN occupancy_readings r ON r.sensor_key = k.s AND r.observed_at = k.t", flat):
                found[(row[0], row[1])] = _reading(names[row[0]], row[1:])
        return found

    def add_readings(self, readings: list[OccupancyReading]) -> ReadingsWrite:
        if not readings:
            return ReadingsWrite([], 0, [])
        with self.transaction():
            keys = self._keys(sorted({r.sensor_id for r in readings}))
            names = {v: k for k, v in keys.items()}
            keyed = [(keys[r.sensor_id], to_us(r.observed_at)) for r in readings]
            # at or before the compaction horizon the raw readings are summed up and gone: a reading there cannot be
            # told from one sent again (BEGIN IMMEDIATE: no compaction moves a horizon meanwhile)
            horizons = self._horizons(list(names))
            fresh = [k[1] > horizons.get(k[0], -(2**62)) for k in keyed]
            compacted = [r for r, ok in zip(readings, fresh, strict=True) if not ok]
            if compacted:
                keyed = [k for k, ok in zip(keyed, fresh, strict=True) if ok]
                readings = [r for r, ok in zip(readings, fresh, strict=True) if ok]
            known = self._existing(list(dict.fromkeys(keyed)), names)
            new, duplicates, conflicts = split_new_readings(keyed, readings, known)
            received = {r.received_at: to_us(r.received_at or datetime.now(UTC)) for _, r in new}  # mostly one
            rows = [(key[0], key[1], r.count, r.free, r.capacity, r.fraction, r.method, r.window_seconds,
                     received[r.received_at]) for key, r in new]
            self.db.executemany(
                "INSERT INTO occupancy_readings (sensor_key, observed_at, count, free, capacity, fraction, method, "
                "window_s, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", rows)
            self._move_latest(rows)
        return ReadingsWrite([r for _, r in new], duplicates, conflicts, compacted)

    def _move_latest(self, rows: list[tuple[Any, ...]]) -> None:
        """occupancy_latest moves on to the newest of `rows` (readings rows) per sensor, never back."""
        newest: dict[int, tuple[Any, ...]] = {}
        for row in rows:
            if row[0] not in newest or row[1] > newest[row[0]][1]:
                newest[row[0]] = row
        self.db.executemany(
            "INSERT INTO occupancy_latest (sensor_key, observed_at, count, free, capacity, fraction, method, "
            "window_s, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sensor_key) DO UPDATE SET "
            "observed_at = excluded.observed_at, count = excluded.count, free = excluded.free, "
            "capacity = excluded.capacity, fraction = excluded.fraction, method = excluded.method, "
            "window_s = excluded.window_s, received_at = excluded.received_at "
            "WHERE excluded.observed_at > occupancy_latest.observed_at", list(newest.values()))

    def add_latest_readings(self, readings: list[OccupancyReading]) -> None:
        keys = self._keys(sorted({r.sensor_id for r in readings}))
        self._move_latest([(keys[r.sensor_id], to_us(r.observed_at), r.count, r.free, r.capacity, r.fraction,
                            r.method.value, r.window_seconds, to_us(r.received_at or datetime.now(UTC)))
                           for r in readings])

    def readings(self, sensor_id: str, start: datetime | None = None, end: datetime | None = None,
                 limit: int | None = None) -> list[OccupancyReading]:
        key = self._keys([sensor_id]).get(sensor_id)
        if key is None:
            return []
        sql = f"SELECT {_READING} FROM occupancy_readings r WHERE r.sensor_key = ? AND r.observed_at >= ? " \
              "AND r.observed_at < ? ORDER BY r.observed_at"
        params: list[Any] = [key, to_us(start) if start else -(2**62), to_us(end) if end else 2**62]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_reading(sensor_id, row) for row in self.db.execute(sql, params)]

    def latest_readings(self, sensor_ids: list[str]) -> list[OccupancyReading]:
        out: list[OccupancyReading] = []
        for chunk in _chunks(sensor_ids):
            marks = ",".join("?" * len(chunk))
            out.extend(_reading(row[0], row[1:]) for row in self.db.execute(
                f"SELECT s.id, {_READING} FROM occupancy_sensors s JOIN occupancy_latest r ON r.sensor_key = s.key "
                f"WHERE s.id IN ({marks})", chunk))
        return sorted(out, key=lambda r: r.sensor_id)

    def latest_changed(self, received_after: datetime | None, limit: int = 1000) -> list[OccupancyReading]:
        after = to_us(received_after) if received_after else -(2**62)
        return [_reading(row[0], row[1:]) for row in self.db.execute(
            f"SELECT s.id, {_READING} FROM occupancy_latest r JOIN occupancy_sensors s ON s.key = r.sensor_key "
            "WHERE r.received_at > ? ORDER BY r.received_at LIMIT ?", (after, limit))]

    def hourly_readings(self, sensor_ids: list[str], start: datetime, end: datetime) -> list[HourBucket]:
        keys = self._keys(sensor_ids)
        names = {v: k for k, v in keys.items()}
        lo, hi = to_us(start) - to_us(start) % HOUR_US, to_us(end)
        buckets: dict[tuple[int, int], list[Any]] = {}
        for chunk in _chunks(list(names)):
            marks = ",".join("?" * len(chunk))
            compacted = self.db.execute(
                "SELECT sensor_key, hour, n, avg_count, min_count, max_count, avg_fraction, min_fraction, max_fraction"
                f" FROM occupancy_hourly WHERE sensor_key IN ({marks}) AND hour >= ? AND hour < ?", [*chunk, lo, hi])
            raw = self.db.execute(
                "SELECT sensor_key, observed_at - observed_at % 3600000000 AS h, count(*), avg(occ), min(occ), "
                "max(occ), avg(fraction), min(fraction), max(fraction) FROM (SELECT sensor_key, observed_at, fraction,"
                f" {OCCUPIED_SQL} AS occ FROM occupancy_readings WHERE sensor_key IN "
                f"({marks}) AND observed_at >= ? AND observed_at < ?) GROUP BY sensor_key, h", [*chunk, lo, hi])
            for row in [*compacted, *raw]:
                key = (row[0], row[1])
                buckets[key] = merge_bucket(buckets.get(key), list(row[2:]))
        return [HourBucket(names[k[0]], from_us(k[1]), *v) for k, v in sorted(
            buckets.items(), key=lambda item: (names[item[0][0]], item[0][1]))]

    def compact_readings(self, before: datetime) -> tuple[int, int]:
        cut = to_us(before) - to_us(before) % HOUR_US  # whole hours only, so no hour is split
        with self.transaction():
            hours = self.db.execute(
                "INSERT INTO occupancy_hourly (sensor_key, hour, n, avg_count, min_count, max_count, avg_fraction, "
                "min_fraction, max_fraction) SELECT sensor_key, observed_at - observed_at % 3600000000 AS h, count(*),"
                " avg(occ), min(occ), max(occ), avg(fraction), min(fraction), max(fraction) FROM (SELECT sensor_key, "
                f"observed_at, fraction, {OCCUPIED_SQL} AS occ FROM occupancy_readings WHERE "
                "observed_at < ?) WHERE true GROUP BY sensor_key, h ON CONFLICT (sensor_key, hour) DO UPDATE SET "
                "n = n + excluded.n, "
                "avg_count = coalesce((avg_count * n + excluded.avg_count * excluded.n) / (n + excluded.n), "
                "avg_count, excluded.avg_count), "
                "min_count = min(coalesce(min_count, excluded.min_count), coalesce(excluded.min_count, min_count)), "
                "max_count = max(coalesce(max_count, excluded.max_count), coalesce(excluded.max_count, max_count)), "
                "avg_fraction = coalesce((avg_fraction * n + excluded.avg_fraction * excluded.n) / (n + excluded.n), "
                "avg_fraction, excluded.avg_fraction), "
                "min_fraction = min(coalesce(min_fraction, excluded.min_fraction), "
                "coalesce(excluded.min_fraction, min_fraction)), "
                "max_fraction = max(coalesce(max_fraction, excluded.max_fraction), "
                "coalesce(excluded.max_fraction, max_fraction))", (cut,)).rowcount
            # what compaction consumed, per sensor: a reading at or before it is refused from now on (add_readings)
            self.db.execute(
                "INSERT INTO occupancy_compacted (sensor_key, through) SELECT sensor_key, max(observed_at) FROM "
                "occupancy_readings WHERE observed_at < ? GROUP BY sensor_key ON CONFLICT (sensor_key) DO UPDATE "
                "SET through = max(through, excluded.through)", (cut,))
            deleted = self.db.execute("DELETE FROM occupancy_readings WHERE observed_at < ?", (cut,)).rowcount
        return deleted, hours

    def compacted_hours(self, sensor_ids: list[str]) -> list[HourBucket]:
        out: list[HourBucket] = []
        for sensor_id, key in sorted(self._keys(sensor_ids).items()):
            out += [HourBucket(sensor_id, from_us(r[0]), *r[1:]) for r in self.db.execute(
                "SELECT hour, n, avg_count, min_count, max_count, avg_fraction, min_fraction, max_fraction "
                "FROM occupancy_hourly WHERE sensor_key = ? ORDER BY hour", (key,))]
        return out

    def add_compacted_hours(self, buckets: list[HourBucket]) -> None:
        keys = self._keys(sorted({b.sensor_id for b in buckets}))
        self.db.executemany(
            "INSERT INTO occupancy_hourly (sensor_key, hour, n, avg_count, min_count, max_count, avg_fraction, "
            "min_fraction, max_fraction) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(keys[b.sensor_id], to_us(b.hour), b.n, b.avg_count, b.min_count, b.max_count, b.avg_fraction,
              b.min_fraction, b.max_fraction) for b in buckets])

    # dead letters --------------------------------------------------------------------------------------------
    def add_dead_letters(self, letters: list[DeadLetter]) -> None:
        self.db.executemany(
            "INSERT INTO occupancy_dead_letters (received_at, channel, code, severity, message, sensor_id, field, "
            "pointer, value, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(iso(d.received_at), d.channel, d.notice.code, d.notice.severity.value, d.notice.message,
              d.notice.location.entity_id, d.notice.location.field, d.notice.location.pointer, d.notice.value,
              d.payload) for d in letters])

    def list_dead_letters(self, code: str | None = None, limit: int = 100) -> list[DeadLetter]:
        sql = ("SELECT received_at, channel, code, severity, message, sensor_id, field, pointer, value, payload "
               "FROM occupancy_dead_letters")
        params: list[Any] = []
        if code is not None:
            sql += " WHERE code = ?"
            params.append(code)
        rows = self.db.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]).fetchall()
        return [DeadLetter(parse_iso(r[0]) or EPOCH, r[1], Notice(r[2], Severity(r[3]), r[4], Location(
            "occupancy", pointer=r[7], field=r[6], entity_id=r[5]), r[8]), r[9]) for r in rows]

    def prune_dead_letters(self, before: datetime) -> int:
        return int(self.db.execute("DELETE FROM occupancy_dead_letters WHERE received_at < ?",
                                   (iso(before),)).rowcount)
