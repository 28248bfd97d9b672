"""The first import into an empty hub builds the secondary indexes of its tables after its rows are in.

Kept up row by row, the 13 secondary indexes of `entities` (four of them GIN) and the two of `records` cost
much of what the server does for an import; built once from the finished tables, by sorting, they cost less
(100k places: 17.1 → 15.8 s in all). It all happens inside the import's transaction: if the import fails, the
rollback brings the indexes back as they were.

Dropping an index locks its table until the commit, so a reader that comes during the import waits for it
instead of seeing an empty hub. That is why it is only done for an empty hub, when no other DatenHub process is
connected to it (a running server keeps a pool open: it goes on answering) and when the tables are free at once;
otherwise the import keeps the indexes up as usual. Unique indexes stay: the import's upserts and lookups use
them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from datenhub.store.postgres.connection import APPLICATION

TABLES = ("entities", "records")
LOCK_WAIT = "200ms"  # how long the import waits for readers to let go of a table before it keeps its indexes
BUILD_MEMORY_KB = 256 * 1024  # maintenance_work_mem for the builds, unless the server gives more

_SECONDARY = ("SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c "
              "ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary "
              "ORDER BY c.relname")
# other sessions of DatenHub processes on this hub: application names datenhub:<pid>:<schema> (connection.py)
_OTHERS = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
           "AND split_part(application_name, ':', 1) = %s AND split_part(application_name, ':', 3) = "
           "split_part(current_setting('application_name'), ':', 3) AND split_part(application_name, ':', 2) <> "
           "split_part(current_setting('application_name'), ':', 2)")


@contextmanager
def indexes_after_load(conn: psycopg.Connection[Any]) -> Iterator[bool]:
    """Inside an import's transaction: yields whether the secondary indexes are off until the block ends (then
    they are built again); on an exception they are not, the transaction's rollback restores them."""
    definitions = _drop_secondary(conn) if _empty(conn) and _alone(conn) else None
    yield definitions is not None
    if definitions:
        # a statement_timeout (common on managed servers) would fail the whole import at its last step
        conn.execute("SET LOCAL statement_timeout = 0")
        conn.execute("SELECT set_config('maintenance_work_mem', greatest(setting::bigint, %s)::text || 'kB', true) "
                     "FROM pg_settings WHERE name = 'maintenance_work_mem'", (BUILD_MEMORY_KB,))
        for sql in definitions:
            conn.execute(sql)


def _empty(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM records) AND NOT EXISTS (SELECT 1 FROM entities)").fetchone()
    return bool(row and row[0])


def _alone(conn: psycopg.Connection[Any]) -> bool:
    """No other DatenHub process is connected to this hub. Under an application name of its own choosing (set in
    the URL) the import cannot tell, and keeps its indexes up."""
    name = conn.execute("SELECT current_setting('application_name')").fetchone()
    if not name or name[0].split(":", 1)[0] != APPLICATION or name[0].count(":") < 2:
        return False
    row = conn.execute(_OTHERS, (APPLICATION,)).fetchone()
    return bool(row and row[0] == 0)


def _drop_secondary(conn: psycopg.Connection[Any]) -> list[str] | None:
    """The definitions of the indexes dropped, or None when they stay (a reader holds a table, or this role does
    not own them)."""
    previous = conn.execute("SHOW lock_timeout").fetchone()
    try:
        with conn.transaction():  # a savepoint: a refused drop undoes the drops before it, nothing else
            conn.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
            definitions: list[str] = []
            for table in TABLES:
                for index, sql in conn.execute(_SECONDARY, (table,)).fetchall():
                    conn.execute(f"DROP INDEX {index}")  # regclass text: schema-qualified where it must be
                    definitions.append(sql)
    except (psycopg.errors.LockNotAvailable, psycopg.errors.InsufficientPrivilege, psycopg.errors.DeadlockDetected):
        return None
    finally:
        conn.execute("SELECT set_config('lock_timeout', %s, true)", (previous[0] if previous else "0",))
    return definitions
