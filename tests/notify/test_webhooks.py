"""Webhooks against real HTTP consumers on localhost: signed, retried with backoff, never blocking imports."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from datenhub import hub
from datenhub.auth import create_key
from datenhub.notify.webhooks import SIGNATURE_HEADER, deliver_due, register, resolved_problem, verify
from datenhub.store import Store
from tests.api.demo_app import client
from tests.store.helpers import ROWS, write_csv


class Consumer:
    def __init__(self, status: int) -> None:
        self.status = status
        self.received: list[tuple[bytes, str]] = []
        consumer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                consumer.received.append((body, self.headers.get(SIGNATURE_HEADER, "")))
                self.send_response(consumer.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def consumers(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Consumer, Consumer]]:
    monkeypatch.setenv("DATENHUB_WEBHOOKS_ALLOW_PRIVATE", "1")  # the consumers listen on loopback
    good, bad = Consumer(200), Consumer(500)
    yield good, bad
    good.close()
    bad.close()


def test_import_queues_signed_notification_delivered_and_failed_one_retried(
        store: Store, tmp_path: Path, clock, consumers: tuple[Consumer, Consumer]) -> None:  # type: ignore[no-untyped-def]
    good, bad = consumers
    good_hook = register(store, good.url, None, clock)
    register(store, bad.url, None, clock)
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    first = deliver_due(store, clock)
    assert first == {"delivered": 1, "failed": 1, "gave_up": 0}
    body, signature = good.received[0]
    assert verify(good_hook.secret, body, signature)
    payload = json.loads(body)
    assert payload["type"] == "entities.changed" and payload["new"] == len(ROWS)
    assert deliver_due(store, clock) == {"delivered": 0, "failed": 0, "gave_up": 0}  # backoff: not yet due
    later = lambda: clock() + timedelta(seconds=31)  # noqa: E731
    assert deliver_due(store, later)["failed"] == 1
    assert len(bad.received) == 2 and len(good.received) == 1


def test_unchanged_reimport_sends_nothing(store: Store, tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                          consumers: tuple[Consumer, Consumer]) -> None:
    good, _ = consumers
    path = write_csv(tmp_path / "a.csv")
    hub.import_file(store, path, "test", clock=clock)
    register(store, good.url, None, clock)
    hub.import_file(store, path, "test", clock=clock)
    assert deliver_due(store, clock)["delivered"] == 0


def test_unreachable_consumer_never_blocks_import(store: Store, tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATENHUB_WEBHOOKS_ALLOW_PRIVATE", "1")
    register(store, "http://127.0.0.1:9/nothing-listens-here", None, clock)
    result = hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    assert result.new == len(ROWS)
    assert deliver_due(store, clock)["failed"] == 1


def test_notification_feed_link_returns_the_changes(store: Store, tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                    consumers: tuple[Consumer, Consumer]) -> None:
    good, _ = consumers
    register(store, good.url, None, clock)
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    deliver_due(store, clock)
    feed = json.loads(good.received[0][0])["feed"]
    api = client(store)
    items = api.get(feed, params={"limit": 100}).json()["items"]
    assert len(items) == len(ROWS) - 1  # the closed record is not in the anonymous feed


def test_webhook_api_needs_key_and_lists_own(store: Store) -> None:
    api = client(store)
    assert api.post("/api/v1/webhooks", json={"url": "https://example.org/h"}).status_code == 401
    key = create_key(store, "hub-nrw", ["closed:read"])
    headers = {"Authorization": f"Bearer {key}"}
    created = api.post("/api/v1/webhooks", json={"url": "https://example.org/h"}, headers=headers)
    assert created.status_code == 201 and created.json()["secret"]
    assert [h["url"] for h in api.get("/api/v1/webhooks", headers=headers).json()["items"]] == ["https://example.org/h"]
    assert api.delete(f"/api/v1/webhooks/{created.json()['id']}", headers=headers).status_code == 204
    assert api.post("/api/v1/webhooks", json={"url": "ftp://x"}, headers=headers).status_code == 422
    for secret in (["a"], {"a": 1}, 12345, "short"):  # a secret of one's own is a text long enough to sign with
        refused = api.post("/api/v1/webhooks", json={"url": "https://example.org/h", "secret": secret},
                           headers=headers)
        assert refused.status_code == 422 and "secret" in refused.text, secret
    own = api.post("/api/v1/webhooks", json={"url": "https://example.org/h", "secret": "s" * 32}, headers=headers)
    assert own.status_code == 201 and own.json()["secret"] == "s" * 32


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook", "http://localhost/x", "https://10.0.0.5/h",
                                 "http://[::1]/h", "http://169.254.169.254/latest/meta-data", "https://db.internal/h",
                                 "http://127.1/h", "http://2130706433/h", "http://0x7f000001/h"])
def test_webhook_api_refuses_consumers_inside_the_network(store: Store, url: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    api = client(store)
    headers = {"Authorization": f"Bearer {create_key(store, 'partner', ['closed:read'])}"}
    refused = api.post("/api/v1/webhooks", json={"url": url}, headers=headers)
    assert refused.status_code == 422 and "DATENHUB_WEBHOOKS_ALLOW_PRIVATE" in refused.json()["detail"]
    monkeypatch.setenv("DATENHUB_WEBHOOKS_ALLOW_PRIVATE", "1")  # an operator's on-premise consumer
    assert api.post("/api/v1/webhooks", json={"url": url}, headers=headers).status_code == 201


def test_a_consumer_whose_name_resolves_inside_the_network_is_not_posted_to(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock, consumers: tuple[Consumer, Consumer],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    good, _ = consumers
    port = int(good.url.rsplit(":", 1)[1].split("/")[0])
    resolve = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *args, **kwargs: resolve(
        "127.0.0.1" if host == "hooks.partner.example" else host, *args, **kwargs))
    hook = register(store, f"http://hooks.partner.example:{port}/hook", "k1", clock)
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    monkeypatch.delenv("DATENHUB_WEBHOOKS_ALLOW_PRIVATE")
    assert deliver_due(store, clock) == {"delivered": 0, "failed": 1, "gave_up": 0}
    assert good.received == []
    assert resolved_problem(hook.url) == "hooks.partner.example resolves to 127.0.0.1, inside the network"
    monkeypatch.setenv("DATENHUB_WEBHOOKS_ALLOW_PRIVATE", "1")  # an operator's on-premise consumer
    assert deliver_due(store, lambda: clock() + timedelta(seconds=31))["delivered"] == 1


def test_the_check_resolves_the_host_the_post_connects_to(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    asked: list[str] = []

    def resolve(host: str, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
        asked.append(host)
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    # IDNA 2008, as httpx encodes it ("ß" kept): IDNA 2003 would have asked for fass.example
    assert resolved_problem("https://faß.example/h") == ("xn--fa-hia.example does not resolve "
                                                         "([Errno -2] Name or service not known)")
    assert asked == ["xn--fa-hia.example"]


def test_an_unusable_consumer_url_fails_its_own_delivery_only(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock, consumers: tuple[Consumer, Consumer]) -> None:
    from datenhub.store.access import Webhook

    good, _ = consumers
    with pytest.raises(ValueError, match="not a usable URL"):
        register(store, "https://hooks.example:99999/h", None, clock)
    with store.transaction():  # stored before registration checked it
        store.save_webhook(Webhook("wh_bad", "https://hooks.example:99999/h", "s", None, clock()))
    register(store, good.url, None, clock)
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    assert deliver_due(store, clock) == {"delivered": 1, "failed": 1, "gave_up": 0}
    assert len(good.received) == 1


def _reader_and_writer(store: Store, consumers: tuple[Consumer, Consumer], clock: Any) -> tuple[Consumer, Consumer]:
    """Two answering consumers: one registered by a key that may read closed data, one by a key that may not."""
    reader, writer = consumers
    writer.status = 200
    for consumer, scope in ((reader, "closed:read"), (writer, "source:app:write")):
        key_id = create_key(store, scope, [scope]).split("_")[1]  # dh_<key id>_<secret>
        register(store, consumer.url, key_id, clock)
    return reader, writer


def test_a_change_only_closed_data_shows_goes_only_to_readers_of_closed_data(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock, consumers: tuple[Consumer, Consumer]) -> None:
    reader, writer = _reader_and_writer(store, consumers, clock)
    hub.import_file(store, write_csv(tmp_path / "intern.csv", [
        ["x1", "Lager", "Museum", "51.40", "7.20", "closed", "intern", "yes"]]), "intern", clock=clock)
    assert deliver_due(store, clock)["delivered"] == 1
    assert [json.loads(body)["source"] for body, _ in reader.received] == ["intern"] and writer.received == []
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=lambda: clock() + timedelta(minutes=1))
    assert deliver_due(store, lambda: clock() + timedelta(minutes=1))["delivered"] == 2  # open data: everyone
    # a closed record that merges into an open place changes that place, and still tells only readers of closed data
    later = lambda: clock() + timedelta(minutes=2)  # noqa: E731
    hub.import_file(store, write_csv(tmp_path / "intern2.csv", [
        ["z1", "Zeche Zollverein", "Industriekultur", "51.4863", "7.0407", "closed", "intern", "yes"]]), "intern2",
        clock=later)
    assert "intern2:z1" in store.get_entity("test:z1", include_closed=True)["sources"]  # type: ignore[index]
    assert deliver_due(store, later)["delivered"] == 1
    assert [json.loads(body)["source"] for body, _ in writer.received] == ["test"]
    # one import of open and closed rows: readers of open data are told, without its counts (they count both)
    mixed = lambda: clock() + timedelta(minutes=3)  # noqa: E731
    hub.import_file(store, write_csv(tmp_path / "mixed.csv", [
        ["m1", "Halde Haniel", "Panorama", "51.5490", "6.9480", "CC0-1.0", "offen", "yes"],
        *[[f"c{n}", f"Lager {n}", "Museum", "51.41", f"7.2{n}", "closed", "intern", "yes"] for n in range(3)]]),
        "gemischt", clock=mixed)
    assert deliver_due(store, mixed)["delivered"] == 2
    told = {consumer: json.loads(consumer.received[-1][0]) for consumer in (reader, writer)}
    assert told[reader]["new"] == 4 and told[writer]["source"] == "gemischt"
    assert (told[writer]["new"], told[writer]["changed"], told[writer]["withdrawn"]) == (None, None, None)


def test_an_event_import_points_to_the_events_feed(store: Store, tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                   consumers: tuple[Consumer, Consumer]) -> None:
    good, _ = consumers
    register(store, good.url, None, clock)
    path = tmp_path / "termine.ics"
    path.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//DE\r\nBEGIN:VEVENT\r\nUID:fest-1\r\n"
                    "DTSTAMP:20260601T000000Z\r\nDTSTART:20260801T180000Z\r\nDTEND:20260801T220000Z\r\n"
                    "SUMMARY:Sommerfest\r\nLOCATION:Zeche Zollverein\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                    encoding="utf-8")
    assert hub.import_file(store, path, "termine", licence="CC0-1.0", clock=clock).new == 1
    deliver_due(store, clock)
    payload = json.loads(good.received[0][0])
    assert payload["feed"].startswith("/api/v1/events?changed_since=") and list(payload["feeds"]) == ["events"]
    assert [i["name"]["de"] for i in client(store).get(payload["feed"]).json()["items"]] == ["Sommerfest"]


def test_readers_of_open_data_get_the_feeds_of_kinds_whose_open_data_changed_only(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock, consumers: tuple[Consumer, Consumer]) -> None:
    reader, writer = _reader_and_writer(store, consumers, clock)
    path = tmp_path / "mixed.csv"  # an open place and a closed event in one file
    path.write_text("id,kind,name,lat,lon,licence,start\n"
                    "p1,place,Halde Hoheward,51.5637,7.1410,CC0-1.0,\n"
                    "e1,event,Geheimes Fest,51.5637,7.1410,closed,2026-08-01T18:00:00+02:00\n", encoding="utf-8")
    result = hub.import_file(store, path, "mixed", clock=clock)
    assert result.new == 2, result.summary()
    assert deliver_due(store, clock)["delivered"] == 2
    assert list(json.loads(reader.received[0][0])["feeds"]) == ["places", "events"]
    assert list(json.loads(writer.received[0][0])["feeds"]) == ["places"]  # the events feed would tell of the fest
