"""Storage behind one contract: SQLite by default, PostgreSQL for scale."""

from datenhub.store.base import HubEntity, Page, SourceInfo, Store, StoredRecord, StoreError
from datenhub.store.query import Query, QueryError, from_params
from datenhub.store.registry import open_store, resolve_url

__all__ = ["HubEntity", "Page", "Query", "QueryError", "SourceInfo", "Store", "StoreError", "StoredRecord",
           "from_params", "open_store", "resolve_url"]
