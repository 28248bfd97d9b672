"""The occupancy part of the Store contract, on every backend (the shared `store` fixture)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from datenhub.live.model import Method, OccupancyReading
from datenhub.live.notices import DeadLetter, occupancy_notice
from datenhub.store import Store
from tests.conftest import FIXED_NOW
from tests.live.helpers import PARKING, PEOPLE, at, register


def reading(minutes_ago: int, count: int, sensor: str = PEOPLE.id) -> OccupancyReading:
    return OccupancyReading(sensor, at(minutes_ago), count, None, 200, count / 200, Method.COUNT,
                            received_at=FIXED_NOW)


def test_sensors_upsert_get_list_by_place(store: Store) -> None:
    register(store)
    assert store.get_sensor(PEOPLE.id) == PEOPLE
    assert [s.id for s in store.list_sensors([PEOPLE.place_id])] == [PEOPLE.id, PARKING.id]
    register(store, replace(PEOPLE, capacity=300))
    assert store.get_sensor(PEOPLE.id).capacity == 300  # type: ignore[union-attr]
    assert store.list_sensors(["elsewhere"]) == []


def test_add_readings_idempotent_conflict_keeps_first(store: Store) -> None:
    register(store)
    first = store.add_readings([reading(10, 50), reading(5, 60)])
    assert len(first.inserted) == 2
    again = store.add_readings([reading(10, 50), reading(5, 61), reading(5, 62)])
    assert again.inserted == [] and again.duplicates == 1
    assert [(new.count, kept.count) for new, kept in again.conflicts] == [(61, 60), (62, 60)]
    assert [r.count for r in store.readings(PEOPLE.id)] == [50, 60]


def test_out_of_order_readings_sorted_and_latest_only_moves_forward(store: Store) -> None:
    register(store)
    store.add_readings([reading(0, 70)])
    store.add_readings([reading(30, 10), reading(15, 40)])
    assert [r.count for r in store.readings(PEOPLE.id)] == [10, 40, 70]
    latest = store.latest_readings([PEOPLE.id, PARKING.id])
    assert [(r.sensor_id, r.count) for r in latest] == [(PEOPLE.id, 70)]
    assert latest[0].observed_at == FIXED_NOW


def test_readings_window_and_limit(store: Store) -> None:
    register(store)
    store.add_readings([reading(m, m) for m in range(0, 60, 5)])
    window = store.readings(PEOPLE.id, at(30), at(10))
    assert [r.count for r in window] == [30, 25, 20, 15]
    assert len(store.readings(PEOPLE.id, limit=3)) == 3
    assert store.readings("unknown") == []


def test_hourly_and_compaction_keep_aggregates(store: Store) -> None:
    register(store)
    base = FIXED_NOW.replace(minute=0) - timedelta(hours=3)
    rows = [OccupancyReading(PEOPLE.id, base + timedelta(minutes=15 * i), 20 * i, None, 200, 20 * i / 200,
                             Method.COUNT, received_at=FIXED_NOW) for i in range(8)]
    store.add_readings(rows)
    before = store.hourly_readings([PEOPLE.id], base, FIXED_NOW)
    assert [(b.n, b.min_count, b.max_count, b.avg_count) for b in before] == [(4, 0, 60, 30.0), (4, 80, 140, 110.0)]
    deleted, hours = store.compact_readings(base + timedelta(hours=1, minutes=30))
    assert (deleted, hours) == (4, 1)
    assert len(store.readings(PEOPLE.id)) == 4
    after = store.hourly_readings([PEOPLE.id], base, FIXED_NOW)
    assert [(b.n, b.min_count, b.max_count) for b in after] == [(4, 0, 60), (4, 80, 140)]
    assert abs((after[0].avg_fraction or 0) - 0.15) < 1e-9
    # a late reading for a compacted hour, after the last one compaction consumed, merges with its aggregate
    store.add_readings([OccupancyReading(PEOPLE.id, base + timedelta(minutes=50), 200, None, 200, 1.0, Method.COUNT,
                                         received_at=FIXED_NOW)])
    merged = store.hourly_readings([PEOPLE.id], base, base + timedelta(hours=1))
    assert [(b.n, b.max_count) for b in merged] == [(5, 200)]
    store.compact_readings(FIXED_NOW + timedelta(hours=1))
    assert [(b.n, b.max_count) for b in store.hourly_readings([PEOPLE.id], base, base + timedelta(hours=1))] == [
        (5, 200)]


def test_a_reading_sent_again_after_compaction_is_not_counted_twice(store: Store) -> None:
    from datenhub.clock import fixed
    from datenhub.live.ingest import OccupancyIngestor
    from tests.live.helpers import payload

    register(store)
    hour = FIXED_NOW.replace(minute=0) - timedelta(hours=3)
    rows = [OccupancyReading(PEOPLE.id, hour + timedelta(minutes=m), 10 + m, None, 200, (10 + m) / 200, Method.COUNT,
                             received_at=FIXED_NOW) for m in (0, 15, 30)]
    store.add_readings(rows)
    store.compact_readings(hour + timedelta(hours=1))
    again = store.add_readings([rows[1], replace(rows[2], count=99, fraction=0.495)])  # re-sent, and changed
    store.compact_readings(FIXED_NOW)
    (bucket,) = store.hourly_readings([PEOPLE.id], hour, FIXED_NOW)
    assert (bucket.n, bucket.max_count) == (3, 40)  # idempotent across compaction: counted once, first value kept
    assert again.inserted == [] and again.duplicates == 0 and again.conflicts == []
    assert [r.observed_at for r in again.compacted] == [rows[1].observed_at, rows[2].observed_at]
    assert store.compaction_horizons([PEOPLE.id, PARKING.id]) == {PEOPLE.id: rows[2].observed_at}
    later = store.add_readings([replace(rows[2], observed_at=rows[2].observed_at + timedelta(minutes=1))])
    assert len(later.inserted) == 1  # after the last reading compaction consumed: stored
    # through the ingestor: not stored, an INFO dead letter on its channel, the payload as sent
    minutes = int((FIXED_NOW - rows[0].observed_at).total_seconds() // 60)
    result = OccupancyIngestor(store, fixed(FIXED_NOW)).ingest_items([payload(minutes_ago=minutes, count=10)], "http")
    assert result.summary() == {"accepted": 0, "duplicates": 0, "rejected": 1}
    (letter,) = store.list_dead_letters()
    assert (letter.channel, letter.notice.code, letter.notice.severity.value) == ("http", "already_compacted", "INFO")
    assert '"count":10' in letter.payload.replace(" ", "")
    assert store.hourly_readings([PEOPLE.id], hour, hour + timedelta(hours=1))[0].n == 4  # 3 compacted, `later`


def test_latest_changed_since(store: Store) -> None:
    register(store)
    later = replace(reading(0, 2, PARKING.id), received_at=FIXED_NOW + timedelta(seconds=5))
    store.add_readings([reading(0, 1), later])
    assert [r.sensor_id for r in store.latest_changed(None)] == [PEOPLE.id, PARKING.id]
    assert [r.sensor_id for r in store.latest_changed(FIXED_NOW)] == [PARKING.id]


def test_dead_letters_round_trip_newest_first(store: Store) -> None:
    for n, code in enumerate(("malformed_json", "unknown_sensor")):
        with store.transaction():
            store.add_dead_letters([DeadLetter(FIXED_NOW, "http", occupancy_notice(code, f"m{n}", sensor="x",
                                                                                  value="v\x00"), "{raw\x00")])
    letters = store.list_dead_letters()
    assert [d.notice.code for d in letters] == ["unknown_sensor", "malformed_json"]
    assert letters[0].notice.location.entity_id == "x" and letters[0].payload.startswith("{raw")
    assert [d.notice.code for d in store.list_dead_letters("malformed_json")] == ["malformed_json"]
    with store.transaction():
        assert store.prune_dead_letters(FIXED_NOW) == 0
        assert store.prune_dead_letters(FIXED_NOW + timedelta(seconds=1)) == 2
    assert store.list_dead_letters() == []


def test_ingestor_dead_letters_conflicts_and_bad_items_on_every_backend(store: Store) -> None:
    from datenhub.clock import fixed
    from datenhub.live.ingest import Message, OccupancyIngestor
    from tests.live.helpers import payload

    register(store)
    ingestor = OccupancyIngestor(store, fixed(FIXED_NOW))
    import orjson

    first = ingestor.ingest([Message(orjson.dumps([payload(count=10), payload(PARKING.id, free=5)]), "test"),
                             Message(b"{broken", "test")])
    assert first.summary() == {"accepted": 2, "duplicates": 0, "rejected": 1}
    again = ingestor.ingest_items([payload(count=10), payload(count=11), payload("ghost")], "test")
    assert again.summary() == {"accepted": 0, "duplicates": 1, "rejected": 2}
    assert sorted(d.notice.code for d in store.list_dead_letters()) == [
        "conflicting_reading", "malformed_json", "unknown_sensor"]
    assert store.latest_readings([PARKING.id])[0].fraction == 0.95


def test_conflict_dead_letters_keep_the_channel_the_reading_came_on(store: Store) -> None:
    import orjson

    from datenhub.clock import fixed
    from datenhub.live.ingest import Message, OccupancyIngestor
    from tests.live.helpers import payload

    register(store)
    ingestor = OccupancyIngestor(store, fixed(FIXED_NOW))
    ingestor.ingest_items([payload(count=10), payload(PARKING.id, free=5)], "http")
    topic = f"mqtt:datenhub/occupancy/{PEOPLE.id}"
    ingestor.ingest([Message(orjson.dumps(payload(count=11)), topic, PEOPLE.id),
                     Message(orjson.dumps(payload(PARKING.id, free=6)), "replay:p.csv")])
    ingestor.ingest_items([payload(count=12)], "http")
    letters = [(d.channel, d.notice.code, d.notice.location.entity_id) for d in reversed(store.list_dead_letters())]
    assert letters == [(topic, "conflicting_reading", PEOPLE.id), ("replay:p.csv", "conflicting_reading", PARKING.id),
                       ("http", "conflicting_reading", PEOPLE.id)]
    assert "count 12" in store.list_dead_letters()[0].notice.message  # what differs from the stored reading


def test_entity_sensing_finds_sensors_under_record_or_hub_id(store: Store, tmp_path: Path) -> None:
    from datenhub import hub
    from tests.store.helpers import write_csv

    hub.import_file(store, write_csv(tmp_path / "t.csv"), "test")
    entity, sensing = store.get_entity_sensing("test:z1")
    assert entity is not None and entity["name"]["de"] == "Zeche Zollverein" and sensing is False
    register(store, replace(PEOPLE, place_id="test:z1"))  # by its record id
    assert store.get_entity_sensing("test:z1") == (entity, True)
    assert store.get_entity_sensing(entity["id"]) == (entity, True)
    register(store, replace(PARKING, place_id=store.get_entity("test:z2")["id"]))  # type: ignore[index]
    assert store.get_entity_sensing("test:z2")[1] is True  # by its hub id
    assert store.get_entity_sensing("test:m1")[1] is False
    assert store.get_entity_sensing("test:nowhere") == (None, False)
    closed, _ = store.get_entity_sensing("test:c1")
    assert closed is None and store.get_entity_sensing("test:c1", include_closed=True)[0] is not None


def test_a_failed_batch_leaves_the_next_one_of_its_month_writable(store: Store) -> None:
    import pytest

    register(store)
    # a month no reading has been stored in yet (PostgreSQL makes its partition in the batch's transaction)
    old = [replace(reading(0, 5), observed_at=at(0) - timedelta(days=400))]
    broken = replace(old[0], observed_at=old[0].observed_at + timedelta(minutes=1), window_seconds=2**70)
    with pytest.raises(Exception):  # noqa: B017 - the backend's own error (the value fits no column); what
        store.add_readings([*old, broken])  # matters is that the batch is rolled back, and what follows
    assert store.readings(PEOPLE.id) == []
    assert len(store.add_readings(old).inserted) == 1


def test_more_free_spaces_than_capacity_count_as_empty_not_negative(store: Store) -> None:
    register(store)
    hour = FIXED_NOW.replace(minute=0) - timedelta(hours=2)
    store.add_readings([OccupancyReading(PARKING.id, hour + timedelta(minutes=m), None, free, 100, 0.0 if free >= 100
                                         else 1 - free / 100, Method.FREE, received_at=FIXED_NOW)
                        for m, free in ((5, 500), (35, 40))])
    for compact in (False, True):
        if compact:
            store.compact_readings(FIXED_NOW)
        (bucket,) = store.hourly_readings([PARKING.id], hour, FIXED_NOW)
        assert (bucket.n, bucket.min_count, bucket.max_count) == (2, 0, 60)


def test_a_new_months_partition_rolled_back_with_the_block_around_the_write_is_made_again(store: Store) -> None:
    # the live ingest writes readings and dead letters in one block: when the dead letters failed (a connection
    # killed), PostgreSQL remembered the month's partition the rollback took away, and every later reading of that
    # month failed with "no partition of relation occupancy_readings found for row" until the process restarted
    register(store)
    old = [replace(reading(0, 5), observed_at=at(0) - timedelta(days=400))]
    with pytest.raises(RuntimeError), store.transaction():
        store.add_readings(old)
        raise RuntimeError("the dead letters failed")
    assert store.readings(PEOPLE.id) == []
    assert len(store.add_readings(old).inserted) == 1
