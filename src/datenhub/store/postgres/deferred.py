"""The first import into an empty hub builds the secondary indexes of its tables after its rows are in.

Kept up row by row, the 13 secondary indexes of `entities` (four of them GIN) and the two of `records` cost
most of what the server does for an import; built once from the finished table, by sorting, they cost a
fraction (100k places: import 17.7 s → 11.5 s, and 3.7 s to build them). It all happens inside the import's
transaction: if the import fails, the rollback brings the indexes back as they were.

Dropping an index locks its table until the commit, so readers that come during the import wait for it
instead of seeing an empty hub. That is why it is only done for an empty hub, and only when the lock is free at
once (no reader holds it); otherwise the import keeps the indexes up as usual. Unique indexes stay: the
import's upserts and lookups use them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

TABLES = ("entities", "records")
LOCK_WAIT = "200ms"  # how long the import waits for readers to let go of a table before it keeps its indexes
BUILD_MEMORY = "256MB"  # maintenance_work_mem for the builds: a GIN index of 100k places sorts in memory

_SECONDARY = ("SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = "
              "i.indexrelid WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary "
              "ORDER BY c.relname")


@contextmanager
def indexes_after_load(conn: psycopg.Connection[Any]) -> Iterator[bool]:
    """Inside an import's transaction: yields whether the secondary indexes are off until the block ends (then
    they are built again); on an exception they are not, the transaction's rollback restores them."""
    definitions = _drop_secondary(conn) if _empty(conn) else None
    yield definitions is not None
    if definitions:
        conn.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
        for sql in definitions:
            conn.execute(sql)
        conn.execute("RESET maintenance_work_mem")


def _empty(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM records) AND NOT EXISTS (SELECT 1 FROM entities)").fetchone()
    return bool(row and row[0])


def _drop_secondary(conn: psycopg.Connection[Any]) -> list[str] | None:
    """The definitions of the indexes dropped, or None when they stay (a reader holds a table, or this role does
    not own them)."""
    previous = conn.execute("SHOW lock_timeout").fetchone()
    try:
        with conn.transaction():  # a savepoint: a refused drop undoes the drops before it, nothing else
            conn.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
            definitions: list[str] = []
            for table in TABLES:
                for name, sql in conn.execute(_SECONDARY, (table,)).fetchall():
                    conn.execute(f'DROP INDEX "{name}"')
                    definitions.append(sql)
    except (psycopg.errors.LockNotAvailable, psycopg.errors.InsufficientPrivilege):
        return None
    finally:
        conn.execute("SELECT set_config('lock_timeout', %s, true)", (previous[0] if previous else "0",))
    return definitions
