"""`datenhub serve`: the API and pages over the configured database."""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
import time
from typing import Any

import typer

from datenhub.api.logsetup import configure_logging
from datenhub.cli.common import DbOption, console, fail, missing_hub
from datenhub.store import Store, StoreError, resolve_url

log = logging.getLogger("datenhub.webhooks")


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


# The HTTP servers `serve` can run, both real ASGI servers: uvicorn (Python, httptools) or granian (Rust, hyper).
SERVERS = ("uvicorn", "granian")
DELIVERY_ENV = "DATENHUB_SERVE_WEBHOOKS"  # set for a single granian worker: it delivers webhooks, as serve does


def http_server(chosen: str | None) -> str:
    name = chosen or os.environ.get("DATENHUB_SERVER", "uvicorn")
    if name not in SERVERS:
        raise fail(f"--server / DATENHUB_SERVER must be one of {', '.join(SERVERS)}, not {name!r}")
    return name


def command(host: str = typer.Option("127.0.0.1", "--host"), port: int = typer.Option(8000, "--port"),
            workers: int = typer.Option(1, "--workers", min=1, max=64,
                                        help="Server processes sharing the database (use PostgreSQL for > 1)."),
            server: str | None = typer.Option(None, "--server", help="HTTP server: uvicorn (default) or granian; "
                                              "default from DATENHUB_SERVER."),
            db: str | None = DbOption) -> None:
    """Serve the API (/api/v1), OGC API (/ogc), the visitor site and the steward dashboard."""
    import uvicorn

    from datenhub.api.app import create_app, warm_up
    from datenhub.api.health import LOCK_WAIT_S
    from datenhub.api.protocol import NoDelayHttpToolsProtocol
    from datenhub.store import open_store

    configure_logging()
    loop = event_loop()
    chosen = http_server(server)
    if os.environ.get("DATENHUB_REDIS_URL") and importlib.util.find_spec("redis") is None:
        raise fail("DATENHUB_REDIS_URL is set, but the redis package is not installed: install 'datenhub[redis]' "
                   "(or unset DATENHUB_REDIS_URL to limit per process)")
    url = resolve_url(db)
    missing_hub(url)  # a mistyped path would serve an empty hub it had just made
    try:
        store = open_store(url)  # fails early, with a clear message, when the database is unreachable
    except StoreError as exc:
        raise fail(str(exc)) from None
    console.print(f"DatenHub Ruhr on http://{host}:{port}/  (API: /api/v1, OGC: /ogc, docs: /docs, "
                  f"{workers} worker{'s' if workers > 1 else ''}, {chosen})")
    if chosen == "granian":
        store.close()
        run_granian(url, host, port, workers, loop)
        return
    if workers > 1:
        store.close()
        os.environ["DATENHUB_DATABASE_URL"] = url
        # Webhooks: with several workers run `datenhub webhooks deliver` from a timer instead.
        uvicorn.run("datenhub.api.app:app_from_environment", factory=True, host=host, port=port, workers=workers,
                    log_level="warning", log_config=None, access_log=False, loop=loop, http=NoDelayHttpToolsProtocol)
        return
    store.serve(LOCK_WAIT_S)  # as app_from_environment's workers do (create_app)
    app = create_app(store=store)
    warm_up(app)
    start_delivery_thread(app.state.store)
    # access_log off: at log level warning it printed nothing but still cost each request its formatting
    uvicorn.run(app, host=host, port=port, log_level="warning", log_config=None, access_log=False, loop=loop,
                http=NoDelayHttpToolsProtocol)


def run_granian(url: str, host: str, port: int, workers: int, loop: str) -> None:
    """granian runs the app in worker processes it forks (one or more); each builds it from the environment."""
    from granian.constants import Interfaces, Loops
    from granian.log import LogLevels
    from granian.server import Server

    os.environ["DATENHUB_DATABASE_URL"] = url
    if workers == 1:
        os.environ[DELIVERY_ENV] = "1"
    Server("datenhub.cli.serve:granian_app", address=host, port=port, interface=Interfaces.ASGI, workers=workers,
           loop=Loops(loop), factory=True, log_level=LogLevels.warning, log_access=False,
           log_dictconfig=granian_logging(),
           respawn_failed_workers=True).serve()  # a worker that dies is replaced, as uvicorn's supervisor does


def granian_logging() -> dict[str, Any]:
    """granian's own lines ("Unexpected exit from worker-1") through the root handler configure_logging set up, in
    the server's format (DATENHUB_LOG_FORMAT), not as granian's "[ERROR] …" on stdout amid the JSON lines. A new
    dict each time: granian writes the level into it."""
    return {"loggers": {"_granian": {"handlers": [], "propagate": True},
                        "granian.access": {"handlers": [], "propagate": False}}}


def granian_app() -> Any:
    """The app as a granian worker serves it: uvicorn trusts X-Forwarded-* from FORWARDED_ALLOW_IPS
    (default 127.0.0.1) by itself; under granian the same uvicorn middleware does it."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from datenhub.api.app import app_from_environment

    app = app_from_environment()
    if os.environ.get(DELIVERY_ENV) == "1":
        start_delivery_thread(app.state.store)
    trusted = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
    return ProxyHeadersMiddleware(app, trusted_hosts=trusted)  # type: ignore[arg-type]  # Starlette's ASGI types
