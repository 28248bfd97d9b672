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


def test_lean_items_are_the_items_without_provenance(hub_store: Store) -> None:
    from datenhub.publish import get_serializer

    for query in QUERIES:
        page = hub_store.search(query)
        lean = page.lean_items()
        assert lean == [{k: v for k, v in item.items() if k != "provenance"} for item in page.items], query
        for name in ("jsonld", "csv", "ical"):  # the formats that take them show no provenance: the same bytes
            serializer = get_serializer(name)
            assert not serializer.provenance
            if name == "ical" and query.kind != "event":
                continue
            assert b"".join(serializer.write(lean)) == b"".join(serializer.write(page.items)), (name, query)
