"""The PostgreSQL backend: the same contract as SQLite, for more data, more readers and several servers."""

from datenhub.store.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
