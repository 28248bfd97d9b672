"""PostgreSQL connections: a pool, one checkout per operation, one pinned connection per open transaction."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
import psycopg
from psycopg.types.json import set_json_dumps, set_json_loads
from psycopg_pool import ConnectionPool

from datenhub.store.base import StoreError
from datenhub.store.registry import redact_url

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
CONNECT_TIMEOUT = 10
SERVING_POOL_WAIT_S = 5.0


@dataclass(frozen=True, slots=True)
class PostgresUrl:
    """A database URL split into what libpq understands and what only we understand."""

    conninfo: str
    schema: str | None
    pool_min: int
    pool_max: int


def parse_url(url: str) -> PostgresUrl:
    """postgresql://user@host:5432/db?schema=hub&pool_max=10 → libpq URL + our options.

    `schema` sets the search_path (the schema first, then public, where the extensions live); `pool_min` and
    `pool_max` size the connection pool. Everything else is passed to libpq unchanged.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in ("postgresql", "postgres"):
        raise StoreError(f"not a PostgreSQL URL: {redact_url(url)!r} (expected postgresql://user@host:5432/database)")
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    params = dict(pairs)
    if twice := sorted({name for name, _ in pairs if [n for n, _ in pairs].count(name) > 1}):
        # one of them would win silently (a schema given twice: which hub is this?)
        raise StoreError(f"{', '.join(twice)} given more than once in {redact_url(url)!r}; give each once")
    schema = params.pop("schema", None) or None
    try:
        pool_min = int(params.pop("pool_min", "1"))
        pool_max = int(params.pop("pool_max", "10"))
    except ValueError:
        raise StoreError(f"pool_min and pool_max in {redact_url(url)!r} must be whole numbers") from None
    if pool_max < max(1, pool_min):
        raise StoreError(f"pool_max={pool_max} in {redact_url(url)!r} must be at least 1 and at least pool_min "
                         f"({pool_min}): it is how many connections a server process may open")
    if schema is not None:
        if not _SCHEMA_NAME.match(schema):
            raise StoreError(f"schema {schema!r}: use lower-case letters, digits and '_' (at most 63)")
        params["options"] = (params.get("options", "") + f" -csearch_path={schema},public").strip()
    params.setdefault("connect_timeout", str(CONNECT_TIMEOUT))
    # which process serves which hub, for operators (pg_stat_activity) and for an import that must know whether
    # it is alone with its hub (deferred.indexes_after_load)
    params.setdefault("application_name", application_name(schema))
    conninfo = urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(params), parts.fragment))
    return PostgresUrl(conninfo, schema, max(1, pool_min), pool_max)


def application_name(schema: str | None) -> str:
    """datenhub:<pid>:<schema> (PostgreSQL keeps 63 bytes of it)."""
    return f"{APPLICATION}:{os.getpid()}:{schema or 'public'}"


APPLICATION = "datenhub"


def describe_target(conninfo: str) -> str:
    try:
        info = psycopg.conninfo.conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError:
        return "the server in the URL"
    return f"{info.get('host') or 'localhost (socket)'}:{info.get('port') or 5432}, database " \
           f"{info.get('dbname') or info.get('user') or '(default)'}, user {info.get('user') or '(default)'}"


WORK_MEM_KB = 16 * 1024


def _configure(conn: psycopg.Connection[Any]) -> None:
    set_json_loads(orjson.loads, conn)
    set_json_dumps(lambda obj: orjson.dumps(obj).decode("utf-8"), conn)
    # timestamps come back in UTC, like the ISO strings the SQLite backend keeps
    conn.execute("SET TIME ZONE 'UTC'")
    # Our queries are short index lookups; at a million rows their cost estimates pass jit_above_cost and
    # compiling would add tens of milliseconds to answers that take a few.
    conn.execute("SET jit = off")
    # A text search within an area ANDs two bitmaps (words, area); at a million rows the default 4 MB of
    # work_mem makes them lossy and the server rechecks tens of thousands of rows. Raise it for our sessions,
    # never lowering what the server or the URL (options=-cwork_mem=…) already gives.
    row = conn.execute("SELECT setting::bigint FROM pg_settings WHERE name = 'work_mem'").fetchone()
    if row and row[0] < WORK_MEM_KB:
        conn.execute(f"SET work_mem = '{WORK_MEM_KB}kB'")


class Connections:
    def __init__(self, url: PostgresUrl) -> None:
        self.url = url
        self._local = threading.local()
        self._lock_wait_ms = 0  # 0: wait for locks as the server or the URL says (see bound_lock_waits)
        self._pool_wait_s = 30.0  # psycopg_pool's default wait for a connection; a server waits less
        self._probe()
        self.pool = self._new_pool()

    def _new_pool(self) -> ConnectionPool[psycopg.Connection[Any]]:
        return ConnectionPool(
            self.url.conninfo, min_size=self.url.pool_min, max_size=self.url.pool_max, kwargs={"autocommit": True},
            configure=self._configure, open=True, name="datenhub", timeout=self._pool_wait_s,
            # a connection the server closed (a restart, a failover, an idle timeout) is replaced before use: it
            # cost one 503 per pooled connection; the check is one empty round trip (~0.05 ms on localhost)
            check=ConnectionPool.check_connection)

    def _configure(self, conn: psycopg.Connection[Any]) -> None:
        _configure(conn)
        if self._lock_wait_ms:
            # never longer than a lock_timeout the server or the URL (options=-clock_timeout=…) already sets
            conn.execute("SELECT set_config('lock_timeout', CASE WHEN setting::bigint BETWEEN 1 AND %s THEN setting "
                         "ELSE %s END || 'ms', false) FROM pg_settings WHERE name = 'lock_timeout'",
                         (self._lock_wait_ms, str(self._lock_wait_ms)))

    def bound_lock_waits(self, seconds: float) -> None:
        """Sessions from now on give up waiting for a lock after `seconds` (Store.serve), and a request for a
        connection after SERVING_POOL_WAIT_S: with the database gone, every request waited the pool's 30 s for
        its 503, longer than a load balancer's readiness check. The pool is built again, so no connection opened
        before is left without the bound."""
        self._lock_wait_ms = max(1, round(seconds * 1000))
        self._pool_wait_s = SERVING_POOL_WAIT_S
        previous, self.pool = self.pool, self._new_pool()
        previous.close()

    def _probe(self) -> None:
        """Connect once before building the pool, so a wrong URL fails now and says what to check."""
        try:
            with psycopg.connect(self.url.conninfo, autocommit=True) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as exc:
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(
                f"cannot connect to PostgreSQL at {describe_target(self.url.conninfo)}: {detail}. Check that the "
                "server runs and accepts TCP connections there (listen_addresses, pg_hba.conf), that the database "
                "exists (createdb) and that user and password in the database URL are right.") from None

    @property
    def pinned(self) -> psycopg.Connection[Any] | None:
        return getattr(self._local, "conn", None)

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """The calling thread's transaction connection if one is open, else a pool checkout (autocommit)."""
        pinned = self.pinned
        if pinned is not None:
            yield pinned
            return
        with self.pool.connection() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[Any]]:
        """Pin one connection to this thread until the outermost block ends; nested blocks join it."""
        pinned = self.pinned
        if pinned is not None:
            yield pinned
            return
        with self.pool.connection() as conn:
            self._local.conn, self._local.committed = conn, []
            try:
                with conn.transaction():
                    yield conn
            finally:
                self._local.conn = None
                # after a rollback the actions are dropped unrun; after a failed commit too (it raised above)
                actions, self._local.committed = self._local.committed, []
        for action in actions:
            action()

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run `action` once this thread's outermost transaction commits (at once outside a transaction), never
        after a rollback: what a process remembers of the database (the partitions made) must not outlive a
        rollback of an outer block that a nested write joined."""
        if self.pinned is None:
            action()
        else:
            self._local.committed.append(action)

    def close(self) -> None:
        self.pool.close()
