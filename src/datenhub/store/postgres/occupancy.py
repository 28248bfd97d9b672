"""Occupancy time series in PostgreSQL: readings range-partitioned by month on observed_at (partitions are
created on first use), a latest-per-sensor table moved forward on insert, hourly aggregates, dead letters."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import psycopg

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
from datenhub.store.postgres.arrays import number_array, text_array
from datenhub.store.postgres.bulk import copy_to_stage
from datenhub.store.postgres.connection import Connections

_SENSOR = "id, place_id, kind, source, capacity, licence, name"
_READING = "r.observed_at, r.count, r.free, r.capacity, r.fraction, r.method, r.window_s, r.received_at"
_COLUMNS = ("sensor_key", "observed_at", "count", "free", "capacity", "fraction", "method", "window_s",
            "received_at")
_PARTITION_LOCK = 0x44_48_4F  # "DHO": one partition creator at a time
_COMPACTION_LOCK = 0x44_48_43  # "DHC": compaction alone, writers of readings together
_AGG = ("count(*), avg(occ), min(occ), max(occ), avg(fraction), min(fraction), max(fraction) FROM (SELECT "
        f"sensor_key, observed_at, fraction, {OCCUPIED_SQL} AS occ FROM occupancy_readings")


def _reading(sensor_id: str, row: tuple[Any, ...]) -> OccupancyReading:
    return OccupancyReading(sensor_id, row[0], row[1], row[2], row[3], row[4], Method(row[5]), row[6], row[7])


def _sensor(row: tuple[Any, ...]) -> Sensor:
    return Sensor(row[0], row[1], SensorKind(row[2]), row[3], row[4], row[5], row[6])


def _text(value: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL; a dead letter keeps everything else verbatim."""
    return None if value is None else value.replace("\x00", "\ufffd")


def _month(at: datetime) -> date:
    utc = at.astimezone(UTC)
    return date(utc.year, utc.month, 1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


class PostgresOccupancyMixin:
    _conns: Connections
    _partitions: set[date]

    # sensors -------------------------------------------------------------------------------------------------
    def upsert_sensor(self, sensor: Sensor) -> None:
        with self._conns.connection() as conn:
            conn.execute(
                f"INSERT INTO occupancy_sensors ({_SENSOR}) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO "
                "UPDATE SET place_id = excluded.place_id, kind = excluded.kind, source = excluded.source, "
                "capacity = excluded.capacity, licence = excluded.licence, name = excluded.name",
                (sensor.id, sensor.place_id, sensor.kind.value, sensor.source, sensor.capacity, sensor.licence,
                 sensor.name))

    def get_sensor(self, sensor_id: str) -> Sensor | None:
        with self._conns.connection() as conn:
            row = conn.execute(f"SELECT {_SENSOR} FROM occupancy_sensors WHERE id = %s", (sensor_id,)).fetchone()
        return _sensor(row) if row else None

    def list_sensors(self, place_ids: list[str] | None = None) -> list[Sensor]:
        wanted = None if place_ids is None else text_array(place_ids)
        with self._conns.connection() as conn:
            rows = conn.execute(f"SELECT {_SENSOR} FROM occupancy_sensors WHERE %s::text[] IS NULL OR "
                                "place_id = ANY(%s::text[]) ORDER BY id", (wanted, wanted)).fetchall()
        return [_sensor(r) for r in rows]

    def _keys(self, conn: psycopg.Connection[Any], sensor_ids: list[str]) -> dict[str, int]:
        rows = conn.execute("SELECT id, key FROM occupancy_sensors WHERE id = ANY(%s::text[])",
                            (text_array(sensor_ids),)).fetchall()
        return {r[0]: r[1] for r in rows}

    @staticmethod
    def _horizons(conn: psycopg.Connection[Any], sensor_keys: list[int]) -> dict[int, datetime]:
        rows = conn.execute("SELECT sensor_key, through FROM occupancy_compacted WHERE sensor_key = ANY(%s::int[])",
                            (number_array(sensor_keys),)).fetchall()
        return {r[0]: r[1] for r in rows}

    def compaction_horizons(self, sensor_ids: list[str]) -> dict[str, datetime]:
        with self._conns.connection() as conn:
            rows = conn.execute("SELECT s.id, c.through FROM occupancy_compacted c JOIN occupancy_sensors s ON "
                                "s.key = c.sensor_key WHERE s.id = ANY(%s::text[]) ORDER BY s.id COLLATE \"C\"",
                                (text_array(sensor_ids),)).fetchall()
        return {r[0]: r[1].astimezone(UTC) for r in rows}

    def set_compaction_horizons(self, horizons: dict[str, datetime]) -> None:
        if not horizons:
            return
        with self._conns.connection() as conn:
            keys = self._keys(conn, sorted(horizons))
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO occupancy_compacted AS c (sensor_key, through) VALUES (%s, %s) ON CONFLICT "
                    "(sensor_key) DO UPDATE SET through = greatest(c.through, excluded.through)",
                    [(keys[sensor_id], at) for sensor_id, at in horizons.items()])

    # readings ------------------------------------------------------------------------------------------------
    def _ensure_partitions(self, conn: psycopg.Connection[Any], months: set[date]) -> set[date]:
        """The monthly partitions `months` need, created in the caller's transaction; returns the months to
        remember once the outermost transaction commits (a rollback takes a new partition with it, and then it
        must be made again; remembered at the end of a nested block, a rollback of the block around it made every
        later reading of that month fail: "no partition of relation occupancy_readings found for row")."""
        if not hasattr(self, "_partitions"):
            self._partitions = set()
        missing = months - self._partitions
        if not missing:
            return set()
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_PARTITION_LOCK,))
        for month in sorted(missing):
            name = f"occupancy_readings_{month:%Y_%m}"
            # in the hub's own schema: with ?schema= the search path falls back to public, and a hub there had the
            # month's partition, so none was made here and every reading of that month failed ("no partition")
            if conn.execute("SELECT to_regclass(format('%%I.%%I', current_schema(), %s::text))",
                            (name,)).fetchone() == (None,):
                conn.execute(f"CREATE TABLE {name} PARTITION OF occupancy_readings FOR VALUES FROM "
                             f"('{month.isoformat()} 00:00+00') TO ('{_next_month(month).isoformat()} 00:00+00')")
        return missing

    def add_readings(self, readings: list[OccupancyReading]) -> ReadingsWrite:
        if not readings:
            return ReadingsWrite([], 0, [])
        with self._conns.transaction() as conn:
            # writers share the lock compaction takes alone: a horizon read here stays true until commit (else a
            # reading compaction deletes meanwhile would be inserted again, and counted twice)
            conn.execute("SELECT pg_advisory_xact_lock_shared(%s)", (_COMPACTION_LOCK,))
            keys = self._keys(conn, sorted({r.sensor_id for r in readings}))
            names = {v: k for k, v in keys.items()}
            keyed = [(keys[r.sensor_id], r.observed_at.astimezone(UTC)) for r in readings]
            # at or before the compaction horizon the raw readings are summed up and gone: a reading there cannot be
            # told from one sent again
            horizons = self._horizons(conn, list(names))
            fresh = [k[1] > horizons[k[0]] if k[0] in horizons else True for k in keyed]
            compacted = [r for r, ok in zip(readings, fresh, strict=True) if not ok]
            if compacted:
                keyed = [k for k, ok in zip(keyed, fresh, strict=True) if ok]
                readings = [r for r, ok in zip(readings, fresh, strict=True) if ok]
            first: dict[tuple[int, datetime], OccupancyReading] = {}
            for key, reading in zip(keyed, readings, strict=True):
                first.setdefault(key, reading)
            made = self._ensure_partitions(conn, {_month(k[1]) for k in first})
            # COPY the batch, insert what is not stored yet and move occupancy_latest on, in one statement;
            # only keys that were already stored are read back, to tell re-deliveries from conflicts
            copy_to_stage(conn, "occupancy_stage", "occupancy_readings", _COLUMNS, (
                (k[0], k[1], r.count, r.free, r.capacity, r.fraction, r.method.value, r.window_seconds,
                 r.received_at or datetime.now(UTC)) for k, r in first.items()))
            inserted = {(row[0], row[1]) for row in conn.execute(
                f"WITH ins AS (INSERT INTO occupancy_readings ({', '.join(_COLUMNS)}) SELECT {', '.join(_COLUMNS)} "
                "FROM occupancy_stage ON CONFLICT DO NOTHING RETURNING *), "
                f"latest AS (INSERT INTO occupancy_latest AS l ({', '.join(_COLUMNS)}) SELECT DISTINCT ON "
                f"(sensor_key) {', '.join(_COLUMNS)} FROM ins ORDER BY sensor_key, observed_at DESC ON CONFLICT "
                "(sensor_key) DO UPDATE SET observed_at = excluded.observed_at, count = excluded.count, "
                "free = excluded.free, capacity = excluded.capacity, fraction = excluded.fraction, "
                "method = excluded.method, window_s = excluded.window_s, received_at = excluded.received_at "
                "WHERE excluded.observed_at > l.observed_at) SELECT sensor_key, observed_at FROM ins").fetchall()}
            stored = [k for k in first if k not in inserted]
            known = {(row[0], row[1]): _reading(names[row[0]], row[1:]) for row in conn.execute(
                f"SELECT r.sensor_key, {_READING} FROM occupancy_readings r JOIN unnest(%s::int[], "
                "%s::timestamptz[]) AS k(s, t) ON r.sensor_key = k.s AND r.observed_at = k.t",
                (number_array([k[0] for k in stored]), [k[1] for k in stored])).fetchall()} if stored else {}
            new, duplicates, conflicts = split_new_readings(keyed, readings, known)
        self._conns.after_commit(lambda: self._partitions.update(made))
        return ReadingsWrite([r for _, r in new], duplicates, conflicts, compacted)

    def readings(self, sensor_id: str, start: datetime | None = None, end: datetime | None = None,
                 limit: int | None = None) -> list[OccupancyReading]:
        with self._conns.connection() as conn:
            rows = conn.execute(
                f"SELECT {_READING} FROM occupancy_readings r JOIN occupancy_sensors s ON s.key = r.sensor_key "
                "WHERE s.id = %s AND (%s::timestamptz IS NULL OR r.observed_at >= %s) AND (%s::timestamptz IS NULL "
                "OR r.observed_at < %s) ORDER BY r.observed_at LIMIT %s",
                (sensor_id, start, start, end, end, limit)).fetchall()
        return [_reading(sensor_id, row) for row in rows]

    def latest_readings(self, sensor_ids: list[str]) -> list[OccupancyReading]:
        with self._conns.connection() as conn:
            rows = conn.execute(f"SELECT s.id, {_READING} FROM occupancy_sensors s JOIN occupancy_latest r ON "
                                "r.sensor_key = s.key WHERE s.id = ANY(%s::text[]) ORDER BY s.id",
                                (text_array(sensor_ids),)).fetchall()
        return [_reading(row[0], row[1:]) for row in rows]

    def add_latest_readings(self, readings: list[OccupancyReading]) -> None:
        if not readings:
            return
        with self._conns.connection() as conn:
            keys = self._keys(conn, sorted({r.sensor_id for r in readings}))
            with conn.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO occupancy_latest AS l ({', '.join(_COLUMNS)}) VALUES (%s, %s, %s, %s, %s, %s, %s, "
                    "%s, %s) ON CONFLICT (sensor_key) DO UPDATE SET observed_at = excluded.observed_at, "
                    "count = excluded.count, free = excluded.free, capacity = excluded.capacity, "
                    "fraction = excluded.fraction, method = excluded.method, window_s = excluded.window_s, "
                    "received_at = excluded.received_at WHERE excluded.observed_at > l.observed_at",
                    [(keys[r.sensor_id], r.observed_at, r.count, r.free, r.capacity, r.fraction, r.method.value,
                      r.window_seconds, r.received_at or datetime.now(UTC)) for r in readings])

    def latest_changed(self, received_after: datetime | None, limit: int = 1000) -> list[OccupancyReading]:
        with self._conns.connection() as conn:
            rows = conn.execute(f"SELECT s.id, {_READING} FROM occupancy_latest r JOIN occupancy_sensors s ON "
                                "s.key = r.sensor_key WHERE %s::timestamptz IS NULL OR r.received_at > %s "
                                "ORDER BY r.received_at LIMIT %s", (received_after, received_after, limit)).fetchall()
        return [_reading(row[0], row[1:]) for row in rows]

    def hourly_readings(self, sensor_ids: list[str], start: datetime, end: datetime) -> list[HourBucket]:
        lo = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        with self._conns.connection() as conn:
            keys = self._keys(conn, sensor_ids)
            names = {v: k for k, v in keys.items()}
            compacted = conn.execute(
                "SELECT sensor_key, hour, n, avg_count, min_count, max_count, avg_fraction, min_fraction, "
                "max_fraction FROM occupancy_hourly WHERE sensor_key = ANY(%s::int[]) AND hour >= %s AND hour < %s",
                (number_array(names), lo, end)).fetchall()
            raw = conn.execute(
                f"SELECT sensor_key, date_trunc('hour', observed_at) AS h, {_AGG} WHERE sensor_key = ANY(%s::int[]) "
                "AND observed_at >= %s AND observed_at < %s) q GROUP BY sensor_key, h", (number_array(names), lo, end)
            ).fetchall()
        buckets: dict[tuple[int, datetime], list[Any]] = {}
        for row in [*compacted, *raw]:
            buckets[(row[0], row[1])] = merge_bucket(buckets.get((row[0], row[1])), [
                row[2], None if row[3] is None else float(row[3]), row[4], row[5], row[6], row[7], row[8]])
        return [HourBucket(names[k[0]], k[1], *v) for k, v in sorted(
            buckets.items(), key=lambda item: (names[item[0][0]], item[0][1]))]

    def compact_readings(self, before: datetime) -> tuple[int, int]:
        cut = before.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        with self._conns.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_COMPACTION_LOCK,))  # alone: see add_readings
            hours = conn.execute(
                "INSERT INTO occupancy_hourly AS h (sensor_key, hour, n, avg_count, min_count, max_count, "
                f"avg_fraction, min_fraction, max_fraction) SELECT sensor_key, date_trunc('hour', observed_at) AS hr, "
                f"{_AGG} WHERE observed_at < %s) q GROUP BY sensor_key, hr ON CONFLICT (sensor_key, hour) DO UPDATE "
                "SET n = h.n + excluded.n, "
                "avg_count = coalesce((h.avg_count * h.n + excluded.avg_count * excluded.n) / (h.n + excluded.n), "
                "h.avg_count, excluded.avg_count), "
                "min_count = least(h.min_count, excluded.min_count), max_count = greatest(h.max_count, "
                "excluded.max_count), avg_fraction = coalesce((h.avg_fraction * h.n + excluded.avg_fraction * "
                "excluded.n) / (h.n + excluded.n), h.avg_fraction, excluded.avg_fraction), "
                "min_fraction = least(h.min_fraction, excluded.min_fraction), "
                "max_fraction = greatest(h.max_fraction, excluded.max_fraction)", (cut,)).rowcount
            # what compaction consumed, per sensor: a reading at or before it is refused from now on (add_readings)
            conn.execute(
                "INSERT INTO occupancy_compacted AS c (sensor_key, through) SELECT sensor_key, max(observed_at) FROM "
                "occupancy_readings WHERE observed_at < %s GROUP BY sensor_key ON CONFLICT (sensor_key) DO UPDATE "
                "SET through = greatest(c.through, excluded.through)", (cut,))
            deleted = conn.execute("DELETE FROM occupancy_readings WHERE observed_at < %s", (cut,)).rowcount
        return deleted, hours

    def compacted_hours(self, sensor_ids: list[str]) -> list[HourBucket]:
        with self._conns.connection() as conn:
            # ids in byte order, as SQLite's (the database's collation may order them otherwise)
            rows = conn.execute(
                "SELECT s.id, h.hour, h.n, h.avg_count, h.min_count, h.max_count, h.avg_fraction, h.min_fraction, "
                "h.max_fraction FROM occupancy_hourly h JOIN occupancy_sensors s ON s.key = h.sensor_key "
                "WHERE s.id = ANY(%s::text[]) ORDER BY s.id COLLATE \"C\", h.hour", (text_array(sensor_ids),)
            ).fetchall()
        return [HourBucket(r[0], r[1].astimezone(UTC), *r[2:]) for r in rows]

    def add_compacted_hours(self, buckets: list[HourBucket]) -> None:
        if not buckets:
            return
        with self._conns.connection() as conn:
            keys = self._keys(conn, sorted({b.sensor_id for b in buckets}))
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO occupancy_hourly (sensor_key, hour, n, avg_count, min_count, max_count, "
                    "avg_fraction, min_fraction, max_fraction) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [(keys[b.sensor_id], b.hour, b.n, b.avg_count, b.min_count, b.max_count, b.avg_fraction,
                      b.min_fraction, b.max_fraction) for b in buckets])

    # dead letters --------------------------------------------------------------------------------------------
    def add_dead_letters(self, letters: list[DeadLetter]) -> None:
        if not letters:
            return
        with self._conns.connection() as conn, conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO occupancy_dead_letters (received_at, channel, code, severity, message, sensor_id, field,"
                " pointer, value, payload) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [(d.received_at, d.channel, d.notice.code, d.notice.severity.value, d.notice.message,
                  d.notice.location.entity_id, d.notice.location.field, d.notice.location.pointer,
                  _text(d.notice.value), _text(d.payload)) for d in letters])

    def list_dead_letters(self, code: str | None = None, limit: int = 100) -> list[DeadLetter]:
        with self._conns.connection() as conn:
            rows = conn.execute(
                "SELECT received_at, channel, code, severity, message, sensor_id, field, pointer, value, payload "
                "FROM occupancy_dead_letters WHERE %s::text IS NULL OR code = %s ORDER BY id DESC LIMIT %s",
                (code, code, limit)).fetchall()
        return [DeadLetter(r[0], r[1], Notice(r[2], Severity(r[3]), r[4], Location(
            "occupancy", pointer=r[7], field=r[6], entity_id=r[5]), r[8]), r[9]) for r in rows]

    def prune_dead_letters(self, before: datetime) -> int:
        with self._conns.connection() as conn:
            return int(conn.execute("DELETE FROM occupancy_dead_letters WHERE received_at < %s", (before,)).rowcount)
