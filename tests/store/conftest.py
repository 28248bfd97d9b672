"""Fixtures for the PostgreSQL-only store tests (skipped without DATENHUB_TEST_POSTGRES_URL)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from datenhub.store import open_store
from datenhub.store.postgres.store import PostgresStore
from datenhub.store.postgres.testing import drop_url, fresh_url

BASE_URL = os.environ.get("DATENHUB_TEST_POSTGRES_URL")


@pytest.fixture
def pg() -> Iterator[PostgresStore]:
    """A PostgresStore on a fresh database of its own, dropped afterwards."""
    if not BASE_URL:
        pytest.skip("set DATENHUB_TEST_POSTGRES_URL to run against PostgreSQL")
    url = fresh_url(BASE_URL)
    store = open_store(url)
    assert isinstance(store, PostgresStore)
    yield store
    store.close()
    drop_url(url)
