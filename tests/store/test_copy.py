"""`db copy`: a demo hub moves into another backend (every backend of the contract suite) without loss."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from itertools import product
from pathlib import Path

import pytest
from typer.testing import CliRunner

from datenhub import hub
from datenhub.auth import create_key
from datenhub.cli import app
from datenhub.demo import import_demo
from datenhub.model import hub_id_for
from datenhub.store import Query, Store, StoreError, open_store
from datenhub.store.access import Webhook
from datenhub.store.copy import all_hub_ids, copy_store
from tests.store.helpers import (
    CLOSED_ZOLLVEREIN,
    GOLDEN_ICS,
    OTHER_DEPOT,
    ROWS,
    closed_founder_then_open,
    intern_without_zollverein,
    open_record_leaves,
    withdraw_every_event,
    write_csv,
)


@pytest.fixture
def source(tmp_path: Path, clock) -> Store:  # type: ignore[no-untyped-def]
    store = open_store(f"sqlite:///{tmp_path / 'source.db'}")
    import_demo(store, clock=clock)
    hub.import_file(store, write_csv(tmp_path / "t.csv"), "test", clock=clock)
    changed = [[*ROWS[1][:6], "Musterzeche, jetzt Museum", ROWS[1][7]], *(r for r in ROWS[2:] if r[0] != "c1")]
    hub.import_file(store, write_csv(tmp_path / "t2.csv", changed), "test", clock=clock)  # a withdrawal, a change
    hub.split_record(store, "db-stations:8000098", clock=clock)
    hub.join_record(store, "test:h2", store.get_record("test:h1").hub_id, clock=clock)  # type: ignore[union-attr]
    hub.split_record(store, "test:p1", clock=clock)  # alone in its hub: nothing to split, nothing left behind
    create_key(store, "k", ["admin"])
    with store.transaction():
        store.append_audit(clock(), "k", "PUT", "/api/v1/sources/test/records/z2", 200, ["test:z2"], "changed")
        # what a request can put there: %00 in the path (no NUL in PostgreSQL text), a blank in a local id
        store.append_audit(clock(), "k", "DELETE", "/api/v1/places/test:a\x00b", 404, ["test:a\x00b", "test:Haus 1"])
        store.save_webhook(Webhook("wh_1", "https://hooks.example/h", "geheim", None, clock()))
        store.save_webhook(Webhook("wh_2", "https://hooks.example/weg", "geheim", None, clock()))
        store.enqueue_notification('{"event": "import"}', clock())
        store.delete_webhook("wh_2")
    sensor = store.list_sensors()[0].id
    store.compact_readings(store.readings(sensor)[10].observed_at)
    return store


@pytest.mark.parametrize("at_once", [5000, 7])
def test_copy_moves_everything_verified(source: Store, store: Store, clock, at_once: int,  # type: ignore[no-untyped-def]
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Also a few hubs at a time (7, where the demo has hundreds): what a chunk holds is complete in itself."""
    monkeypatch.setattr("datenhub.store.copy.HUBS_AT_ONCE", at_once)
    asked: list[int] = []
    records_of_hubs = source.records_of_hubs

    def counted(ids: list[str]):  # type: ignore[no-untyped-def]
        asked.append(len(ids))
        return records_of_hubs(ids)

    monkeypatch.setattr(source, "records_of_hubs", counted)
    report = copy_store(source, store)
    assert max(asked) <= at_once  # never every hub's records at once: 1.7 GB at 100k places did not scale
    assert report.ok, report.mismatches
    assert report.counts_to["places"] == source.counts()["places"] and report.records_checked > 300
    def strip(entity: dict) -> dict:  # type: ignore[type-arg]
        return {k: v for k, v in entity.items() if k != "last_changed"}  # set by the rebuild, by design

    assert [strip(e) for e in store.iter_entities(include_closed=True)] == [
        strip(e) for e in source.iter_entities(include_closed=True)]
    assert store.get_entity("db-stations:8000098")["sources"] == ["db-stations:8000098"]  # type: ignore[index]
    assert [k.key_id for k in store.list_keys()] == [k.key_id for k in source.list_keys()]
    assert [s.id for s in store.list_sensors()] == [s.id for s in source.list_sensors()] != []
    assert report.readings_checked > 1000
    sensor = source.list_sensors()[0].id
    assert store.readings(sensor) == source.readings(sensor) != []
    names = lambda s: sorted(i["name"]["de"] for i in s.search(Query(q="zeche", limit=100)).items)  # noqa: E731
    assert names(store) == names(source)
    # what no import can rebuild: redirects of merged ids, history, audit log, outbox, compacted hours
    for table in ("aliases", "record_history"):
        assert list(store.kept_rows(table)) == list(source.kept_rows(table)) != [], table
    audit = list(store.kept_rows("audit_log"))
    assert audit[-1][3] == "/api/v1/places/test:ab" and audit[-1][5] == ["test:ab", "test:Haus 1"]  # NUL dropped
    assert len(audit) == len(list(source.kept_rows("audit_log")))
    assert report.kept["record_history"] >= 1 and report.kept["aliases"] >= 1
    assert store.record_history("test:z2") == source.record_history("test:z2") != []
    joined = source.get_record("test:h2").hub_id  # type: ignore[union-attr]
    assert store.get_entity(hub_id_for("test:h2"))["id"] == joined != hub_id_for("test:h2")  # type: ignore[index]
    # tombstones as stored, both views: the one the join left, and withdrawn records' (their withdrawal time kept)
    gone: set[str] = set()
    all_hub_ids(source, gone)
    assert {hub_id_for("test:h2"), hub_id_for("test:c1", source.hub_id_salt())} <= gone  # c1: closed, see hub_id_for
    for hub_id, view in product(sorted(gone), ({"include_closed": True}, {})):
        tombstone = source.get_entity(hub_id, include_withdrawn=True, exact=True, **view)
        assert tombstone or not view  # a closed record's tombstone has no public view
        assert store.get_entity(hub_id, include_withdrawn=True, exact=True, **view) == tombstone
    assert source.get_entity(hub_id_for("test:h2"), include_withdrawn=True, exact=True,
                             include_closed=True)["name"]["de"] == "Tetraeder"  # type: ignore[index]
    assert [r[0] for r in store.kept_rows("webhook_outbox")] == ["wh_1"] and report.left == {"webhook_outbox": 1}
    sensors = [s.id for s in source.list_sensors()]
    assert store.compacted_hours(sensors) == source.compacted_hours(sensors) != []
    since = datetime(1970, 1, 1, tzinfo=UTC)
    assert store.hourly_readings([sensor], since, clock()) == source.hourly_readings([sensor], since, clock())
    if type(store).__name__ == "PostgresStore":  # the copy analysed its tables, as a first import does
        with store.transaction() as conn:
            analysed = conn.execute(  # type: ignore[attr-defined]
                "SELECT reltuples FROM pg_class WHERE oid = 'entities'::regclass").fetchone()[0]
        assert analysed > 0


def test_copy_keeps_withdrawn_events_and_an_open_view_a_split_took_away(  # type: ignore[no-untyped-def]
        tmp_path: Path, store: Store, clock) -> None:
    source = open_store(f"sqlite:///{tmp_path / 'source.db'}")
    hub.import_file(source, GOLDEN_ICS, "events", clock=clock)
    withdraw_every_event(source, tmp_path, clock() + timedelta(days=1))
    # the open record split away: only the stored view tells that the closed place that stays had an open one
    hub_id, later = closed_founder_then_open(source, tmp_path, clock)
    hub.split_record(source, "test:z1", clock=lambda: later + timedelta(days=1))
    report = copy_store(source, store, clock=clock)
    assert report.mismatches == []
    events = store.search(Query(kind="event", changed_since=clock(), limit=100)).items
    assert len(events) == 3 and all(e.get("tombstone") for e in events)
    assert [i["id"] for i in store.search(Query(changed_since=clock(), limit=100)).items
            if i.get("tombstone") and i["kind"] == "place"] == [hub_id]


def test_copy_into_non_empty_target_refused(source: Store, tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        copy_store(source, source)


def _untouched(target: Store) -> bool:
    """Nothing of a copy is in `target`: no row in any table the copy writes."""
    from datenhub.store.kept import KEPT

    return (not any(target.counts().values()) and target.list_sensors() == [] and target.list_keys() == []
            and target.list_webhooks() == [] and not any(list(target.kept_rows(t.name)) for t in KEPT))


@pytest.mark.parametrize("fails_at", ["readings", "kept_rows"])
def test_copy_failing_midway_leaves_the_target_as_it_was(  # type: ignore[no-untyped-def]
        source: Store, store: Store, monkeypatch: pytest.MonkeyPatch, fails_at: str) -> None:
    # the occupancy and kept tables committed apart: a copy that failed there left records behind, and the next
    # copy refused the target as not empty
    def lost(*args: object, **kwargs: object) -> object:
        raise StoreError("connection lost")

    with monkeypatch.context() as patch:
        patch.setattr(source, fails_at, lost)
        with pytest.raises(StoreError, match="connection lost"):
            copy_store(source, store)
    assert _untouched(store)
    report = copy_store(source, store)  # and the same command goes through again
    assert report.ok, report.mismatches


def test_copy_that_fails_its_verification_leaves_the_target_as_it_was(source: Store, store: Store,  # type: ignore[no-untyped-def]
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "counts", lambda: {**type(source).counts(source), "records": 1})
    report = copy_store(source, store)
    assert report.mismatches == [f"records: 1 → {type(source).counts(source)['records']}"] and report.rolled_back
    assert _untouched(store)


# `datenhub db copy`, stopped once records, readings and keys are in and the kept tables are next: the copy waits
# on its stdin there, so the test interrupts it at that point without guessing a time
STOPPED_COPY = (
    "import signal, sys\n"
    "from datenhub.cli import main\n"
    "from datenhub.store import copy\n"
    "signal.signal(signal.SIGINT, signal.default_int_handler)  # a Ctrl-C, wherever the test runs\n"
    "def waiting(*args):\n"
    "    print('kept tables next', flush=True)\n"
    "    sys.stdin.readline()\n"
    "copy._copy_kept = waiting\n"
    "sys.argv = ['datenhub', 'db', 'copy', '--from', sys.argv[1], '--to', sys.argv[2]]\n"
    "main()\n")


@pytest.mark.parametrize(("backend", "stop"), [("sqlite", signal.SIGINT), ("sqlite", signal.SIGKILL),
                                               ("postgresql", signal.SIGINT), ("postgresql", signal.SIGKILL)])
def test_db_copy_killed_midway_leaves_the_target_empty_for_the_next_copy(  # type: ignore[no-untyped-def]
        source: Store, tmp_path: Path, backend: str, stop: signal.Signals) -> None:
    # a copy stopped after its first transaction left records and readings in the target; the next copy refused
    # it as "not empty" and nothing said how to empty it
    import os

    url, drop = f"sqlite:///{tmp_path / 'copy.db'}", None
    if backend == "postgresql":
        if not os.environ.get("DATENHUB_TEST_POSTGRES_URL"):
            pytest.skip("set DATENHUB_TEST_POSTGRES_URL to run against PostgreSQL")
        from datenhub.store.postgres.testing import drop_url, fresh_url

        url, drop = fresh_url(os.environ["DATENHUB_TEST_POSTGRES_URL"]), drop_url
    try:
        with subprocess.Popen([sys.executable, "-c", STOPPED_COPY, source.url, url],  # type: ignore[attr-defined]
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as run:
            assert run.stdout is not None and run.stdout.readline() == "kept tables next\n", run.communicate()
            run.send_signal(stop)
            _, said = run.communicate()
        if stop == signal.SIGINT:
            assert run.returncode == 130 and "interrupted. Nothing was copied" in " ".join(said.split()), said
        else:
            assert run.returncode == -signal.SIGKILL
        target = open_store(url)
        try:
            assert _untouched(target)
        finally:
            target.close()
        again = CliRunner().invoke(app, ["db", "copy", "--from", source.url, "--to", url])  # type: ignore[attr-defined]
        assert again.exit_code == 0 and "verified" in again.output, again.output
    finally:
        if drop:
            drop(url)


def test_db_copy_into_a_hub_says_how_to_empty_it(source: Store, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'copy.db'}"
    assert CliRunner().invoke(app, ["db", "copy", "--from", source.url, "--to", url]).exit_code == 0  # type: ignore[attr-defined]
    result = CliRunner().invoke(app, ["db", "copy", "--from", source.url, "--to", url])  # type: ignore[attr-defined]
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "not empty: it holds" in said and f"rm {tmp_path / 'copy.db'} " in said, said


def test_db_copy_onto_its_own_source_is_refused_without_telling_to_delete_it(source: Store, tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # refused as "not empty", the message said how to empty the target: `rm` of the hub being copied
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["db", "copy", "--from", source.url, "--to", "sqlite:///./source.db"])  # type: ignore[attr-defined]
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "--from and --to name the same database" in said and "rm " not in said, said


def test_same_database_by_file_or_by_host_port_database_and_schema() -> None:
    from datenhub.cli.admin import same_database

    assert same_database("postgresql://a@db/hub?pool_max=5", "postgresql://b:pw@db:5432/hub")
    assert not same_database("postgresql://a@db/hub?schema=ruhr", "postgresql://a@db/hub")
    assert not same_database("postgresql://a@db/hub", "postgresql://a@db/hub2")
    assert not same_database("sqlite:///:memory:", "sqlite:///:memory:")


def test_emptying_hint_names_the_postgresql_database_or_schema() -> None:
    from datenhub.cli.admin import emptying_hint

    assert "`dropdb hub` and `createdb --owner OWNER hub`" in emptying_hint("postgresql://u:pw@db:5432/hub")
    hint = emptying_hint("postgresql://u:geheim@db/hub?schema=ruhr&pool_max=20&sslmode=require")
    assert "psql \"postgresql://u:***@db/hub?sslmode=require\" -c 'DROP SCHEMA ruhr CASCADE'" in hint, hint


def test_db_copy_that_loses_its_database_says_so_without_a_traceback(  # type: ignore[no-untyped-def]
        source: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from datenhub.store import copy

    def lost(*args: object, **kwargs: object) -> object:  # as pg_terminate_backend or a full disk mid-copy
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(copy, "copy_store", lost)
    url = f"sqlite:///{tmp_path / 'copy.db'}"
    result = CliRunner().invoke(app, ["db", "copy", "--from", source.url, "--to", url])  # type: ignore[attr-defined]
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and "the copy stopped: disk I/O error. Nothing was copied" in said, said


def test_db_copy_cli_reports_verified(source: Store, tmp_path: Path) -> None:
    url = source.url  # type: ignore[attr-defined]
    result = CliRunner().invoke(app, ["db", "copy", "--from", url, "--to", f"sqlite:///{tmp_path / 'copy.db'}"])
    assert result.exit_code == 0, result.output
    assert "verified" in result.output
    said = " ".join(result.output.split())  # Rich wraps
    assert "not copied: 1 webhook_outbox rows of deleted webhooks" in said and "record_history" in said
    assert "times and the delta feed's cursors start afresh" in said  # said, not left to a docstring


def test_db_copy_from_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "tippfehler.db"
    result = CliRunner().invoke(app, ["db", "copy", "--from", f"sqlite:///{missing}", "--to",
                                      f"sqlite:///{tmp_path / 'copy.db'}"])
    said = " ".join(result.output.split())  # Rich wraps long paths
    assert result.exit_code == 2 and "does not exist" in said
    assert "(--from)" in said and "--db" not in said  # the option the path came from, not another command's
    assert not missing.exists() and not (tmp_path / "copy.db").exists()  # nothing made on either side


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_db_copy_from_a_database_without_a_hub_changes_nothing_and_fails(backend: str, tmp_path: Path) -> None:
    # a mistyped ?schema= (or an empty file or database) got an empty hub made in it, copied and "verified", exit 0
    import os

    if backend == "sqlite":
        (tmp_path / "leer.db").touch()
        url, drop = f"sqlite:///{tmp_path / 'leer.db'}", None
    else:
        base = os.environ.get("DATENHUB_TEST_POSTGRES_URL")
        if not base:
            pytest.skip("set DATENHUB_TEST_POSTGRES_URL to run against PostgreSQL")
        from datenhub.store.postgres.testing import drop_url, fresh_url

        url, drop = fresh_url(base), drop_url  # an empty schema: the hub is not in it
    try:
        result = CliRunner().invoke(app, ["db", "copy", "--from", url, "--to", f"sqlite:///{tmp_path / 'copy.db'}"])
        said = " ".join(result.output.split())
        assert result.exit_code == 2 and "holds no DatenHub schema" in said and "verified" not in said, said
        assert not (tmp_path / "copy.db").exists()
        left = open_store(url, migrate=False)
        try:
            assert not left.holds_hub()  # nothing made in the database copied from
        finally:
            left.close()
    finally:
        if drop:
            drop(url)


def test_copy_keeps_the_salt_of_ids_closed_records_found(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    hub.import_file(store, write_csv(tmp_path / "i.csv", [CLOSED_ZOLLVEREIN]), "intern", clock=clock)
    target = open_store(f"sqlite:///{tmp_path / 'copy.db'}")
    assert copy_store(store, target, clock=clock).ok
    # the same new closed record imported into both afterwards founds the same id
    row = ["q9", "Neues Depot", "Museum", "51.40", "7.10", "closed", "intern", "yes"]
    for s in (store, target):
        hub.import_file(s, write_csv(tmp_path / "n.csv", [CLOSED_ZOLLVEREIN, row]), "intern",
                        clock=lambda: clock() + timedelta(days=1))
    a, b = store.get_record("intern:q9").hub_id, target.get_record("intern:q9").hub_id  # type: ignore[union-attr]
    assert target.hub_id_salt() == store.hub_id_salt() and a == b, (a, b)


def test_copy_keeps_when_the_open_view_of_a_withdrawn_place_went(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    hub_id, gone = open_record_leaves(store, tmp_path, clock)
    withdrawn, back = gone + timedelta(days=5), gone + timedelta(days=10)
    intern_without_zollverein(store, tmp_path, withdrawn)
    target = open_store(f"sqlite:///{tmp_path / 'copy.db'}")
    assert copy_store(store, target, clock=lambda: withdrawn + timedelta(days=1)).ok
    for s in (store, target):  # the closed record comes back, in the source and in its copy
        hub.import_file(s, write_csv(tmp_path / "i3.csv", [CLOSED_ZOLLVEREIN, OTHER_DEPOT]), "intern",
                        clock=lambda: back)
    feeds = [[(i["id"], i.get("tombstone"), i.get("withdrawn_at")) for i in s.search(Query(
        changed_since=gone - timedelta(minutes=1), ids=(hub_id,))).items] for s in (store, target)]
    # readers of open data learn from the copy what they learn from the source: when the open view went
    assert feeds[1] == feeds[0], (feeds, gone, withdrawn)


def test_copy_keeps_the_latest_reading_and_horizon_of_compacted_sensors_both_ways(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    from datenhub.live.model import Method, OccupancyReading
    from tests.live.helpers import PARKING, PEOPLE, register

    source = open_store(f"sqlite:///{tmp_path / 'source.db'}")
    register(source)
    hour = clock().replace(minute=0) - timedelta(hours=5)
    source.add_readings([OccupancyReading(sensor.id, hour + timedelta(minutes=20 * i), 10 * i, None, 200, i / 20,
                                          Method.COUNT, received_at=hour + timedelta(minutes=20 * i, seconds=3))
                         for sensor in (PEOPLE, PARKING) for i in range(6)])
    source.add_readings([OccupancyReading(PARKING.id, clock(), 7, None, 200, 0.035, Method.COUNT, received_at=clock())])
    source.compact_readings(clock() - timedelta(hours=1))  # PEOPLE: only its latest row tells the current level
    sensors = [PEOPLE.id, PARKING.id]
    assert source.readings(PEOPLE.id) == [] and len(source.latest_readings(sensors)) == 2
    back = open_store(f"sqlite:///{tmp_path / 'back.db'}")
    for origin, target in ((source, store), (store, back)):  # SQLite → the backend under test → SQLite
        report = copy_store(origin, target)
        assert report.ok, report.mismatches
        assert target.latest_readings(sensors) == source.latest_readings(sensors)
        assert target.compaction_horizons(sensors) == source.compaction_horizons(sensors) != {}
        assert target.compacted_hours(sensors) == source.compacted_hours(sensors)
        assert target.readings(PARKING.id) == source.readings(PARKING.id) != []
        resent = OccupancyReading(PEOPLE.id, hour, 0, None, 200, 0.0, Method.COUNT, received_at=clock())
        assert target.add_readings([resent]).compacted == [resent]  # the copy is idempotent across compaction too
    back.close()
    source.close()
