"""Fast paths and the response cache: the same bytes as the regular routes, fresh after every data change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from datenhub.api.app import create_app
from datenhub.api.ratelimit import Limits
from datenhub.auth import create_key
from datenhub.clock import fixed
from datenhub.store import Store
from tests.api.demo_app import demo_store
from tests.conftest import FIXED_NOW

URLS = [
    "/api/v1/places",
    "/api/v1/places?q=zeche",
    "/api/v1/places?q=zeche&f=jsonld",
    "/api/v1/places?q=zeche&f=csv",
    "/api/v1/places?bbox=6.9,51.4,7.2,51.6&f=geojson&limit=5",
    "/api/v1/places?near=51.4513,7.0138&radius=2000&lang=en&fields=name",
    "/api/v1/places?open_now=true&limit=1000",
    "/api/v1/places?limit=3&sort=name&category=Museum&category=Industriekultur",
    "/api/v1/places/ruhr-demo:villa-huegel",
    "/api/v1/places/ruhr-demo:villa-huegel?f=jsonld&lang=de",
    "/api/v1/places/ruhr-demo:zeche-zollverein",
    "/api/v1/events?f=ical",
    "/ogc/collections/places/items?bbox=6.9,51.4,7.2,51.6&limit=20",
    "/ogc/collections/events/items?datetime=2026-01-01/..",
    # errors and values FastAPI validates: the fast path hands these to the regular route
    "/api/v1/places?limit=0",
    "/api/v1/places?limit=1001",
    "/api/v1/places?limit=abc",
    "/api/v1/places?limit=5&limit=x",
    "/api/v1/places?radius=nah&near=51.4,7.0",
    "/api/v1/places?radius=%D9%A3&near=51.4,7.0",  # an Arabic-Indic three: float() reads it, pydantic does not
    "/api/v1/places?open_now=vielleicht",
    "/api/v1/places?open_now=yes",
    "/api/v1/places?bbox=1,2",
    "/api/v1/places/dh-aaaaaaaaaaaa",
    "/api/v1/places/dh-aaaaaaaaaaaa?f=xml",
    "/api/v1/events/ruhr-demo:zeche-zollverein",
    "/ogc/collections/nowhere/items",
    "/ogc/collections/places/items?bbox=1,2",
    "/ogc/collections/places/items/dh-aaaaaaaaaaaa",
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return demo_store(tmp_path_factory.mktemp("fast"))


def make(store: Store, **options: object) -> TestClient:
    return TestClient(create_app(store=store, clock=fixed(FIXED_NOW), limits=Limits(10**6, 10**6),
                                 **options))  # type: ignore[arg-type]


def comparable(response: object) -> tuple[int, bytes, list[tuple[str, str]]]:
    headers = [(k, v) for k, v in response.headers.multi_items() if k != "x-request-id"]  # type: ignore[attr-defined]
    return response.status_code, response.content, headers  # type: ignore[attr-defined]


@pytest.mark.parametrize("url", URLS)
def test_fast_paths_and_cache_same_bytes_and_headers_as_regular_routes(store: Store, url: str) -> None:
    regular = comparable(make(store, fast_paths=False, response_cache=0).get(url))
    fast = make(store, response_cache=0)
    cached = make(store)
    assert comparable(fast.get(url)) == regular
    assert comparable(cached.get(url)) == regular
    assert comparable(cached.get(url)) == regular  # the second answer comes from memory


def test_cache_answers_repeats_from_memory_and_304_still_works(store: Store) -> None:
    api = make(store)
    cache = api.app.state.response_cache  # type: ignore[attr-defined]
    first = api.get("/api/v1/places?q=zeche")
    again = api.get("/api/v1/places?q=zeche", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and cache.hits == 1
    assert api.get("/api/v1/places?q=zeche", headers={"Accept": "application/ld+json"}).headers[
        "content-type"] == "application/ld+json"  # Accept is part of the key
    assert cache.hits == 1


def test_cache_skips_callers_with_keys_and_live_occupancy(store: Store) -> None:
    api = make(store)
    cache = api.app.state.response_cache  # type: ignore[attr-defined]
    key = create_key(store, "reader", ["closed:read"])
    for _ in range(2):
        api.get("/api/v1/places?q=zeche", headers={"Authorization": f"Bearer {key}"})
        api.get("/api/v1/places/ruhr-demo:zeche-zollverein")  # occupancy readings change without a data version
    assert cache.hits == 0 and len(cache) == 0


def test_cache_fresh_after_write_and_next_minute(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = demo_store(tmp_path)
    now = [FIXED_NOW]
    api = TestClient(create_app(store=store, clock=lambda: now[0], limits=Limits(10**6, 10**6)))
    cache = api.app.state.response_cache  # type: ignore[attr-defined]
    url = "/api/v1/places/ruhr-demo:villa-huegel"
    assert api.get(url).json().get("wheelchair") != "yes"
    key = create_key(store, "demo", ["source:ruhr-demo:write"])
    assert api.patch("/api/v1/places/ruhr-demo:villa-huegel", json={"wheelchair": "yes"},
                     headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert api.get(url).json()["wheelchair"] == "yes" and cache.hits == 0
    api.get(url)
    assert cache.hits == 1
    now[0] = FIXED_NOW + timedelta(minutes=1)  # opening state may have changed: computed afresh
    api.get(url)
    assert cache.hits == 1


def test_gzip_memo_same_bytes_as_starlette_gzip() -> None:
    from starlette.applications import Starlette
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.responses import Response
    from starlette.routing import Route

    from datenhub.api.compression import GzipMemo, MemoGZipMiddleware

    body = b'{"items":[' + b",".join(b'{"id":"dh-%d","name":"Zeche %d"}' % (i, i) for i in range(300)) + b"]}"
    endpoint = Route("/", lambda request: Response(body, media_type="application/json"))
    memo = GzipMemo()
    plain = TestClient(Starlette(routes=[endpoint]))
    plain.app.add_middleware(GZipMiddleware, minimum_size=1024)  # type: ignore[attr-defined]
    remembering = TestClient(Starlette(routes=[endpoint]))
    remembering.app.add_middleware(MemoGZipMiddleware, minimum_size=1024, memo=memo)  # type: ignore[attr-defined]
    for encoding in ("gzip", "identity", "gzip"):
        headers = {"Accept-Encoding": encoding}
        expected, got = plain.get("/", headers=headers), remembering.get("/", headers=headers)
        assert got.headers == expected.headers and got.content == expected.content == body
    assert memo.size > 0


def test_answers_to_a_key_are_private_and_every_answer_varies_by_key(store: Store) -> None:
    api = make(store)
    key = create_key(store, "partner", ["closed:read"])
    anonymous = api.get("/api/v1/places?q=zeche")
    assert {"Authorization", "X-API-Key"} <= {v.strip() for v in anonymous.headers["vary"].split(",")}
    assert "cache-control" not in anonymous.headers  # a shared cache may keep the open answer
    for headers in ({"Authorization": f"Bearer {key}"}, {"X-API-Key": key}):
        keyed = api.get("/api/v1/places?q=zeche", headers=headers)  # may hold closed data: never a shared cache's
        assert keyed.status_code == 200 and keyed.headers["cache-control"] == "private"
        again = api.get("/api/v1/places?q=zeche", headers={**headers, "If-None-Match": keyed.headers["etag"]})
        assert again.status_code == 304 and again.headers["cache-control"] == "private"
    assert api.get("/api/v1/places/nope", headers={"X-API-Key": key}).headers["cache-control"] == "private"


@pytest.mark.parametrize("url", ["/api/v1/places?q=zeche", "/api/v1/places?source=ruhr-demo&limit=50",
                                 "/api/v1/places?near=51.4513,7.0138&radius=5000",
                                 "/api/v1/places?bbox=6.9,51.4,7.2,51.6&f=geojson"])
def test_json_and_geojson_pages_are_written_from_the_stored_bytes_unparsed(tmp_path, url: str,  # type: ignore[no-untyped-def]
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing every item only to learn whether a page is empty cost a fifth of a listing's time."""
    from datenhub.store.base import Page

    api = TestClient(create_app(demo_store(tmp_path), clock=fixed(FIXED_NOW), response_cache=0))
    monkeypatch.setattr(Page, "items", property(lambda page: pytest.fail("the page's items were parsed")))
    got = api.get(url)
    assert got.status_code == 200 and (got.json().get("items") or got.json().get("features"))
