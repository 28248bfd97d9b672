"""MQTT reliability against a real mosquitto: broker restart and listener restart mid-stream lose nothing and
store nothing twice; duplicates, out-of-order and bad payloads are handled without stopping the listener."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import orjson
import paho.mqtt.client as mqtt
import pytest

from datenhub.clock import fixed
from datenhub.live.ingest import IngestResult, Message
from datenhub.live.model import OccupancyReading, ReadingsWrite, Sensor, SensorKind
from datenhub.live.mqtt import Broker, OccupancyListener, OccupancyPublisher, topic_for
from datenhub.store import Store, open_store
from tests.conftest import FIXED_NOW
from tests.live.conftest import Mosquitto

SENSORS = [Sensor(f"mq-{n}", "test:mq", SensorKind.PEOPLE, "mq", 1000) for n in range(3)]
N = 300


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Store]:
    store = open_store(f"sqlite:///{tmp_path}/x.db")
    with store.transaction():
        for sensor in SENSORS:
            store.upsert_sensor(sensor)
    yield store
    store.close()


def stream(n: int = N, end: datetime = FIXED_NOW) -> list[tuple[str, bytes, int]]:
    """n readings over the three sensors up to `end`: (sensor, payload, count)."""
    out = []
    for i in range(n):
        sensor = SENSORS[i % 3].id
        at = end - timedelta(minutes=5 * (n - i))
        out.append((sensor, orjson.dumps({"sensor": sensor, "observed_at": at.isoformat(), "count": i}), i))
    return out


def listener(store: Store, broker: Mosquitto, client_id: str) -> OccupancyListener:
    lis = OccupancyListener(store, Broker.parse(broker.url), client_id=client_id, clock=fixed(FIXED_NOW),
                            min_backoff=0.1, max_backoff=0.5)
    lis.start()
    assert lis.connected.wait(10), "listener did not connect"
    return lis


def stored(store: Store) -> dict[tuple[str, str], int]:
    return {(s.id, r.observed_at.isoformat()): r.count or 0 for s in SENSORS for r in store.readings(s.id)}


def wait_for(condition: Callable[[], bool], seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def assert_exactly_once(store: Store, sent: list[tuple[str, bytes, int]]) -> None:
    # no waiting for late copies afterwards: a reading is stored under its sensor and time, so a copy that came
    # later could add no row; the listener counts the copies it recognised (stats.totals.duplicates)
    assert wait_for(lambda: len(stored(store)) >= len(sent)), f"only {len(stored(store))} of {len(sent)} arrived"
    got = stored(store)
    expected = {(s, orjson.loads(p)["observed_at"]): c for s, p, c in sent}
    normalised = {(s, t): c for (s, t), c in got.items()}
    assert len(normalised) == len(sent)
    assert sorted(normalised.values()) == sorted(expected.values())
    assert all(len(store.readings(s.id)) == len(sent) // 3 for s in SENSORS)


def held_back(lis: OccupancyListener, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """An open gate the listener's writer must pass to store a batch: cleared, the listener receives messages and
    neither stores nor acknowledges them, as a writer that a loaded machine (or a slow database) holds up."""
    gate = threading.Event()
    gate.set()
    ingest = lis.ingestor.ingest

    def gated(messages: list[Message]) -> IngestResult:
        gate.wait()
        return ingest(messages)

    monkeypatch.setattr(lis.ingestor, "ingest", gated)
    return gate


def test_broker_restart_mid_stream_every_reading_exactly_once(hub: Store, mosquitto: Mosquitto,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # Each phase waits for the state it needs instead of a publisher running beside the test at 4 ms a message:
    # on a loaded machine the listener had stored nothing yet when the broker went (0 < stored_while_down failed),
    # and readings sent between the listener's CONNACK and its SUBACK reached no subscription.
    lis = listener(hub, mosquitto, f"dh-test-{uuid.uuid4().hex[:8]}")
    gate = held_back(lis, monkeypatch)
    pub = OccupancyPublisher(Broker.parse(mosquitto.url), f"dh-pub-{uuid.uuid4().hex[:8]}")
    sent = stream()
    third = N // 3
    try:
        for sensor, body, _ in sent[:third]:  # stored and acknowledged before the broker goes
            pub.publish(sensor, body)
        assert wait_for(lambda: len(stored(hub)) == third), f"{len(stored(hub))} of {third} stored"
        gate.clear()
        for sensor, body, _ in sent[third:2 * third]:  # the broker has them; some reach the listener, unacknowledged
            pub.publish(sensor, body)
        assert pub.flush(30), "the broker never acknowledged the second third"
        assert wait_for(lambda: lis.stats.received > third), "the listener received none of the second third"
        mosquitto.stop()  # SIGTERM: mosquitto saves sessions and queued QoS-1 messages
        for sensor, body, _ in sent[2 * third:]:  # the publisher keeps them and sends them on reconnect
            pub.publish(sensor, body)
        received = lis.stats.received
        gate.set()  # stored now; their acknowledgements cannot reach the broker, which sends them again
        assert wait_for(lambda: len(stored(hub)) == received), f"{len(stored(hub))} of {received} stored"
        mosquitto.start()
        assert pub.flush(30), "the broker never acknowledged every message"
        assert_exactly_once(hub, sent)
        assert lis.stats.connects >= 2
        assert wait_for(lambda: lis.stats.totals.duplicates >= 1), "the unacknowledged ones did not come again"
    finally:
        gate.set()
        pub.close()
        lis.stop()


def test_the_listener_counts_as_connected_once_its_subscription_is_acknowledged(hub: Store) -> None:
    # `connected` was set at the CONNACK: readings published before the broker had the SUBSCRIBE (a network thread
    # descheduled between the two) reached no subscription of a new session and were gone
    lis = OccupancyListener(hub, Broker.parse("mqtt://127.0.0.1:1"), client_id="dh-test-suback")
    subscribed: list[tuple[str, int]] = []

    class Client:
        def subscribe(self, topic: str, qos: int) -> tuple[int, int]:
            subscribed.append((topic, qos))
            return 0, 41

    ok, refused = SimpleNamespace(is_failure=False), SimpleNamespace(is_failure=True)
    lis._on_connect(Client(), None, SimpleNamespace(session_present=False), ok, None)  # type: ignore[arg-type]
    assert subscribed == [("datenhub/occupancy/+", 1)] and not lis.connected.is_set()
    lis._on_subscribe(Client(), None, 40, [ok], None)  # type: ignore[arg-type]  # another subscription's SUBACK
    lis._on_subscribe(Client(), None, 41, [refused], None)  # type: ignore[arg-type]  # e.g. an ACL
    assert not lis.connected.is_set()
    lis._on_subscribe(Client(), None, 41, [ok], None)  # type: ignore[arg-type]
    assert lis.connected.is_set()


def test_listener_restart_mid_stream_redelivers_unacked_exactly_once(hub: Store, mosquitto: Mosquitto) -> None:
    client_id = f"dh-test-{uuid.uuid4().hex[:8]}"
    first = listener(hub, mosquitto, client_id)
    first.client.ack = lambda mid, qos: mqtt.MQTT_ERR_SUCCESS  # type: ignore[method-assign]  # dies before acking
    pub = OccupancyPublisher(Broker.parse(mosquitto.url), f"dh-pub-{uuid.uuid4().hex[:8]}")
    sent = stream()
    try:
        for sensor, body, _ in sent[:100]:
            pub.publish(sensor, body)
        assert wait_for(lambda: len(stored(hub)) >= 10, 10)  # the first listener stored some, acked none
        first.stop()
        for sensor, body, _ in sent[100:200]:
            pub.publish(sensor, body)  # nobody listening: the broker keeps them for our session
        assert pub.flush(20)
        second = listener(hub, mosquitto, client_id)
        for sensor, body, _ in sent[200:]:
            pub.publish(sensor, body)
        assert pub.flush(20)
        assert_exactly_once(hub, sent)
        assert second.stats.totals.duplicates >= 1  # the unacknowledged ones came again and were recognised
        second.stop()
    finally:
        pub.close()


def test_duplicates_out_of_order_and_bad_payloads_never_stop_listener(hub: Store, mosquitto: Mosquitto) -> None:
    lis = listener(hub, mosquitto, f"dh-test-{uuid.uuid4().hex[:8]}")
    pub = OccupancyPublisher(Broker.parse(mosquitto.url), f"dh-pub-{uuid.uuid4().hex[:8]}")
    s = SENSORS[0].id

    def body(minutes: int, **values: object) -> bytes:
        return orjson.dumps({"sensor": s, "observed_at": (FIXED_NOW - timedelta(minutes=minutes)).isoformat(),
                             **values})

    try:
        pub.publish(s, body(0, count=30))
        pub.publish(s, body(20, count=10))  # older, arrives later
        pub.publish(s, body(10, count=20))
        pub.publish(s, body(0, count=30))  # duplicate
        pub.publish(s, body(0, count=31))  # conflicting value for a stored key
        pub.publish(s, b"{\"sensor\": ")  # malformed JSON
        pub.publish(s, b"\xff\xfe garbage")
        pub.publish(s, body(5, count="zwanzig"))  # wrong type
        pub.publish(s, body(6, count=-4))  # negative
        pub.publish(s, body(7, count=10_001))  # above capacity × 10
        pub.publish("ghost", orjson.dumps({"sensor": "ghost", "observed_at": FIXED_NOW.isoformat(), "count": 1}))
        pub.publish(s, orjson.dumps({"sensor": SENSORS[1].id, "observed_at": FIXED_NOW.isoformat(), "count": 1}))
        pub.publish_raw("datenhub/occupancy/a/b", body(8, count=1))  # not our topic scheme: ignored by +
        pub.publish(s, body(1, count=29))  # a good one after all the bad: the listener still works
        assert pub.flush(10)
        # returns as soon as they are there; the bound is for a machine busy with the rest of the suite (-n 2)
        assert wait_for(lambda: len(hub.readings(s)) >= 4, 30), [(r.observed_at, r.count) for r in hub.readings(s)]
        assert wait_for(lambda: len(hub.list_dead_letters()) >= 8, 30), hub.list_dead_letters()
        assert [r.count for r in hub.readings(s)] == [10, 20, 29, 30]
        assert hub.latest_readings([s])[0].count == 30
        codes = sorted(d.notice.code for d in hub.list_dead_letters())
        assert codes == sorted(["conflicting_reading", "malformed_json", "malformed_json", "wrong_type",
                                "negative_value", "absurd_value", "unknown_sensor", "sensor_mismatch"])
        garbage = [d for d in hub.list_dead_letters("malformed_json") if "garbage" in d.payload]
        assert garbage and garbage[0].channel == f"mqtt:{topic_for(s)}"
        assert lis.stats.totals.duplicates == 1
    finally:
        pub.close()
        lis.stop()


def test_a_message_the_store_refuses_is_dead_lettered_while_a_locked_database_is_waited_for(
        hub: Store, mosquitto: Mosquitto, monkeypatch: pytest.MonkeyPatch) -> None:
    s = SENSORS[0].id
    add, locked = hub.add_readings, [2]

    def refusing(readings: list[OccupancyReading]) -> ReadingsWrite:
        if locked[0]:  # the first two writes find the database locked: waited for, never dead-lettered
            locked[0] -= 1
            raise sqlite3.OperationalError("database is locked")
        if any(r.count == 666 for r in readings):  # the database refuses the values: a dead letter at once
            raise sqlite3.IntegrityError("CHECK constraint failed: count")
        if any(r.count == 777 for r in readings):  # an error nobody foresaw: a dead letter after a few attempts
            raise RuntimeError("something nobody foresaw")
        return add(readings)

    monkeypatch.setattr(hub, "add_readings", refusing)
    lis = listener(hub, mosquitto, f"dh-test-{uuid.uuid4().hex[:8]}")
    pub = OccupancyPublisher(Broker.parse(mosquitto.url), f"dh-pub-{uuid.uuid4().hex[:8]}")

    def body(minutes: int, count: int) -> bytes:
        return orjson.dumps({"sensor": s, "observed_at": (FIXED_NOW - timedelta(minutes=minutes)).isoformat(),
                             "count": count})

    try:
        for minutes, count in ((30, 1), (20, 666), (10, 777), (0, 2)):
            pub.publish(s, body(minutes, count))
        assert pub.flush(10)
        assert wait_for(lambda: len(hub.list_dead_letters()) >= 2, 30), hub.list_dead_letters()
        assert wait_for(lambda: len(hub.readings(s)) >= 2, 30)
        assert [r.count for r in hub.readings(s)] == [1, 2]  # the messages beside the poison ones are stored
        letters = {d.notice.code: d for d in hub.list_dead_letters()}
        assert sorted(letters) == ["store_failed", "store_refused"]
        assert letters["store_refused"].payload == body(20, 666).decode()  # kept verbatim, for a replay
        assert letters["store_failed"].payload == body(10, 777).decode()
        assert all(d.channel == f"mqtt:{topic_for(s)}" and d.notice.location.entity_id == s
                   for d in letters.values())
        assert "IntegrityError" in letters["store_refused"].notice.message
        assert lis.stats.store_errors >= 2
    finally:
        pub.close()
        lis.stop()


def _listen_process(db: str, broker: Mosquitto, client_id: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "datenhub.cli", "occupancy", "listen", "--broker", broker.url,
                             "--client-id", client_id, "--db", db], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def test_listener_process_killed_mid_stream_then_restarted_exactly_once(tmp_path: Path, mosquitto: Mosquitto) -> None:
    """A real crash: `datenhub occupancy listen` gets SIGKILL while readings flow, and is started again."""
    db = f"sqlite:///{tmp_path}/crash.db"
    store = open_store(db)
    warm = Sensor("mq-warm", "test:mq", SensorKind.PEOPLE, "mq", 1000)
    with store.transaction():
        for sensor in [*SENSORS, warm]:
            store.upsert_sensor(sensor)
    client_id = f"dh-crash-{uuid.uuid4().hex[:8]}"
    pub = OccupancyPublisher(Broker.parse(mosquitto.url), f"dh-pub-{uuid.uuid4().hex[:8]}")
    sent = stream(end=FIXED_NOW - timedelta(days=400))  # the CLI runs on the real clock: stay in the past
    process = _listen_process(db, mosquitto, client_id)

    def subscribed() -> bool:  # the session must exist before the stream, as in production
        at = (FIXED_NOW - timedelta(days=500, seconds=time.monotonic_ns() % 10**9)).isoformat()
        pub.publish(warm.id, orjson.dumps({"sensor": warm.id, "observed_at": at, "count": 1}))
        time.sleep(0.2)
        return bool(store.readings(warm.id))

    try:
        assert wait_for(subscribed, 30), "the listener process never subscribed"

        def publish_steadily() -> None:
            for sensor, body, _ in sent:
                pub.publish(sensor, body)
                time.sleep(0.004)

        worker = threading.Thread(target=publish_steadily)
        worker.start()
        assert wait_for(lambda: len(stored(store)) >= 30, 20), "the listener process stored nothing"
        process.kill()  # SIGKILL mid-stream: no disconnect, no ack for what was in hand
        process.wait(10)
        stored_at_crash = len(stored(store))
        time.sleep(0.3)
        process = _listen_process(db, mosquitto, client_id)
        worker.join(30)
        assert stored_at_crash < N
        assert pub.flush(20)
        assert_exactly_once(store, sent)
    finally:
        process.terminate()
        process.wait(10)
        pub.close()
        store.close()
