"""The OpenAPI document as the server answers: FastAPI's, with the hub's errors and formats put in.

FastAPI declares a 422 with its own validation body on every operation; the hub answers a bad parameter with a
400 and every error as RFC 9457 problem+json (api.problems), an unknown id with a 404, an Accept it cannot serve
with a 406, and a list or single entity in every format of the publish registry. Generated clients read this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from datenhub.api import parameters
from datenhub.api.formats import MEDIA
from datenhub.api.problems import PROBLEM

_PROBLEM_SCHEMA = {
    "type": "object", "required": ["type", "title", "status"],
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "detail": {"type": "string"},
                   "parameter": {"type": "string", "description": "the query or path parameter at fault"},
                   "instance": {"type": "string"}},
}
# Paths that answer in every format of their kind (routers._listing.LIST_FORMATS), chosen by f= or Accept.
_FORMATS = {"/api/v1/places": "place", "/api/v1/places/{place_id}": "place",
            "/api/v1/events": "event", "/api/v1/events/{event_id}": "event"}


# API keys, as api.auth reads them: `Authorization: Bearer dh_…` or `X-API-Key: dh_…`. Operations that need one
# say so in their summary ("(API key", "(admin key"); lists and single entities take one optionally (closed data).
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "dh_<key id>_<secret>",
               "description": "an API key from `datenhub keys create` (scopes: source:<name>:write, closed:read, "
                              "admin)"},
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "the same key"},
}
_KEYED: list[dict[str, list[str]]] = [{"bearer": []}, {"apiKeyHeader": []}]


def _needs_key(op: dict[str, Any]) -> bool:
    summary = op.get("summary") or ""
    return "(API key" in summary or "(admin key" in summary


def _problem(description: str) -> dict[str, Any]:
    # inline, not a $ref: the OGC API's own document (/ogc/api) takes its paths from here and stands alone
    return {"description": description, "content": {PROBLEM: {"schema": _PROBLEM_SCHEMA}}}


def tidy(spec: dict[str, Any]) -> dict[str, Any]:
    """Rewrite FastAPI's document in place (and return it)."""
    from datenhub.api.routers._listing import LIST_FORMATS
    from datenhub.api.routers.catalog import EXPORT_FORMATS, RDF_FORMATS
    from datenhub.publish import get_serializer

    rdf = [m.split(";")[0] for m, _ in RDF_FORMATS.values()]
    downloads = {"/catalog": rdf, "/datasets/{name}": rdf, "/api/v1/exports/{name}.{ext}": list(dict.fromkeys(
        get_serializer(name).media_type.split(";")[0] for name in EXPORT_FORMATS.values()))}

    for path, operations in spec.get("paths", {}).items():
        for method, op in operations.items():
            responses = op.setdefault("responses", {})
            validation = responses.pop("422", None)
            if validation is not None and "requestBody" in op:
                responses["422"] = _problem("The request body is not valid")
            elif "requestBody" in op:  # a body the route reads itself (openapi_extra): checked like an import
                responses["422"] = _problem("The body is not usable, or its record was rejected: `notices` say why")
            if op.get("parameters"):
                responses["400"] = _problem("A parameter is not valid or not known: `parameter` names it")
            if "{" in path:
                responses["404"] = _problem("No such id")
            if _needs_key(op):
                op["security"] = _KEYED
                responses["401"] = _problem("No API key, or one that is unknown or revoked")
                responses["403"] = _problem("The key may not do this (another source, a missing scope)")
            if "requestBody" in op:  # read by the route or by FastAPI: either way not JSON at all is a 400
                responses["400"] = _problem("The body is not JSON at all, or a parameter is not valid")
            media = downloads.get(path)
            if media is not None and method == "get":
                ok = responses.setdefault("200", {"description": "Successful Response"})
                ok["content"] = {m: {"schema": {}} for m in media}
                if path != "/api/v1/exports/{name}.{ext}":  # negotiated; an export's format is its extension
                    responses["406"] = _problem("None of the accepted media types is offered here")
            kind = _FORMATS.get(path)
            if kind is not None and method == "get":
                op["security"] = [{}, *_KEYED]  # anonymous: open data only; a closed:read key sees the rest
                names = LIST_FORMATS[kind]
                ok = responses.setdefault("200", {"description": "Successful Response"})
                offered = sorted((m for m, name in MEDIA.items() if name in names),
                                 key=lambda m: m != "application/json")  # JSON first: the default
                ok["content"] = {media: {"schema": {}} for media in offered}
                ok["content"]["application/json"]["schema"] = {
                    "$ref": f"#/components/schemas/{'Entity' if '{' in path else 'EntityList'}"}
                responses["406"] = _problem("None of the accepted media types is offered here")
    parameters.install(spec)
    spec.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    spec["components"].setdefault("schemas", {}).update(parameters.list_schemas())
    schemas = spec["components"].setdefault("schemas", {})
    text = repr(spec.get("paths"))
    for name in ("HTTPValidationError", "ValidationError"):
        if f"#/components/schemas/{name}" not in text:
            schemas.pop(name, None)
    return spec


def install(app: FastAPI) -> None:
    built: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = tidy(built())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
