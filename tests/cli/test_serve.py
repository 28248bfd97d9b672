"""`datenhub serve --server granian`: the same hub on the second HTTP server, in a real process."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from datenhub.cli import app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def quiet_logger(monkeypatch: pytest.MonkeyPatch) -> None:
    # serve points the datenhub logger at the runner's stream, which closes with the invocation
    monkeypatch.setattr(logging.getLogger("datenhub"), "handlers", [])


def test_serve_refuses_an_unknown_server(demo_db: str, quiet_logger: None) -> None:
    result = CliRunner().invoke(app, ["serve", "--db", demo_db, "--server", "tornado"])
    assert result.exit_code == 2
    assert "--server" in result.output and "granian" in result.output


def test_serve_says_what_to_install_for_shared_rate_limits(demo_db: str, quiet_logger: None,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "redis" else real(name, *a))
    monkeypatch.setenv("DATENHUB_REDIS_URL", "redis://127.0.0.1:6379/9")
    result = CliRunner().invoke(app, ["serve", "--db", demo_db])
    assert result.exit_code == 2 and "datenhub[redis]" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("workers", [1, 3])
def test_serve_hands_granian_the_app_factory(workers: int, demo_db: str, quiet_logger: None,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from granian import server

    seen: dict[str, Any] = {}

    class Recorder:
        def __init__(self, target: str, **kwargs: Any) -> None:
            seen.update(kwargs, target=target)

        def serve(self) -> None:
            seen["served"] = True

    monkeypatch.setattr(server, "Server", Recorder)
    for name in ("DATENHUB_DATABASE_URL", "DATENHUB_SERVE_WEBHOOKS"):
        monkeypatch.delenv(name, raising=False)  # serve sets them for its workers: restored afterwards
    monkeypatch.setenv("DATENHUB_SERVER", "granian")
    result = CliRunner().invoke(app, ["serve", "--db", demo_db, "--workers", str(workers)])
    assert result.exit_code == 0, result.output
    assert seen["target"] == "datenhub.cli.serve:granian_app" and seen["factory"] and seen["served"]
    assert seen["workers"] == workers and str(seen["interface"]) == "asgi" and seen["respawn_failed_workers"]
    assert os.environ["DATENHUB_DATABASE_URL"] == demo_db
    # one worker delivers webhooks itself, as uvicorn's does; with several a timer runs `webhooks deliver`
    assert (os.environ.get("DATENHUB_SERVE_WEBHOOKS") == "1") == (workers == 1)


@contextlib.contextmanager
def serving(demo_db: str, server: str, workers: int = 1, log: Path | None = None,
            environ: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """`datenhub serve --server SERVER` in a real process: (its URL, its pid). `log`: where its stderr goes."""
    port = _free_port()
    env = {**os.environ, "DATENHUB_RATE_LIMIT_ANON": "100000", **(environ or {})}
    err = log.open("wb") if log else None
    proc = subprocess.Popen([sys.executable, "-m", "datenhub.cli", "serve", "--db", demo_db, "--port", str(port),
                             "--server", server, "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL,
                            stderr=err or subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url + "/health", timeout=1)
            break
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                said = log.read_bytes() if log else proc.stderr.read() if proc.stderr else b""
                raise RuntimeError(f"{server} did not start: " + said.decode()[-2000:]) from None
            time.sleep(0.2)
    try:
        yield url, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=15)
            assert server != "granian" or code == 0  # granian: a clean stop on SIGTERM, workers included
        finally:
            proc.kill()
            for stream in (proc.stderr, err):
                if stream:
                    stream.close()


@pytest.mark.parametrize(("server", "workers"), [("uvicorn", 2), ("granian", 1)])
def test_every_serving_process_writes_the_access_log(demo_db: str, server: str, workers: int, tmp_path: Path) -> None:
    # uvicorn's --workers and granian start worker processes afresh: each sets up its log from the app factory
    log = tmp_path / "serve.log"
    with serving(demo_db, server, workers, log) as (url, _):
        for _ in range(2 * workers):
            assert httpx.get(url + "/api/v1/places?q=zeche", timeout=10).status_code == 200
        time.sleep(1.5)  # access lines are written in batches, at least every half second
    lines = [line for line in log.read_text().splitlines() if " INFO datenhub.api " in line]
    assert any(" GET /api/v1/places 200 " in line for line in lines), log.read_text()[-2000:]


@pytest.mark.parametrize(("server", "workers"), [("uvicorn", 1), ("uvicorn", 2), ("granian", 1)])
def test_json_log_holds_json_lines_only(demo_db: str, server: str, workers: int, tmp_path: Path) -> None:
    # the servers' own lines came out in their formats amid the JSON lines a log shipper reads: uvicorn's
    # "WARNING:  Invalid HTTP request received.", granian's "[ERROR] Unexpected exit from worker-1"
    log = tmp_path / "serve.log"
    with serving(demo_db, server, workers, log, {"DATENHUB_LOG_FORMAT": "json"}) as (url, pid):
        if server == "uvicorn":
            for _ in range(2 * workers):
                assert raw_request(url, b"\x16\x03\x01 not http\r\n\r\n")[0].split()[1] == b"400"
        else:
            for worker in _children(pid):
                os.kill(worker, signal.SIGKILL)
            deadline = time.monotonic() + 30
            while not _answers(url + "/health"):  # the replacement comes after granian's respawn interval
                assert time.monotonic() < deadline, "no worker answered again within 30 s"
                time.sleep(0.3)
        assert httpx.get(url + "/health", timeout=10).status_code == 200
        time.sleep(1.5)  # access lines are written in batches, at least every half second
    lines = log.read_text().splitlines()
    entries = [json.loads(line) for line in lines if line.strip()]  # each line one JSON object
    assert any(entry["logger"] == "datenhub.api" and "GET /health 200" in entry["message"] for entry in entries)
    own = "uvicorn" if server == "uvicorn" else "_granian"
    assert any(entry["logger"].startswith(own) and entry["level"] in ("WARNING", "ERROR") for entry in entries), lines


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture()
def granian_server(demo_db: str) -> Iterator[tuple[str, int]]:
    with serving(demo_db, "granian") as server:
        yield server


def raw_request(url: str, request: bytes) -> tuple[bytes, bytes]:
    """(status line, body) of one request sent as bytes: clients refuse to send what the server must survive."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0], body


@pytest.mark.parametrize("server", ["uvicorn", "granian"])
def test_serve_answers_an_overlong_target_with_a_problem(demo_db: str, server: str) -> None:
    with serving(demo_db, server) as (url, _):
        for size in (9_000, *((70_000,) if server == "uvicorn" else ())):  # past the parser's buffer: uvicorn
            status, body = raw_request(url, b"GET /api/v1/places?q=" + b"a" * size + b" HTTP/1.1\r\nHost: x\r\n"
                                       b"Connection: close\r\n\r\n")
            assert status.split()[1] == b"414" and json.loads(body)["title"] == "URI Too Long", (size, status)
        assert raw_request(url, b"GET /?" + b"a" * 8191 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[0] \
            .split()[1] == b"414"  # "/?" and 8191: one byte over, the "?" counted
        if server == "uvicorn":
            status, body = raw_request(url, b"\x16\x03\x01 not http\r\n\r\n")  # TLS to a plain port, say
            assert status.split()[1] == b"400" and json.loads(body)["status"] == 400


def test_granian_serves_pages_with_the_same_http_hygiene(granian_server: tuple[str, int]) -> None:
    with httpx.Client(base_url=granian_server[0], timeout=10) as client:
        page = client.get("/api/v1/places", params={"limit": 2, "q": "zeche"})
        assert page.status_code == 200 and len(page.json()["items"]) == 2
        assert page.headers["x-request-id"] and page.headers["etag"]
        again = client.get("/api/v1/places", params={"limit": 2, "q": "zeche"},
                           headers={"If-None-Match": page.headers["etag"]})
        assert again.status_code == 304
        zipped = client.get("/ogc/collections/places/items", params={"limit": 50},
                            headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip" and zipped.json()["numberReturned"] == 50
        missing = client.get("/api/v1/places/no-such-place")
        assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


def test_granian_trusts_forwarded_headers_from_the_local_proxy(granian_server: tuple[str, int]) -> None:
    # behind a reverse proxy on the same host, links must carry the public scheme (as uvicorn gives them)
    found = httpx.get(granian_server[0] + "/ogc/collections/places/items?limit=1",
                      headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}).json()
    assert all(link["href"].startswith("https://") for link in found["links"])


def test_granian_streams_server_sent_events(granian_server: tuple[str, int]) -> None:
    with httpx.stream("GET", granian_server[0] + "/api/v1/occupancy/stream", timeout=10) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        first = next(response.iter_text())
    assert "retry:" in first  # arrives while the response is still open


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the worker process through /proc (Linux)")
def test_granian_replaces_a_worker_that_dies(granian_server: tuple[str, int]) -> None:
    url, pid = granian_server
    workers = _children(pid)
    assert workers, "granian serves from a forked worker"
    for worker in workers:
        os.kill(worker, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while True:  # the replacement comes after granian's respawn interval (3.5 s)
        try:
            if httpx.get(url + "/api/v1/places?limit=1", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "no worker answered again within 30 s"
        time.sleep(0.3)
    assert not set(_children(pid)) & set(workers)


def test_serve_refuses_a_hub_that_is_not_there(tmp_path: Path, quiet_logger: None) -> None:
    missing = tmp_path / "tippfehler.db"
    result = CliRunner().invoke(app, ["serve", "--db", f"sqlite:///{missing}"])
    assert result.exit_code == 2 and "no hub at" in result.output
    assert not missing.exists()  # not made: an empty hub served would look like a hub that lost its data
