"""Live stream for screens: one poller per app watches the latest-per-sensor table (so readings from any
process, HTTP or the MQTT listener, show up) and fans out to bounded per-client queues (oldest dropped)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import orjson
from starlette.concurrency import run_in_threadpool

from datenhub.live.model import OccupancyReading
from datenhub.store import Store

POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 15.0
QUEUE_SIZE = 256


class Subscriber:
    def __init__(self, sensors: set[str] | None, size: int) -> None:
        self.sensors = sensors  # None: every sensor
        self.queue: asyncio.Queue[OccupancyReading] = asyncio.Queue(size)
        self.dropped = 0

    def offer(self, reading: OccupancyReading) -> None:
        if self.sensors is not None and reading.sensor_id not in self.sensors:
            return
        if self.queue.full():  # a slow screen loses the oldest readings, never the server's memory
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(reading)


class ReadingStream:
    def __init__(self, store: Store, poll: float = POLL_SECONDS, queue_size: int = QUEUE_SIZE) -> None:
        self.store, self.poll, self.queue_size = store, poll, queue_size
        self._subscribers: set[Subscriber] = set()
        self._task: asyncio.Task[None] | None = None
        self._seen: dict[str, datetime] = {}
        self._cursor: datetime | None = None

    async def subscribe(self, sensors: set[str] | None) -> Subscriber:
        sub = Subscriber(sensors, self.queue_size)
        if self._task is None or self._task.done():
            await self._prime()
            self._task = asyncio.create_task(self._run())
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self._subscribers.discard(sub)
        if not self._subscribers and self._task is not None:
            self._task.cancel()
            self._task = None

    async def _prime(self) -> None:
        """Remember what is there now, so a new client sees only readings that arrive from now on."""
        rows = await run_in_threadpool(self.store.latest_changed, None, 100_000)
        self._seen = {r.sensor_id: r.observed_at for r in rows}
        self._cursor = max((r.received_at for r in rows if r.received_at), default=None)

    def _fresh(self, rows: list[OccupancyReading]) -> list[OccupancyReading]:
        out = []
        for r in rows:
            if self._seen.get(r.sensor_id) != r.observed_at:
                self._seen[r.sensor_id] = r.observed_at
                out.append(r)
            if r.received_at and (self._cursor is None or r.received_at > self._cursor):
                self._cursor = r.received_at
        return out

    async def _run(self) -> None:
        while True:
            # a second of overlap: rows committed late or received in the same instant are compared with what we saw
            after = None if self._cursor is None else self._cursor - timedelta(seconds=1)
            with contextlib.suppress(Exception):  # a locked or briefly unreachable database: try again next poll
                rows = await run_in_threadpool(self.store.latest_changed, after, 10_000)
                for reading in self._fresh(rows):
                    for sub in list(self._subscribers):
                        sub.offer(reading)
            await asyncio.sleep(self.poll)


def sse_event(reading: OccupancyReading, place: str | None) -> str:
    data = orjson.dumps({**reading.to_dict(), "place": place}).decode("utf-8")
    return f"event: reading\nid: {reading.sensor_id}@{reading.observed_at.isoformat()}\ndata: {data}\n\n"


async def sse_events(stream: ReadingStream, sub: Subscriber, places: dict[str, str], *,
                     heartbeat: float = HEARTBEAT_SECONDS, max_events: int | None = None) -> AsyncIterator[str]:
    sent = 0
    try:
        yield "retry: 5000\n: connected\n\n"
        while max_events is None or sent < max_events:
            try:
                reading = await asyncio.wait_for(sub.queue.get(), timeout=heartbeat)
            except TimeoutError:
                yield ": heartbeat\n\n"
                continue
            if sub.dropped:
                yield f": dropped {sub.dropped} readings (client too slow)\n\n"
                sub.dropped = 0
            yield sse_event(reading, places.get(reading.sensor_id))
            sent += 1
    finally:
        stream.unsubscribe(sub)
