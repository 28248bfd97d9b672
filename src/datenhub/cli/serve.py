"""`datenhub serve`: the API and pages over the configured database."""

from __future__ import annotations

import logging
import threading
import time

import typer

from datenhub.cli.common import DbOption, console, fail
from datenhub.store import Store, StoreError

log = logging.getLogger("datenhub.webhooks")


def start_delivery_thread(store: Store, every_s: float = 10.0) -> threading.Thread:
    """Deliver webhook notifications in the background; a failing consumer only delays its own queue."""
    from datenhub.notify.webhooks import deliver_due

    def loop() -> None:
        while True:
            try:
                deliver_due(store)
            except Exception:  # keep the thread alive whatever a consumer or the DB does
                log.exception("webhook delivery round failed")
            time.sleep(every_s)

    thread = threading.Thread(target=loop, name="webhook-delivery", daemon=True)
    thread.start()
    return thread


def command(host: str = typer.Option("127.0.0.1", "--host"), port: int = typer.Option(8000, "--port"),
            db: str | None = DbOption) -> None:
    """Serve the API (/api/v1) and the landing page."""
    import uvicorn

    from datenhub.api.app import create_app

    try:
        app = create_app(db_url=db)
    except StoreError as exc:
        raise fail(str(exc)) from None
    start_delivery_thread(app.state.store)
    console.print(f"DatenHub Ruhr on http://{host}:{port}/  (API: /api/v1/places, docs: /docs)")
    uvicorn.run(app, host=host, port=port, log_level="info")
