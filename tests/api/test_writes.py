"""Access control: anonymous reads, keyed writes per source, closed data only with closed:read, audit, limits."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import timedelta

import orjson
import pytest
from fastapi.testclient import TestClient

from datenhub.api.ratelimit import RedisCounter
from datenhub.auth import create_key
from datenhub.clock import fixed
from datenhub.store import Store
from tests.api.demo_app import client, demo_store
from tests.conftest import FIXED_NOW, _backends, backend_store

PLACE = {"source": "stadt-bochum", "id": "kemnade", "name": {"de": "Kemnader See"}, "geo": {"lat": 51.425, "lon": 7.26},
         "categories": ["Natur"], "licence": "DL-DE-BY-2.0", "attribution": "Stadt Bochum"}


@pytest.fixture
def store(tmp_path) -> Store:  # type: ignore[no-untyped-def]
    return demo_store(tmp_path)


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_write_without_key_401_foreign_key_403(store: Store) -> None:
    api = client(store)
    assert api.post("/api/v1/places", json=PLACE).status_code == 401
    # no key: 401 whatever the body, before its problems are named
    for body in ({"name": "no id, no source"}, [1, 2]):
        assert api.post("/api/v1/places", json=body).status_code == 401
    assert api.post("/api/v1/places", content=b"{not json").status_code == 401
    other = create_key(store, "other", ["source:ruhr-demo:write"])
    assert api.post("/api/v1/places", json=PLACE, headers=auth(other)).status_code == 403
    assert api.delete("/api/v1/places/stadt-bochum:kemnade", headers=auth(other)).status_code == 403


def test_write_lifecycle_create_patch_delete_audited(store: Store) -> None:
    api = client(store)
    key = create_key(store, "bochum", ["source:stadt-bochum:write"])
    created = api.post("/api/v1/places", json=PLACE, headers=auth(key))
    assert created.status_code == 201 and created.json()["summary"]["new"] == 1
    place = api.get("/api/v1/places/stadt-bochum:kemnade").json()
    assert place["municipality"]["name"] == "Bochum" and place["nearest_stations"]
    assert api.patch("/api/v1/places/stadt-bochum:kemnade", json={"wheelchair": "yes"},
                     headers=auth(key)).status_code == 200
    assert api.get("/api/v1/places/stadt-bochum:kemnade").json()["wheelchair"] == "yes"
    assert api.delete("/api/v1/places/stadt-bochum:kemnade", headers=auth(key)).status_code == 204
    assert api.get("/api/v1/places/stadt-bochum:kemnade").status_code == 404
    assert store.get_record("stadt-bochum:kemnade") is not None  # withdrawn, not lost
    assert [a["method"] for a in store.list_audit()] == ["DELETE", "PATCH", "POST"]


@pytest.fixture(params=_backends())
def empty_store(request: pytest.FixtureRequest, tmp_path) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    yield from backend_store(request, tmp_path)


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_writing_a_deleted_record_again_restores_it_and_says_so(empty_store: Store, method: str) -> None:
    """A withdrawn record written again comes back (the import counts it as restored): that is a success, not a
    422 "nothing was stored" with no notice saying why while the place is back on the map."""
    api = client(empty_store)
    key = create_key(empty_store, "bochum", ["source:stadt-bochum:write"])
    assert api.post("/api/v1/places", json=PLACE, headers=auth(key)).status_code == 201
    assert api.delete("/api/v1/places/stadt-bochum:kemnade", headers=auth(key)).status_code == 204
    body = {**PLACE, "wheelchair": "yes"}
    if method == "POST":
        again = api.post("/api/v1/places", json=body, headers=auth(key))
    else:
        again = api.put("/api/v1/places/stadt-bochum:kemnade", json=body, headers=auth(key))
    assert again.status_code == (201 if method == "POST" else 200), again.text
    assert again.json()["summary"]["restored"] == 1
    assert api.get("/api/v1/places/stadt-bochum:kemnade").json()["wheelchair"] == "yes"
    assert empty_store.list_audit(limit=1)[0]["status"] == again.status_code


def test_a_put_that_creates_is_a_201_and_one_naming_another_record_in_its_body_a_422(empty_store: Store) -> None:
    api = client(empty_store)
    key = create_key(empty_store, "bochum", ["source:stadt-bochum:write"])
    body = {k: v for k, v in PLACE.items() if k not in ("id", "source")}
    created = api.put("/api/v1/places/stadt-bochum:kemnade", json=body, headers=auth(key))
    assert created.status_code == 201 and created.json()["summary"]["new"] == 1, created.text
    assert api.put("/api/v1/places/stadt-bochum:kemnade", json=body, headers=auth(key)).status_code == 200
    for other in ({"id": "hattingen"}, {"source": "ruhr-demo"}):
        wrong = api.put("/api/v1/places/stadt-bochum:kemnade", json={**body, **other}, headers=auth(key))
        assert wrong.status_code == 422 and next(iter(other)) in wrong.json()["detail"], wrong.text
        patched = api.patch("/api/v1/places/stadt-bochum:kemnade", json=other, headers=auth(key))
        assert patched.status_code == 422, patched.text
    assert empty_store.get_record("stadt-bochum:hattingen") is None
    agreeing = {**body, "id": "kemnade", "source": "stadt-bochum", "wheelchair": "yes"}
    assert api.put("/api/v1/places/stadt-bochum:kemnade", json=agreeing, headers=auth(key)).status_code == 200


def test_put_and_patch_refuse_json_ld_with_a_415_and_the_document_offers_it_on_post_only(store: Store) -> None:
    api = client(store)
    key = create_key(store, "bochum", ["source:stadt-bochum:write"])
    node = {"@context": "https://schema.org", "@type": "Museum", "identifier": "kemnade", "name": "Kemnader See",
            "geo": {"@type": "GeoCoordinates", "latitude": 51.425, "longitude": 7.26}}
    headers = {**auth(key), "Content-Type": "application/ld+json"}
    for method in ("PUT", "PATCH"):
        answer = api.request(method, "/api/v1/places/stadt-bochum:kemnade", content=orjson.dumps(node),
                             headers=headers)
        assert answer.status_code == 415 and "POST" in answer.json()["detail"], answer.text
    paths = api.get("/openapi.json").json()["paths"]
    assert "application/ld+json" in paths["/api/v1/places"]["post"]["requestBody"]["content"]
    for method in ("put", "patch"):
        body = paths["/api/v1/places/{record_id}"][method]["requestBody"]["content"]
        assert list(body) == ["application/json"] and "id" not in body["application/json"]["schema"]["example"]


def test_write_bad_record_422_with_notices_nothing_stored(store: Store) -> None:
    api = client(store)
    key = create_key(store, "bochum", ["source:stadt-bochum:write"])
    before = store.counts()["places"]
    response = api.post("/api/v1/places", json={**PLACE, "geo": {"lat": 999, "lon": 7}}, headers=auth(key))
    assert response.status_code == 422 and [n["code"] for n in response.json()["notices"]] == ["invalid_coordinates"]
    assert store.counts()["places"] == before


def test_write_malformed_json_400_oversized_413(store: Store) -> None:
    api = client(store)
    key = create_key(store, "bochum", ["source:stadt-bochum:write"])
    headers = {**auth(key), "Content-Type": "application/json"}
    assert api.post("/api/v1/places", content=b"{not json", headers=headers).status_code == 400
    assert api.post("/api/v1/places", content=b"x" * (2 * 1024 * 1024), headers=headers).status_code == 413


@pytest.mark.parametrize("body", [b"notjson", b'{"start":', b"\xff\xfe"])
def test_a_body_that_is_not_json_is_a_400_on_every_route_that_takes_one(store: Store, body: bytes) -> None:
    """The planner's body is read by FastAPI, the writes' by the hub: both say the same of a body that is no JSON."""
    response = client(store).post("/api/v1/plans", content=body, headers={"Content-Type": "application/json"})
    problem = response.json()
    assert response.status_code == 400 and problem["detail"].startswith("the body is not valid JSON")
    assert "parameter" not in problem


def test_a_json_body_that_is_no_object_is_a_422_naming_no_parameter(store: Store) -> None:
    problem = client(store).post("/api/v1/plans", json=[1, 2]).json()
    assert problem["status"] == 422 and problem["detail"].startswith("the body must be a JSON object")
    assert "parameter" not in problem


def test_write_jsonld_body_merges_into_known_place(store: Store) -> None:
    api = client(store)
    key = create_key(store, "bochum", ["source:stadt-bochum:write"])
    doc = {"@context": "https://schema.org/", "@type": "Museum", "identifier": "m1", "name": "Kunstmuseum Bochum",
           "geo": {"@type": "GeoCoordinates", "latitude": 51.4855, "longitude": 7.2133},
           "license": "https://creativecommons.org/publicdomain/zero/1.0/"}
    response = api.post("/api/v1/places?source=stadt-bochum", json=doc,
                        headers={**auth(key), "Content-Type": "application/ld+json"})
    assert response.status_code == 201
    merged = api.get("/api/v1/places/stadt-bochum:m1").json()
    # the demo already knows the museum: the new record joins it, the demo (priority 10) keeps its values
    assert sorted(merged["sources"]) == ["ruhr-demo:kunstmuseum-bochum", "stadt-bochum:m1"]


def test_closed_record_only_with_closed_read_key(store: Store) -> None:
    api = client(store)
    writer = create_key(store, "intern", ["source:intern:write"])
    assert api.post("/api/v1/places", json={**PLACE, "source": "intern", "id": "x", "name": {"de": "Geheimlager"},
                                            "licence": "closed"}, headers=auth(writer)).status_code == 201
    assert api.get("/api/v1/places/intern:x").status_code == 404
    assert api.get("/api/v1/places", params={"q": "Geheimlager"}).json()["items"] == []
    reader = create_key(store, "reader", ["closed:read"])
    assert api.get("/api/v1/places/intern:x", headers=auth(reader)).json()["licence"] == "closed"
    assert api.get("/api/v1/places", params={"q": "Geheimlager"}, headers=auth(reader)).json()["items"]
    assert api.get("/api/v1/places", params={"q": "Geheimlager", "licence": "open"},
                   headers=auth(reader)).json()["items"] == []


def test_revoked_key_401(store: Store) -> None:
    api = client(store)
    key = create_key(store, "bochum", ["source:stadt-bochum:write"])
    with store.transaction():
        store.revoke_key(key.split("_")[1], store.list_keys()[0].created_at)
    assert api.post("/api/v1/places", json=PLACE, headers=auth(key)).status_code == 401


LIMITED = "/api/v1/categories"  # any route but the probes


def test_rate_limit_429_with_retry_after(store: Store) -> None:
    api = client(store, anonymous=3, keyed=100)
    codes = [api.get(LIMITED).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    limited = api.get(LIMITED, headers={"Origin": "https://app.example", "X-Request-ID": "probe-429"})
    assert int(limited.headers["retry-after"]) >= 1
    # answered like any other response: a browser app can read it, a log line can be found
    assert (limited.headers["x-request-id"], limited.headers["access-control-allow-origin"]) == ("probe-429", "*")


def test_rate_limit_shared_through_redis(store: Store) -> None:
    url = os.environ.get("DATENHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    counter = RedisCounter(url)
    try:
        counter.hit("probe", 0)
    except Exception as exc:
        pytest.skip(f"no Redis reachable at {url}: {exc}")
    from datenhub.api.app import create_app
    from datenhub.api.ratelimit import Limits

    fresh = uuid.uuid4().int
    bucket_ip = f"10.{fresh % 250}.{fresh // 250 % 250}.{fresh // 62500 % 250}"  # a fresh bucket per run
    os.environ["DATENHUB_REDIS_URL"] = url  # two app instances stand in for two server workers
    try:
        # A fixed clock keeps all six requests in one window: at a minute's turn the count would start again.
        workers = [TestClient(create_app(store=store, clock=fixed(FIXED_NOW), limits=Limits(4, 100)),
                              client=(bucket_ip, 1234)) for _ in range(2)]
        codes = [workers[i % 2].get(LIMITED).status_code for i in range(6)]
    finally:
        del os.environ["DATENHUB_REDIS_URL"]
    assert codes.count(200) == 4 and codes.count(429) == 2


def test_rate_limit_window_follows_the_app_clock(store: Store) -> None:
    now = [FIXED_NOW]
    from datenhub.api.app import create_app
    from datenhub.api.ratelimit import Limits

    api = TestClient(create_app(store=store, clock=lambda: now[0], limits=Limits(2, 100)))
    assert [api.get(LIMITED).status_code for _ in range(3)] == [200, 200, 429]
    now[0] += timedelta(seconds=60)  # the next window: a fresh budget
    assert api.get(LIMITED).status_code == 200



def test_probes_are_never_limited_and_a_made_up_key_counts_as_its_address(store: Store) -> None:
    api = client(store, anonymous=3, keyed=100)
    assert [api.get(LIMITED).status_code for _ in range(3)] == [200, 200, 200]
    # a load balancer's probes from the same busy address still see the node
    assert [api.get(probe).status_code for probe in ("/health", "/ready") for _ in range(3)] == [200] * 6
    # made-up key ids got a fresh keyed budget each: now they are the address's, already spent
    assert {api.get(LIMITED, headers={"X-API-Key": f"dh_fake{n}_x"}).status_code for n in range(4)} == {429}
    real = create_key(store, "leser", ["closed:read"])
    assert api.get(LIMITED, headers=auth(real)).status_code == 200  # a live key has its own budget
    # a real key id with a made-up secret: the address's budget, not the key's (which it would use up)
    forged = real.rsplit("_", 1)[0] + "_forgedforgedforgedforged"
    assert {api.get(LIMITED, headers=auth(forged)).status_code for _ in range(3)} == {429}
    assert api.get(LIMITED, headers=auth(real)).status_code == 200


def test_rate_limits_without_redis_warn_and_stop_asking_it_for_a_while(
        store: Store, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    from datenhub.api import ratelimit
    from datenhub.api.app import create_app

    asked: list[float] = []

    class Unreachable(ratelimit.RedisCounter):
        def __init__(self) -> None:
            pass

        def hit(self, bucket: str, window: int) -> int:
            asked.append(now[0].timestamp())
            raise ConnectionError("Connection refused")

    now = [FIXED_NOW]
    monkeypatch.setattr(ratelimit, "make_counter", Unreachable)  # DATENHUB_REDIS_URL set, Redis away
    api = TestClient(create_app(store=store, clock=lambda: now[0], limits=ratelimit.Limits(2, 100)))
    with caplog.at_level("WARNING", logger="datenhub.ratelimit"):
        assert [api.get(LIMITED).status_code for _ in range(3)] == [200, 200, 429]  # limited per process
    assert len(asked) == 1  # one timeout, not one per request
    assert "Redis (DATENHUB_REDIS_URL) did not answer (Connection refused)" in caplog.text
    now[0] += timedelta(seconds=ratelimit.REDIS_RETRY_S + 1)
    api.get(LIMITED)
    assert len(asked) == 2  # asked again after the pause


def test_a_write_with_a_field_of_the_wrong_json_kind_names_it(store: Store) -> None:
    api = client(store)
    key = create_key(store, "bochum", ["source:stadt-bochum:write"])
    for field, value in (("contact", "https://www.bochum.de"), ("images", ["https://www.bochum.de/see.jpg"])):
        response = api.post("/api/v1/places", json={**PLACE, field: value}, headers=auth(key))
        assert response.status_code in (200, 201), response.text
        codes = {(n["code"], n["location"]["field"].split("[")[0]) for n in response.json()["notices"]}
        assert ("invalid_field_type" if field == "contact" else "image_missing_licence", field) in codes, codes
