"""The FastAPI application: routers per resource, one problem+json error body."""

from __future__ import annotations

import time
from importlib import import_module
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from datenhub import __version__
from datenhub.api import cache, fastpath, health, middleware, openapi, problems, ratelimit, telemetry
from datenhub.clock import Clock, utc_now
from datenhub.store import QueryError, Store, open_store

# Routers register by module path, built-ins exactly like extensions; each owns its prefix and tags.
ROUTERS: list[str] = [  # in order: routes below a place (…/occupancy) before the one that takes any place id
    "datenhub.api.routers.occupancy",
    "datenhub.api.routers.places",
    "datenhub.api.routers.events",
    "datenhub.api.routers.writes",
    "datenhub.api.routers.webhooks",
    "datenhub.api.routers.meta",
    "datenhub.api.health",
    "datenhub.api.routers.ogc",
    "datenhub.api.routers.catalog",
    "datenhub.api.routers.plans",
    "datenhub.web.plan",
    "datenhub.web.site",
]

# Swagger UI from the vendored swagger-ui-dist (package.json, `npm run vendor`), served by the web's static route:
# FastAPI's default /docs and /redoc load from cdn.jsdelivr.net, blank offline.
SWAGGER_UI = "/static/web/vendor/swagger-ui-dist"
DOCS_FAVICON = "/static/web/favicon.svg"


def create_app(store: Store | None = None, db_url: str | None = None, clock: Clock = utc_now,
               limits: ratelimit.Limits | None = None, *, response_cache: int | None = None,
               fast_paths: bool = True) -> FastAPI:
    """`response_cache`: bytes for cached reads (default DATENHUB_RESPONSE_CACHE, 0 = none); `fast_paths`: serve
    the hottest reads without FastAPI's per-request machinery (same bytes; off only to compare)."""
    app = FastAPI(title="DatenHub Ruhr API", version=__version__,
                  description="Tourism and city data of the Metropole Ruhr: one model, every format.",
                  docs_url=None, redoc_url=None, **_telemetry_argument())
    _install_docs(app)
    openapi.install(app)
    if store is None:  # a store of its own serves requests only: bounded lock waits (an embedder's may import)
        store = open_store(db_url)
        store.serve(health.LOCK_WAIT_S)
    app.state.store = store
    app.state.clock = clock
    # Middleware added first sits innermost: the fast paths answer inside the cache, and hygiene (ETag, request id),
    # gzip, CORS and rate limits wrap every answer, cached or not.
    if fast_paths:
        fastpath.install(app)
    cache.install(app, response_cache)
    # Rate-limit windows follow the app's clock, so a fixed clock gives tests one window that never rolls over.
    # Inside the HTTP hygiene (installed after it): a 429 carries X-Request-ID and CORS headers like any answer.
    ratelimit.install(app, limits, now=time.time if clock is utc_now else lambda: clock().timestamp())
    middleware.install(app)
    health.install(app)
    app.add_exception_handler(QueryError, problems.query_error)
    app.add_exception_handler(HTTPException, problems.http_error)
    app.add_exception_handler(RequestValidationError, problems.validation_error)
    for module_name in ROUTERS:
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # an optional router not installed
        app.include_router(module.router)
    return app


def _install_docs(app: FastAPI, docs_url: str = "/docs") -> None:
    """/docs as FastAPI builds it, but with Swagger UI's JS, CSS and icon from the package (no CDN, works offline).
    URLs carry the root path, as FastAPI's own openapi URL does, so the page works behind a path prefix.
    ReDoc stays off: it would need a vendored redoc bundle, and nothing links to it."""
    openapi_url = app.openapi_url or "/openapi.json"
    redirect_url = app.swagger_ui_oauth2_redirect_url

    async def swagger_ui_html(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url, title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{SWAGGER_UI}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{SWAGGER_UI}/swagger-ui.css", swagger_favicon_url=root + DOCS_FAVICON,
            oauth2_redirect_url=root + redirect_url if redirect_url else None, init_oauth=app.swagger_ui_init_oauth,
            # no spec validator badge calling validator.swagger.io
            swagger_ui_parameters={"validatorUrl": None, **(app.swagger_ui_parameters or {})})

    async def swagger_ui_redirect(request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    app.add_route(docs_url, swagger_ui_html, include_in_schema=False)
    # FastAPI added its routes in __init__ (docs_url=None: none for the docs); say where they are now, as the OGC
    # landing page links `app.docs_url` as its service-doc.
    app.docs_url = docs_url
    if redirect_url:
        app.add_route(redirect_url, swagger_ui_redirect, include_in_schema=False)


def _telemetry_argument() -> dict[str, Any]:
    """FastAPI before 0.16x has no `telemetry=`; there is nothing to switch off then."""
    import inspect

    if "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}
    return {"telemetry": telemetry.telemetry_config()}


def warm_up(app: FastAPI) -> None:
    """Pay before serving what the first requests would (imports, holiday tables): otherwise the first
    requests of every worker wait half a second, and so do all requests queued behind them."""
    from datenhub.hours.filter import live_state
    from datenhub.live import web  # noqa: F401  (place pages and details show occupancy)
    from datenhub.publish import get_serializer
    from datenhub.publish.jsonld import to_jsonld

    get_serializer("geojson")  # imports every built-in serializer
    now = app.state.clock()
    live_state("Mo-Fr 10:00-18:00; PH off", now, 51.45, 7.01, "05913000")
    to_jsonld({"id": "warm-up", "kind": "place", "opening_hours": "Mo-Fr 10:00-18:00; PH off"}, clock=lambda: now)


def app_from_environment() -> FastAPI:
    """Factory for multi-worker serving: each worker builds its app from DATENHUB_DATABASE_URL, and sets up its
    log as `serve` does where nothing did (a worker that uvicorn starts inherits none of it; a forked one, or an
    embedder's own logging set-up, keeps what it has)."""
    import logging

    from datenhub.api.logsetup import configure_logging

    if not logging.getLogger("datenhub").handlers:
        configure_logging()
    app = create_app()
    warm_up(app)
    return app
