"""The live stream through a real server: events and heartbeats must arrive while the response is still open."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from datenhub.api.app import create_app
from datenhub.api.ratelimit import Limits
from datenhub.clock import fixed
from datenhub.live.ingest import OccupancyIngestor
from datenhub.store import Store, open_store
from tests.conftest import FIXED_NOW
from tests.live.conftest import free_port
from tests.live.helpers import PLACE, payload, register


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Store]]:
    store = open_store(f"sqlite:///{tmp_path}/x.db")
    register(store)
    port = free_port()
    config = uvicorn.Config(create_app(store=store, clock=fixed(FIXED_NOW), limits=Limits(10**6, 10**6)),
                            host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", store
    srv.should_exit = True
    thread.join(5)


def test_stream_heartbeat_and_reading_arrive_while_open(server: tuple[str, Store]) -> None:
    url, store = server
    threading.Timer(0.5, lambda: OccupancyIngestor(store, fixed(FIXED_NOW)).ingest_items(
        [payload(count=42)], "test")).start()
    seen = ""
    with httpx.Client(timeout=httpx.Timeout(3.0)) as client, client.stream(
            "GET", f"{url}/api/v1/occupancy/stream", params={"place": PLACE, "heartbeat": 0.2}) as response:
        for chunk in response.iter_text():
            seen += chunk
            if '"count":42' in seen and ": heartbeat" in seen:
                break
    assert ": heartbeat" in seen and '"count":42' in seen
