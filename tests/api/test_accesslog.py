"""The batched access log writes the lines `logging` would, and loses none of them."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator

import pytest

from datenhub.api import accesslog
from datenhub.api.accesslog import AccessLog
from datenhub.api.logsetup import JsonLogFormatter
from datenhub.store import Store
from tests.api.demo_app import client

AT = 1_795_000_000.0429  # a fixed instant, with milliseconds


def _logged(formatter: logging.Formatter) -> str:
    record = logging.LogRecord(accesslog.LOGGER, logging.INFO, __file__, 1, "%s %s %s %d %.1fms",
                               ("ab12", "GET", "/api/v1/places", 200, 3.25), None)
    record.created, record.msecs = AT, (AT - int(AT)) * 1000
    record.fields = accesslog.fields("ab12", "GET", "/api/v1/places", 200, 3.25, "203.0.113.9", "QGIS/3.34")
    return formatter.format(record)


@pytest.mark.parametrize("json_lines, formatter", [
    (False, logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")),
    (True, JsonLogFormatter()),
])
def test_the_line_logging_writes(monkeypatch: pytest.MonkeyPatch, json_lines: bool,
                                 formatter: logging.Formatter) -> None:
    monkeypatch.setattr(time, "time", lambda: AT)
    stream = io.StringIO()
    log = AccessLog(stream, json_lines=json_lines, interval=3600)  # only explicit flushes write
    log.write("ab12", "GET", "/api/v1/places", 200, 3.25, "203.0.113.9", "QGIS/3.34")
    assert stream.getvalue() == ""  # batched
    log.flush()
    assert stream.getvalue() == _logged(formatter) + "\n"


def test_json_lines_carry_the_requests_fields_beside_a_readable_message(monkeypatch: pytest.MonkeyPatch) -> None:
    # each field was packed into "message": a log shipper could not query status or duration without parsing it
    monkeypatch.setattr(time, "time", lambda: AT)
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        stream = io.StringIO()
        log = AccessLog(stream, json_lines=True, interval=3600)
        log.write("ab12", "GET", "/api/v1/places", 200, 3.25, "203.0.113.9", "QGIS/3.34")
        log.flush()
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert json.loads(stream.getvalue()) == {
        "ts": "2026-11-18T12:06:40.042+01:00", "level": "INFO", "logger": "datenhub.api",
        "message": "ab12 GET /api/v1/places 200 3.2ms", "request_id": "ab12", "method": "GET",
        "path": "/api/v1/places", "status": 200, "duration_ms": 3.2, "client": "203.0.113.0",
        "user_agent": "QGIS/3.34"}  # the client's network, not the person (api.clientip)


def test_text_lines_are_as_they_were(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: AT)
    stream = io.StringIO()
    log = AccessLog(stream, interval=3600)
    log.write("ab12", "GET", "/api/v1/places", 200, 3.25, "203.0.113.9", "QGIS/3.34")
    log.flush()
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(AT))
    assert stream.getvalue() == f"{stamp},042 INFO datenhub.api ab12 GET /api/v1/places 200 3.2ms\n"


def test_written_when_the_batch_is_full_and_by_the_flusher_otherwise() -> None:
    stream = io.StringIO()
    log = AccessLog(stream, max_lines=3, interval=0.05)
    for n in range(3):
        log.write(f"r{n}", "GET", "/", 200, 1.0)
    assert stream.getvalue().count("\n") == 3  # a full batch goes at once
    log.write("r3", "GET", "/", 304, 1.0)
    deadline = time.monotonic() + 10
    while "r3 GET / 304" not in stream.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [line.split()[4] for line in stream.getvalue().splitlines()] == ["r0", "r1", "r2", "r3"]


@pytest.fixture
def sink() -> Iterator[AccessLog]:
    log = AccessLog(io.StringIO(), interval=3600)  # only explicit flushes (and shutdown) write
    accesslog.install(log)
    yield log
    accesslog.install(None)


def test_the_middleware_writes_each_request_to_the_installed_log(store: Store, sink: AccessLog) -> None:
    api = client(store)
    response = api.get("/api/v1/places?limit=1", headers={"X-Request-ID": "trace-42"})
    api.get("/api/v1/places/nope")
    sink.flush()
    assert isinstance(sink.stream, io.StringIO)
    lines = sink.stream.getvalue().splitlines()
    assert response.headers["x-request-id"] == "trace-42"
    assert lines[0].split()[3:7] == ["datenhub.api", "trace-42", "GET", "/api/v1/places"]
    assert lines[0].split()[7] == "200" and lines[1].split()[7] == "404"


def test_the_middleware_gives_the_json_log_the_client_and_user_agent(store: Store) -> None:
    stream = io.StringIO()
    accesslog.install(AccessLog(stream, json_lines=True, interval=3600))
    try:
        client(store).get("/api/v1/places?limit=1", headers={"X-Request-ID": "trace-7", "User-Agent": "QGIS/3.34"})
        accesslog.flush()
    finally:
        accesslog.install(None)
    entry = json.loads(stream.getvalue())
    assert {k: entry[k] for k in ("request_id", "method", "path", "status", "client", "user_agent")} == {
        "request_id": "trace-7", "method": "GET", "path": "/api/v1/places", "status": 200, "client": "testclient",
        "user_agent": "QGIS/3.34"}
    assert entry["message"].startswith("trace-7 GET /api/v1/places 200 ") and entry["duration_ms"] >= 0


def test_without_the_batched_log_the_logger_gets_the_same_fields(store: Store,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger=accesslog.LOGGER):
        client(store).get("/api/v1/places/nope", headers={"X-Request-ID": "trace-8", "User-Agent": "curl/8.5"})
    (record,) = [r for r in caplog.records if r.name == accesslog.LOGGER]
    line = json.loads(JsonLogFormatter().format(record))
    assert (line["request_id"], line["status"], line["user_agent"]) == ("trace-8", 404, "curl/8.5")


def test_written_out_when_the_server_shuts_the_app_down(store: Store, sink: AccessLog) -> None:
    with client(store) as api:  # the test client runs the app's lifespan, as servers do
        api.get("/api/v1/places?limit=1", headers={"X-Request-ID": "before-shutdown"})
        assert isinstance(sink.stream, io.StringIO)
        assert sink.stream.getvalue() == ""  # batched
    assert "before-shutdown GET /api/v1/places 200" in sink.stream.getvalue()


def test_a_closed_stream_loses_the_lines_not_the_request() -> None:
    stream = io.StringIO()
    log = AccessLog(stream, max_lines=1, interval=3600)
    stream.close()
    log.write("r1", "GET", "/", 200, 1.0)  # a full batch, written at once: no error reaches the request
    log.flush()
