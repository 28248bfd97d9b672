"""/health counts what anyone may see: a place only closed data holds is not among its places."""

from __future__ import annotations

from pathlib import Path

from datenhub import hub
from datenhub.auth import create_key
from datenhub.store import open_store
from tests.api.demo_app import client
from tests.store.helpers import ROWS, write_csv


def test_health_counts_only_places_with_open_data(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    hub.import_file(store, write_csv(tmp_path / "src.csv"), "test", attribution="Test source")
    api = client(store)
    assert api.get("/health").json()["counts"] == {"places": len(ROWS) - 1, "events": 0}  # nothing closed told
    key = {"Authorization": f"Bearer {create_key(store, 'ops', ['closed:read'])}"}
    counts = api.get("/health", headers=key).json()["counts"]
    assert (counts["places"], counts["events"], counts["records"]) == (len(ROWS) - 1, 0, len(ROWS))
    assert not any(key.startswith("open_") for key in counts)
    assert store.counts()["places"] == len(ROWS)  # the admin page still counts every place


def test_a_statement_the_code_got_wrong_is_a_500_not_an_outage(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    hub.import_file(store, write_csv(tmp_path / "a.csv", ROWS), "test")
    api = client(store)
    for message, status in (("no such column: e.nope", 500), ("database is locked", 503)):
        def broken(*args: object, message: str = message, **kwargs: object) -> None:
            raise sqlite3.OperationalError(message)

        monkeypatch.setattr(store, "search", broken)
        answer = api.get("/api/v1/places", params={"q": "zeche"})
        assert answer.status_code == status, message
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert ("retry-after" in answer.headers) == (status == 503)


def test_a_database_without_the_hubs_schema_is_not_ready_and_only_operators_read_why(tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                                      monkeypatch) -> None:
    import psycopg

    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    key = {"Authorization": f"Bearer {create_key(store, 'ops', ['closed:read'])}"}
    api = client(store)

    def gone(*args: object, **kwargs: object) -> None:  # PostgreSQL's answer once the schema is gone
        raise psycopg.errors.UndefinedTable('relation "entities" does not exist')

    monkeypatch.setattr(store, "data_version", gone)
    monkeypatch.setattr(store, "search", gone)
    anonymous = api.get("/ready")
    assert anonymous.status_code == 503 and anonymous.json() == {"status": "unavailable"}
    assert "entities" in api.get("/ready", headers=key).json()["detail"]
    assert api.get("/api/v1/places").status_code == 503


def test_an_outage_is_logged_with_its_cause_and_ready_keeps_its_shape_for_keys(tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                             monkeypatch, caplog) -> None:
    import logging

    import psycopg

    from datenhub.api import health

    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    key = {"Authorization": f"Bearer {create_key(store, 'ops', ['closed:read'])}"}
    api = client(store)

    def gone(*args: object, **kwargs: object) -> None:  # the server went away: the keys went with it
        raise psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")

    for name in ("data_version", "search", "get_key"):
        monkeypatch.setattr(store, name, gone)
    if hasattr(health, "_OutageLog"):  # a fresh interval: another test's outage may have been logged just now
        monkeypatch.setattr(health, "outage", health._OutageLog())
    with caplog.at_level(logging.WARNING, logger="datenhub.health"):
        answer = api.get("/ready", headers=key)  # was the problem+json of any route: the key check failed too
        assert answer.status_code == 503 and answer.json() == {"status": "unavailable"}
        assert answer.headers["retry-after"] == str(health.RETRY_AFTER_S)
        for _ in range(3):
            assert api.get("/api/v1/places").status_code == 503
    warnings = [r.getMessage() for r in caplog.records if r.name == "datenhub.health"]
    assert len(warnings) == 1, warnings  # once per interval, not once per request
    assert "database unavailable" in warnings[0] and "server closed the connection" in warnings[0]
