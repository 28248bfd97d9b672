"""`datenhub serve`: the API and pages over the configured database."""

from __future__ import annotations

import typer

from datenhub.cli.common import DbOption, console, fail
from datenhub.store import StoreError


def command(host: str = typer.Option("127.0.0.1", "--host"), port: int = typer.Option(8000, "--port"),
            db: str | None = DbOption) -> None:
    """Serve the API (/api/v1) and the landing page."""
    import uvicorn

    from datenhub.api.app import create_app

    try:
        app = create_app(db_url=db)
    except StoreError as exc:
        raise fail(str(exc)) from None
    console.print(f"DatenHub Ruhr on http://{host}:{port}/  (API: /api/v1/places, docs: /docs)")
    uvicorn.run(app, host=host, port=port, log_level="info")
