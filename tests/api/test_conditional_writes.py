"""Conditional writes: a record's ETag (GET /api/v1/records/{id}, and the answer to each write of one record),
If-Match on PUT, PATCH and DELETE, If-None-Match: * on PUT; a stale version gets 412 and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from datenhub.auth import create_key
from datenhub.store import Store
from tests.api.demo_app import client
from tests.conftest import _backends, backend_store

RECORD = "stadt-bochum:kemnade"
URL = f"/api/v1/places/{RECORD}"
PLACE = {"name": {"de": "Kemnader See"}, "geo": {"lat": 51.425, "lon": 7.26}, "categories": ["Natur"],
         "licence": "DL-DE-BY-2.0", "attribution": "Stadt Bochum"}


@pytest.fixture(params=_backends())
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    yield from backend_store(request, tmp_path)


@pytest.fixture
def api(store: Store) -> TestClient:
    return client(store)


@pytest.fixture
def key(store: Store) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_key(store, 'bochum', ['source:stadt-bochum:write'])}"}


def _created(api: TestClient, key: dict[str, str]) -> str:
    created = api.put(URL, json=PLACE, headers=key)
    assert created.status_code == 201, created.text
    return created.headers["etag"]


def test_a_record_is_read_with_its_version_by_those_who_may_write_it(api: TestClient, store: Store,
                                                                     key: dict[str, str]) -> None:
    tag = _created(api, key)
    got = api.get(f"/api/v1/records/{RECORD}", headers=key)
    assert got.status_code == 200
    assert got.headers["etag"].removeprefix("W/") == tag
    body = got.json()
    assert (body["id"], body["source"], body["local_id"], body["kind"]) == (RECORD, "stadt-bochum", "kemnade",
                                                                            "place")
    assert body["data"]["name"] == {"de": "Kemnader See"} and body["withdrawn_at"] is None
    assert body["hub_id"] == api.get(URL).json()["id"]
    assert api.get(f"/api/v1/records/{RECORD}", headers={**key, "If-None-Match": tag}).status_code == 304
    assert api.get(f"/api/v1/records/{RECORD}").status_code == 401
    other = create_key(store, "essen", ["source:stadt-essen:write"])
    assert api.get(f"/api/v1/records/{RECORD}", headers={"Authorization": f"Bearer {other}"}).status_code == 403
    assert api.get("/api/v1/records/stadt-bochum:nothing", headers=key).status_code == 404


def test_put_with_the_version_read_writes_and_a_stale_one_is_refused(api: TestClient, store: Store,
                                                                     key: dict[str, str]) -> None:
    first = _created(api, key)
    changed = api.put(URL, json={**PLACE, "wheelchair": "yes"}, headers={**key, "If-Match": first})
    assert changed.status_code == 200, changed.text
    second = changed.headers["etag"]
    assert second != first
    stale = api.put(URL, json={**PLACE, "wheelchair": "no"}, headers={**key, "If-Match": first})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert stale.headers["etag"] == second  # what to read again
    assert "changed or withdrawn since you read it" in stale.json()["detail"]
    record = store.get_record(RECORD)
    assert record is not None and record.data["wheelchair"] == "yes"
    # a list of tags, one of them current, and the weak form the gzip layer gives a read, both hold
    assert api.put(URL, json=PLACE, headers={**key, "If-Match": f'"x", W/{second}'}).status_code == 200


def test_patch_and_delete_take_if_match(api: TestClient, store: Store, key: dict[str, str]) -> None:
    first = _created(api, key)
    assert api.patch(URL, json={"wheelchair": "no"}, headers={**key, "If-Match": '"stale"'}).status_code == 412
    patched = api.patch(URL, json={"wheelchair": "no"}, headers={**key, "If-Match": first})
    assert patched.status_code == 200
    assert api.delete(URL, headers={**key, "If-Match": first}).status_code == 412
    record = store.get_record(RECORD)
    assert record is not None and record.withdrawn_at is None and record.data["wheelchair"] == "no"
    assert api.delete(URL, headers={**key, "If-Match": patched.headers["etag"]}).status_code == 204
    gone = api.get(f"/api/v1/records/{RECORD}", headers=key)
    assert gone.json()["withdrawn_at"] is not None
    assert gone.headers["etag"].removeprefix("W/") != patched.headers["etag"]  # withdrawn: another version


def test_if_none_match_star_creates_only(api: TestClient, key: dict[str, str]) -> None:
    created = api.put(URL, json=PLACE, headers={**key, "If-None-Match": "*"})
    assert created.status_code == 201 and created.headers["etag"]
    again = api.put(URL, json={**PLACE, "wheelchair": "yes"}, headers={**key, "If-None-Match": "*"})
    assert again.status_code == 412 and "exists already" in again.json()["detail"]


def test_if_match_star_needs_an_active_record(api: TestClient, key: dict[str, str]) -> None:
    assert api.put(URL, json=PLACE, headers={**key, "If-Match": "*"}).status_code == 412  # none yet
    tag = _created(api, key)
    assert api.put(URL, json=PLACE, headers={**key, "If-Match": "*"}).status_code == 200
    assert api.delete(URL, headers={**key, "If-Match": tag}).status_code == 204
    assert api.put(URL, json=PLACE, headers={**key, "If-Match": "*"}).status_code == 412  # withdrawn


def test_the_openapi_document_names_the_conditions() -> None:
    from datenhub.api.app import create_app
    from datenhub.store import open_store

    paths = create_app(open_store("sqlite:///:memory:")).openapi()["paths"]
    put = paths["/api/v1/places/{record_id}"]["put"]
    assert {p["name"] for p in put["parameters"] if p["in"] == "header"} == {"If-Match", "If-None-Match"}
    assert "412" in put["responses"]
    assert {p["name"] for p in paths["/api/v1/events/{record_id}"]["delete"]["parameters"]
            if p["in"] == "header"} == {"If-Match"}
    assert "/api/v1/records/{record_id}" in paths


def test_two_patches_of_different_fields_both_stay(api: TestClient, store: Store, key: dict[str, str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The second PATCH reads the record only after the first has written it: the merge and the write are one
    transaction, and writers of a record take turns. (Read outside it, both merged with the same old record and
    the second write took the first one's field back out.)"""
    import threading

    assert api.put(URL, json=PLACE, headers=key).status_code == 201
    second_api = client(store)
    real = store.get_record
    other: list[int] = []
    first_read = threading.Event()

    def read(record_id: str):  # type: ignore[no-untyped-def]
        record = real(record_id)
        if not first_read.is_set():
            first_read.set()  # the first PATCH has read the record: the second one comes now
            thread = threading.Thread(target=lambda: other.append(
                second_api.patch(URL, json={"opening_hours": "Mo-Su 10:00-18:00"}, headers=key).status_code))
            thread.start()
            thread.join(1.0)  # it waits for this write's transaction (else it is done by now)
        return record

    monkeypatch.setattr(store, "get_record", read)
    assert api.patch(URL, json={"wheelchair": "yes"}, headers=key).status_code == 200
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and thread.name.startswith("Thread-"):
            thread.join(30)
    assert other == [200]
    record = real(RECORD)
    assert record is not None
    assert (record.data.get("wheelchair"), record.data.get("opening_hours")) == ("yes", "Mo-Su 10:00-18:00")


def test_a_local_id_with_a_colon_is_written_where_its_url_says(api: TestClient, store: Store,
                                                               key: dict[str, str]) -> None:
    """stadt-bochum:a:b is local id "a:b" of stadt-bochum. The hub's JSON reads an id with a colon as another hub's
    record id and keeps only what follows it, so the write went to stadt-bochum:b: the precondition was checked on
    one record and another one was written (and the answer had no ETag)."""
    other = api.put("/api/v1/places/stadt-bochum:b", json=PLACE, headers=key)
    assert other.status_code == 201
    created = api.put("/api/v1/places/stadt-bochum:a:b", json={**PLACE, "wheelchair": "no"},
                      headers={**key, "If-None-Match": "*"})
    assert created.status_code == 201 and created.headers["etag"]
    record = store.get_record("stadt-bochum:a:b")
    assert record is not None and record.data["wheelchair"] == "no"
    untouched = store.get_record("stadt-bochum:b")
    assert untouched is not None and "wheelchair" not in untouched.data
    patched = api.patch("/api/v1/places/stadt-bochum:a:b", json={"wheelchair": "yes"},
                        headers={**key, "If-Match": created.headers["etag"]})
    assert patched.status_code == 200 and patched.headers["etag"] != created.headers["etag"]


def test_a_condition_sent_on_several_lines_is_one_list(api: TestClient, store: Store, key: dict[str, str]) -> None:
    """A field's lines are one comma-separated list (RFC 9110 5.3). Only the first line was read: If-None-Match: *
    on a second line was ignored and the existing record overwritten, and a current tag on a second line of
    If-Match was a 412."""
    tag = _created(api, key)
    auth = ("Authorization", key["Authorization"])
    kept = api.put(URL, json={**PLACE, "wheelchair": "no"},
                   headers=[auth, ("If-None-Match", '"other"'), ("If-None-Match", "*")])
    assert kept.status_code == 412
    record = store.get_record(RECORD)
    assert record is not None and "wheelchair" not in record.data
    changed = api.put(URL, json={**PLACE, "wheelchair": "yes"},
                      headers=[auth, ("If-Match", '"other"'), ("If-Match", tag)])
    assert changed.status_code == 200, changed.text


def test_post_refuses_conditions_it_cannot_check(api: TestClient, store: Store, key: dict[str, str]) -> None:
    """POST may write many records and has no one version to check: it ignored If-Match and If-None-Match and
    overwrote the record they were meant to protect."""
    _created(api, key)
    body = {**PLACE, "source": "stadt-bochum", "id": "kemnade", "wheelchair": "no"}
    for condition in ({"If-None-Match": "*"}, {"If-Match": '"stale"'}):
        refused = api.post("/api/v1/places", json=body, headers={**key, **condition})
        assert refused.status_code == 400 and "PUT, PATCH or DELETE" in refused.json()["detail"]
    record = store.get_record(RECORD)
    assert record is not None and "wheelchair" not in record.data
    assert api.post("/api/v1/places", json=body, headers=key).status_code == 201  # unconditional, as before


def test_a_record_is_written_and_withdrawn_at_its_own_kinds_url(api: TestClient, store: Store,
                                                                 key: dict[str, str]) -> None:
    """PUT /events/{a place's record} made the place an event under its hub id; DELETE /events/{it} withdrew it."""
    tag = _created(api, key)
    event = {**PLACE, "start": "2027-07-03T14:00:00+02:00"}
    other = f"/api/v1/events/{RECORD}"
    for answer in (api.put(other, json=event, headers=key), api.patch(other, json={"start": event["start"]},
                                                                       headers=key),
                   api.delete(other, headers={**key, "If-Match": tag})):
        assert answer.status_code == 409, answer.text
        assert f"/api/v1/places/{RECORD}" in answer.json()["detail"]
    record = store.get_record(RECORD)
    assert record is not None and record.kind == "place" and record.withdrawn_at is None
    assert api.get(f"/api/v1/records/{RECORD}", headers=key).headers["etag"].removeprefix("W/") == tag
