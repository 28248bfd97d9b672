"""Bulk writes: COPY a batch into a session-local staging table, then one INSERT … ON CONFLICT from it.

One COPY and one statement per batch instead of one statement per row: the import writes its 2,000-row batches
in a handful of round trips, and the server parses tsvectors, arrays and JSON in C. The staging tables are
TEMP tables (one per connection, created on first use) and are emptied with TRUNCATE, which leaves no dead
rows behind even when hundreds of batches run inside one import transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import psycopg


def copy_to_stage(conn: psycopg.Connection[Any], stage: str, like: str, columns: Sequence[str],
                  rows: Iterable[Sequence[Any]]) -> None:
    """Fill the staging table `stage` (shaped like table `like`) with `rows`; it holds nothing else after."""
    # IF NOT EXISTS each time: a rolled-back transaction takes a freshly created temp table with it
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {like} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
    conn.execute(f"TRUNCATE {stage}")
    with conn.cursor() as cur, cur.copy(f"COPY {stage} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
