"""`datenhub serve`: the API and pages over the configured database."""

from __future__ import annotations

import json
import logging
import os
import threading
import time

import typer

from datenhub.cli.common import DbOption, console, fail
from datenhub.store import Store, StoreError, resolve_url

log = logging.getLogger("datenhub.webhooks")


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, for log shippers (DATENHUB_LOG_FORMAT=json)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging() -> None:
    handler = logging.StreamHandler()
    if os.environ.get("DATENHUB_LOG_FORMAT", "text") == "json":
        handler.setFormatter(JsonLogFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("datenhub")
    root.handlers = [handler]
    root.setLevel(os.environ.get("DATENHUB_LOG_LEVEL", "INFO"))


# asyncio's own loop, not uvloop: on a saturated worker uvloop served some connections hundreds of requests
# late (wrk, 32 connections: p99 379 ms where p50 was 43 ms; asyncio: p99 47 ms) at the same throughput.
LOOPS = ("asyncio", "uvloop", "auto")


def event_loop() -> str:
    loop = os.environ.get("DATENHUB_EVENT_LOOP", "asyncio")
    if loop not in LOOPS:
        raise fail(f"DATENHUB_EVENT_LOOP must be one of {', '.join(LOOPS)}, not {loop!r}")
    return loop


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
            workers: int = typer.Option(1, "--workers", min=1, max=64,
                                        help="Server processes sharing the database (use PostgreSQL for > 1)."),
            db: str | None = DbOption) -> None:
    """Serve the API (/api/v1), OGC API (/ogc), the visitor site and the steward dashboard."""
    import uvicorn

    from datenhub.api.app import create_app, warm_up
    from datenhub.api.protocol import NoDelayHttpToolsProtocol
    from datenhub.store import open_store

    configure_logging()
    loop = event_loop()
    url = resolve_url(db)
    try:
        store = open_store(url)  # fails early, with a clear message, when the database is unreachable
    except StoreError as exc:
        raise fail(str(exc)) from None
    console.print(f"DatenHub Ruhr on http://{host}:{port}/  (API: /api/v1, OGC: /ogc, docs: /docs, "
                  f"{workers} worker{'s' if workers > 1 else ''})")
    if workers > 1:
        store.close()
        os.environ["DATENHUB_DATABASE_URL"] = url
        # Webhooks: with several workers run `datenhub webhooks deliver` from a timer instead.
        uvicorn.run("datenhub.api.app:app_from_environment", factory=True, host=host, port=port, workers=workers,
                    log_level="warning", access_log=False, loop=loop, http=NoDelayHttpToolsProtocol)
        return
    app = create_app(store=store)
    warm_up(app)
    start_delivery_thread(app.state.store)
    # access_log off: at log level warning it printed nothing but still cost each request its formatting
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, loop=loop,
                http=NoDelayHttpToolsProtocol)
