"""Readiness, and what happens when the database goes away while serving: 503 with Retry-After, no restart."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from datenhub.api.auth import reads_closed
from datenhub.api.problems import problem
from datenhub.store import StoreError

router = APIRouter(tags=["meta"])
RETRY_AFTER_S = 5
# how long a request waits for a lock another session holds before it is answered 503 (Store.serve): a first
# import into an empty PostgreSQL hub holds its tables until it commits, minutes at a million places
LOCK_WAIT_S = 3.0


def _database_errors() -> tuple[type[Exception], ...]:
    errors: list[type[Exception]] = [StoreError, sqlite3.OperationalError, sqlite3.DatabaseError]
    try:
        import psycopg
        import psycopg_pool

        # UndefinedTable: a database without the hub's schema (dropped and made again, not yet upgraded), as
        # SQLite's "no such table"
        errors += [psycopg.OperationalError, psycopg_pool.PoolTimeout, psycopg.errors.UndefinedTable]
    except ImportError:
        pass
    return tuple(errors)


DATABASE_ERRORS = _database_errors()


# What SQLite says when its file cannot be used right now (busy, gone, unreadable, full); anything else it raises
# is a statement the code got wrong, a 500 with the request id in the log, not an outage to retry.
_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o", "readonly", "no such table", "malformed",
                "not a database", "disk is full", "database or disk is full")


def unavailable(exc: Exception) -> bool:
    return not isinstance(exc, sqlite3.Error) or any(word in str(exc).lower() for word in _UNAVAILABLE)


log = logging.getLogger("datenhub.health")
LOG_EVERY_S = 10.0  # one warning per process and interval, however many requests the outage answers 503


class _OutageLog:
    """Why requests are answered 503, for operators: the only other trace was the access log's status. The key
    that would let /ready say why needs the database too, so during an outage only the log can tell."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = float("-inf")
        self._more = 0

    def __call__(self, exc: Exception, path: str) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last < LOG_EVERY_S:
                self._more += 1
                return
            more, self._more, self._last = self._more, 0, now
        also = f" ({more} more since the last warning)" if more else ""
        log.warning("database unavailable, answering 503 with Retry-After (%s): %s: %s%s", path,
                    type(exc).__name__, str(exc).strip()[:300], also)


outage = _OutageLog()


async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    if not unavailable(exc):
        raise exc  # the hygiene middleware answers problem+json 500 and logs it under the request id
    outage(exc, request.url.path)
    return problem(503, "Database unavailable", "the database cannot be reached right now; retry shortly",
                   {"Retry-After": str(RETRY_AFTER_S)}, instance=str(request.url.path))


@router.get("/ready", summary="Readiness: 200 when the database answers, 503 otherwise")
def ready(request: Request) -> JSONResponse:
    # The data version is two index lookups: a probe that counted the hub took 1.3 s of three PostgreSQL processes
    # at 1M places, longer than a load balancer waits. `data_version` tells the instances behind one apart.
    try:
        seq, last_import = request.app.state.store.data_version()
        # the version moves with changes of closed data too: it is for keys that may read it (operators), not all
        shown = {"data_version": f"{seq}.{last_import}"} if reads_closed(request) else {}
    except DATABASE_ERRORS as exc:
        outage(exc, request.url.path)
        # what failed, for operators: the database's own words name hosts and tables (when their key can still be
        # checked: it is in the database too; the server's log says why in any case)
        try:
            detail = {"detail": str(exc)[:200]} if reads_closed(request) else {}
        except DATABASE_ERRORS:
            detail = {}
        return JSONResponse({"status": "unavailable", **detail}, status_code=503,
                            headers={"Retry-After": str(RETRY_AFTER_S)})
    return JSONResponse({"status": "ready", **shown})


def install(app: FastAPI) -> None:
    for error in DATABASE_ERRORS:
        app.add_exception_handler(error, database_unavailable)
