"""MQTT ingest: `datenhub/occupancy/<sensor-id>`, QoS 1, a persistent session under a fixed client id, and
reconnects with exponential backoff. A message is acknowledged only after its batch is committed (or
dead-lettered), so a crash of the listener or the broker re-delivers instead of losing; idempotent
inserts turn re-deliveries into duplicates, hence each reading is stored exactly once. A busy or unreachable
database is waited for; a message the store refuses otherwise is dead-lettered (ingest.store_failure), so one
poison message cannot stall the topic."""

from __future__ import annotations

import logging
import queue
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt

from datenhub.clock import Clock, utc_now
from datenhub.live.ingest import IngestResult, Message, OccupancyIngestor, store_failure
from datenhub.store import Store

TOPIC_PREFIX = "datenhub/occupancy/"
SUBSCRIPTION = TOPIC_PREFIX + "+"
CLIENT_ID = "datenhub-occupancy-listener"
STORE_ATTEMPTS = 5  # writes of one message failing with an unforeseen error before it is dead-lettered
log = logging.getLogger("datenhub.live.mqtt")


@dataclass(frozen=True, slots=True)
class Broker:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False

    @classmethod
    def parse(cls, url: str) -> Broker:
        """mqtt://user:pass@host:1883 or mqtts://host:8883."""
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts", "tcp"):
            raise ValueError(f"not an MQTT URL: {url!r} (expected mqtt://host:1883)")
        tls = parts.scheme == "mqtts"
        return cls(parts.hostname or "127.0.0.1", parts.port or (8883 if tls else 1883), parts.username,
                   parts.password, tls)


def topic_for(sensor_id: str) -> str:
    return TOPIC_PREFIX + sensor_id


def sensor_of(topic: str) -> str | None:
    rest = topic.removeprefix(TOPIC_PREFIX)
    return rest if rest != topic and rest and "/" not in rest else None


def make_client(broker: Broker, client_id: str, *, persistent: bool = True, manual_ack: bool = False,
                min_backoff: float = 0.5, max_backoff: float = 30.0) -> mqtt.Client:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=not persistent,
                         protocol=mqtt.MQTTv311, manual_ack=manual_ack)
    if broker.username:
        client.username_pw_set(broker.username, broker.password)
    if broker.tls:
        client.tls_set()
    client.reconnect_delay_set(min_delay=min_backoff, max_delay=max_backoff)  # type: ignore[arg-type]
    client.max_queued_messages_set(0)
    return client


@dataclass(slots=True)
class ListenerStats:
    received: int = 0
    connects: int = 0
    batches: int = 0
    store_errors: int = 0
    totals: IngestResult = field(default_factory=IngestResult)


class OccupancyListener:
    """Subscribe and store. `start()` returns at once (network and writer threads); `stop()` ends both."""

    def __init__(self, store: Store, broker: Broker, *, client_id: str = CLIENT_ID, clock: Clock = utc_now,
                 batch_size: int = 500, min_backoff: float = 0.5, max_backoff: float = 30.0,
                 store_attempts: int = STORE_ATTEMPTS) -> None:
        self.ingestor = OccupancyIngestor(store, clock)
        self.broker, self.batch_size, self.store_attempts = broker, batch_size, store_attempts
        self.stats = ListenerStats()
        # set once the broker acknowledged the subscription on the current connection, not at its CONNACK: a reading
        # published in between reached no subscription (a new session has none yet) and was gone
        self.connected = threading.Event()
        self._subscription: int | None = None
        self._inbox: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self._stop = threading.Event()
        self._writer: threading.Thread | None = None
        self.client = make_client(broker, client_id, manual_ack=True, min_backoff=min_backoff,
                                  max_backoff=max_backoff)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe

    # paho callbacks (network thread) -------------------------------------------------------------------------
    def _on_connect(self, client: mqtt.Client, _: Any, flags: Any, reason: Any, __: Any) -> None:
        if getattr(reason, "is_failure", False):
            log.warning("broker refused the connection: %s", reason)
            return
        self.stats.connects += 1
        self._subscription = client.subscribe(SUBSCRIPTION, qos=1)[1]
        log.info("connected to %s:%s (session present: %s)", self.broker.host, self.broker.port,
                 getattr(flags, "session_present", None))

    def _on_subscribe(self, _: mqtt.Client, __: Any, mid: int, reasons: list[Any], ___: Any) -> None:
        if mid != self._subscription:
            return
        if any(getattr(reason, "is_failure", False) for reason in reasons):
            log.error("the broker refused the subscription to %s: %s", SUBSCRIPTION, reasons)
            return
        self.connected.set()

    def _on_disconnect(self, _: mqtt.Client, __: Any, ___: Any, reason: Any, ____: Any) -> None:
        self.connected.clear()
        if not self._stop.is_set():
            log.warning("lost the broker (%s); reconnecting with backoff", reason)

    def _on_message(self, _: mqtt.Client, __: Any, message: mqtt.MQTTMessage) -> None:
        self.stats.received += 1
        self._inbox.put(message)

    # writer thread -------------------------------------------------------------------------------------------
    def _next_batch(self) -> list[mqtt.MQTTMessage]:
        try:
            batch = [self._inbox.get(timeout=0.2)]
        except queue.Empty:
            return []
        while len(batch) < self.batch_size:
            try:
                batch.append(self._inbox.get_nowait())
            except queue.Empty:
                break
        return batch

    def _attempt(self, messages: list[Message]) -> IngestResult | Exception | None:
        """Store the messages, waiting out a busy or unreachable database (never ack unstored); the error when the
        store refuses them for another reason, None when the listener stops meanwhile."""
        delay = 0.1
        while not self._stop.is_set():
            try:
                return self.ingestor.ingest(messages)
            except Exception as exc:
                self.stats.store_errors += 1
                if store_failure(exc) != "transient":
                    return exc
                log.warning("storing %d messages failed (%s); retrying in %.1f s", len(messages), exc, delay)
                time.sleep(delay)
                delay = min(delay * 2, 10.0)
        return None

    def _write_alone(self, message: Message) -> IngestResult | None:
        """One message of a batch the store refused: stored, or dead-lettered at once when the database refused
        its values, or after `store_attempts` failures of another kind (a poison message must not stall the
        topic). None when the listener stops meanwhile (the message stays unacknowledged)."""
        delay = 0.1
        for attempt in range(1, self.store_attempts + 1):
            outcome = self._attempt([message])
            if not isinstance(outcome, Exception):
                return outcome
            if store_failure(outcome) == "data" or attempt == self.store_attempts:
                log.error("dead-lettering a message on %s the store refused (%s)", message.channel, outcome,
                          exc_info=outcome)
                while not self._stop.is_set():
                    try:
                        return self.ingestor.give_up(message, outcome, attempt)
                    except Exception as exc:  # the dead letter cannot be written either: as any write, wait
                        log.warning("dead-lettering failed (%s); retrying in %.1f s", exc, delay)
                        time.sleep(delay)
                        delay = min(delay * 2, 10.0)
                return None
            log.warning("storing a message on %s failed (%s, attempt %d of %d)", message.channel, outcome, attempt,
                        self.store_attempts)
            time.sleep(delay)
            delay = min(delay * 2, 10.0)
        return None

    def _write(self, batch: list[mqtt.MQTTMessage]) -> None:
        messages = [Message(bytes(m.payload), f"mqtt:{m.topic}", sensor_of(m.topic)) for m in batch]
        outcome = self._attempt(messages)
        if outcome is None:
            return
        if isinstance(outcome, Exception):  # one message may spoil the batch: find it, store the others
            log.warning("the store refused a batch of %d messages (%s); storing them one by one", len(messages),
                        outcome)
            outcome = IngestResult()
            for message in messages:
                alone = self._write_alone(message)
                if alone is None:
                    return
                outcome.add(alone)
        self.stats.batches += 1
        self.stats.totals.add(IngestResult(outcome.accepted, outcome.duplicates, outcome.rejected))
        for m in batch:
            if m.qos > 0:
                self.client.ack(m.mid, m.qos)

    def _run_writer(self) -> None:
        while not self._stop.is_set():
            batch = self._next_batch()
            if batch:
                self._write(batch)

    # lifecycle -----------------------------------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        self._writer = threading.Thread(target=self._run_writer, name="occupancy-writer", daemon=True)
        self._writer.start()
        self.client.connect_async(self.broker.host, self.broker.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        """Leave the session on the broker (persistent): what arrives meanwhile waits for the next start."""
        self._stop.set()
        self.client.disconnect()
        self.client.loop_stop()
        if self._writer is not None:
            self._writer.join(timeout=10)

    def run_forever(self) -> None:
        """Until SIGINT or SIGTERM (service managers stop with SIGTERM); the session stays on the broker."""
        done = threading.Event()
        previous = {sig: signal.signal(sig, lambda *_: done.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
        self.start()
        try:
            done.wait()
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)


class OccupancyPublisher:
    """QoS-1 publisher for replays, demos and tests; keeps unacknowledged messages across broker restarts."""

    def __init__(self, broker: Broker, client_id: str = "datenhub-occupancy-replay") -> None:
        self.client = make_client(broker, client_id, min_backoff=0.2, max_backoff=5.0)
        self.client.max_inflight_messages_set(100)
        self.published = 0
        self.acknowledged = 0
        self._lock = threading.Lock()
        self.client.on_publish = self._on_publish
        self.client.connect_async(broker.host, broker.port, keepalive=30)
        self.client.loop_start()

    def _on_publish(self, *_: Any) -> None:
        with self._lock:
            self.acknowledged += 1

    def publish_raw(self, topic: str, payload: bytes) -> None:
        with self._lock:
            self.published += 1
        self.client.publish(topic, payload, qos=1)  # queued by paho when the broker is away, sent on reconnect

    def publish(self, sensor_id: str, payload: bytes) -> None:
        self.publish_raw(topic_for(sensor_id), payload)

    def flush(self, timeout: float = 60.0) -> bool:
        """Wait until the broker acknowledged everything published so far."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self.acknowledged >= self.published:
                    return True
            time.sleep(0.01)
        return False

    def close(self) -> None:
        self.flush(10.0)
        self.client.disconnect()
        self.client.loop_stop()
