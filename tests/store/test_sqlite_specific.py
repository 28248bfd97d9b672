"""What only the SQLite backend has: the migration hooks that fill new columns from the stored entities."""

from __future__ import annotations

from pathlib import Path

from datenhub import hub
from datenhub.store import open_store
from datenhub.store.rows import prominence
from datenhub.store.sqlite.store import SqliteStore
from tests.store.helpers import write_csv


def test_prominence_migration_fills_the_column_of_stored_entities(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    expected = {i["id"]: prominence(i) for i in store.iter_entities()}
    assert any(expected.values())
    # as a database from before the migration: no column, migration not applied
    store.db.execute("ALTER TABLE entities DROP COLUMN prominence")
    store.db.execute("DELETE FROM schema_migrations WHERE name = '0008_prominence'")
    assert store.migrate() == ["0008_prominence"]
    stored = dict(store.db.execute("SELECT id, prominence FROM entities WHERE has_open"))
    assert stored == expected
