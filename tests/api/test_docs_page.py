"""/docs: Swagger UI from the vendored swagger-ui-dist in the package, never from a CDN; ReDoc is off."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from datenhub.api.app import create_app
from datenhub.clock import fixed
from datenhub.store import Store, open_store
from datenhub.web.common import STATIC
from tests.conftest import FIXED_NOW

ASSET_URL = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return open_store(f"sqlite:///{tmp_path_factory.mktemp('docs') / 'hub.db'}")  # the docs need no records


@pytest.fixture(scope="module")
def api(store: Store) -> TestClient:
    return TestClient(create_app(store=store, clock=fixed(FIXED_NOW)))


def asset_urls(html: str) -> list[str]:
    return ASSET_URL.findall(html)


def test_docs_page_loads_nothing_from_outside(api: TestClient) -> None:
    response = api.get("/docs")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    urls = asset_urls(html)
    assert len(urls) == 3, urls  # stylesheet, icon, script
    assert all(url.startswith("/static/web/") for url in urls), urls
    assert "cdn." not in html and "jsdelivr" not in html and "unpkg" not in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.IGNORECASE)
    assert "url: '/openapi.json'" in html and "SwaggerUIBundle(" in html


@pytest.mark.parametrize(("suffix", "content_type", "marker"), [
    ("swagger-ui-bundle.js", "text/javascript", b"SwaggerUIBundle"),
    ("swagger-ui.css", "text/css", b".swagger-ui"),
    ("favicon.svg", "image/svg+xml", b"<svg"),
])
def test_docs_assets_are_served_from_the_package(api: TestClient, suffix: str, content_type: str,
                                                 marker: bytes) -> None:
    url = next(u for u in asset_urls(api.get("/docs").text) if u.endswith(suffix))
    response = api.get(url)
    assert response.status_code == 200, url
    assert response.headers["content-type"].split(";")[0] == content_type
    assert marker in response.content


def test_vendored_swagger_ui_keeps_its_licence() -> None:
    folder = STATIC / "vendor" / "swagger-ui-dist"
    assert "Apache License" in (folder / "LICENSE").read_text(encoding="utf-8")
    assert "SmartBear" in (folder / "NOTICE").read_text(encoding="utf-8")
    assert (folder / "swagger-ui-bundle.js.LICENSE.txt").is_file()


def test_vendored_files_are_package_data() -> None:
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"web/static/**/*"' in pyproject


def test_docs_behind_a_path_prefix(store: Store) -> None:
    api = TestClient(create_app(store=store, clock=fixed(FIXED_NOW)), root_path="/hub")
    html = api.get("/docs").text
    urls = asset_urls(html)
    assert urls and all(url.startswith("/hub/static/web/") for url in urls), urls
    assert "url: '/hub/openapi.json'" in html
    for url in urls:
        assert api.get(url.removeprefix("/hub")).status_code == 200, url


def test_openapi_stays_and_redoc_is_off(api: TestClient) -> None:
    assert api.get("/openapi.json").json()["info"]["title"] == "DatenHub Ruhr API"
    assert api.get("/redoc").status_code == 404
    assert api.get("/docs/oauth2-redirect").status_code == 200
    paths = api.get("/openapi.json").json()["paths"]
    assert "/docs" not in paths and "/redoc" not in paths


def test_openapi_declares_the_answers_the_server_gives(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    places = spec["paths"]["/api/v1/places"]["get"]["responses"]
    assert "422" not in places and next(iter(places["200"]["content"])) == "application/json"
    assert {"application/geo+json", "application/ld+json", "text/csv"} <= set(places["200"]["content"])
    for status in ("400", "406"):
        assert places[status]["content"]["application/problem+json"]["schema"]["properties"]["parameter"]
    assert "text/calendar" in spec["paths"]["/api/v1/events"]["get"]["responses"]["200"]["content"]
    assert "404" in spec["paths"]["/api/v1/places/{place_id}/hours"]["get"]["responses"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    # what the server answers a bad parameter with is what the document says
    bad = api.get("/api/v1/places", params={"limit": "0"})
    assert bad.status_code == 400 and bad.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("url", "path"), [
    ("/catalog", "/catalog"), ("/catalog?f=ttl", "/catalog"), ("/catalog?f=rdf", "/catalog"),
    ("/api/v1/exports/datenhub-ruhr.jsonld", "/api/v1/exports/{name}.{ext}"),
    ("/api/v1/exports/datenhub-ruhr.geojson", "/api/v1/exports/{name}.{ext}"),
    ("/api/v1/exports/datenhub-ruhr.csv", "/api/v1/exports/{name}.{ext}"),
    ("/api/v1/exports/datenhub-ruhr.jsonl", "/api/v1/exports/{name}.{ext}")])
def test_openapi_declares_the_media_types_of_the_open_data_downloads(api: TestClient, url: str, path: str) -> None:
    """A generated client reads a response by the media type the document declares for it."""
    declared = api.get("/openapi.json").json()["paths"][path]["get"]["responses"]
    answer = api.get(url)
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] in declared["200"]["content"]
    if path != "/api/v1/exports/{name}.{ext}":
        assert api.get(url.split("?")[0], headers={"Accept": "image/png"}).status_code == 406
        assert "406" in declared
    paths = api.get("/openapi.json").json()["paths"]  # a dataset answers as the catalogue does (rdf_format)
    assert paths["/datasets/{name}"]["get"]["responses"]["200"] == paths["/catalog"]["get"]["responses"]["200"]


def test_openapi_declares_the_400_of_a_write_body_that_is_no_json(api: TestClient) -> None:
    """docs/api.md: 400 for a body that is not JSON at all, 422 for JSON that is not what the endpoint takes."""
    spec = api.get("/openapi.json").json()
    for path, method in (("/api/v1/places", "post"), ("/api/v1/places/{record_id}", "put"),
                         ("/api/v1/events", "post"), ("/api/v1/plans", "post"), ("/api/v1/webhooks", "post"),
                         ("/api/v1/occupancy/sensors", "post"), ("/api/v1/occupancy/readings", "post")):
        assert "400" in spec["paths"][path][method]["responses"], (path, method)


def test_ogc_landing_page_links_the_docs(api: TestClient) -> None:
    links = api.get("/ogc", headers={"Accept": "application/json"}).json()["links"]
    assert [link["href"] for link in links if link["rel"] == "service-doc"] == ["http://testserver/docs"]


def test_openapi_says_which_operations_take_a_key_and_what_bodies_they_read(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"]["scheme"] == "bearer" and schemes["apiKeyHeader"]["name"] == "X-API-Key"
    create = spec["paths"]["/api/v1/places"]["post"]
    assert create["security"] == [{"bearer": []}, {"apiKeyHeader": []}]
    assert {"401", "403", "422"} <= set(create["responses"])
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["id"] and "geo" in body["properties"] and "opening_hours" in body["properties"]
    assert "application/ld+json" in create["requestBody"]["content"]
    assert "start" in spec["paths"]["/api/v1/events/{record_id}"]["patch"]["requestBody"]["content"][
        "application/json"]["schema"]["properties"]
    assert spec["paths"]["/api/v1/webhooks"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "required"] == ["url"]
    # reading takes a key too, optionally: anonymous callers get open data, a closed:read key the rest
    assert spec["paths"]["/api/v1/places"]["get"]["security"][0] == {}
    assert "security" not in spec["paths"]["/api/v1/categories"]["get"]


def test_the_documented_example_body_is_accepted(api: TestClient, tmp_path: Path) -> None:
    from datenhub.auth import create_key

    spec = api.get("/openapi.json").json()
    example = spec["paths"]["/api/v1/places"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "example"]
    key = create_key(api.app.state.store, "doc", [f"source:{example['source']}:write"])  # type: ignore[attr-defined]
    created = api.post("/api/v1/places", json=example, headers={"X-API-Key": key})
    assert created.status_code == 201, created.text
    event = spec["paths"]["/api/v1/events"]["post"]["requestBody"]["content"]["application/json"]["schema"]["example"]
    created = api.post("/api/v1/events", json=event, headers={"Authorization": f"Bearer {key}"})
    assert created.status_code == 201, created.text
