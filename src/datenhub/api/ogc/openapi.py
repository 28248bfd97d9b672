"""OpenAPI pieces for the OGC endpoint: parameter fragments from the standard, and an OpenAPI 3.0 document.

The app's own /openapi.json is OpenAPI 3.1 (FastAPI's default). The OAS30 conformance class asks for a 3.0
definition, so /ogc/api serves the OGC operations alone as 3.0.3; our OGC fragments use no 3.1-only syntax.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI

from datenhub import __version__
from datenhub.api.ogc.params import DEFAULT_LIMIT, FORMATS, MAX_LIMIT
from datenhub.store.query import CURSOR_PATTERN

PREFIX = "/ogc"
OAS30 = "application/vnd.oai.openapi+json;version=3.0"
GEOJSON = "application/geo+json"
PROBLEM = "application/problem+json"

_F = {"name": "f", "in": "query", "required": False, "style": "form", "explode": False,
      "description": "Response format. JSON only (GeoJSON for features).",
      "schema": {"type": "string", "enum": list(FORMATS)}}
_BBOX = {"name": "bbox", "in": "query", "required": False, "style": "form", "explode": False,
         "description": "minLon,minLat,maxLon,maxLat in CRS84 (six numbers with heights are accepted, heights "
                        "ignored). Only features whose position lies in the box; features without a position "
                        "are left out.",
         "schema": {"type": "array", "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}],
                    "items": {"type": "number"}}}
_DATETIME = {"name": "datetime", "in": "query", "required": False, "style": "form", "explode": False,
             "description": "RFC 3339 instant or interval (`a/b`, `../b`, `a/..`); a bare date means the whole "
                            "day in Europe/Berlin. Events: those whose start–end intersects it. Places have no "
                            "temporal geometry and all match.",
             "schema": {"type": "string"}}
_LIMIT = {"name": "limit", "in": "query", "required": False, "style": "form", "explode": False,
          "description": f"Features per page. Values above {MAX_LIMIT} are served as {MAX_LIMIT}.",
          "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}}
_CURSOR = {"name": "cursor", "in": "query", "required": False, "style": "form", "explode": False,
           "description": "Opaque position from a `next` link; do not build it yourself.",
           "schema": {"type": "string", "pattern": CURSOR_PATTERN}}

_ERRORS = {
    "400": {"description": "A query parameter is unknown or has an invalid value (problem+json)",
            "content": {PROBLEM: {"schema": {"type": "object"}}}},
    "404": {"description": "No such collection or feature (problem+json)",
            "content": {PROBLEM: {"schema": {"type": "object"}}}},
}


def operation(media_type: str, description: str, *, items: bool = False) -> dict[str, Any]:
    """`openapi_extra` for one OGC operation: its query parameters and response media types."""
    parameters = [_BBOX, _DATETIME, _LIMIT, _CURSOR, _F] if items else [_F]
    return {
        "parameters": copy.deepcopy(parameters),
        "responses": {"200": {"description": description, "content": {media_type: {"schema": {"type": "object"}}}},
                      **copy.deepcopy(_ERRORS)},
    }


def _clean(op: dict[str, Any]) -> dict[str, Any]:
    op = copy.deepcopy(op)
    responses = op.get("responses", {})
    responses.pop("422", None)  # FastAPI's validation body never occurs here: every parameter is parsed by hand
    return op


def ogc_openapi(app: FastAPI, server_url: str) -> dict[str, Any]:
    """The OGC operations of the app's OpenAPI document, as OpenAPI 3.0.3."""
    full = app.openapi()
    paths = {path: {method: _clean(op) for method, op in ops.items()}
             for path, ops in full.get("paths", {}).items() if path == PREFIX or path.startswith(PREFIX + "/")}
    return {
        "openapi": "3.0.3",
        "info": {"title": "DatenHub Ruhr – OGC API Features", "version": __version__,
                 "description": "OGC API – Features – Part 1: Core, GeoJSON and OpenAPI 3.0 over the hub's "
                                "openly licensed places and events."},
        "servers": [{"url": server_url}],
        "paths": paths,
    }
