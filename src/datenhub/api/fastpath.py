"""Fast paths for the hottest reads: the routes' own response builders, without FastAPI's per-request machinery.

For every request FastAPI matches routes, solves dependencies and validates each declared query parameter;
on a read that takes a millisecond that is a fifth of the time. This plain ASGI layer serves the GET routes
below by calling the same functions their endpoints call, so the bytes and headers are the endpoints' own.
It only answers when FastAPI's validation would pass (checked with stricter rules, see `_valid`); a request
with anything else (a value to validate, an error to report, HEAD, a root path) goes the regular way, so
error bodies and OpenAPI stay exactly FastAPI's. An error while answering also goes the regular way: the
request is read-only, so running it again gives the regular problem+json (or 503) answer.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from datenhub.api.formats import accepts_json
from datenhub.api.ogc import routes
from datenhub.api.routers._listing import detail_response, list_response

# Query parameters the list endpoints declare with a type other than str, and values FastAPI surely accepts.
# ASCII digits only: `\d` would also take other scripts' digits, which Python's float() reads and pydantic refuses.
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_LIMIT = re.compile(r"[1-9][0-9]{0,3}")
_BOOL = frozenset({"true", "false", "1", "0"})
_KINDS = {"places": "place", "events": "event"}

Handler = Callable[[Request], Awaitable[Response | None]]  # None: take the regular route


def _valid(request: Request) -> bool:
    """True when the list endpoints' typed parameters (radius, limit, open_now) pass FastAPI's validation."""
    params = request.query_params
    radius, limit, open_now = params.get("radius"), params.get("limit"), params.get("open_now")
    if radius is not None and not _NUMBER.fullmatch(radius):
        return False
    if limit is not None and not (_LIMIT.fullmatch(limit) and int(limit) <= 1000):
        return False
    return open_now is None or open_now in _BOOL


def _route(path: str) -> Handler | None:
    """The fast handler for a path, mirroring the routers' paths; None for every other path."""
    parts = path.split("/")
    # "/api/v1/places" -> ["", "api", "v1", "places"]
    if len(parts) in (4, 5) and parts[1] == "api" and parts[2] == "v1" and parts[3] in _KINDS:
        kind = _KINDS[parts[3]]
        if len(parts) == 4:
            async def listing(request: Request) -> Response | None:
                return list_response(request, request.app.state.store, kind) if _valid(request) else None

            return listing
        entity_id = parts[4]
        if not entity_id:
            return None

        async def detail(request: Request) -> Response:
            return detail_response(request, request.app.state.store, kind, entity_id)

        return detail
    # "/ogc/collections/{collectionId}/items[/{featureId}]"
    if len(parts) in (5, 6) and parts[1] == "ogc" and parts[2] == "collections" and parts[4] == "items" \
            and all(parts[3:]):
        collection_id = parts[3]
        if len(parts) == 5:
            async def items(request: Request) -> Response:
                await accepts_json(request)  # the router's dependency, which this path goes around
                return await routes.items(request, collection_id, request.app.state.store)

            return items
        feature_id = parts[5]

        async def feature(request: Request) -> Response:
            await accepts_json(request)
            return await routes.feature(request, collection_id, feature_id, request.app.state.store)

        return feature
    return None


class FastPathMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        handler = _route(scope["path"])
        if handler is None:
            await self.app(scope, receive, send)
            return
        try:
            response = await handler(Request(scope, receive))
        except Exception:  # a 4xx or the database: the regular route answers (read-only, so safe to redo)
            response = None
        if response is None:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)


def install(app: Any) -> None:
    app.add_middleware(FastPathMiddleware)
