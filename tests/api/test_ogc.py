"""OGC API – Features – Part 1 at /ogc: one test (or more) per requirement of Core, GeoJSON and OAS30.

Test names mirror the requirement ids of OGC 17-069r4 (/req/core/fc-bbox-response → test_req_core_fc_bbox_response).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's testclient warns about httpx at import time
    from fastapi.testclient import TestClient

from datenhub import hub
from datenhub.api.app import create_app
from datenhub.api.ogc.collections import COLLECTIONS
from datenhub.clock import BERLIN, fixed
from datenhub.demo import import_demo
from datenhub.enrich.municipality import boundaries
from datenhub.model.categories import CATEGORIES
from datenhub.store import Store, open_store

NOW = datetime(2026, 6, 4, 12, 0, tzinfo=BERLIN)
CONF = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
GEOJSON = "application/geo+json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
ESSEN = (6.9, 51.4, 7.1, 51.5)

# Four dated events with a position, one all-day event without (ExtraSchicht), one over New Year.
ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//DatenHub Ruhr tests//DE\r
BEGIN:VEVENT\r
UID:fuehrung@zollverein\r
DTSTART;TZID=Europe/Berlin:20260105T140000\r
DTEND;TZID=Europe/Berlin:20260105T153000\r
RRULE:FREQ=WEEKLY;COUNT=3\r
SUMMARY:Fuehrung Uebertage\r
LOCATION:Zeche Zollverein\r
GEO:51.4862;7.0406\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:extraschicht-2026\r
DTSTART;VALUE=DATE:20260627\r
SUMMARY:ExtraSchicht\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:ausstellung-gasometer\r
DTSTART;TZID=Europe/Berlin:20260301T100000\r
DTEND;TZID=Europe/Berlin:20260930T180000\r
SUMMARY:Ausstellung im Gasometer\r
GEO:51.4966;6.8756\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:silvester-dortmund\r
DTSTART;TZID=Europe/Berlin:20261231T200000\r
DTEND;TZID=Europe/Berlin:20270101T010000\r
SUMMARY:Silvester im Dortmunder U\r
GEO:51.5155;7.4537\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("ogc")
    s = open_store(f"sqlite:///{folder / 'hub.db'}")
    clock = fixed(NOW)
    import_demo(s, clock=clock)
    (folder / "termine.ics").write_bytes(ICS)
    hub.import_file(s, folder / "termine.ics", "termine", adapter="ical", licence="CC0-1.0", clock=clock)
    yield s
    s.close()


@pytest.fixture(scope="module")
def client(store: Store) -> TestClient:
    return TestClient(create_app(store=store, clock=fixed(NOW)))


def get(client: TestClient, url: str, status: int = 200) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def links(body: dict[str, Any], rel: str) -> list[dict[str, str]]:
    return [link for link in body["links"] if link["rel"] == rel]


def follow_all(client: TestClient, url: str) -> list[dict[str, Any]]:
    """Every feature reachable from url through next links."""
    features: list[dict[str, Any]] = []
    for _ in range(1000):
        page = get(client, url)
        features += page["features"]
        nexts = links(page, "next")
        if not nexts:
            return features
        url = nexts[0]["href"]
    raise AssertionError("next links do not end")


def path(href: str) -> str:
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def in_box(entity: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    geo = entity.get("geo")
    return geo is not None and box[0] <= geo["lon"] <= box[2] and box[1] <= geo["lat"] <= box[3]


def near_edge(entity: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    """Within ~1 m of an edge: the R*Tree keeps 32-bit floats, so the brute force leaves these out."""
    geo = entity.get("geo") or {}
    if not geo:
        return False
    return min(abs(geo["lon"] - box[0]), abs(geo["lon"] - box[2]), abs(geo["lat"] - box[1]),
               abs(geo["lat"] - box[3])) < 1e-5


# /conf/core: API landing page, API definition, conformance -------------------------------------------------


def test_req_core_http_head_supported(client: TestClient) -> None:
    for url in ("/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/places/items"):
        assert client.head(url).status_code == 200, url


def test_req_core_root_success(client: TestClient) -> None:
    response = client.get("/ogc")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["title"] and body["description"]
    by_rel = {link["rel"]: link for link in body["links"]}
    assert path(by_rel["self"]["href"]) == "/ogc"
    assert path(by_rel["conformance"]["href"]) == "/ogc/conformance"
    assert path(by_rel["data"]["href"]) == "/ogc/collections"
    assert by_rel["service-doc"]["type"] == "text/html" and path(by_rel["service-doc"]["href"]) == "/docs"
    assert by_rel["alternate"]["type"] == "text/html"
    descs = {path(link["href"]): link["type"] for link in links(body, "service-desc")}
    assert descs["/ogc/api"] == "application/vnd.oai.openapi+json;version=3.0"
    assert descs["/openapi.json"].startswith("application/vnd.oai.openapi+json;version=3.")
    assert all(link["href"].startswith("http://testserver/") for link in body["links"])


def test_req_core_root_links_resolve(client: TestClient) -> None:
    for link in get(client, "/ogc")["links"]:
        assert client.get(path(link["href"])).status_code == 200, link


def test_req_core_api_definition_success(client: TestClient) -> None:
    response = client.get("/ogc/api")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert response.json()["openapi"].startswith("3.0.")


def test_req_core_api_definition_app_openapi_lists_ogc_paths(client: TestClient) -> None:
    paths = get(client, "/openapi.json")["paths"]
    for expected in ("/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/{collectionId}",
                     "/ogc/collections/{collectionId}/items", "/ogc/collections/{collectionId}/items/{featureId}"):
        assert "get" in paths[expected], expected


def test_req_core_conformance_success(client: TestClient) -> None:
    body = get(client, "/ogc/conformance")
    assert set(body["conformsTo"]) == {CONF + "core", CONF + "geojson", CONF + "oas30"}


def test_req_core_query_param_unknown(client: TestClient) -> None:
    for url in ("/ogc?foo=1", "/ogc/conformance?x=y", "/ogc/collections?limit=3", "/ogc/collections/places?bbox=1",
                "/ogc/collections/places/items?foo=bar", "/ogc/collections/places/items?bbox-crs=" + CRS84,
                "/ogc/collections/places/items?q=zeche"):
        body = client.get(url)
        assert body.status_code == 400, url
        assert body.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("query", "param"), [
    ("limit=0", "limit"), ("limit=-5", "limit"), ("limit=ten", "limit"), ("limit=", "limit"),
    ("bbox=7,51,8", "bbox"), ("bbox=a,b,c,d", "bbox"), ("bbox=7,52,8,51", "bbox"), ("bbox=7,51,200,52", "bbox"),
    ("bbox=7,51,100,8,52,0", "bbox"), ("bbox=7,51,8,52&bbox=7,51,8,52", "bbox"),
    ("datetime=yesterday", "datetime"), ("datetime=2026-02-01/2026-01-01", "datetime"),
    ("datetime=../..", "datetime"), ("datetime=2026-01-01/2026-02-01/2026-03-01", "datetime"),
    ("f=html", "f"), ("f=xml", "f"), ("cursor=not-a-cursor", "cursor"),
])
def test_req_core_query_param_invalid(client: TestClient, query: str, param: str) -> None:
    body = get(client, f"/ogc/collections/events/items?{query}", 400)
    assert (body["status"], body["title"], body["parameter"]) == (400, "Bad Request", param)
    assert body["detail"]


# /conf/core: collections ---------------------------------------------------------------------------------


def test_req_core_fc_md_success(client: TestClient) -> None:
    response = client.get("/ogc/collections")
    assert response.status_code == 200
    body = response.json()
    ids = [c["id"] for c in body["collections"]]
    assert ids[:2] == ["places", "events"]
    assert set(ids[2:]) == {f"places-{name.lower()}" for name in CATEGORIES}
    assert "places-industriekultur" in ids
    assert path(links(body, "self")[0]["href"]) == "/ogc/collections"


def test_req_core_fc_md_links(client: TestClient) -> None:
    for collection in get(client, "/ogc/collections")["collections"]:
        [items] = links(collection, "items")
        assert items["type"] == GEOJSON
        assert path(items["href"]) == f"/ogc/collections/{collection['id']}/items"
        assert path(links(collection, "self")[0]["href"]) == f"/ogc/collections/{collection['id']}"


def test_req_core_fc_md_items(client: TestClient) -> None:
    for collection in get(client, "/ogc/collections")["collections"]:
        assert collection["title"] and collection["description"]
        assert collection["itemType"] == "feature"
        assert collection["crs"] == [CRS84]


def test_req_core_fc_md_extent(client: TestClient, store: Store) -> None:
    places = list(store.iter_entities("place"))
    events = list(store.iter_entities("event"))
    for collection in get(client, "/ogc/collections")["collections"]:
        definition = COLLECTIONS[collection["id"]]
        members = [e for e in (events if definition.temporal else places) if definition.contains(e)]
        [[west, south, east, north]] = collection["extent"]["spatial"]["bbox"]
        assert collection["extent"]["spatial"]["crs"] == CRS84
        for entity in members:
            if entity.get("geo"):
                assert west <= entity["geo"]["lon"] <= east and south <= entity["geo"]["lat"] <= north
        assert ("temporal" in collection["extent"]) == definition.temporal
    events_body = get(client, "/ogc/collections/events")
    [[first, last]] = events_body["extent"]["temporal"]["interval"]
    assert (first, last) == ("2026-01-05T13:00:00Z", "2027-01-01T00:00:00Z")


def test_req_core_fc_md_extent_empty_collection_falls_back_to_rvr(client: TestClient) -> None:
    # the demo has no accommodation: the RVR's bounding box stands in
    [box] = get(client, "/ogc/collections/places-unterkunft")["extent"]["spatial"]["bbox"]
    assert box == pytest.approx(boundaries().rvr_outline.bounds, abs=1e-5)
    assert 6.2 < box[0] < box[2] < 8.0 and 51.2 < box[1] < box[3] < 51.9


def test_req_core_sfc_md_success(client: TestClient) -> None:
    listed = {c["id"]: c for c in get(client, "/ogc/collections")["collections"]}
    for collection_id in ("places", "events", "places-industriekultur"):
        assert get(client, f"/ogc/collections/{collection_id}") == listed[collection_id]


def test_req_core_sfc_md_unknown_404(client: TestClient) -> None:
    response = client.get("/ogc/collections/hotels")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/ogc/collections/hotels/items").status_code == 404
    assert client.get("/ogc/collections/Places-Museum/items").status_code == 404


# /conf/core: features ------------------------------------------------------------------------------------


def test_req_core_fc_op(client: TestClient) -> None:
    for collection_id in COLLECTIONS:
        response = client.get(f"/ogc/collections/{collection_id}/items")
        assert response.status_code == 200, collection_id


def test_req_core_fc_response(client: TestClient) -> None:
    body = get(client, "/ogc/collections/places/items")
    assert body["type"] == "FeatureCollection"
    assert isinstance(body["features"], list) and body["features"]


def test_req_core_fc_limit_definition(client: TestClient) -> None:
    assert len(get(client, "/ogc/collections/places/items")["features"]) == 10  # the default
    spec = get(client, "/ogc/api")["paths"]["/ogc/collections/{collectionId}/items"]["get"]
    [limit] = [p for p in spec["parameters"] if p["name"] == "limit"]
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10}


def test_req_core_fc_limit_response(client: TestClient, store: Store) -> None:
    for limit in (1, 7, 100):
        assert get(client, f"/ogc/collections/places/items?limit={limit}")["numberReturned"] == limit
    # above the maximum: capped to it, not refused; the demo has fewer places than the maximum
    total = sum(1 for _ in store.iter_entities("place"))
    body = get(client, "/ogc/collections/places/items?limit=5000")
    assert body["numberReturned"] == total <= 1000
    assert not links(body, "next")


def test_req_core_fc_bbox_definition(client: TestClient) -> None:
    four = get(client, "/ogc/collections/places/items?limit=1000&bbox=6.9,51.4,7.1,51.5")
    six = get(client, "/ogc/collections/places/items?limit=1000&bbox=6.9,51.4,-100,7.1,51.5,3000")
    assert four["features"] == six["features"] and four["numberReturned"] > 0


@pytest.mark.parametrize("box", [ESSEN, (7.3, 51.45, 7.6, 51.6), (6.0, 50.0, 6.5, 50.5), (6.95, 51.44, 7.05, 51.48)])
def test_req_core_fc_bbox_response(client: TestClient, store: Store, box: tuple[float, float, float, float]) -> None:
    url = "/ogc/collections/places/items?limit=50&bbox=" + ",".join(map(str, box))
    features = follow_all(client, url)
    got = {f["id"] for f in features}
    places = list(store.iter_entities("place"))
    edge = {e["id"] for e in places if near_edge(e, box)}
    assert got - edge == {e["id"] for e in places if in_box(e, box)} - edge
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"]
        assert box[0] - 1e-5 <= lon <= box[2] + 1e-5 and box[1] - 1e-5 <= lat <= box[3] + 1e-5


def test_req_core_fc_bbox_response_category_collection(client: TestClient, store: Store) -> None:
    url = "/ogc/collections/places-museum/items?limit=1000&bbox=" + ",".join(map(str, ESSEN))
    got = {f["id"] for f in get(client, url)["features"]}
    expected = {e["id"] for e in store.iter_entities("place") if "Museum" in e["categories"] and in_box(e, ESSEN)}
    assert got == expected and got


def _event_names(client: TestClient, query: str) -> list[str]:
    features = follow_all(client, f"/ogc/collections/events/items?limit=100&{query}")
    return sorted({f["properties"]["name"]["de"] for f in features})


def test_req_core_fc_time_definition(client: TestClient) -> None:
    every = ["Ausstellung im Gasometer", "ExtraSchicht", "Fuehrung Uebertage", "Silvester im Dortmunder U"]
    assert _event_names(client, "datetime=2026-01-01T00:00:00Z/..") == every
    assert _event_names(client, "datetime=2026-01-01T00:00:00Z/") == every
    assert _event_names(client, "datetime=../2027-12-31T00:00:00Z") == every
    assert _event_names(client, "datetime=/2027-12-31T00:00:00Z") == every
    assert _event_names(client, "datetime=2026-06-01T00:00:00Z/2026-06-30T00:00:00Z") == [
        "Ausstellung im Gasometer", "ExtraSchicht"]
    assert _event_names(client, "datetime=2026-01-12T14:30:00%2B01:00") == ["Fuehrung Uebertage"]  # an instant
    assert _event_names(client, "datetime=2026-01-12t13:30:00z") == ["Fuehrung Uebertage"]  # lower case t and z


def test_req_core_fc_time_response(client: TestClient, store: Store) -> None:
    def brute(start: datetime, end: datetime) -> list[str]:
        names = set()
        for event in store.iter_entities("event"):
            first = datetime.fromisoformat(event["start"])
            last = datetime.fromisoformat(event["end"]) if event.get("end") else first
            # [first, last): an event's end is exclusive (iCalendar's DTEND), an instant's end is its start
            if first <= end and (last > start or first >= start):
                names.add(event["name"]["de"])
        return sorted(names)

    for start, end in [(datetime(2026, 1, 5, 15, 30, tzinfo=BERLIN), datetime(2026, 2, 28, tzinfo=BERLIN)),
                       (datetime(2026, 9, 30, 18, tzinfo=BERLIN), datetime(2026, 12, 31, 20, tzinfo=BERLIN)),
                       (datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 7, 2, tzinfo=UTC))]:
        query = f"datetime={start.isoformat()}/{end.isoformat()}".replace("+", "%2B")
        assert _event_names(client, query) == brute(start, end), query
    # closed intervals include their ends: the Silvester concert starts exactly at the upper bound
    assert "Silvester im Dortmunder U" in _event_names(client, "datetime=../2026-12-31T19:00:00Z")
    # a bare date is the whole day in Europe/Berlin; the half-bounded form from the brief
    assert _event_names(client, "datetime=2026-06-27") == ["Ausstellung im Gasometer", "ExtraSchicht"]
    assert "Silvester im Dortmunder U" in _event_names(client, "datetime=../2026-12-31")
    assert "Silvester im Dortmunder U" not in _event_names(client, "datetime=../2026-12-30")


def test_req_core_fc_time_response_places_without_temporal_geometry_all_match(client: TestClient) -> None:
    plain = get(client, "/ogc/collections/places/items?limit=20")["features"]
    dated = get(client, "/ogc/collections/places/items?limit=20&datetime=1990-01-01T00:00:00Z")["features"]
    assert plain == dated


def test_req_core_fc_response_bbox_and_datetime_combined(client: TestClient) -> None:
    assert _event_names(client, "bbox=6.8,51.45,7.1,51.5&datetime=2026-01-01/2026-12-31") == [
        "Ausstellung im Gasometer", "Fuehrung Uebertage"]


def test_req_core_fc_links(client: TestClient) -> None:
    body = get(client, "/ogc/collections/places/items?limit=5&bbox=6.9,51.4,7.1,51.5")
    [self_link], [next_link], [collection] = links(body, "self"), links(body, "next"), links(body, "collection")
    assert self_link["type"] == next_link["type"] == GEOJSON
    assert path(self_link["href"]) == "/ogc/collections/places/items?limit=5&bbox=6.9,51.4,7.1,51.5"
    query = parse_qs(urlsplit(next_link["href"]).query)
    assert (query["limit"], query["bbox"], len(query["cursor"])) == (["5"], ["6.9,51.4,7.1,51.5"], 1)
    assert path(collection["href"]) == "/ogc/collections/places"
    [alternate] = links(body, "alternate")
    assert path(alternate["href"]).startswith("/api/v1/places?") and alternate["type"] == "application/json"


def test_req_core_fc_next_links_cover_all(client: TestClient, store: Store) -> None:
    features = follow_all(client, "/ogc/collections/places/items?limit=37")
    ids = [f["id"] for f in features]
    assert len(ids) == len(set(ids))
    assert set(ids) == {e["id"] for e in store.iter_entities("place")}


def test_req_core_fc_next_links_cover_all_events_and_categories(client: TestClient, store: Store) -> None:
    events = follow_all(client, "/ogc/collections/events/items?limit=2")
    assert sorted(f["id"] for f in events) == sorted(e["id"] for e in store.iter_entities("event"))
    museums = follow_all(client, "/ogc/collections/places-museum/items?limit=4")
    assert sorted(f["id"] for f in museums) == sorted(
        e["id"] for e in store.iter_entities("place") if "Museum" in e["categories"])


def test_req_core_fc_last_page_has_no_next(client: TestClient) -> None:
    body = get(client, "/ogc/collections/places-zoo/items?limit=100")
    assert body["numberReturned"] > 0 and not links(body, "next")


def test_req_core_fc_timestamp(client: TestClient) -> None:
    assert get(client, "/ogc/collections/places/items")["timeStamp"] == "2026-06-04T10:00:00Z"


def test_req_core_fc_number_returned(client: TestClient) -> None:
    for url in ("/ogc/collections/places/items?limit=3", "/ogc/collections/places/items?bbox=0,0,1,1",
                "/ogc/collections/events/items"):
        body = get(client, url)
        assert body["numberReturned"] == len(body["features"])


def test_req_core_f_success(client: TestClient, store: Store) -> None:
    first = get(client, "/ogc/collections/places-industriekultur/items?limit=1")["features"][0]
    response = client.get(f"/ogc/collections/places-industriekultur/items/{first['id']}")
    assert response.status_code == 200 and response.headers["content-type"] == GEOJSON
    body = response.json()
    assert body["type"] == "Feature" and body["id"] == first["id"]
    assert {k: v for k, v in body.items() if k != "links"} == first
    entity = store.get_entity(first["id"])
    assert entity is not None and entity["name"] == body["properties"]["name"]


def test_req_core_f_links(client: TestClient) -> None:
    feature_id = get(client, "/ogc/collections/places/items?limit=1")["features"][0]["id"]
    body = get(client, f"/ogc/collections/places/items/{feature_id}")
    assert path(links(body, "self")[0]["href"]) == f"/ogc/collections/places/items/{feature_id}"
    assert links(body, "self")[0]["type"] == GEOJSON
    assert path(links(body, "collection")[0]["href"]) == "/ogc/collections/places"
    assert path(links(body, "alternate")[0]["href"]) == f"/api/v1/places/{feature_id}"


def test_req_core_f_unknown_404(client: TestClient) -> None:
    for url in ("/ogc/collections/places/items/dh-doesnotexist", "/ogc/collections/nope/items/dh-x"):
        response = client.get(url)
        assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"


def test_req_core_f_wrong_collection_404(client: TestClient, store: Store) -> None:
    event_id = next(store.iter_entities("event"))["id"]
    assert client.get(f"/ogc/collections/places/items/{event_id}").status_code == 404
    assert client.get(f"/ogc/collections/events/items/{event_id}").status_code == 200
    station = next(e for e in store.iter_entities("place") if e["categories"] == ["Verkehr"])
    assert client.get(f"/ogc/collections/places-museum/items/{station['id']}").status_code == 404


def test_req_core_crs84(client: TestClient, store: Store) -> None:
    for feature in get(client, "/ogc/collections/places/items?limit=50")["features"]:
        entity = store.get_entity(feature["id"])
        assert entity is not None
        geo = entity["geo"]
        assert feature["geometry"]["coordinates"] == [geo["lon"], geo["lat"]]  # lon, lat: CRS84 axis order


def test_req_core_f_param_json_honoured(client: TestClient) -> None:
    assert get(client, "/ogc?f=json")["title"]
    assert get(client, "/ogc/collections/places/items?f=json&limit=2")["numberReturned"] == 2
    body = get(client, "/ogc/collections/places/items?f=json&limit=2")
    assert "f=json" in links(body, "next")[0]["href"]


# /conf/geojson -------------------------------------------------------------------------------------------


def test_req_geojson_definition(client: TestClient) -> None:
    assert client.get("/ogc/collections/places/items").headers["content-type"] == GEOJSON
    feature_id = get(client, "/ogc/collections/places/items?limit=1")["features"][0]["id"]
    assert client.get(f"/ogc/collections/places/items/{feature_id}").headers["content-type"] == GEOJSON


def test_req_geojson_content(client: TestClient) -> None:
    body = get(client, "/ogc/collections/events/items?limit=100")
    assert {"type", "features", "links", "timeStamp", "numberReturned"} <= set(body)
    for feature in body["features"]:
        assert feature["type"] == "Feature" and isinstance(feature["id"], str)
        assert isinstance(feature["properties"], dict)
        geometry = feature["geometry"]
        assert geometry is None or (geometry["type"] == "Point" and len(geometry["coordinates"]) == 2)
    # an event without a position is a feature with a null geometry (RFC 7946 §3.2)
    assert any(f["geometry"] is None for f in body["features"])


# /conf/oas30 ---------------------------------------------------------------------------------------------


def test_req_oas30_oas_definition(client: TestClient) -> None:
    spec = get(client, "/ogc/api")
    assert spec["openapi"].startswith("3.0.") and spec["servers"] == [{"url": "http://testserver"}]
    items = spec["paths"]["/ogc/collections/{collectionId}/items"]["get"]
    assert {p["name"] for p in items["parameters"]} == {"collectionId", "bbox", "datetime", "limit", "cursor", "f"}
    assert GEOJSON in items["responses"]["200"]["content"]
    assert "$ref" not in str(spec)  # self-contained: no components left dangling


def test_req_oas30_oas_impl(client: TestClient) -> None:
    feature_id = get(client, "/ogc/collections/places/items?limit=1")["features"][0]["id"]
    for template in get(client, "/ogc/api")["paths"]:
        url = template.replace("{collectionId}", "places").replace("{featureId}", feature_id)
        assert client.get(url).status_code == 200, template


# what a client does ----------------------------------------------------------------------------------------


def test_qgis_style_session(client: TestClient) -> None:
    """QGIS: landing → conformance → API definition → collections → items by view box, page by page."""
    landing = get(client, "/ogc")
    by_rel = {link["rel"]: link["href"] for link in landing["links"]}
    assert CONF + "core" in get(client, path(by_rel["conformance"]))["conformsTo"]
    desc = next(link for link in links(landing, "service-desc") if link["type"].endswith("version=3.0"))
    assert get(client, path(desc["href"]))["paths"]
    collections = get(client, path(by_rel["data"]))["collections"]
    layer = next(c for c in collections if c["id"] == "places-industriekultur")
    [[west, south, east, north]] = layer["extent"]["spatial"]["bbox"]
    items_href = links(layer, "items")[0]["href"]
    url = f"{path(items_href)}?limit=5&bbox={west},{south},{(west + east) / 2},{north}"
    features = follow_all(client, url)
    assert features and len({f["id"] for f in features}) == len(features)
    assert all(f["geometry"]["coordinates"][0] <= (west + east) / 2 + 1e-5 for f in features)
    assert all("Industriekultur" in f["properties"]["categories"] for f in features)


def test_events_of_one_day_and_not_of_the_day_after_their_end(client: TestClient) -> None:
    one_day = client.get("/api/v1/events", params={"from": "2026-06-27", "to": "2026-06-27"}).json()["items"]
    assert "ExtraSchicht" in [e["name"]["de"] for e in one_day]  # all-day on the 27th
    after = client.get("/api/v1/events", params={"from": "2026-06-28"}).json()["items"]
    assert "ExtraSchicht" not in [e["name"]["de"] for e in after]  # its end (the 28th's midnight) is exclusive
