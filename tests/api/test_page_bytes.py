"""List pages written from stored bytes give the very bytes the parse-and-serialise path gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from datenhub import hub
from datenhub.api.routers._listing import item_bytes
from datenhub.demo import import_demo
from datenhub.store import Query, Store
from datenhub.store.base import Page
from datenhub.store.documents import RawDocument
from tests.conftest import FIXED_NOW
from tests.store.helpers import write_csv

QUERIES = [
    Query(limit=50),
    Query(q="zeche", limit=30),
    Query(q="Schlüssel", include_closed=True),
    Query(near=(51.4513, 7.0138), radius=3000, limit=40),
    Query(near=(51.4513, 7.0138), radius=3000, include_closed=True, limit=40),
    Query(bbox=(6.9, 51.4, 7.2, 51.6), limit=100),
    Query(kind="event", limit=50),
    Query(changed_since=FIXED_NOW.replace(year=2000), limit=100),
]


@pytest.fixture
def hub_store(store: Store, tmp_path: Path, clock) -> Store:  # type: ignore[no-untyped-def]
    import_demo(store, clock=clock)
    # a closed record merged into a demo station: its full view differs from the open one
    closed = [["x", "Essen Hbf", "Verkehr", "51.45135", "7.01479", "closed", "Intern: Schlüssel am Schalter", "yes"]]
    hub.import_file(store, write_csv(tmp_path / "closed.csv", closed), "internal", priority=1, clock=clock)
    hub.import_file(store, Path(__file__).parents[1] / "publish" / "golden" / "sample.ics", "events",
                    licence="CC0-1.0", clock=clock)
    return store


def test_bytes_path_equals_dict_path(hub_store: Store) -> None:
    kinds: set[str] = set()
    for query in QUERIES:
        page = hub_store.search(query)
        assert page.raw is not None and page.items, query
        parsed = Page(page.items, page.next_cursor, page.distances)  # what every item's dict path gives
        for now in (FIXED_NOW, None):
            for features in (False, True):
                assert item_bytes(page, now, features=features) == item_bytes(parsed, now, features=features)
        kinds |= {"raw" if isinstance(e, RawDocument) and e.known else "dict" for e in page.raw}
        if query.near is not None:
            assert page.distances
    assert kinds == {"raw", "dict"}  # both paths were taken, the partly closed station on the dict path


def test_a_format_parses_only_what_it_reads_and_writes_the_same_bytes(hub_store: Store) -> None:
    from datenhub.publish import get_serializer
    from datenhub.store.documents import TAIL

    for query in QUERIES:
        page = hub_store.search(query)
        lean, core = page.items_as("lean"), page.items_as("core")
        full = page.items
        assert lean == [{k: v for k, v in item.items() if k != "provenance"} for item in full], query
        assert core == [item if item.get("tombstone") else {k: v for k, v in item.items() if k not in TAIL}
                        for item in full], query
        for name, view in (("jsonld", "core"), ("csv", "lean"), ("ical", "lean")):
            serializer = get_serializer(name)
            assert serializer.view == view
            if name == "ical" and query.kind != "event":
                continue
            reads = page.items_as(view)  # parsed already: the full items, which must give the same bytes
            assert b"".join(serializer.write(lean if view == "lean" else core)) == \
                b"".join(serializer.write(reads)), (name, query)
