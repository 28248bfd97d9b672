"""Parallel imports: worker processes give exactly the result of a single-process import."""

from __future__ import annotations

from pathlib import Path

import pytest

from datenhub import hub
from datenhub.data import data_path
from datenhub.pipeline.workers import worker_count
from datenhub.store import Store, open_store
from tests.store.helpers import ROWS, write_csv

DEMO_CSV = data_path("demo", "ruhr_places.csv")
DEMO_MAPPING = data_path("demo", "ruhr_places.mapping.toml")


def _import_demo(store: Store, clock, workers: int):  # type: ignore[no-untyped-def]
    return hub.import_file(store, DEMO_CSV, "ruhr-demo", adapter="csv", mapping=DEMO_MAPPING, clock=clock,
                           workers=workers)


def test_workers_give_the_same_entities_and_notices(store: Store, tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("datenhub.pipeline.importer.BATCH", 16)  # many batches, several in flight at once
    single = open_store(f"sqlite:///{tmp_path / 'single.db'}")
    one = _import_demo(single, clock, workers=1)
    two = _import_demo(store, clock, workers=2)
    assert one.summary() | {"import_id": None} == two.summary() | {"import_id": None}
    assert one.new > 100
    assert list(single.iter_entities(include_closed=True)) == list(store.iter_entities(include_closed=True))
    again = hub.import_file(store, DEMO_CSV, "ruhr-demo", adapter="csv", mapping=DEMO_MAPPING, clock=clock,
                            workers=2, force=True)
    assert (again.new, again.changed, again.unchanged) == (0, 0, one.new)


def test_duplicate_ids_in_different_batches_are_found(store: Store, tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("datenhub.pipeline.importer.BATCH", 2)
    rows = [list(r) for r in ROWS] + [list(ROWS[0])]  # the first id again, batches later
    result = hub.import_file(store, write_csv(tmp_path / "dup.csv", rows), "test", clock=clock, workers=2)
    assert result.report.by_code().get("duplicate_id") == 1
    assert (result.new, result.rejected) == (len(ROWS), 1)


def test_a_failing_worker_leaves_the_previous_state(store: Store, tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    before = store.counts()

    def boom(entities):  # type: ignore[no-untyped-def]
        raise RuntimeError("enricher crashed")

    monkeypatch.setattr("datenhub.pipeline.prepare.enrich_all", boom)  # inherited by the forked workers
    rows = [list(r) for r in ROWS]
    rows[0][1] = "Umbenannt"
    with pytest.raises(RuntimeError, match="enricher crashed"):
        hub.import_file(store, write_csv(tmp_path / "b.csv", rows), "test", clock=clock, workers=2)
    assert {k: v for k, v in store.counts().items() if k != "raw_inputs"} == {
        k: v for k, v in before.items() if k != "raw_inputs"}
    assert store.list_imports("test")[0]["status"] == "failed"


def test_worker_count_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATENHUB_IMPORT_WORKERS", raising=False)
    assert worker_count(None, 10_000) == 1  # small inputs stay in one process
    assert worker_count(3, 10) == 3
    monkeypatch.setenv("DATENHUB_IMPORT_WORKERS", "1")
    assert worker_count(None, 10**9) == 1
    monkeypatch.setenv("DATENHUB_IMPORT_WORKERS", "many")
    with pytest.raises(ValueError, match="DATENHUB_IMPORT_WORKERS"):
        worker_count(None, 10)


def test_what_workers_send_survives_pickling() -> None:
    import pickle

    from datenhub.notices import Location, Notice, Severity
    from datenhub.store.sqlite.writes import EntityRow

    notices = [Notice("bad_url", severity, "not a URL", Location(source="s", row=3, field="website"), "x")
               for severity in Severity]
    row = EntityRow("dh-1", ("dh-1", "place"), (None, "{}", None, None, 0.5), ("a", "b", "c"), (51.5, 7.1), ["t"])
    back = pickle.loads(pickle.dumps([notices, row], protocol=pickle.HIGHEST_PROTOCOL))
    assert back == [notices, row]
    assert all(type(n.severity) is Severity for n in back[0])


def test_the_pools_worker_handler_does_not_wake_for_every_result(store: Store, clock,  # type: ignore[no-untyped-def]
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """CPython's pool wakes its worker-handler thread whenever the result pipe is readable, and it spins while a big
    result is read: CPU and GIL hand-overs taken from the importing process. Ours wakes when a worker ends."""
    import multiprocessing.pool

    wakes = 0
    maintain = multiprocessing.pool.Pool._maintain_pool  # type: ignore[attr-defined]

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal wakes
        wakes += 1
        return maintain(*args, **kwargs)

    monkeypatch.setattr(multiprocessing.pool.Pool, "_maintain_pool", staticmethod(counted))
    monkeypatch.setattr("datenhub.pipeline.importer.BATCH", 4)
    result = _import_demo(store, clock, workers=2)
    batches = -(-(result.new + result.rejected) // 4)
    assert batches > 25
    # it wakes when the pool runs dry (at most once a batch); CPython's: several times a batch (~6 here)
    assert wakes <= batches


def dying_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every forked worker is killed (SIGKILL, as the out-of-memory killer does) on its first batch."""
    import os
    import signal

    from datenhub.pipeline import workers

    importer = os.getpid()
    real = workers.prepare_batch

    def dies(batch, plan):  # type: ignore[no-untyped-def]
        if os.getpid() != importer:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(batch, plan)

    monkeypatch.setattr(workers, "prepare_batch", dies)
    monkeypatch.setattr(workers, "LOST_CHECK_S", 0.05)


def test_a_killed_worker_fails_the_import_instead_of_waiting_for_ever(store: Store, tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from datenhub.pipeline.workers import WorkerLost

    hub.import_file(store, write_csv(tmp_path / "a.csv"), "test", clock=clock)
    before = store.counts()
    dying_workers(monkeypatch)
    rows = [list(r) for r in ROWS]
    rows[0][1] = "Umbenannt"
    with pytest.raises(WorkerLost, match="killed by signal 9, which the kernel's out-of-memory killer sends; the "
                                         "import was rolled back"):
        hub.import_file(store, write_csv(tmp_path / "b.csv", rows), "test", clock=clock, workers=2)
    assert {k: v for k, v in store.counts().items() if k != "raw_inputs"} == {
        k: v for k, v in before.items() if k != "raw_inputs"}
    assert store.list_imports("test")[0]["status"] == "failed"


def test_checks_and_enrichers_are_warmed_once_before_the_workers_fork(store: Store, clock) -> None:  # type: ignore[no-untyped-def]
    """What a check or enricher loads on first use (the hours engine, boundaries, station index) is loaded by the
    importing process, so the workers inherit it rather than each loading it on its first batch."""
    import os
    from collections.abc import Iterator

    from datenhub.checks import CHECKS
    from datenhub.checks.base import Check, CheckContext
    from datenhub.enrich.municipality import boundaries
    from datenhub.enrich.stations import station_index
    from datenhub.ingest.base import Draft
    from datenhub.notices import Notice, Severity

    class Lazy(Check):
        codes = {"cold_check": (Severity.INFO, "the check loaded its table in a worker")}
        warmed_in: int | None = None

        def warm(self) -> None:
            self.warmed_in = os.getpid()

        def check(self, draft: Draft, ctx: CheckContext) -> Iterator[Notice]:
            if self.warmed_in is None:
                yield self.notice("cold_check", "not warmed", draft)

    lazy = Lazy()
    boundaries.cache_clear()
    station_index.cache_clear()
    CHECKS.append(lazy)  # as register_check does
    try:
        result = _import_demo(store, clock, workers=2)
    finally:
        CHECKS.remove(lazy)
    assert result.new > 100
    assert "cold_check" not in result.report.by_code()
    assert lazy.warmed_in == os.getpid()
    assert boundaries.cache_info().currsize == station_index.cache_info().currsize == 1  # loaded here, once
