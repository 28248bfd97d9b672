"""The FastAPI application: routers per resource, one problem+json error body."""

from __future__ import annotations

from importlib import import_module

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from datenhub import __version__
from datenhub.api import health, middleware, problems, ratelimit
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
               limits: ratelimit.Limits | None = None) -> FastAPI:
    app = FastAPI(title="DatenHub Ruhr API", version=__version__,
                  description="Tourism and city data of the Metropole Ruhr: one model, every format.")
    app.state.store = store or open_store(db_url)
    app.state.clock = clock
    middleware.install(app)
    health.install(app)
    ratelimit.install(app, limits)
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


def app_from_environment() -> FastAPI:
    """Factory for multi-worker serving: each worker builds its app from DATENHUB_DATABASE_URL."""
    return create_app()
