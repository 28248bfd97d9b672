"""The query parameters the OpenAPI document declares (api.parameters): what it calls invalid is a 400 problem,
what it calls valid is answered, and each parameter is declared once for every operation that takes it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from datenhub.store import Store
from tests.api.demo_app import client, demo_store

PLACE = "db-stations:8000098"
OCCUPANCY = "/api/v1/places/ruhr-demo:zeche-zollverein/occupancy"
# (path, parameter, values the document calls valid, values it calls invalid); `extra` parameters a value needs
CASES: list[tuple[str, str, list[str], list[str], dict[str, str]]] = [
    ("/api/v1/places", "q", ["zeche", "x" * 500], ["x" * 501], {}),
    ("/api/v1/places", "bbox", ["6.9,51.4,7.5,51.6", "6.9,51.4,7.5e0,51.6"], ["6.9,51.4,7.5", "1_0,51,11,52",
                                                                           "6.9,51.4,7.5,51.6,3", "a,b,c,d"], {}),
    ("/api/v1/places", "near", ["51.45,7.0", "-51,-7"], ["51.45", "51.45,7,1", "51.45,1_0", "51,+7"], {}),
    ("/api/v1/places", "radius", ["1000", "0.5", "500000"], ["0", "-5", "500001", "1_000", "abc"],
     {"near": "51.45,7.0"}),
    ("/api/v1/places", "wheelchair", ["yes", "yes,limited"], ["maybe", "yes,maybe"], {}),
    ("/api/v1/places", "licence", ["open", "any"], ["closed"], {}),
    ("/api/v1/places", "changed_since", ["2026-01-01", "2026-01-01T10:00:00Z", "2026-01-01T10:00:00 01:00",
                                         "2026-01-01T10", "2026-01-01T10:00:00.5+0100"],
     ["2026-01-01x10:00", "20260101", "2026-W01", "yesterday", " 2026-01-01"], {}),
    ("/api/v1/places", "open_at", ["2026-06-01T12:00"], ["20260601T1200"], {}),
    ("/api/v1/places", "open_now", ["true", "false"], ["maybe"], {}),
    ("/api/v1/places", "sort", ["name", "changed"], ["start", "foo"], {}),
    ("/api/v1/places", "fields", ["name,geo"], ["nom", "name,nom"], {}),
    ("/api/v1/places", "lang", ["en", "EN", "en-GB", "nl_NL"], ["fr", "en-", " en", "english"], {}),
    ("/api/v1/places", "f", ["geojson", "csv"], ["ical", "xml"], {}),
    ("/api/v1/places", "cursor", [], ["not a cursor", "abc!def"], {}),
    ("/api/v1/places", "limit", ["1", "1000"], ["0", "1001", "ten"], {}),
    ("/api/v1/events", "f", ["ical", "ics"], ["xml"], {}),
    ("/api/v1/events", "sort", ["start"], ["foo"], {}),
    ("/api/v1/events", "from", ["2026-06-01", "2026-06-01T10:00+02:00"], ["01.06.2026"], {}),
    (f"/api/v1/places/{PLACE}", "lang", ["de"], ["xx"], {}),
    (f"/api/v1/places/{PLACE}", "fields", ["name"], ["nom"], {}),
    (f"/api/v1/places/{PLACE}/hours", "week", ["2026-06-01"], ["20260601", "2026-W23-1", "2026-06-01T10:00"], {}),
    (f"/api/v1/places/{PLACE}/speech", "lang", ["en"], ["nl"], {}),
    (OCCUPANCY, "interval", ["raw", "day"], ["week"], {}),
    (OCCUPANCY, "from", ["2026-06-01"], ["20260601"], {}),
    ("/catalog", "f", ["ttl", "turtle", "rdf", "xml", "jsonld"], ["n3", "json"], {}),
]
_TEMPLATES = {f"/api/v1/places/{PLACE}": "/api/v1/places/{place_id}",
              f"/api/v1/places/{PLACE}/hours": "/api/v1/places/{place_id}/hours",
              f"/api/v1/places/{PLACE}/speech": "/api/v1/places/{place_id}/speech",
              OCCUPANCY: "/api/v1/places/{place_id}/occupancy"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return demo_store(tmp_path_factory.mktemp("parameters"))


@pytest.fixture(scope="module")
def api(store: Store) -> TestClient:
    return client(store)


@pytest.fixture(scope="module")
def spec(api: TestClient) -> dict[str, Any]:
    return api.get("/openapi.json").json()  # type: ignore[no-any-return]


def _declared(spec: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    """The parameter `name` of GET `path` as a client reads it (its $ref resolved)."""
    for param in spec["paths"][_TEMPLATES.get(path, path)]["get"]["parameters"]:
        if "$ref" in param:
            param = spec["components"]["parameters"][param["$ref"].rsplit("/", 1)[1]]
        if param["name"] == name and param["in"] == "query":
            return param  # type: ignore[no-any-return]
    raise AssertionError(f"{path} does not declare {name}")


def _typed(schema: dict[str, Any], text: str) -> Any:
    """A query value as the schema's type reads it (a form array split at commas); text where it is not one."""
    if schema.get("type") == "array":
        return [_typed(schema["items"], part) for part in text.split(",")]
    if schema.get("type") in ("number", "integer", "boolean"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _valid(schema: dict[str, Any], value: Any) -> bool:
    """JSON Schema, the keywords these parameters use."""
    kinds: dict[str, type | tuple[type, ...]] = {"string": str, "number": (int, float), "integer": int,
                                                 "boolean": bool, "array": list}
    kind = schema.get("type")
    if kind is not None and (not isinstance(value, kinds[kind]) or (kind != "boolean" and isinstance(value, bool))):
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    if isinstance(value, str):
        return len(value) <= schema.get("maxLength", len(value)) and len(value) >= schema.get("minLength", 0) and (
            "pattern" not in schema or re.search(schema["pattern"], value) is not None)
    if isinstance(value, list):
        return schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", len(value)) and all(
            _valid(schema["items"], item) for item in value)
    if isinstance(value, int | float):
        return schema.get("minimum", value) <= value <= schema.get("maximum", value) and (
            "exclusiveMinimum" not in schema or value > schema["exclusiveMinimum"])
    return True


@pytest.mark.parametrize(("path", "name", "good", "bad", "extra"), CASES, ids=[f"{c[0]}?{c[1]}" for c in CASES])
def test_a_value_the_document_calls_invalid_is_a_400_and_a_valid_one_is_answered(  # type: ignore[no-untyped-def]
        api: TestClient, spec, path: str, name: str, good: list[str], bad: list[str], extra: dict[str, str]) -> None:
    schema = _declared(spec, path, name)["schema"]
    for value in good:
        assert _valid(schema, _typed(schema, value)), (name, value, schema)
        answer = api.get(path, params={**extra, name: value})
        assert answer.status_code == 200, (name, value, answer.text[:300])
    for value in bad:
        assert not _valid(schema, _typed(schema, value)), (name, value, schema)
        answer = api.get(path, params={**extra, name: value})
        assert answer.status_code == 400, (name, value, answer.text[:300])
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["parameter"] == name


def test_a_cursor_the_server_issued_matches_the_declared_pattern(api: TestClient, spec) -> None:  # type: ignore[no-untyped-def]
    schema = _declared(spec, "/api/v1/places", "cursor")["schema"]
    cursor = api.get("/api/v1/places", params={"limit": 2}).json()["next_cursor"]
    assert _valid(schema, cursor)
    assert api.get("/api/v1/places", params={"limit": 2, "cursor": cursor}).status_code == 200


def test_places_and_events_declare_their_shared_parameters_once(spec) -> None:  # type: ignore[no-untyped-def]
    lists = [spec["paths"][p]["get"]["parameters"] for p in ("/api/v1/places", "/api/v1/events")]
    refs = [{p["$ref"] for p in params if "$ref" in p} for params in lists]
    for name in ("q", "category", "bbox", "near", "radius", "changed_since", "cursor", "limit", "fields", "lang"):
        assert all(f"#/components/parameters/{name}" in r for r in refs), name
    assert all(all("$ref" in p for p in params) for params in lists)  # none declared on its own, loosely
    assert spec["components"]["parameters"]["eventSort"]["schema"]["enum"][0] == "start"
    assert "start" not in spec["components"]["parameters"]["placeSort"]["schema"]["enum"]


def test_a_list_and_an_entity_answer_in_the_declared_json_shape(api: TestClient, spec) -> None:  # type: ignore[no-untyped-def]
    schemas = spec["components"]["schemas"]
    listing = spec["paths"]["/api/v1/places"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listing == {"$ref": "#/components/schemas/EntityList"}
    body = api.get("/api/v1/places", params={"limit": 2}).json()
    assert set(schemas["EntityList"]["required"]) <= set(body)
    assert re.search(schemas["EntityList"]["properties"]["next_cursor"]["anyOf"][0]["pattern"], body["next_cursor"])
    assert all(set(schemas["Entity"]["required"]) <= set(item) for item in body["items"])
    one = spec["paths"]["/api/v1/events/{event_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert one["schema"] == {"$ref": "#/components/schemas/Entity"}
    gone = api.get("/api/v1/places", params={"changed_since": "2000-01-01", "category": "Zoo", "limit": 50}).json()
    tombstones = [item for item in gone["items"] if item.get("tombstone")]
    assert tombstones and all(set(schemas["Tombstone"]["required"]) <= set(item) for item in tombstones)
