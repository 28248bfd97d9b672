"""Bulk writes: rows that are new COPY straight into their table; rows that may replace others COPY into a
session-local staging table first, then one INSERT … ON CONFLICT takes them from there.

One COPY and one statement per batch instead of one statement per row: the import writes its 2,000-row batches
in a handful of round trips, and the server parses tsvectors, arrays and JSON in C. The staging tables are
TEMP tables (one per connection, created on first use) and are emptied with TRUNCATE, which leaves no dead
rows behind even when hundreds of batches run inside one import transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import psycopg

from datenhub.store.postgres.arrays import text_array


def copy_to_stage(conn: psycopg.Connection[Any], stage: str, like: str, columns: Sequence[str],
                  rows: Iterable[Sequence[Any]]) -> None:
    """Fill the staging table `stage` (shaped like table `like`) with `rows`; it holds nothing else after."""
    # IF NOT EXISTS each time: a rolled-back transaction takes a freshly created temp table with it
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {like} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
    conn.execute(f"TRUNCATE {stage}")
    copy_rows(conn, stage, columns, rows)


def copy_rows(conn: psycopg.Connection[Any], table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def copy_new(conn: psycopg.Connection[Any], table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bool:
    """COPY rows whose keys the table did not hold a moment ago straight into it: no staging table, no conflict
    test per row. False, with nothing written, when one of them arrived in between (a concurrent import of the
    same source): then the caller takes the upsert path."""
    if not rows:
        return True
    try:
        with conn.transaction():  # a savepoint: a unique violation undoes this COPY alone
            copy_rows(conn, table, columns, rows)
    except psycopg.errors.UniqueViolation:
        return False
    return True


def known_keys(conn: psycopg.Connection[Any], table: str, key: str, keys: list[str]) -> set[str]:
    """Which of `keys` `table` already holds (by its primary key)."""
    return {row[0] for row in conn.execute(f"SELECT {key} FROM {table} WHERE {key} = ANY(%s::text[])",
                                                 (text_array(keys),))}
