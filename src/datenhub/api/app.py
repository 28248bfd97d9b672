"""The FastAPI application: routers per resource, one problem+json error body."""

from __future__ import annotations

import time
from importlib import import_module
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from datenhub import __version__
from datenhub.api import cache, fastpath, health, middleware, problems, ratelimit, telemetry
from datenhub.clock import Clock, utc_now
from datenhub.store import QueryError, Store, open_store

# Routers register by module path, built-ins exactly like extensions; each owns its prefix and tags.
ROUTERS: list[str] = [
    "datenhub.api.routers.places",
    "datenhub.api.routers.events",
    "datenhub.api.routers.writes",
    "datenhub.api.routers.webhooks",
    "datenhub.api.routers.meta",
    "datenhub.api.health",
    "datenhub.api.routers.ogc",
    "datenhub.api.routers.catalog",
    "datenhub.api.routers.plans",
    "datenhub.api.routers.occupancy",
    "datenhub.web.plan",
    "datenhub.web.site",
]


def create_app(store: Store | None = None, db_url: str | None = None, clock: Clock = utc_now,
               limits: ratelimit.Limits | None = None, *, response_cache: int | None = None,
               fast_paths: bool = True) -> FastAPI:
    """`response_cache`: bytes for cached reads (default DATENHUB_RESPONSE_CACHE, 0 = none); `fast_paths`: serve
    the hottest reads without FastAPI's per-request machinery (same bytes; off only to compare)."""
    app = FastAPI(title="DatenHub Ruhr API", version=__version__,
                  description="Tourism and city data of the Metropole Ruhr: one model, every format.",
                  **_telemetry_argument())
    app.state.store = store or open_store(db_url)
    app.state.clock = clock
    # Middleware added first sits innermost: the fast paths answer inside the cache, and hygiene (ETag, request id),
    # gzip, CORS and rate limits wrap every answer, cached or not.
    if fast_paths:
        fastpath.install(app)
    cache.install(app, response_cache)
    middleware.install(app)
    health.install(app)
    # Rate-limit windows follow the app's clock, so a fixed clock gives tests one window that never rolls over.
    ratelimit.install(app, limits, now=time.time if clock is utc_now else lambda: clock().timestamp())
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
    """Factory for multi-worker serving: each worker builds its app from DATENHUB_DATABASE_URL."""
    app = create_app()
    warm_up(app)
    return app
