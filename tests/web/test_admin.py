"""The data-steward dashboard: only keys with scope admin get in; it shows sources, notices, quality, tombstones."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from datenhub.api.app import create_app
from datenhub.api.ratelimit import Limits
from datenhub.auth import create_key
from datenhub.clock import fixed
from datenhub.store import Store
from datenhub.web.admin import COOKIE
from datenhub.web.quality import by_source, score
from tests.web.conftest import WEB_NOW


def _client(store: Store) -> TestClient:
    return TestClient(create_app(store=store, clock=fixed(WEB_NOW), limits=Limits(10**6, 10**6)))


def test_admin_without_key_shows_login_only(web_store: Store) -> None:
    response = _client(web_store).get("/admin")
    assert response.status_code == 401
    assert 'type="password"' in response.text and "Quellen" not in response.text


def test_admin_login_rejects_unknown_and_non_admin_keys(web_store: Store) -> None:
    client = _client(web_store)
    assert client.post("/admin/login", data={"key": "dh_nothing"}).status_code == 401
    writer = create_key(web_store, "writer", ["source:xss:write"])
    response = client.post("/admin/login", data={"key": writer}, follow_redirects=False)
    assert response.status_code == 403 and COOKIE not in response.headers.get("set-cookie", "")
    client.cookies.set(COOKIE, writer)
    assert client.get("/admin").status_code == 401  # a forged cookie with a non-admin key does not help


def test_admin_with_admin_key_shows_dashboard(web_store: Store) -> None:
    client = _client(web_store)
    key = create_key(web_store, "steward", ["admin"])
    login = client.post("/admin/login", data={"key": key}, follow_redirects=False)
    assert login.status_code == 303
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Path=/admin" in cookie
    html = client.get("/admin").text
    assert "ruhr-demo" in html and "db-stations" in html  # sources with counts
    assert "invalid_url" in html and "xss:evil" in html  # notices by code with a link to the record
    assert "Abgerissene Halle" in html  # the withdrawn record
    assert "xss:kaputt" in html  # a rejected record is named, and has no page to link to
    links = set(re.findall(r'href="(/(?:places|events)/[^"]+)"', html))
    assert links and all(client.get(link).status_code == 200 for link in links), links
    english = client.get("/admin?lang=en").text
    assert '<html lang="en"' in english and "Sources" in english and "Notices by code" in english
    german_words = ("Quellen", "Letzte Importe", "Vollständigkeit", "nicht veröffentlicht", "Hinweise")
    assert not [word for word in german_words if word in english]
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    detail = client.get("/admin?source=xss").text
    assert "Einträge von xss" in detail
    client.post("/admin/logout")
    assert client.get("/admin").status_code == 401


def test_quality_score_counts_each_criterion_once() -> None:
    full = {"id": "a", "kind": "place", "name": {"de": "A"}, "geo": {"lat": 51.0, "lon": 7.0},
            "opening_hours": "24/7", "images": [{"url": "https://x"}], "licence": "CC0-1.0",
            "description": {"de": "x", "en": "y"}, "sources": ["s:1"]}
    bare = {"id": "b", "kind": "place", "name": {"de": "B"}, "licence": "CC0-1.0", "sources": ["s:2"]}
    assert score(full) == 100.0 and score(bare) == round(200 / 7, 1)
    (source,) = by_source([full, bare])
    assert source.records == 2 and source.missing["image"] == 1 and source.worst[0][1] == "b"
