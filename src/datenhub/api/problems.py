"""One error body for every error: RFC 9457 problem+json."""

from __future__ import annotations

import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from datenhub.store import QueryError

PROBLEM = "application/problem+json"


# RFC 9110's names where Python's http module still has the older ones
_PHRASES = {413: "Content Too Large", 414: "URI Too Long", 416: "Range Not Satisfiable", 422: "Unprocessable Content"}


def status_phrase(status: int) -> str:
    try:
        return _PHRASES.get(status) or HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem(status: int, title: str, detail: str | None = None, headers: Mapping[str, str] | None = None,
            **extra: Any) -> JSONResponse:
    """A problem of type about:blank, whose title is the status phrase (RFC 9457 §4.2.1): a `title` of our own
    ("Invalid parameter") is the detail where none is given; a detail says it more precisely."""
    phrase = status_phrase(status)
    if not detail and title.casefold() != phrase.casefold():
        detail = title
    body = {"type": "about:blank", "title": phrase, "status": status, **({"detail": detail} if detail else {}),
            **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


async def query_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QueryError)
    return problem(400, "Invalid parameter", exc.detail, parameter=exc.param, instance=str(request.url.path))


MACHINE_PATHS = ("/api/", "/ogc", "/catalog", "/health", "/ready", "/openapi")


def wants_page(request: Request) -> bool:
    """A browser asking for a page (a mistyped link, say), not a client of the API or the data files."""
    path = request.url.path
    return ("text/html" in request.headers.get("accept", "") and not path.startswith(MACHINE_PATHS)
            and not path.endswith((".json", ".geojson", ".csv", ".ics", ".xml", ".txt", ".ttl")))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404 and wants_page(request):
        from datenhub.web.common import not_found

        return not_found(request)  # the site's own page, in the visitor's language, with its search box
    headers, detail, phrase = exc.headers, str(exc.detail), status_phrase(exc.status_code)
    if detail == phrase:
        detail = ""  # Starlette's default detail: the status phrase again
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed(request, (headers or {}).get("Allow"))}
        detail = detail or f"{request.method} is not taken here; this path takes {headers['Allow']}"
    # the exception's headers go out too: `Allow` on a 405, `WWW-Authenticate` on a 401
    return problem(exc.status_code, phrase, detail or None, headers,
                   instance=str(request.url.path))


def _allowed(request: Request, given: str | None) -> str:
    """Every method the path takes (RFC 9110 §15.5.6), not only those of the first route that matched it: a
    path served by a GET and a POST route answered PATCH with `Allow: GET`. Read from the OpenAPI document's path
    templates (the routers nest, version by version); HEAD goes with GET (middleware.HeadMiddleware)."""
    methods = {m.strip() for m in (given or "").split(",") if m.strip()}
    path, root = request.url.path, request.scope.get("root_path", "")
    path = path[len(root):] if root and path.startswith(root) else path  # the templates are the app's own paths
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = "".join("[^/]+" if part.startswith("{") else re.escape(part)
                          for part in re.split(r"(\{[^}]+\})", template))
        if re.fullmatch(pattern, path):
            methods |= {method.upper() for method in operations}
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    # A value that fits none of a union's members gets an error per member; the deepest one is about the member
    # the value was meant for ({"lat": 91} for a place id or {lat, lon}: the latitude, not "not a string").
    error = max(errors, key=lambda e: len(e["loc"])) if errors else None
    if error and error.get("type") == "json_invalid":
        # not JSON at all: the request is malformed, as the write API says (its location is a byte offset)
        where = error.get("ctx", {}).get("error", error["msg"])
        return problem(400, "Invalid request body", f"the body is not valid JSON: {where} (at byte "
                       f"{error['loc'][-1]})", instance=str(request.url.path))
    param = ".".join(str(p) for p in error["loc"][1:] if not _member_tag(p)) if error else None
    if error and error["loc"][0] in ("query", "path", "header"):
        # a parameter of the URL: 400 naming it, as the hub's own checks of parameters answer (QueryError)
        return problem(400, "Invalid parameter", error["msg"], parameter=param, instance=str(request.url.path))
    if error and tuple(error["loc"]) == ("body",):  # JSON, but not the object the route reads
        return problem(422, "Invalid request", f"the body must be a JSON object: {error['msg']}",
                       instance=str(request.url.path))
    return problem(422, "Invalid request", error["msg"] if error else None, parameter=param,
                   instance=str(request.url.path))


def _member_tag(part: object) -> bool:
    """pydantic's name for a union member in an error's location (LatLon, constrained-str), not a field."""
    return isinstance(part, str) and (part[:1].isupper() or "-" in part or "[" in part)
