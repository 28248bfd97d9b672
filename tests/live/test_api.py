"""HTTP: sensors and batch ingest with keys, dead letters as notices, place occupancy with history, the stream."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from datenhub.api.app import create_app
from datenhub.api.ratelimit import Limits
from datenhub.auth import create_key
from datenhub.clock import fixed
from datenhub.live.ingest import OccupancyIngestor
from datenhub.live.model import Sensor, SensorKind
from datenhub.store import Store, open_store
from tests.conftest import FIXED_NOW
from tests.live.helpers import PARKING, PEOPLE, PLACE, payload, register


@pytest.fixture
def hub(tmp_path: Path) -> Store:
    store = open_store(f"sqlite:///{tmp_path}/x.db")
    register(store)
    return store


def client(store: Store) -> TestClient:
    return TestClient(create_app(store=store, clock=fixed(FIXED_NOW), limits=Limits(10**6, 10**6)))


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_post_readings_needs_key_of_sensor_source(hub: Store) -> None:
    api = client(hub)
    assert api.post("/api/v1/occupancy/readings", json=[payload()]).status_code == 401
    other = create_key(hub, "other", ["source:elsewhere:write"])
    assert api.post("/api/v1/occupancy/readings", json=[payload()], headers=auth(other)).status_code == 403
    assert hub.readings(PEOPLE.id) == []


def test_post_readings_batch_stores_dedupes_and_dead_letters(hub: Store) -> None:
    api, key = client(hub), create_key(hub, "stadt", ["source:stadt-test:write"])
    batch = [payload(minutes_ago=10, count=20), payload(minutes_ago=0, count=40), payload(minutes_ago=5, count=30),
             payload(PARKING.id, free=60), payload(count="viele"), payload("ghost"), payload(count=5000), 17]
    response = api.post("/api/v1/occupancy/readings", json=batch, headers=auth(key))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["summary"] == {"accepted": 4, "duplicates": 0, "rejected": 4}
    assert sorted(n["code"] for n in body["notices"]) == ["absurd_value", "invalid_payload", "unknown_sensor",
                                                          "wrong_type"]
    assert [r.count for r in hub.readings(PEOPLE.id)] == [20, 30, 40]
    again = api.post("/api/v1/occupancy/readings", json=[payload(count=40), payload(count=41)], headers=auth(key))
    assert again.json()["summary"] == {"accepted": 0, "duplicates": 1, "rejected": 1}
    assert again.json()["notices"][0]["code"] == "conflicting_reading"
    assert [r.count for r in hub.readings(PEOPLE.id)][-1] == 40
    codes = {d.notice.code for d in hub.list_dead_letters()}
    assert codes == {"absurd_value", "invalid_payload", "unknown_sensor", "wrong_type", "conflicting_reading"}


def test_post_readings_malformed_json_is_400_and_dead_letter(hub: Store) -> None:
    api, key = client(hub), create_key(hub, "stadt", ["source:stadt-test:write"])
    response = api.post("/api/v1/occupancy/readings", content=b"{oops", headers=auth(key))
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    letter = hub.list_dead_letters()[0]
    assert (letter.notice.code, letter.payload, letter.channel) == ("malformed_json", "{oops", "http")


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"id": "x"}'])
def test_post_sensor_without_key_is_a_401_whatever_the_body(hub: Store, body: bytes) -> None:
    """As every write: a caller without a key learns that first, not what is wrong with its body."""
    response = client(hub).post("/api/v1/occupancy/sensors", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 401, response.text


def test_post_sensor_bad_bodies_with_a_key_say_what_is_wrong(hub: Store) -> None:
    api, key = client(hub), create_key(hub, "stadt", ["source:stadt-test:write"])
    headers = {**auth(key), "Content-Type": "application/json"}
    not_json = api.post("/api/v1/occupancy/sensors", content=b"{not json", headers=headers)
    assert not_json.status_code == 400 and not_json.json()["detail"].startswith("the body is not valid JSON")
    no_object = api.post("/api/v1/occupancy/sensors", content=b"[1, 2]", headers=headers)
    assert no_object.status_code == 422 and no_object.json()["detail"].startswith("the body must be a JSON object")
    missing = api.post("/api/v1/occupancy/sensors", json={"id": "neu-1", "place": PLACE, "source": "stadt-test"},
                       headers=headers).json()
    assert (missing["status"], missing["parameter"]) == (422, "kind")


def test_post_sensor_with_key_then_list(hub: Store) -> None:
    api, key = client(hub), create_key(hub, "stadt", ["source:stadt-test:write"])
    body = {"id": "neu-1", "place": PLACE, "kind": "people", "source": "stadt-test", "capacity": 10,
            "licence": "CC BY 4.0"}
    assert api.post("/api/v1/occupancy/sensors", json=body).status_code == 401
    created = api.post("/api/v1/occupancy/sensors", json=body, headers=auth(key))
    assert created.status_code == 201 and created.json()["licence"] == "CC-BY-4.0"  # as the hub writes licences
    assert api.post("/api/v1/occupancy/sensors", json={**body, "source": "fremd"}, headers=auth(key)).status_code == 403
    assert api.post("/api/v1/occupancy/sensors", json={**body, "kind": "cats"}, headers=auth(key)).status_code == 422
    unknown = api.post("/api/v1/occupancy/sensors", json={**body, "licence": "frei"}, headers=auth(key))
    assert unknown.status_code == 422 and "CC0-1.0" in unknown.text
    listed = api.get("/api/v1/occupancy/sensors", params={"place": PLACE}).json()["items"]
    assert [s["id"] for s in listed] == ["museum-eingang", "museum-parkplatz", "neu-1"]


def test_closed_sensors_are_for_keys_that_read_closed_data(hub: Store, tmp_path: Path) -> None:
    from datenhub import hub as hubs
    from tests.store.helpers import write_csv

    hubs.import_file(hub, write_csv(tmp_path / "orte.csv"), "test")  # test:c1 is a closed-licence place
    register(hub, Sensor("intern", PLACE, SensorKind.PEOPLE, "stadt-test", 100, "closed"),
             Sensor("ohne", PLACE, SensorKind.PEOPLE, "stadt-test", 100),  # no licence: not known to be open
             Sensor("depot", "test:c1", SensorKind.PEOPLE, "stadt-test", 100, "CC0-1.0"))
    OccupancyIngestor(hub, fixed(FIXED_NOW)).ingest_items(
        [payload("intern", count=90), payload("ohne", count=80), payload("depot", count=70), payload(count=20)],
        "test")
    api, reader = client(hub), auth(create_key(hub, "intern", ["closed:read"]))

    def ids(path: str, headers: dict[str, str] | None = None, **params: str) -> list[str]:
        return [s["id"] for s in api.get(path, params=params, headers=headers).json()["items"]]

    assert ids("/api/v1/occupancy/sensors") == ["museum-eingang", "museum-parkplatz"]
    assert ids("/api/v1/occupancy/sensors", reader) == ["depot", "intern", "museum-eingang", "museum-parkplatz",
                                                        "ohne"]
    assert api.get("/api/v1/occupancy/sensors/intern/readings").status_code == 404
    assert api.get("/api/v1/occupancy/sensors/intern/readings", headers=reader).json()["items"][0]["count"] == 90
    anonymous = api.get(f"/api/v1/places/{PLACE}/occupancy").json()
    assert {s["id"] for s in anonymous["sensors"]} == {"museum-eingang", "museum-parkplatz"}
    assert {r["sensor"] for r in anonymous["latest"]} == {"museum-eingang"} and anonymous["fraction"] == 0.1
    privileged = api.get(f"/api/v1/places/{PLACE}/occupancy", headers=reader).json()
    assert {r["sensor"] for r in privileged["latest"]} == {"museum-eingang", "intern", "ohne"}
    # a place only closed data holds: its id tells an anonymous reader nothing, even through an open sensor
    assert api.get("/api/v1/places/test:c1/occupancy").status_code == 404
    assert ids("/api/v1/occupancy/sensors", place="test:c1") == []
    assert ids("/api/v1/occupancy/sensors", reader, place="test:c1") == ["depot"]


def test_place_occupancy_status_history_intervals(hub: Store) -> None:
    api, key = client(hub), create_key(hub, "stadt", ["source:stadt-test:write"])
    batch = [payload(minutes_ago=m, count=100 + m) for m in range(0, 180, 15)] + [payload(PARKING.id, free=10)]
    api.post("/api/v1/occupancy/readings", json=batch, headers=auth(key))
    body = api.get(f"/api/v1/places/{PLACE}/occupancy").json()
    # capacity-weighted: (100/200 * 200 + 90/100 * 100) / 300
    assert body["fraction"] == round((100 + 90) / 300, 4) and body["status"] == "mäßig"
    assert {r["sensor"] for r in body["latest"]} == {PEOPLE.id, PARKING.id}
    assert body["history"]["interval"] == "hour" and body["history"]["items"]
    raw = api.get(f"/api/v1/places/{PLACE}/occupancy", params={
        "interval": "raw", "from": "2026-06-04T11:00:00+02:00", "to": "2026-06-04T12:00:00+02:00"}).json()
    assert [r["count"] for r in raw["history"]["items"] if r["sensor"] == PEOPLE.id] == [160, 145, 130, 115]
    day = api.get(f"/api/v1/places/{PLACE}/occupancy", params={"interval": "day", "forecast": "false"}).json()
    assert {i["from"] for i in day["history"]["items"]} == {"2026-06-04"} and day["forecast"] is None
    assert api.get(f"/api/v1/places/{PLACE}/occupancy", params={"interval": "week"}).status_code == 400
    # times as everywhere in the API: without an offset they are Berlin's; nonsense or year 1 is a 400
    naive = api.get(f"/api/v1/places/{PLACE}/occupancy", params={"interval": "raw", "from": "2026-06-04T11:00",
                                                                 "to": "2026-06-04T12:00"}).json()
    assert naive["history"] == raw["history"]
    for bad in ("gestern", "0001-01-01"):
        assert api.get(f"/api/v1/places/{PLACE}/occupancy", params={"from": bad}).status_code == 400
    assert api.get("/api/v1/places/nowhere/occupancy").status_code == 404


def test_sensor_readings_endpoint_and_dead_letters_need_admin(hub: Store) -> None:
    api = client(hub)
    OccupancyIngestor(hub, fixed(FIXED_NOW)).ingest_items([payload(count=1), payload("ghost")], "test")
    assert [r["count"] for r in api.get(f"/api/v1/occupancy/sensors/{PEOPLE.id}/readings").json()["items"]] == [1]
    assert api.get("/api/v1/occupancy/sensors/ghost/readings").status_code == 404
    assert api.get("/api/v1/occupancy/dead-letters").status_code == 401  # no key at all
    writer = create_key(hub, "writer", [f"source:{PEOPLE.source}:write"])
    assert api.get("/api/v1/occupancy/dead-letters", headers=auth(writer)).status_code == 403  # not an admin's
    admin = create_key(hub, "admin", ["admin"])
    letters = api.get("/api/v1/occupancy/dead-letters", headers=auth(admin)).json()["items"]
    assert [d["code"] for d in letters] == ["unknown_sensor"]


def test_stream_sends_new_readings_as_sse(hub: Store) -> None:
    api = client(hub)
    ingestor = OccupancyIngestor(hub, fixed(FIXED_NOW))
    ingestor.ingest_items([payload(minutes_ago=30, count=5)], "test")  # there before: not streamed

    def later() -> None:
        time.sleep(0.8)
        ingestor.ingest_items([payload(count=42)], "test")

    threading.Thread(target=later, daemon=True).start()
    with api.stream("GET", "/api/v1/occupancy/stream", params={"place": PLACE, "max_events": 1,
                                                               "heartbeat": 0.2}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    assert ": heartbeat" in text
    data = [line for line in text.splitlines() if line.startswith("data: ")]
    assert len(data) == 1 and '"count":42' in data[0] and f'"place":"{PLACE}"' in data[0]


def test_the_stream_sends_an_anonymous_reader_only_open_sensors(hub: Store) -> None:
    register(hub, Sensor("intern", PLACE, SensorKind.PEOPLE, "stadt-test", 100, "closed"),
             Sensor("intern2", PLACE, SensorKind.PEOPLE, "stadt-test", 100, "closed"))
    api = client(hub)
    ingestor = OccupancyIngestor(hub, fixed(FIXED_NOW))
    # each round: a closed reading first, then an open one; the first event must be the open one
    rounds = [({}, [payload("intern", count=77), payload(count=42)], '"count":42'),
              ({"sensor": ["intern2", PARKING.id]}, [payload("intern2", count=66), payload(PARKING.id, free=10)],
               f'"sensor":"{PARKING.id}"')]  # asking for a closed sensor by name changes nothing
    for params, batch, expected in rounds:
        def later(batch: list[dict[str, object]] = batch) -> None:
            time.sleep(0.8)
            for reading in batch:
                ingestor.ingest_items([reading], "test")
                time.sleep(0.3)

        threading.Thread(target=later, daemon=True).start()
        with api.stream("GET", "/api/v1/occupancy/stream", params={"max_events": 1, "heartbeat": 0.2, **params}
                        ) as response:
            data = [line for line in "".join(response.iter_text()).splitlines() if line.startswith("data: ")]
        assert len(data) == 1 and expected in data[0], data
