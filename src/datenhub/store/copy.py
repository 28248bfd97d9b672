"""Move a hub between backends (`datenhub db copy --from sqlite:///… --to postgresql://…`) without loss.

Uses only the store contract, so it works between any two backends. Source records, raw inputs, sources,
overrides, keys, webhooks, imports and their notices, occupancy sensors, raw readings, hourly aggregates of
compacted readings, compaction horizons, latest readings and dead letters are copied as they are, and so are the
kept tables (store.kept): redirects of merged hub ids, earlier versions of changed records, the audit log and the
webhook outbox. Hub entities are derived data and are rebuilt from the records by the same merge. Then everything
is verified: equal counts, equal checksums of every record and every entity, equal rows of every kept table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from datenhub.clock import Clock, utc_now
from datenhub.pipeline.merge import TOMBSTONE, build_hub, open_view_gone
from datenhub.store.base import HUB_ID_SALT, HubEntity, Store, StoreError
from datenhub.store.kept import CHUNK, KEPT, RowDigest, portable
from datenhub.store.query import Query
from datenhub.store.rows import open_views_gone

COMPARED = ("places", "events", "withdrawn", "records", "sources", "raw_inputs")


@dataclass(slots=True)
class CopyReport:
    counts_from: dict[str, int] = field(default_factory=dict)
    counts_to: dict[str, int] = field(default_factory=dict)
    records_checked: int = 0
    entities_checked: int = 0
    readings_checked: int = 0
    kept: dict[str, int] = field(default_factory=dict)  # rows copied and compared, by kept table
    left: dict[str, int] = field(default_factory=dict)  # rows not copied, by kept table (see _copy_kept)
    mismatches: list[str] = field(default_factory=list)
    rolled_back: bool = False  # the verification failed and the target was left as it was

    @property
    def ok(self) -> bool:
        return not self.mismatches


def all_hub_ids(store: Store, withdrawn: set[str] | None = None) -> list[str]:
    """Every entity id, withdrawn ones included (the delta feed since the epoch lists tombstones too); those of
    the withdrawn ones also go to `withdrawn` if given."""
    ids: list[str] = []
    for kind in ("place", "event"):
        query = Query(kind=kind, changed_since=datetime(1970, 1, 1, tzinfo=UTC), include_closed=True, limit=1000)
        cursor = None
        while True:
            page = store.search(query.with_cursor(cursor))
            for item in page.items:
                ids.append(item["id"])
                if withdrawn is not None and item.get("withdrawn_at"):
                    withdrawn.add(item["id"])
            cursor = page.next_cursor
            if cursor is None:
                break
    return ids


def _chunks(hub_ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(hub_ids), HUBS_AT_ONCE):
        yield hub_ids[start:start + HUBS_AT_ONCE]


def _tombstones(source: Store, target: Store, hub_ids: list[str]) -> None:
    """Withdrawn hubs move as they are stored, both views: rebuilt, they would be withdrawn at the copy's time, and
    a hub whose every record a join moved elsewhere has no record to rebuild it from (importer.retire_hub)."""
    entities = []
    states = source.entity_states(hub_ids)
    for hub_id in hub_ids:
        data = source.get_entity(hub_id, include_closed=True, include_withdrawn=True, exact=True)
        if data is None:
            continue
        public = source.get_entity(hub_id, include_withdrawn=True, exact=True)
        at = datetime.fromisoformat(str(data["withdrawn_at"]).replace("Z", "+00:00"))
        # the date its open view went, where that was before (merge.build_hub): kept should the place return
        went = states[hub_id].open_changed_at if hub_id in states else at
        entities.append(HubEntity(hub_id, str(data["kind"]), data, public, TOMBSTONE, at, at,
                                  open_changed_at=None if went == at else went))
    target.upsert_entities(entities)


def _copy_kept(source: Store, target: Store, report: CopyReport) -> None:
    """Each kept table in one transaction, a chunk of rows at a time, then read back and compared."""
    hooks = {hook.id for hook in source.list_webhooks()}  # the active ones, which the copy moved
    for table in KEPT:
        sent, left = RowDigest(), 0
        with target.transaction():
            chunk: list[tuple[object, ...]] = []
            for row in source.kept_rows(table.name):
                if table.name == "webhook_outbox" and row[0] not in hooks:
                    left += 1  # a notification for a deleted webhook: nobody will be sent it
                    continue
                row = portable(table, row)
                sent.add(row)
                chunk.append(row)
                if len(chunk) >= CHUNK:
                    target.add_kept_rows(table.name, chunk)
                    chunk = []
            target.add_kept_rows(table.name, chunk)
        report.kept[table.name] = sent.rows
        if left:
            report.left[table.name] = left
        got = RowDigest().extend(target.kept_rows(table.name))
        if got != sent:
            report.mismatches.append(f"{table.what}: {sent.rows} rows → {got.rows}" if got.rows != sent.rows
                                     else f"{table.what}: rows differ")


def _copy_occupancy(source: Store, target: Store, report: CopyReport) -> None:
    """Sensors, raw readings, hourly aggregates of compacted readings, compaction horizons, latest readings and
    dead letters."""
    sensors = source.list_sensors()
    with target.transaction():
        for sensor in sensors:
            target.upsert_sensor(sensor)
    compacted = 0
    for sensor in sensors:  # a sensor at a time: years of hours of a thousand sensors do not fit in memory
        hours = source.compacted_hours([sensor.id])
        with target.transaction():
            target.add_compacted_hours(hours)
        moved = target.compacted_hours([sensor.id])
        compacted += len(hours)
        if moved != hours:
            report.mismatches.append(f"sensor {sensor.id}: {len(hours)} hourly aggregates → {len(moved)}"
                                     if len(moved) != len(hours) else f"sensor {sensor.id}: hourly aggregates differ")
    report.kept["occupancy_hourly"] = compacted
    for sensor in sensors:
        readings = source.readings(sensor.id)
        for start in range(0, len(readings), 5000):
            with target.transaction():
                target.add_readings(readings[start:start + 5000])
        copied = len(target.readings(sensor.id))
        report.readings_checked += len(readings)
        if copied != len(readings):
            report.mismatches.append(f"sensor {sensor.id}: {len(readings)} readings → {copied}")
    # after the raw readings (a hub compacted before the horizons existed may keep raw readings below its own):
    # the horizons keep the copy idempotent across compaction; the latest rows tell the current level of sensors
    # whose readings were all compacted, which the readings alone cannot
    ids = [sensor.id for sensor in sensors]
    horizons, latest = source.compaction_horizons(ids), source.latest_readings(ids)
    with target.transaction():
        target.set_compaction_horizons(horizons)
        target.add_latest_readings(latest)
    if target.compaction_horizons(ids) != horizons:
        report.mismatches.append("compaction horizons differ")
    stored = {r.sensor_id: r for r in target.latest_readings(ids)}  # by id: the backends' orders may differ
    if stored != {r.sensor_id: r for r in latest}:
        report.mismatches.append(f"latest readings: {len(latest)} → {len(stored)}" if len(stored) != len(latest)
                                 else "latest readings differ")
    report.kept["occupancy_latest"] = len(latest)
    letters = source.list_dead_letters(limit=1_000_000)
    if letters:
        with target.transaction():
            target.add_dead_letters(list(reversed(letters)))


def _open_views_gone(source: Store, target: Store, hub_ids: list[str], now: datetime) -> None:
    """Hubs whose open view went as a split or join took their last open record away: rebuilt from their records
    alone they would not know it, so they are marked as the source has them (rows.open_views_gone)."""
    before, after = source.entity_checksums(hub_ids), target.entity_checksums(hub_ids)
    gone = [h for h in hub_ids if open_view_gone(before.get(h)) and not open_view_gone(after.get(h))]
    rows = [(h, str(data["kind"]), data, after[h]) for h in gone
            if (data := target.get_entity(h, include_closed=True, exact=True)) is not None]
    target.upsert_entities(open_views_gone(rows, now))


class TargetNotEmpty(StoreError):
    """The target already holds a hub: a copy would mix two hubs' data."""


class _Differs(Exception):
    """Raised inside the copy's transaction when the verification fails: the target gets none of it."""


def copy_store(source: Store, target: Store, clock: Clock = utc_now) -> CopyReport:
    """Copy and verify in one transaction of the target: interrupted (Ctrl-C, SIGTERM, a lost connection, an
    error) or not verified, the copy leaves the target as it was, and a second copy can start at once (the
    occupancy and kept tables used to commit apart: a copy stopped there left records, and the next one refused
    the target as not empty)."""
    report = CopyReport(counts_from=source.counts())
    try:
        with target.transaction():
            counts = target.counts()
            if counts["records"] or counts["sources"]:
                raise TargetNotEmpty(f"the target database is not empty: it holds {counts['records']} records from "
                                     f"{counts['sources']} sources; copy into a fresh database")
            _copy(source, target, report, clock)
            if not report.ok:
                raise _Differs
    except _Differs:
        report.rolled_back = True
    return report


HUBS_AT_ONCE = 5000  # hubs whose records are read, written and rebuilt at once: a copy's memory stays bounded
# (the whole hub at once held every record and entity: 1.7 GB for 100k places)


def _copy(source: Store, target: Store, report: CopyReport, clock: Clock) -> None:
    from datenhub.pipeline.importer import source_priorities

    tombstones: set[str] = set()
    hub_ids = all_hub_ids(source, tombstones)
    # as an import into an empty hub (Store.bulk): SQLite writes past the WAL, PostgreSQL builds the indexes after
    # the rows and analyses the tables, so the copy's first searches are planned from statistics
    with target.bulk():
        for info in source.list_sources():
            target.upsert_source(info)
        for item in reversed(source.list_imports(limit=1_000_000)):
            raw = source.get_raw(item["raw_id"]) if item["raw_id"] else None
            raw_id = target.save_raw(raw) if raw is not None else None
            new_id = target.start_import(item["source"], item["adapter"], raw_id,
                                         datetime.fromisoformat(item["started_at"]))
            target.save_notices(new_id, list(reversed(source.list_notices(import_id=item["id"], limit=1_000_000))))
            finished = item["finished_at"] or item["started_at"]
            target.finish_import(new_id, item["status"], item["stats"], datetime.fromisoformat(finished))
        for record_id, (action, hub_id) in source.overrides().items():
            target.set_override(record_id, action, hub_id, clock())
        for key in source.list_keys():
            target.save_key(key)
        for hook in source.list_webhooks():
            target.save_webhook(hook)
        if (salt := source.get_meta(HUB_ID_SALT)) is not None:
            target.put_meta(HUB_ID_SALT, salt)  # hubs closed records found later get their ids as in the source
        priority = source_priorities(target)
        for chunk in _chunks(hub_ids):
            members = source.records_of_hubs(chunk)
            records = [r for group in members.values() for r in group]
            target.upsert_records(records)
            withdrawn: dict[datetime, list[str]] = {}
            for record in records:
                if record.withdrawn_at is not None:
                    withdrawn.setdefault(record.withdrawn_at, []).append(record.record_id)
            for at, ids in withdrawn.items():
                target.withdraw_records(ids, at)
            live = sorted(members.keys() - tombstones)
            # built from the records just written, as importer._rebuild_hubs builds them from the store's: read
            # back, they would be looked up by hub without the index a PostgreSQL copy builds at its end
            now = clock()
            target.upsert_entities([entity for hub_id in live if members[hub_id] and (entity := build_hub(
                hub_id, members[hub_id][0].kind, members[hub_id], priority, now, None)) is not None])
            _open_views_gone(source, target, live, now)
        _tombstones(source, target, sorted(tombstones))
    _copy_occupancy(source, target, report)
    _copy_kept(source, target, report)
    report.counts_to = target.counts()
    for counted in COMPARED:
        if report.counts_from.get(counted) != report.counts_to.get(counted):
            report.mismatches.append(f"{counted}: {report.counts_from.get(counted)} → "
                                     f"{report.counts_to.get(counted)}")
    records_differing, differing = 0, []
    for chunk in _chunks(hub_ids):
        before = {r.record_id: r.checksum for group in source.records_of_hubs(chunk).values() for r in group}
        after = {r.record_id: r.checksum for group in target.records_of_hubs(chunk).values() for r in group}
        report.records_checked += len(before)
        records_differing += sum(before.get(k) != v for k, v in after.items()) + len(before.keys() - after.keys())
        source_sums, target_sums = source.entity_checksums(chunk), target.entity_checksums(chunk)
        report.entities_checked += len(source_sums)
        differing += [h for h in chunk if source_sums.get(h) != target_sums.get(h)]
    if records_differing:
        report.mismatches.append(f"record checksums differ for {records_differing}")
    if differing:
        report.mismatches.append(f"entity checksums differ for {len(differing)} entities, e.g. {differing[:3]}")
