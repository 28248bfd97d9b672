"""The delta feed with filters (store.delta): a record that left the filtered view is a tombstone, on every backend."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from datenhub import hub
from datenhub.store import Query, Store
from tests.store.helpers import ROWS, open_record_leaves, write_csv


def _feed(store: Store, since: datetime, limit: int = 100, **options: Any) -> list[tuple[str, bool]]:
    """Every page of the delta feed as (name or id, tombstone)."""
    out: list[tuple[str, bool]] = []
    cursor = None
    for _ in range(50):
        page = store.search(Query(changed_since=since, limit=limit, cursor=cursor, **options))
        out += [(i["id"] if i.get("tombstone") else i["name"]["de"], bool(i.get("tombstone"))) for i in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return out
    raise AssertionError("pagination did not end")


def _ids(store: Store) -> dict[str, str]:
    return {local: store.get_entity(f"test:{local}", include_closed=True)["id"]  # type: ignore[index]
            for local in ("z1", "z2", "m1", "m2", "h1", "h2")}


def _changed(store: Store, folder: Path, clock: Any) -> tuple[datetime, dict[str, str]]:
    """ROWS imported, then a day later: Zollverein now a museum (left Industriekultur), Zollern withdrawn, Haniel
    moved 50 km east (out of the box around the Ruhr's west), Tetraeder's description changed (still Panorama)."""
    hub.import_file(store, write_csv(folder / "a.csv"), "test", clock=clock, attribution="Test source")
    ids = _ids(store)
    later = clock() + timedelta(days=1)
    rows = [list(r) for r in ROWS if r[0] != "z2"]
    rows[0][2] = "Museum"
    rows[3][4] = "7.6300"  # h1
    rows[4][6] = "Halde mit Aussicht und Tetraeder"  # h2
    hub.import_file(store, write_csv(folder / "b.csv", rows), "test", clock=lambda: later, attribution="Test source")
    return later - timedelta(minutes=1), ids


def test_a_record_that_left_the_category_is_a_tombstone_of_the_filtered_feed(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    since, ids = _changed(store, tmp_path, clock)
    feed = _feed(store, since, categories=("Industriekultur",))
    # Zollverein moved to Museum, Zollern was withdrawn: a mirror of Industriekultur drops both
    assert (ids["z1"], True) in feed and (ids["z2"], True) in feed
    assert ("Zeche Zollverein", False) not in feed
    # what matches the filter comes in full; the museum feed gets Zollverein as it is now
    assert ("Zeche Zollverein", False) in _feed(store, since, categories=("Museum",))
    assert ("Tetraeder", False) in _feed(store, since, categories=("Panorama",))


def test_a_record_that_moved_out_of_the_box_is_a_tombstone_of_the_filtered_feed(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    since, ids = _changed(store, tmp_path, clock)
    west = (6.9, 51.5, 6.97, 51.57)  # Haniel and Tetraeder were in it; Haniel is now at 7.63
    feed = _feed(store, since, bbox=west)
    assert (ids["h1"], True) in feed and ("Tetraeder", False) in feed
    near = _feed(store, since, near=(51.52, 6.956), radius=3000.0)
    assert ("Tetraeder", False) in near and (ids["h1"], True) in near


def test_the_filtered_feed_pages_as_the_unfiltered_one(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    since, _ = _changed(store, tmp_path, clock)
    whole = _feed(store, since, categories=("Industriekultur",))
    assert _feed(store, since, limit=1, categories=("Industriekultur",)) == whole
    assert [i for i, _ in whole] != []
    # every record of the unfiltered feed is in it, each either in full or as a tombstone
    assert len(whole) == len(_feed(store, since))


def test_a_place_whose_open_view_went_is_a_tombstone_of_every_filtered_open_feed(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    hub_id, gone = open_record_leaves(store, tmp_path, clock)
    for options in ({"categories": ("Industriekultur",)}, {"municipality": "05113000"}, {"wheelchair": ("limited",)},
                    {"bbox": (7.0, 51.4, 7.1, 51.5)}, {"q": "zollverein"}):
        assert (hub_id, True) in _feed(store, gone - timedelta(minutes=1), **options), options  # type: ignore[arg-type]
