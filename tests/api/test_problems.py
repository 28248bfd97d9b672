"""Every error is a problem of type about:blank whose title is the HTTP status phrase (RFC 9457 §4.2.1, with RFC
9110's names), whichever part of the app answered it; what went wrong is in its detail."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from datenhub.api.problems import status_phrase
from tests.api.demo_app import client, demo_store


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, httpx.Response]:
    store = demo_store(Path(tmp_path_factory.mktemp("problems")))
    api = client(store, anonymous=8, keyed=100)
    out = {
        "parameter": api.get("/api/v1/places?limit=0"),  # the hub's own parameter check
        "unknown id": api.get("/api/v1/places/dh-aaaaaaaaaaaa"),
        "method": api.delete("/api/v1/categories"),
        "accept": api.get("/api/v1/places", headers={"Accept": "image/png"}),
        "no key": api.put("/api/v1/places/demo:x1", content=b"{}"),
        "not json": api.post("/api/v1/plans", content=b"{nope", headers={"Content-Type": "application/json"}),
        "no object": api.post("/api/v1/plans", json=[1, 2]),
    }
    while (limited := api.get("/api/v1/categories")).status_code != 429:
        pass
    out["rate"] = limited
    store.close()
    return out


@pytest.mark.parametrize(("name", "status"), [
    ("parameter", 400), ("unknown id", 404), ("method", 405), ("accept", 406), ("no key", 401), ("not json", 400),
    ("no object", 422), ("rate", 429)])
def test_a_problems_title_is_its_status_phrase_and_its_detail_says_what_went_wrong(
        answers: dict[str, httpx.Response], name: str, status: int) -> None:
    answer = answers[name]
    body = answer.json()
    assert (answer.status_code, answer.headers["content-type"]) == (status, "application/problem+json")
    assert (body["type"], body["title"], body["status"]) == ("about:blank", status_phrase(status), status)
    assert body["detail"] and body["detail"] != body["title"]


def test_the_phrases_are_rfc_9110s() -> None:
    assert [status_phrase(s) for s in (400, 413, 414, 422, 503, 299)] == [
        "Bad Request", "Content Too Large", "URI Too Long", "Unprocessable Content", "Service Unavailable", "Error"]
