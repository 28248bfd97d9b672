"""Hooks other subsystems fill in: `open_at` filtering comes from the opening-hours engine."""

from __future__ import annotations

import sqlite3

from datenhub.store.query import Query, QueryError


def open_at_rowids(db: sqlite3.Connection, query: Query) -> list[int]:
    try:
        from datenhub.hours.store_filter import open_rowids  # type: ignore[import-not-found]
    except ImportError:
        raise QueryError("open_at", "opening-hours filtering is not available in this installation") from None
    return open_rowids(db, query)  # type: ignore[no-any-return]
