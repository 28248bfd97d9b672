"""The query parameters of places and events as the OpenAPI document declares them: once, in
`components/parameters`, referenced by every operation that takes them, typed as the server parses them.

FastAPI would declare each as a plain string (the routes take strings and parse them in store.query, which says
which value is wrong and why). A generated client reads these instead: bbox and near as arrays of numbers,
enums, the patterns of dates and cursors, the ranges of limit, radius and the length of q. The patterns are the
ones the parsers check (store.query), so a value the document calls invalid is a 400 problem. Also the JSON
shape of a list (items, tombstones, cursor, links) and of one entity, in `components/schemas`.
"""

from __future__ import annotations

from typing import Any

from datenhub.api.formats import FIELDS, FORMATS, LANG_PATTERN
from datenhub.model.categories import CATEGORIES
from datenhub.store.query import (
    CURSOR_PATTERN,
    DATE_PATTERN,
    DATETIME_PATTERN,
    MAX_LIMIT,
    WHEELCHAIR,
)
from datenhub.store.query import DEFAULT_LIMIT as LIST_LIMIT

_DATETIME_HELP = ("a date or an ISO 8601 date-time (`2026-06-01`, `2026-06-01T10:00`, `…T10:00:00+02:00`, `…Z`), "
                  "Europe/Berlin time without an offset, between 1000-01-01 and 8999-12-31")
_PLACE_SORTS = ["relevance", "name", "distance", "changed"]


def _param(name: str, description: str, schema: dict[str, Any], *, array: bool = False) -> dict[str, Any]:
    param: dict[str, Any] = {"name": name, "in": "query", "required": False, "description": description,
                             "schema": schema}
    if array:  # comma-separated (the filters that take several also take the parameter repeated)
        param |= {"style": "form", "explode": False}
    return param


def _strings(**extra: Any) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string", "minLength": 1, **extra}, "minItems": 1}


def _numbers(count: int) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "number"}, "minItems": count, "maxItems": count}


def _datetime(name: str, what: str) -> dict[str, Any]:
    return _param(name, f"{what}: {_DATETIME_HELP}", {"type": "string", "pattern": DATETIME_PATTERN})


def _formats(kind: str) -> list[str]:
    from datenhub.api.routers._listing import LIST_FORMATS

    return [alias for alias, name in FORMATS.items() if name in LIST_FORMATS[kind]]


def _rdf_formats() -> list[str]:
    from datenhub.api.routers.catalog import RDF_ALIASES, RDF_FORMATS

    return [*RDF_FORMATS, *RDF_ALIASES]


def components() -> dict[str, dict[str, Any]]:
    """`components/parameters`: one entry per parameter, or per kind where places and events differ."""
    return {
        "q": _param("q", "Full text, German stemming; every word must match, the last as a prefix",
                    {"type": "string", "maxLength": 500}),
        "category": _param("category", "Categories, any of them (any case or an alias: "
                                        f"{', '.join(CATEGORIES)})", _strings(), array=True),
        "type": _param("type", "schema.org types, any of them (any case, with or without `schema:`; the exact "
                               "type, not its subtypes)", _strings(), array=True),
        "municipality": _param("municipality", "Municipality of the RVR: name (case and accents optional) or AGS",
                               {"type": "string"}),
        "bbox": _param("bbox", "minLon,minLat,maxLon,maxLat (WGS84 degrees; minimum at most maximum)", _numbers(4),
                       array=True),
        "near": _param("near", "lat,lon (WGS84 degrees); orders by distance, `radius` limits it", _numbers(2),
                       array=True),
        "radius": _param("radius", "metres around `near` (needs it)",
                         {"type": "number", "exclusiveMinimum": 0, "maximum": 500_000}),
        "wheelchair": _param("wheelchair", "step-free access, any of them",
                             {"type": "array", "items": {"type": "string", "enum": list(WHEELCHAIR)}, "minItems": 1},
                             array=True),
        "licence": _param("licence", "`open`: open licences only (for a key that may read closed data; anonymous "
                                     "readers see open data only); `any`: the default",
                          {"type": "string", "enum": ["open", "any"]}),
        "source": _param("source", "Sources, any of them (GET /api/v1/sources)", _strings(), array=True),
        "changed_since": _datetime("changed_since", "the delta feed: records changed since then, in the order of "
                                                    "change, and tombstones of those that went or left the filtered "
                                                    "view (docs/api.md)"),
        "open_at": _datetime("open_at", "only places open then"),
        "open_now": _param("open_now", "only places open now", {"type": "boolean"}),
        "from": _datetime("from", "events ending at or after"),
        "to": _datetime("to", "events starting before (a date includes that whole day)"),
        "placeSort": _param("sort", "order (default: relevance with q, distance with near, else name; changed "
                                    "with changed_since)", {"type": "string", "enum": _PLACE_SORTS}),
        "eventSort": _param("sort", "order (default: relevance with q, distance with near, else start; changed "
                                    "with changed_since)", {"type": "string", "enum": ["start", *_PLACE_SORTS]}),
        "fields": _param("fields", "the members to return (id, kind, type, licence and attribution always stay)",
                         {"type": "array", "items": {"type": "string", "enum": sorted(FIELDS)}, "minItems": 1},
                         array=True),
        "lang": _param("lang", "one language, German where a text has none in it (default: Accept-Language, else "
                               "all); CSV keeps a column per language", {"type": "string", "pattern": LANG_PATTERN}),
        "placeFormat": _param("f", "format (default: by Accept, else json)",
                              {"type": "string", "enum": _formats("place")}),
        "eventFormat": _param("f", "format (default: by Accept, else json)",
                              {"type": "string", "enum": _formats("event")}),
        "cursor": _param("cursor", "`next_cursor` of the previous page, with the same parameters otherwise; opaque",
                         {"type": "string", "pattern": CURSOR_PATTERN}),
        "limit": _param("limit", "items per page", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                                    "default": LIST_LIMIT}),
        "week": _param("week", "any date of the week to show (default: this week)",
                       {"type": "string", "pattern": DATE_PATTERN}),
        "historyFrom": _datetime("from", "start of the history (a place's default: a span before `to`)"),
        "historyTo": _datetime("to", "end of the history (a place's default: now)"),
        "interval": _param("interval", "readings as sent, or averaged per hour or day",
                           {"type": "string", "enum": ["raw", "hour", "day"], "default": "hour"}),
        "planFormat": _param("f", "format (default: by Accept, else json)",
                             {"type": "string", "enum": ["json", "geojson"]}),
        "catalogFormat": _param("f", "jsonld, ttl (turtle) or rdf (xml: RDF/XML); default: by Accept, else jsonld",
                                {"type": "string", "enum": _rdf_formats()}),
        "speechLang": _param("lang", "de or en (default: by Accept-Language, else de)",
                             {"type": "string", "enum": ["de", "en"]}),
    }


def _listing(kind: str) -> dict[str, str]:
    """Parameter name → component for a list or an entity of `kind`."""
    names = ("q", "category", "type", "municipality", "bbox", "near", "radius", "wheelchair", "licence", "source",
             "changed_since", "open_at", "open_now", "from", "to", "fields", "lang", "cursor", "limit")
    return {**{name: name for name in names}, "sort": f"{kind}Sort", "f": f"{kind}Format"}


_HISTORY = {"from": "historyFrom", "to": "historyTo"}
# The operations whose query parameters come from components(), by name
_OPERATIONS = {
    "/api/v1/places": _listing("place"), "/api/v1/places/{place_id}": _listing("place"),
    "/api/v1/events": _listing("event"), "/api/v1/events/{event_id}": _listing("event"),
    "/api/v1/places/{place_id}/hours": {"week": "week"},
    "/api/v1/places/{place_id}/speech": {"lang": "speechLang"},
    "/api/v1/places/{place_id}/occupancy": {**_HISTORY, "interval": "interval"},
    "/api/v1/occupancy/sensors/{sensor_id}/readings": _HISTORY,
    "/api/v1/plans": {"f": "planFormat"},
    "/catalog": {"f": "catalogFormat"}, "/datasets/{name}": {"f": "catalogFormat"},
}


def install(spec: dict[str, Any]) -> None:
    """Put components() into `spec` and refer to them from the operations of _OPERATIONS, in place."""
    shared = components()
    spec.setdefault("components", {})["parameters"] = shared
    for path, names in _OPERATIONS.items():
        for op in spec.get("paths", {}).get(path, {}).values():
            for at, param in enumerate(op.get("parameters", [])):
                name = names.get(param["name"]) if param.get("in") == "query" else None
                if name is not None:
                    op["parameters"][at] = {"$ref": f"#/components/parameters/{name}"}


def list_schemas() -> dict[str, dict[str, Any]]:
    """`components/schemas` of the JSON of a list and of one entity: the members a client pages and syncs by
    (a place or an event carries many more, docs/api.md; `fields=` keeps id, kind, type, licence, attribution)."""
    string = {"type": "string"}
    return {
        "Entity": {"type": "object", "required": ["id", "kind"], "additionalProperties": True, "properties": {
            "id": {**string, "description": "hub id (dh-…)"}, "kind": {"type": "string", "enum": ["place", "event"]},
            "type": {**string, "description": "schema.org type"}, "licence": string, "attribution": string,
            "last_changed": {"type": "string", "format": "date-time"}}},
        "Tombstone": {"type": "object", "required": ["id", "kind", "withdrawn_at", "tombstone"],
                      "description": "in the delta feed (changed_since): a record that went, or left the filtered "
                                     "view; drop it if you hold it",
                      "properties": {"id": string, "kind": {"type": "string", "enum": ["place", "event"]},
                                     "withdrawn_at": {"type": "string", "format": "date-time"},
                                     "last_changed": {"type": "string", "format": "date-time"},
                                     "tombstone": {"const": True}}},
        "EntityList": {
            "type": "object", "required": ["items", "next_cursor", "links"], "properties": {
                "items": {"type": "array", "items": {"anyOf": [{"$ref": "#/components/schemas/Tombstone"},
                                                               {"$ref": "#/components/schemas/Entity"}]}},
                "next_cursor": {"anyOf": [{"type": "string", "pattern": CURSOR_PATTERN}, {"type": "null"}],
                                "description": "pass as `cursor` with the same parameters; null on the last page"},
                "links": {"type": "object", "required": ["self"], "properties": {
                    "self": {"type": "string", "format": "uri"},
                    "next": {"type": "string", "format": "uri", "description": "the next page, absent on the last"}}},
                "corrected_q": {**string, "description": "the words searched instead of q, when q found nothing"}}},
    }
