"""The SQLite backend."""

from datenhub.store.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
