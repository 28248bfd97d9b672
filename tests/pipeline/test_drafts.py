"""Unchanged drafts skip the checks, with the same outcome as checking them: counts, entities and notices."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from datenhub import hub
from datenhub.ingest.base import Draft
from datenhub.notices import Location, Notice, Severity
from datenhub.pipeline import prepare
from datenhub.pipeline.drafts import draft_basis, draft_checksum, pack_notices, replay_notices
from datenhub.store import Store
from tests.store.helpers import ROWS, write_csv

# a warning (unknown category) and an info-free row, so replayed notices can be compared
NOISY = [list(r) for r in ROWS] + [["x1", "Haus Bunt", "Bunte Kategorie", "51.45", "7.01", "CC0-1.0", "", "yes"]]


def _checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every draft that goes through the checks (the import runs in this process: workers=1)."""
    seen: list[str] = []
    real = prepare.build_identified

    def counting(draft: Draft, ctx: Any) -> Any:
        seen.append(str(draft.local_id))
        return real(draft, ctx)

    monkeypatch.setattr(prepare, "build_identified", counting)
    return seen


def _notices(result: Any) -> list[tuple[str, str | None, int | None]]:
    return sorted((n.code, n.location.field, n.location.row) for n in result.report.notices)


def test_same_records_in_new_bytes_skip_the_checks(store: Store, tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    first = hub.import_file(store, write_csv(tmp_path / "a.csv", NOISY), "test", clock=clock, workers=1)
    assert first.report.by_code().get("unknown_category") == 1
    before = list(store.iter_entities(include_closed=True))
    checked = _checked(monkeypatch)
    shuffled = list(reversed(NOISY))  # other bytes, other row numbers, the same records
    again = hub.import_file(store, write_csv(tmp_path / "b.csv", shuffled), "test", clock=clock, workers=1)
    assert not again.skipped and checked == []
    assert (again.new, again.changed, again.unchanged, again.withdrawn) == (0, 0, len(NOISY), 0)
    assert again.report.by_code() == first.report.by_code()
    # the replayed warning points at the row where the record is now
    (warning,) = [n for n in again.report.notices if n.code == "unknown_category"]
    assert warning.location.row == 2 and warning.location.file == "b.csv" and warning.location.field == "category"
    assert list(store.iter_entities(include_closed=True)) == before


def test_force_checks_every_draft_again(store: Store, tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(tmp_path / "a.csv", NOISY)
    first = hub.import_file(store, path, "test", clock=clock, workers=1)
    checked = _checked(monkeypatch)
    again = hub.import_file(store, path, "test", clock=clock, workers=1, force=True)
    assert sorted(checked) == sorted(r[0] for r in NOISY)
    assert _notices(again) == _notices(first) and again.unchanged == len(NOISY)


def test_a_changed_draft_or_setting_is_checked(store: Store, tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    hub.import_file(store, write_csv(tmp_path / "a.csv", NOISY), "test", clock=clock, workers=1)
    checked = _checked(monkeypatch)
    rows = [list(r) for r in NOISY]
    rows[0][1] = "Zeche Zollverein (UNESCO)"
    changed = hub.import_file(store, write_csv(tmp_path / "b.csv", rows), "test", clock=clock, workers=1)
    assert checked == ["z1"] and (changed.changed, changed.unchanged) == (1, len(NOISY) - 1)
    checked.clear()
    monkeypatch.setattr("datenhub.pipeline.importer.PIPELINE_VERSION", "next")  # new checks: everything again
    hub.import_file(store, write_csv(tmp_path / "c.csv", rows), "test", clock=clock, workers=1)
    assert len(checked) == len(NOISY)
    checked.clear()
    # the drafts were remembered under the new version: the next import skips them again
    again = hub.import_file(store, write_csv(tmp_path / "d.csv", list(reversed(rows))), "test", clock=clock,
                            workers=1)
    assert checked == [] and again.unchanged == len(NOISY)


def test_draft_checksum_depends_on_data_and_basis() -> None:
    basis = draft_basis({"licence": "CC0-1.0"}, None, "1")
    a = Draft("place", "1", {"name": {"de": "A"}, "lat": "51.4"})
    same = Draft("place", "1", {"lat": "51.4", "name": {"de": "A"}}, Location(row=9))  # key order, location
    assert draft_checksum(a, basis) == draft_checksum(same, basis)
    assert draft_checksum(a, basis) != draft_checksum(Draft("place", "1", {"name": {"de": "B"}, "lat": "51.4"}),
                                                      basis)
    assert draft_checksum(a, basis) != draft_checksum(a, draft_basis({"licence": "CC-BY-4.0"}, None, "1"))
    assert draft_checksum(a, basis) != draft_checksum(a, draft_basis({"licence": "CC0-1.0"}, "rvr", "1"))
    assert draft_checksum(Draft("place", "1", {"odd": object()}), basis) is None  # never trusted, always checked


def test_packed_notices_replay_at_the_new_location() -> None:
    old = Location(source="s", file="a.csv", row=5, entity_id="x")
    notices = [Notice("bad_url", Severity.WARNING, "not a URL", Location("s", "a.csv", 5, None, "website", "x"),
                      "htp:/x"), Notice("derived", Severity.INFO, "info", old)]
    new = Location(source="s", file="b.csv", row=7, entity_id="x")
    replayed = replay_notices(pack_notices(notices, old), new)
    moved = Location("s", "b.csv", 7, None, "website", "x")
    assert replayed == [Notice("bad_url", Severity.WARNING, "not a URL", moved, "htp:/x"),
                        Notice("derived", Severity.INFO, "info", new)]
    assert pack_notices([], old) is None and replay_notices(None, new) == []
