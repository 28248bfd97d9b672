"""record_tallies: the per-source counts and times the catalogue and /api/v1/sources show, kept by each store's
triggers as records are written, checked against the records themselves after every kind of write."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from datenhub import hub
from datenhub.pipeline.writes import withdraw_record, write_records
from datenhub.store import Store, open_store
from datenhub.store.tallies import MAX_ATTRIBUTIONS
from tests.store.helpers import ROWS, write_csv


def _from_records(store: Store) -> dict[str, Any]:
    """What the tallies must say, counted from every record of every source (record_states, get_record)."""
    licences: dict[str, Counter[str]] = {}
    credited: dict[str, Counter[str]] = {}
    totals: dict[str, tuple[int, int]] = {}
    for source in [info.name for info in store.list_sources()]:
        states = store.record_states(source)
        withdrawn = sum(state.withdrawn for state in states.values())
        totals[source] = (len(states), withdrawn)
        for local_id, state in states.items():
            if state.withdrawn:
                continue
            record = store.get_record(f"{source}:{local_id}")
            assert record is not None
            licence = record.data.get("licence") or "closed"
            licences.setdefault(source, Counter())[licence] += 1
            if record.data.get("attribution") and licence != "closed":
                credited.setdefault(source, Counter())[record.data["attribution"]] += 1
    return {"licences": {s: dict(c) for s, c in licences.items()},
            "attributions": {s: [a for a, _ in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))][:MAX_ATTRIBUTIONS]
                             for s, c in credited.items()},
            "totals": totals}


def _tallied(store: Store) -> dict[str, Any]:
    return {"licences": store.record_licences(), "attributions": store.record_attributions(),
            "totals": {info.name: (info.stats["records"], info.stats["withdrawn"]) for info in store.list_sources()}}


def test_the_tallies_agree_with_the_records_after_every_kind_of_write(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    rows = [list(row) for row in ROWS]
    hub.import_file(store, write_csv(tmp_path / "a.csv", rows), "test", clock=clock, attribution="Stadt Essen")
    hub.import_file(store, write_csv(tmp_path / "b.csv", rows[:3]), "other", clock=clock)
    assert _tallied(store) == _from_records(store)
    rows[0][5] = "closed"  # an open record turns closed
    rows[2][5] = "CC0-1.0"  # and one changes its open licence
    del rows[4]  # one is withdrawn by the next full import
    hub.import_file(store, write_csv(tmp_path / "c.csv", rows), "test", clock=clock, attribution="Stadt Essen")
    assert _tallied(store) == _from_records(store)
    # writes through the API: a new record with its own attribution, a changed one, a withdrawal, a return
    body = [{"id": "n1", "name": "Neue Halde", "geo": {"lat": 51.5, "lon": 7.1}, "licence": "CC-BY-4.0",
             "attribution": "RVR"},
            {"id": "z2", "name": "Zeche Zollern", "geo": {"lat": 51.5186, "lon": 7.3339}, "licence": "CC-BY-4.0"}]
    write_records(store, "test", json.dumps(body).encode(), clock=clock)
    assert withdraw_record(store, "test:m2", clock=clock)
    assert _tallied(store) == _from_records(store)
    hub.import_file(store, write_csv(tmp_path / "d.csv", rows), "test", clock=clock, attribution="Stadt Essen",
                    force=True)  # m2 comes back, n1 goes (a full import), z2 is the file's again
    split = hub.split_record(store, "other:z1", clock=clock)  # records move between hubs: no count changes
    hub.join_record(store, "other:z1", split, clock=clock)
    assert _tallied(store) == _from_records(store)
    assert _tallied(store)["totals"]["test"] == (len(ROWS) + 1, 2)


def test_a_record_that_leaves_the_open_data_dates_its_change(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    rows = [list(ROWS[0]), list(ROWS[1])]
    start = clock()

    def run(day: int) -> None:
        hub.import_file(store, write_csv(tmp_path / f"day{day}.csv", rows), "test",
                        clock=lambda: start + timedelta(days=day))

    def changed() -> datetime:
        (source,) = store.sources_with_licences(open_only=True)
        return datetime.fromisoformat(source.stats["open_changed_at"])

    run(0)
    rows[1][6] = "Musterzeche, neu beschrieben"
    run(1)
    assert changed() == start + timedelta(days=1)
    # z2 turns closed a day later: the open data lost a record then, though every open record is older
    rows[1][5] = "closed"
    run(2)
    assert changed() == start + timedelta(days=2)
    assert store.record_licences() == {"test": {"CC0-1.0": 1, "closed": 1}}


def _migrated_again(store: Store, tmp_path: Path, clock: Any, drop: Callable[[list[str]], None],
                    statements: list[str], migration: str) -> None:
    """A hub from before the tallies (its tables, triggers and migration record gone) gets them on upgrade."""
    rows = [list(row) for row in ROWS]
    hub.import_file(store, write_csv(tmp_path / "a.csv", rows), "test", clock=clock, attribution="Stadt Essen")
    del rows[3]
    hub.import_file(store, write_csv(tmp_path / "b.csv", rows), "test", clock=clock, attribution="Stadt Essen")
    expected = _tallied(store)
    drop([*statements, f"DELETE FROM schema_migrations WHERE name = '{migration}'"])
    assert store.migrate() == [migration]
    assert _tallied(store) == expected == _from_records(store)


def test_an_sqlite_hub_from_before_the_tallies_gets_them_on_upgrade(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    from datenhub.store.sqlite.store import SqliteStore

    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    assert isinstance(store, SqliteStore)

    def drop(statements: list[str]) -> None:
        with store.transaction():
            for statement in statements:
                store.db.execute(statement)

    _migrated_again(store, tmp_path, clock, drop, ["DROP TRIGGER records_tally_update", "DROP TABLE record_tallies"],
                    "0026_record_tallies")
    store.close()


def test_a_postgresql_hub_from_before_the_tallies_gets_them_on_upgrade(pg, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    def drop(statements: list[str]) -> None:
        with pg._conns.transaction() as conn:
            for statement in statements:
                conn.execute(statement)

    _migrated_again(pg, tmp_path, clock, drop, ["DROP TABLE record_tallies"], "0028_record_tallies")
