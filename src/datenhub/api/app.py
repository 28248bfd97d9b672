"""The FastAPI application: routers per resource, one problem+json error body."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from datenhub import __version__
from datenhub.api import problems
from datenhub.api.routers import meta, places
from datenhub.store import QueryError, Store, open_store


def create_app(store: Store | None = None, db_url: str | None = None) -> FastAPI:
    app = FastAPI(title="DatenHub Ruhr API", version=__version__,
                  description="Tourism and city data of the Metropole Ruhr: one model, every format.")
    app.state.store = store or open_store(db_url)
    app.add_exception_handler(QueryError, problems.query_error)
    app.add_exception_handler(HTTPException, problems.http_error)
    app.add_exception_handler(RequestValidationError, problems.validation_error)
    app.include_router(places.router)
    app.include_router(meta.router)
    from datenhub.web import landing

    app.include_router(landing.router)
    return app
