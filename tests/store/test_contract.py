"""The store contract: one suite, run against every backend by the parametrised `store` fixture."""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from datenhub import hub
from datenhub.enrich.geo import haversine_m
from datenhub.model.ids import hub_id_for, is_hub_id
from datenhub.pipeline.writes import withdraw_record
from datenhub.store import Query, QueryError, Store
from datenhub.store.access import Webhook
from datenhub.store.base import HubEntity
from datenhub.store.query import decode_cursor
from datenhub.store.ranking import broad_cursor
from tests.store.helpers import (
    CLOSED_IMAGE,
    CLOSED_ZOLLVEREIN,
    GOLDEN_ICS,
    OPEN_IMAGE,
    OTHER_DEPOT,
    ROWS,
    closed_founder_then_open,
    import_pictured,
    intern_without_zollverein,
    open_place_closed_point,
    open_record_leaves,
    withdraw_every_event,
    write_csv,
)


@pytest.fixture
def loaded(store: Store, tmp_path: Path, clock) -> Store:  # type: ignore[no-untyped-def]
    hub.import_file(store, write_csv(tmp_path / "src.csv"), "test", clock=clock, attribution="Test source")
    return store


def _all_pages(store: Store, query: Query) -> list[str]:
    ids: list[str] = []
    cursor = None
    for _ in range(100):
        page = store.search(query.with_cursor(cursor))
        ids += [i["id"] for i in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return ids
    raise AssertionError("pagination did not end")


def test_migrate_twice_applies_nothing_the_second_time(store: Store) -> None:
    assert store.migrate() == []


def test_search_anonymous_never_returns_closed_records(loaded: Store) -> None:
    names = {i["name"]["de"] for i in loaded.search(Query(limit=100)).items}
    assert "Geheimes Depot" not in names
    assert len(names) == len(ROWS) - 1
    assert loaded.search(Query(q="geheimwort")).items == []


def test_search_include_closed_returns_closed_records(loaded: Store) -> None:
    items = loaded.search(Query(q="geheimwort", include_closed=True)).items
    assert [i["name"]["de"] for i in items] == ["Geheimes Depot"]


def test_privileged_text_search_finds_open_records_too(loaded: Store) -> None:
    # open entities keep their words once (for both views): a key holder must find them all the same
    anonymous = [i["id"] for i in loaded.search(Query(q="zeche", limit=100)).items]
    privileged = [i["id"] for i in loaded.search(Query(q="zeche", include_closed=True, limit=100)).items]
    assert anonymous and privileged == anonymous


def test_get_entity_closed_record_hidden_from_anonymous(loaded: Store) -> None:
    assert loaded.get_entity("test:c1") is None
    closed = loaded.get_entity("test:c1", include_closed=True)
    assert closed is not None and closed["licence"] == "closed"


def test_a_closed_record_id_or_a_closed_hubs_alias_leads_an_anonymous_reader_nowhere(  # type: ignore[no-untyped-def]
        loaded: Store, tmp_path: Path, clock) -> None:
    # a closed record merged into an open place: its id would confirm it exists and say where it went
    hub.import_file(loaded, write_csv(tmp_path / "intern.csv", [
        ["z1", "Zeche Zollverein", "Industriekultur", "51.4863", "7.0407", "closed", "intern", "yes"]]), "intern",
        clock=clock)
    place = loaded.get_entity("test:z1")
    assert place is not None and "intern:z1" in loaded.get_entity("test:z1", include_closed=True)["sources"]  # type: ignore[index]
    assert loaded.get_entity("intern:z1") is None and loaded.get_entity_sensing("intern:z1") == (None, False)
    assert loaded.get_entity("intern:z1", include_closed=True)["id"] == place["id"]  # type: ignore[index]
    # a closed-only place joined to an open one: its old id is an alias, for readers of closed data only
    closed_hub = loaded.get_entity("test:c1", include_closed=True)["id"]  # type: ignore[index]
    hub.join_record(loaded, "test:c1", place["id"], clock=clock)
    assert loaded.get_entity(closed_hub) is None and loaded.get_entity_sensing(closed_hub) == (None, False)
    assert loaded.get_entity(closed_hub, include_closed=True)["id"] == place["id"]  # type: ignore[index]
    # an open place's old id still leads there
    open_hub = loaded.get_entity("test:m1")["id"]  # type: ignore[index]
    hub.join_record(loaded, "test:m1", place["id"], clock=clock)
    assert loaded.get_entity(open_hub)["id"] == place["id"]  # type: ignore[index]
    assert loaded.get_entity("test:m1")["id"] == place["id"]  # type: ignore[index]


def test_an_open_view_is_first_seen_when_its_first_open_record_was(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    _, later = closed_founder_then_open(store, tmp_path, clock)
    opened, full = store.get_entity("test:z1"), store.get_entity("test:z1", include_closed=True)
    assert opened is not None and full is not None and "intern:z1" in full["sources"]
    assert datetime.fromisoformat(opened["first_seen"]) == later
    assert datetime.fromisoformat(full["first_seen"]) == clock()


def test_the_id_of_a_place_a_closed_record_founded_does_not_confirm_a_guess_of_that_record(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    hub_id, _ = closed_founder_then_open(store, tmp_path, clock)
    # the id readers of open data see: not the plain hash of "intern:z1", which anyone could try
    assert store.get_entity(hub_id) is not None and hub_id != hub_id_for("intern:z1")
    assert is_hub_id(hub_id) and hub_id == hub_id_for("intern:z1", store.hub_id_salt())
    assert store.get_entity(hub_id_for("test:z2"))["sources"] == ["test:z2"]  # type: ignore[index]  # open: plain
    # a closed record split off founds its own hub under the salt too; the salt is the store's, made once
    assert hub.split_record(store, "intern:z1", clock=clock) not in (hub_id_for("intern:z1"),
                                                                   hub_id_for("split:intern:z1"))
    assert store.hub_id_salt() == store.hub_id_salt() and len(store.hub_id_salt()) == 32


def test_iter_entities_open_export_has_no_closed_licence(loaded: Store) -> None:
    licences = {e["licence"] for e in loaded.iter_entities("place")}
    assert "closed" not in licences
    assert licences == {"CC0-1.0", "CC-BY-4.0", "DL-DE-BY-2.0"}


def test_an_open_records_closed_images_stay_out_of_its_open_view(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    hub_id = import_pictured(store, tmp_path, clock)
    anonymous = store.get_entity(hub_id)
    assert anonymous is not None and anonymous["images"] == [OPEN_IMAGE]
    privileged = store.get_entity(hub_id, include_closed=True)
    assert privileged is not None and [i["url"] for i in privileged["images"]] == [OPEN_IMAGE["url"],
                                                                                  CLOSED_IMAGE["url"]]
    assert [e["images"] for e in store.iter_entities("place")] == [[OPEN_IMAGE]]
    assert [i["images"] for i in store.search(Query(q="hansa")).items] == [[OPEN_IMAGE]]
    assert "Geheimbild" not in str(store.search(Query(limit=10)).items)


def test_search_open_licence_only_filters_in_query(loaded: Store) -> None:
    items = loaded.search(Query(open_licence_only=True, include_closed=True, limit=100)).items
    assert all(i["licence"] != "closed" for i in items)


@pytest.mark.parametrize("limit", [1, 2, 3, 7])
@pytest.mark.parametrize("sort", ["name", "changed"])
def test_cursor_pages_cover_everything_once(loaded: Store, limit: int, sort: str) -> None:
    ids = _all_pages(loaded, Query(limit=limit, sort=sort))
    assert len(ids) == len(set(ids)) == len(ROWS) - 1


def test_cursor_relevance_and_distance_pages_are_stable(loaded: Store) -> None:
    everything = [i["id"] for i in loaded.search(Query(near=(51.45, 7.0), limit=100)).items]
    assert _all_pages(loaded, Query(near=(51.45, 7.0), limit=2)) == everything
    by_rank = [i["id"] for i in loaded.search(Query(q="zeche", limit=100)).items]
    assert _all_pages(loaded, Query(q="zeche", limit=1)) == by_rank


def test_ranked_pages_never_skip_or_repeat_across_a_write(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    """Ranks move when records change (SQLite's BM25 weighs words by the whole index, so there every rank moves):
    the next page after a write refuses the cursor on every backend, never skips a match or repeats one."""
    parks = [[f"p{i}", f"Park {'Garten ' * (i % 4)}{i}", "Park", f"51.{4000 + i}", "7.0100", "CC0-1.0",
              "Park " * (1 + i % 3), "yes"] for i in range(12)]
    hub.import_file(store, write_csv(tmp_path / "parks.csv", parks), "parks", clock=clock)
    first = store.search(Query(q="park", limit=4))
    assert first.next_cursor is not None and len(first.items) == 4
    more = [[f"n{i}", f"Neuer Park Park {i}", "Park", f"51.{5000 + i}", "7.2000", "closed" if i % 2 else "CC0-1.0",
             "", "yes"] for i in range(30)]
    hub.import_file(store, write_csv(tmp_path / "more.csv", more), "more", clock=clock)
    ids: list[str] = [i["id"] for i in first.items]
    cursor: str | None = first.next_cursor
    try:
        while cursor is not None:
            page = store.search(Query(q="park", limit=4, cursor=cursor))
            ids, cursor = ids + [i["id"] for i in page.items], page.next_cursor
    except QueryError as exc:
        assert exc.param == "cursor" and "start again" in str(exc)
    else:
        pytest.fail(f"the cursor of a ranked page was taken after a write: {ids}")
    again = [i["id"] for i in store.search(Query(q="park", limit=4)).items]
    assert store.search(Query(q="park", limit=4, cursor=store.search(Query(q="park", limit=4)).next_cursor)).items
    assert len(again) == 4  # started again, it pages as before


def test_a_cursor_stays_with_its_search_words_in_every_order(loaded: Store) -> None:
    cursor = loaded.search(Query(limit=1, sort="name")).next_cursor
    assert cursor is not None
    with pytest.raises(QueryError, match="another listing"):
        loaded.search(Query(q="zeche", limit=1, sort="name", cursor=cursor))


def test_cursor_from_other_sort_is_rejected(loaded: Store) -> None:
    cursor = loaded.search(Query(limit=1, sort="name")).next_cursor
    assert cursor is not None
    with pytest.raises(QueryError):
        loaded.search(Query(limit=1, sort="name", cursor="not-a-cursor"))


def test_search_german_stemming_matches_inflections(loaded: Store) -> None:
    names = {i["name"]["de"] for i in loaded.search(Query(q="Zechen")).items}
    assert {"Zeche Zollverein", "Zeche Zollern"} <= names


def test_search_prefix_matches_while_typing(loaded: Store) -> None:
    assert [i["name"]["de"] for i in loaded.search(Query(q="Tetra")).items] == ["Tetraeder"]


def test_search_finds_what_a_place_is_and_the_heads_of_compound_names(store: Store, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                       clock) -> None:
    rows = [["t1", "Förderturm Schacht 4", "Industriekultur", "51.50", "7.10", "CC0-1.0", "", "yes"],
            ["s1", "Essen Hbf", "Verkehr", "51.4513", "7.0141", "CC-BY-4.0", "", "yes"],
            ["k1", "Kulturwerk", "Kultur", "51.43", "6.76", "CC0-1.0", "Bühne in Duisburg", "yes"],
            ["z1", "Tierpark Bochum", "Zoo", "51.48", "7.21", "CC0-1.0", "", "yes"]]
    hub.import_file(store, write_csv(tmp_path / "kinds.csv", rows), "test", clock=clock)

    def found(q: str) -> set[str]:
        return {i["name"]["de"] for i in store.search(Query(q=q)).items}

    assert found("Turm") == {"Förderturm Schacht 4"}  # the head of a compound
    for q in ("Bahnhof", "station", "treinstation", "Essen Hauptbahnhof"):  # what it is; an abbreviation's long form
        assert found(q) == {"Essen Hbf"}, q
    assert found("dierentuin") == found("Park") == {"Tierpark Bochum"}
    assert found("Burg") == set()  # Duisburg is a town, not a castle


def test_search_radius_equals_brute_force(loaded: Store) -> None:
    center, radius = (51.47, 7.05), 12_000
    found = {i["id"] for i in loaded.search(Query(near=center, radius=radius, limit=100)).items}
    expected = {e["id"] for e in loaded.iter_entities("place")
                if haversine_m(*center, e["geo"]["lat"], e["geo"]["lon"]) <= radius}
    assert found == expected and found


def test_search_distance_sort_is_ascending(loaded: Store) -> None:
    page = loaded.search(Query(near=(51.45, 7.0), limit=100))
    distances = [page.distances[i["id"]] for i in page.items]
    assert distances == sorted(distances)


@pytest.mark.parametrize("radius", [None, 500])
def test_search_nearest_is_by_metres_not_degrees(store: Store, tmp_path: Path, clock, radius: float | None) -> None:  # type: ignore[no-untyped-def]
    # A degree east is ~0.62 of a degree north here: the place 0.0009° east (62 m) is nearer than four places
    # 0.00057-0.0006° north (63-67 m), which come first by degrees (PostgreSQL walks entities_point that way).
    lat, lon = 51.45, 7.0
    rows = [[f"n{i}", name, "Park", f"{lat + d:.5f}", f"{lon:.5f}", "CC0-1.0", "", ""]
            for i, (name, d) in enumerate([("Alpha", 0.00057), ("Bravo", 0.00058), ("Charlie", 0.00059),
                                           ("Delta", 0.0006)])]
    rows.append(["e1", "Echo", "Park", f"{lat:.5f}", f"{lon + 0.0009:.5f}", "CC0-1.0", "", ""])
    hub.import_file(store, write_csv(tmp_path / "compass.csv", rows), "compass", clock=clock)
    query = Query(near=(lat, lon), radius=radius, limit=1)
    assert [i["name"]["de"] for i in store.search(query).items] == ["Echo"]
    everything = store.search(Query(near=(lat, lon), radius=radius, limit=10))
    assert [i["name"]["de"] for i in everything.items] == ["Echo", "Alpha", "Bravo", "Charlie", "Delta"]
    assert _all_pages(store, query) == [i["id"] for i in everything.items]


def test_search_bbox_returns_only_inside(loaded: Store) -> None:
    bbox = (6.9, 51.4, 7.1, 51.5)
    items = loaded.search(Query(bbox=bbox, limit=100)).items
    assert items
    assert all(bbox[0] <= i["geo"]["lon"] <= bbox[2] and bbox[1] <= i["geo"]["lat"] <= bbox[3] for i in items)


def test_search_category_municipality_wheelchair_filters(loaded: Store) -> None:
    museums = loaded.search(Query(categories=("Museum",), limit=100)).items
    assert {i["name"]["de"] for i in museums} == {"Museum Folkwang", "Deutsches Bergbau-Museum"}
    dortmund = loaded.search(Query(municipality="05913000", limit=100)).items
    assert {i["name"]["de"] for i in dortmund} == {"Zeche Zollern", "Westfalenpark"}
    no_access = loaded.search(Query(wheelchair=("no",), limit=100)).items
    assert {i["name"]["de"] for i in no_access} == {"Halde Haniel", "Tetraeder"}


def test_transaction_failure_leaves_previous_state(loaded: Store) -> None:
    before = loaded.counts()
    with pytest.raises(RuntimeError), loaded.transaction():
        loaded.withdraw_records(["test:z1"], loaded_now())
        raise RuntimeError("killed mid-import")
    assert loaded.counts() == before
    assert loaded.get_record("test:z1").withdrawn_at is None  # type: ignore[union-attr]


def loaded_now():  # type: ignore[no-untyped-def]
    from datenhub.clock import utc_now

    return utc_now()


def test_changed_since_returns_tombstones_for_withdrawn(loaded: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    since = clock() + timedelta(minutes=1)
    gone_hub = loaded.get_entity("test:z1")["id"]  # type: ignore[index]
    hub.import_file(loaded, write_csv(tmp_path / "smaller.csv", ROWS[1:]), "test", attribution="Test source",
                    clock=lambda: clock() + timedelta(hours=1))
    items = loaded.search(Query(changed_since=since, limit=100)).items
    assert [(i["id"], i.get("tombstone")) for i in items] == [(gone_hub, True)]
    assert loaded.get_entity("test:z1") is None
    assert loaded.get_record("test:z1").withdrawn_at is not None  # type: ignore[union-attr]


def test_a_place_whose_open_view_went_is_a_tombstone_for_readers_of_open_data(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    hub_id, gone = open_record_leaves(store, tmp_path, clock)
    since = gone - timedelta(minutes=1)

    def delta(**options: Any) -> list[tuple[Any, ...]]:
        items = store.search(Query(changed_since=since, limit=100, **options)).items
        return [(i["id"], i.get("tombstone"), i.get("withdrawn_at") and datetime.fromisoformat(i["withdrawn_at"]))
                for i in items]

    # the mirror of the open data drops the place; its id leads nowhere, nothing else says it lives on
    assert delta() == [(hub_id, True, gone)]
    assert store.get_entity(hub_id) is None and store.get_entity("test:z1") is None
    assert hub_id not in str(store.search(Query(limit=100)).items)
    assert hub_id not in [e["id"] for e in store.iter_entities("place")]
    # readers of closed data see the place as it lives on, in its closed record
    assert delta(include_closed=True) == [(hub_id, None, None)]
    assert store.get_entity(hub_id, include_closed=True)["sources"] == ["intern:z1"]  # type: ignore[index]
    # the open record returns: the place is back in the open delta feed, with its open data
    back = gone + timedelta(days=1)
    hub.import_file(store, write_csv(tmp_path / "src.csv"), "test", clock=lambda: back)
    items = store.search(Query(changed_since=back, limit=100)).items
    assert [(i["id"], i.get("tombstone"), i["licence"]) for i in items] == [(hub_id, None, "CC0-1.0")]
    assert store.get_entity(hub_id)["sources"] == ["test:z1"]  # type: ignore[index]


def test_a_change_of_closed_data_alone_leaves_the_open_view_its_date_and_its_place_in_the_delta_feed(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    hub_id, later = closed_founder_then_open(store, tmp_path, clock)
    closed_change = later + timedelta(days=1)
    hub.import_file(store, write_csv(tmp_path / "intern2.csv", [[*CLOSED_ZOLLVEREIN[:6], "intern, neu", "yes"]]),
                    "intern", clock=lambda: closed_change)
    since = closed_change - timedelta(minutes=1)

    def delta(**options: Any) -> list[str]:
        return [i["id"] for i in store.search(Query(changed_since=since, limit=100, **options)).items]

    assert delta() == [] and store.changed_kinds(since) == {"place": False}
    assert datetime.fromisoformat(store.get_entity(hub_id)["last_changed"]) == later  # type: ignore[index]
    full = store.get_entity(hub_id, include_closed=True)
    assert full is not None and datetime.fromisoformat(full["last_changed"]) == closed_change
    assert delta(include_closed=True) == [hub_id]
    # a change of the open record moves the open view again
    open_change = closed_change + timedelta(days=1)
    rows = [list(r) for r in ROWS]
    rows[0][6] = "Zechen, Kokerei und Museum"
    hub.import_file(store, write_csv(tmp_path / "src2.csv", rows), "test", clock=lambda: open_change)
    assert delta() == [hub_id] and store.changed_kinds(since) == {"place": True}
    assert datetime.fromisoformat(store.get_entity(hub_id)["last_changed"]) == open_change  # type: ignore[index]


def _open_feed(store: Store, since: datetime, **options: Any) -> list[tuple[Any, ...]]:
    """The open delta feed as (id, tombstone, withdrawn_at)."""
    return [(i["id"], i.get("tombstone"), i.get("withdrawn_at") and datetime.fromisoformat(i["withdrawn_at"]))
            for i in store.search(Query(changed_since=since, limit=100, **options)).items]


def test_withdrawn_events_are_tombstones_in_the_event_delta_feed(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    hub.import_file(store, GOLDEN_ICS, "events", clock=clock)
    later = clock() + timedelta(days=1)
    withdraw_every_event(store, tmp_path, later)
    feed = _open_feed(store, later - timedelta(minutes=1), kind="event")
    assert len(feed) == 3 and {(t, w) for _, t, w in feed} == {(True, later)}


def test_a_tombstone_of_an_open_view_that_went_is_never_found_by_closed_data(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    hub_id, gone = open_record_leaves(store, tmp_path, clock)
    since = gone - timedelta(minutes=1)
    # the closed record says wheelchair "yes" at 51.4863, 7.0407 (the open one said "limited" 10 m away): a filter
    # that found the tombstone by them, or an order by them, would tell of that data. A filtered feed lists it
    # whatever the filter (store.delta), as the unfiltered feed does; in another order it is not listed
    unfiltered = _open_feed(store, since)
    for options in ({"wheelchair": ("yes",)}, {"wheelchair": ("no",)}, {"bbox": (7.04065, 51.48625, 7.04075, 51.48635)},
                    {"near": (51.4863, 7.0407), "radius": 3}, {"near": (51.4863, 7.0407)}, {"municipality": "05113000"},
                    {"municipality": "05913000"}, {"categories": ("Industriekultur",)}, {"categories": ("Zoo",)}):
        assert _open_feed(store, since, **options) == unfiltered, options  # type: ignore[arg-type]
    assert _open_feed(store, since, sort="name") == []
    assert _open_feed(store, since, kind="place", ids=(hub_id,)) == [(hub_id, True, gone)]


def test_what_happens_to_the_closed_records_of_a_place_whose_open_view_went_stays_closed(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    hub_id, gone = open_record_leaves(store, tmp_path, clock)
    withdrawn, back = gone + timedelta(days=5), gone + timedelta(days=10)
    intern_without_zollverein(store, tmp_path, withdrawn)
    assert store.get_entity(hub_id, include_closed=True, include_withdrawn=True)["withdrawn_at"]  # type: ignore[index]
    # a mirror that last synced before the open view went still learns it is gone, as of then
    assert _open_feed(store, gone - timedelta(minutes=1)) == [(hub_id, True, gone)]
    assert _open_feed(store, gone + timedelta(days=1)) == []
    hub.import_file(store, write_csv(tmp_path / "i3.csv", [CLOSED_ZOLLVEREIN, OTHER_DEPOT]), "intern",
                    clock=lambda: back)
    assert store.get_entity(hub_id, include_closed=True) is not None  # the place lives on in its closed record
    # readers of open data were told once, when the open view went; neither the withdrawal nor the return after
    assert _open_feed(store, gone + timedelta(days=1)) == []
    assert _open_feed(store, gone - timedelta(minutes=1)) == [(hub_id, True, gone)]


def test_the_open_delta_feed_is_in_the_order_of_open_changes(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    _, later = closed_founder_then_open(store, tmp_path, clock)
    rows = [list(r) for r in ROWS]
    rows[1][6] = "Musterzeche, neu"  # an open change of Zeche Zollern, 12 hours later
    hub.import_file(store, write_csv(tmp_path / "src2.csv", rows), "test", clock=lambda: later + timedelta(hours=12))
    hub.import_file(store, write_csv(tmp_path / "intern2.csv", [[*CLOSED_ZOLLVEREIN[:6], "intern, neu", "yes"]]),
                    "intern", clock=lambda: later + timedelta(days=1))  # a change of Zollverein's closed record alone
    items = store.search(Query(changed_since=later - timedelta(minutes=1), limit=100)).items
    dates = [i["last_changed"] for i in items]
    assert dates == sorted(dates) and items[-1]["name"]["de"] == "Zeche Zollern"
    # and page by page, as a sync reads it
    assert _all_pages(store, Query(changed_since=later - timedelta(minutes=1), limit=2)) == [i["id"] for i in items]


def test_get_entity_by_record_id_and_hub_id_agree(loaded: Store) -> None:
    by_record = loaded.get_entity("test:z1")
    assert by_record is not None
    assert loaded.get_entity(by_record["id"]) == by_record


def test_record_history_keeps_previous_versions(loaded: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    rows = [list(r) for r in ROWS]
    rows[0][1] = "Zeche Zollverein (UNESCO)"
    hub.import_file(loaded, write_csv(tmp_path / "changed.csv", rows), "test",
                    clock=lambda: clock() + timedelta(hours=1))
    history = loaded.record_history("test:z1")
    assert [h["data"]["name"]["de"] for h in history] == ["Zeche Zollverein"]
    assert loaded.get_entity("test:z1")["name"]["de"] == "Zeche Zollverein (UNESCO)"  # type: ignore[index]


def test_set_record_drafts_touches_neither_history_nor_last_changed(loaded: Store) -> None:
    before = loaded.get_record("test:z1")
    loaded.set_record_drafts("test", [("z1", "d" * 40, '[["x","INFO","m",null,{}]]'), ("m1", "e" * 40, None)])
    states = loaded.record_states("test")
    assert (states["z1"].draft, states["z1"].draft_notices) == ("d" * 40, '[["x","INFO","m",null,{}]]')
    assert (states["m1"].draft, states["m1"].draft_notices) == ("e" * 40, None)
    assert loaded.get_record("test:z1") == before and loaded.record_history("test:z1") == []


def test_relevance_prefers_the_richer_record_among_equal_matches(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    # the bare station has the shorter text and wins on BM25 alone; prominence (description, website,
    # opening hours) puts the attraction first, as a visitor expects
    rows = [["s1", "Essen-Zollverein Nord", "Verkehr", "51.4936", "7.0467", "CC0-1.0", "", "yes"],
            ["w1", "Welterbe Zollverein", "Industriekultur", "51.4862", "7.0406", "CC0-1.0",
             "Zeche und Kokerei, seit 2001 Welterbe", "limited"]]
    hub.import_file(store, write_csv(tmp_path / "z.csv", rows), "test", clock=clock)
    page = store.search(Query(q="zollverein"))
    assert [item["name"]["de"] for item in page.items] == ["Welterbe Zollverein", "Essen-Zollverein Nord"]


def test_relevance_puts_the_record_named_by_the_query_first(store: Store, tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [["r1", "Ruhr Museum", "Museum", "51.49", "7.04", "CC0-1.0", "", "yes"],
            ["r2", "Zechenmuseum", "Museum", "51.50", "7.05", "CC0-1.0",
             "Museum an der Ruhr: das Museum der Zechen an der Ruhr, ein Museum", "yes"]]
    hub.import_file(store, write_csv(tmp_path / "m.csv", rows), "test", clock=clock)
    names = lambda: [i["name"]["de"] for i in store.search(Query(q="ruhr museum")).items]  # noqa: E731
    assert names() == ["Ruhr Museum", "Zechenmuseum"]
    assert store.search(Query(q="Ruhr Mus")).items[0]["name"]["de"] == "Ruhr Museum"  # while typing
    monkeypatch.setattr("datenhub.store.ranking.NAME_BOOST", 0.0)  # text rank and prominence alone
    assert names() == ["Zechenmuseum", "Ruhr Museum"]


def test_a_word_for_what_a_place_is_or_for_its_abbreviation_counts_as_its_name(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    rows = [["m", "Deutsches Fußballmuseum", "Museum", "51.515", "7.46", "CC0-1.0",
             "Museum in Dortmund, gegenüber dem Hauptbahnhof, mit Ausstellung und Führung", "yes"],
            ["h", "Dortmund Hbf", "Verkehr", "51.517", "7.459", "CC0-1.0", "", "yes"],
            ["w", "Dortmund-West", "Verkehr", "51.51", "7.44", "CC0-1.0", "", "no"]]
    hub.import_file(store, write_csv(tmp_path / "d.csv", rows), "test", clock=clock)
    for q in ("Dortmund Bahnhof", "Dortmund Hauptbahnhof"):
        names = [i["name"]["de"] for i in store.search(Query(q=q)).items]
        assert names[0] == "Dortmund Hbf", (q, names)
    stations = [i["name"]["de"] for i in store.search(Query(q="Dortmund Bahnhof")).items][:2]
    assert sorted(stations) == ["Dortmund Hbf", "Dortmund-West"]  # both are, by type, before the museum
    assert "Deutsches Fußballmuseum" in [i["name"]["de"] for i in store.search(Query(q="Hauptbahnhof")).items]


def test_broad_queries_order_by_prominence_on_every_page(store: Store, tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [[f"h{i}", f"Halde {name}", "Panorama", f"51.5{i}", "7.0", "CC0-1.0", "Aussicht" if i % 2 else "", "no"]
            for i, name in enumerate(["Ost", "Berg", "Asche", "Dach", "Feld", "Chor"])]
    hub.import_file(store, write_csv(tmp_path / "h.csv", rows), "test", clock=clock)
    monkeypatch.setattr("datenhub.store.ranking.RANKING_BUDGET", 3)  # six matches: a broad query
    whole = [i["name"]["de"] for i in store.search(Query(q="halde", limit=50)).items]
    # described ones (more prominent) first; within a tier each backend has its own fixed order (SQLite: as
    # first stored, PostgreSQL: by name)
    assert set(whole[:3]) == {"Halde Berg", "Halde Chor", "Halde Dach"} and len(set(whole)) == 6
    page = store.search(Query(q="halde", limit=2))
    names = [i["name"]["de"] for i in page.items]
    page_one_cursor = page.next_cursor or ""
    monkeypatch.setattr("datenhub.store.ranking.RANKING_BUDGET", 100)  # the cursor keeps the listing broad
    while page.next_cursor:
        page = store.search(Query(q="halde", limit=2, cursor=page.next_cursor))
        names += [i["name"]["de"] for i in page.items]
    assert names == whole
    # the same within an area (PostgreSQL answers words and area from one bitmap there)
    monkeypatch.setattr("datenhub.store.ranking.RANKING_BUDGET", 3)
    box = (6.9, 51.4, 7.1, 51.6)
    boxed = store.search(Query(q="halde", bbox=box, limit=4))
    assert broad_cursor(decode_cursor(Query(q="halde", cursor=boxed.next_cursor), 2)[0])
    rest = store.search(Query(q="halde", bbox=box, limit=4, cursor=boxed.next_cursor))
    assert [i["name"]["de"] for i in boxed.items + rest.items] == whole and rest.next_cursor is None
    monkeypatch.setattr("datenhub.store.ranking.RANKING_BUDGET", 100)
    ranked_boxed = store.search(Query(q="halde", bbox=box, limit=50))
    assert sorted(i["name"]["de"] for i in ranked_boxed.items) == sorted(whole)
    ranked = store.search(Query(q="halde", limit=2))  # under the budget: ranked again (a numeric sort key)
    assert isinstance(decode_cursor(Query(q="halde", cursor=ranked.next_cursor), 2)[0], float)
    assert broad_cursor(decode_cursor(Query(q="halde", cursor=page_one_cursor), 2)[0])


def test_raw_input_kept_and_deduplicated(loaded: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    hub.import_file(loaded, write_csv(tmp_path / "src.csv"), "test", clock=clock)
    assert loaded.counts()["raw_inputs"] == 1
    raw = loaded.get_raw(loaded.list_imports("test")[0]["raw_id"])
    assert raw is not None and b"Zeche Zollverein" in raw.payload


def test_search_events_date_window(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    ics = tmp_path / "events.ics"
    ics.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//DE\r\n"
                   "BEGIN:VEVENT\r\nUID:e1\r\nSUMMARY:Extraschicht\r\nDTSTART;TZID=Europe/Berlin:20260627T180000\r\n"
                   "DTEND;TZID=Europe/Berlin:20260628T020000\r\nLOCATION:Zollverein\r\nEND:VEVENT\r\n"
                   "BEGIN:VEVENT\r\nUID:e2\r\nSUMMARY:Ruhrfestspiele\r\nDTSTART;VALUE=DATE:20260501\r\n"
                   "END:VEVENT\r\nEND:VCALENDAR\r\n", encoding="utf-8")
    hub.import_file(store, ics, "events", licence="CC0-1.0", clock=clock)
    from datetime import UTC, datetime

    june = Query(kind="event", date_from=datetime(2026, 6, 1, tzinfo=UTC), date_to=datetime(2026, 7, 1, tzinfo=UTC))
    assert [e["name"]["de"] for e in store.search(june).items] == ["Extraschicht"]
    everything = store.search(replace(june, date_from=None, date_to=None)).items
    assert [e["name"]["de"] for e in everything] == ["Ruhrfestspiele", "Extraschicht"]
    # the end is exclusive: over at 02:00, the instant it ends; an event without an end is its start's instant
    names = lambda **at: [e["name"]["de"] for e in store.search(Query(kind="event", **at)).items]  # noqa: E731
    assert names(date_from=datetime(2026, 6, 27, 23, 59, tzinfo=UTC)) == ["Extraschicht"]
    assert names(date_from=datetime(2026, 6, 28, 0, 0, tzinfo=UTC)) == []  # 02:00 in Berlin
    assert names(date_from=datetime(2026, 4, 30, 22, 0, tzinfo=UTC)) == ["Ruhrfestspiele", "Extraschicht"]


def test_transactions_in_two_threads_stay_separate(loaded: Store) -> None:
    import threading

    started, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow_failing_writer() -> None:
        try:
            with loaded.transaction():
                loaded.withdraw_records(["test:z1"], loaded_now())
                started.set()
                release.wait(5)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=slow_failing_writer)
    thread.start()
    started.wait(5)
    release.set()  # the other thread's transaction must not look "nested" from here
    with loaded.transaction():
        loaded.withdraw_records(["test:z2"], loaded_now())
    thread.join(5)
    assert not errors
    assert loaded.get_record("test:z1").withdrawn_at is None  # type: ignore[union-attr]
    assert loaded.get_record("test:z2").withdrawn_at is not None  # type: ignore[union-attr]


def _grid_rows(count: int, seed: int = 3) -> list[list[str]]:
    """Places scattered over Essen and its neighbours, across many area cells, with repeated names (the id
    breaks ties) and a few closed records."""
    import random

    rng = random.Random(seed)
    words = ["Zeche", "Halde", "Museum", "Park", "Siedlung", "Ärztehaus", "Öko-Hof", "zoo"]
    rows = []
    for n in range(count):
        name = f"{rng.choice(words)} {rng.randint(1, 40)}"
        licence = "closed" if n % 17 == 0 else "CC0-1.0"
        category = "Natur" if n % 100 == 1 else ("Kultur", "Museum")[n % 2]  # Natur: 1 %, a rare category
        rows.append([f"g{n}", name, category, f"{rng.uniform(51.38, 51.56):.6f}", f"{rng.uniform(6.9, 7.25):.6f}",
                     licence, "", "yes"])
    return rows


@pytest.mark.parametrize("include_closed", [False, True])
def test_box_by_name_pages_equal_the_filtered_sorted_places(store: Store, tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                                            include_closed: bool) -> None:
    from datenhub.store.text import fold

    rows = _grid_rows(400)
    hub.import_file(store, write_csv(tmp_path / "grid.csv", rows), "grid", clock=clock)
    kept = rows[:-30]  # the last 30 are withdrawn: they must not be listed
    hub.import_file(store, write_csv(tmp_path / "grid2.csv", kept), "grid", clock=clock)
    places = list(store.iter_entities("place", include_closed=include_closed))
    assert len(places) == len([r for r in kept if include_closed or r[5] != "closed"])
    boxes = [(7.0, 51.43, 7.08, 51.47),  # the benchmark's city centre: several fine cells
             (6.95, 51.40, 7.2, 51.5),  # coarse cells
             (7.01, 51.44, 7.012, 51.441),  # inside one cell, maybe empty
             (6.0, 50.0, 9.0, 53.0),  # too big for cells: the candidate path, same answer
             (6.9, 51.38, 7.25, 51.56)]
    for box in boxes:
        for categories in ((), ("Museum",), ("Natur",), ("Natur", "Kultur")):
            expected = sorted((fold(p["name"]["de"]), p["id"]) for p in places
                              if box[0] <= p["geo"]["lon"] <= box[2] and box[1] <= p["geo"]["lat"] <= box[3]
                              and (not categories or set(categories) & set(p["categories"])))
            for limit in (7, 20):
                query = Query(bbox=box, limit=limit, include_closed=include_closed, categories=categories)
                assert _all_pages(store, query) == [eid for _, eid in expected], (box, categories, limit)


def test_a_misspelled_word_is_searched_as_the_indexed_term_most_like_it(loaded: Store) -> None:
    page = loaded.search_spelled(Query(q="Zeche Zolverein"))
    assert page.corrected_q == "Zeche Zollverein"  # as typed, the corrected word as the data spell it
    assert [i["name"]["de"] for i in page.items] == ["Zeche Zollverein"]
    # the last word matches as a prefix, so a word being typed is not "corrected"
    assert loaded.search_spelled(Query(q="Zollv")).corrected_q is None
    # a search that finds something is left alone, as is one with nothing close enough
    assert loaded.search_spelled(Query(q="Zollverein")).corrected_q is None
    nothing = loaded.search_spelled(Query(q="Xylophon"))
    assert nothing.corrected_q is None and nothing.items == []


@pytest.mark.parametrize("include_closed", [False, True], ids=["open", "full"])
def test_a_word_the_data_no_longer_holds_is_neither_known_nor_offered(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock, include_closed: bool) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][6] = "Welterbe und Bergbaumuseum"
    hub.import_file(store, write_csv(tmp_path / "a.csv", rows), "test", clock=clock)
    rows[0][6] = "Welterbe und Bergbau"  # the museum word goes; an index may keep its term (PostgreSQL's lexemes)
    hub.import_file(store, write_csv(tmp_path / "b.csv", rows), "test", clock=lambda: clock() + timedelta(days=1))
    page = store.search_spelled(Query(q="Bergbaumusem", include_closed=include_closed))
    assert page.corrected_q == "Bergbau" and "Zeche Zollverein" in [i["name"]["de"] for i in page.items]


def test_the_pages_of_a_corrected_search_follow_each_other(loaded: Store) -> None:
    query = Query(q="Zechn", limit=1)  # "zechen" stems to zech: two Zechen, one per page
    first = loaded.search_spelled(query)
    assert first.corrected_q and first.next_cursor
    second = loaded.search_spelled(replace(query, cursor=first.next_cursor))  # the words as typed, again
    assert second.corrected_q == first.corrected_q and second.items
    assert {i["id"] for i in first.items}.isdisjoint(i["id"] for i in second.items)
    with pytest.raises(QueryError):  # a cursor of another search stays refused
        loaded.search_spelled(replace(query, q="Halde", cursor=first.next_cursor))


def test_a_correction_never_reveals_a_word_only_closed_records_hold(loaded: Store) -> None:
    # "geheimwort" is only in the description of a closed-licence record
    anonymous = loaded.search_spelled(Query(q="geheimwrt"))
    assert anonymous.corrected_q is None and anonymous.items == []
    privileged = loaded.search_spelled(Query(q="geheimwrt", include_closed=True))
    assert privileged.corrected_q == "geheimwort" and [i["id"] for i in privileged.items]


def test_a_word_only_closed_records_hold_neither_blocks_nor_wins_a_correction(  # type: ignore[no-untyped-def]
        loaded: Store, tmp_path: Path, clock) -> None:
    # open data holds "tetraeder"; a closed record holds the near miss "tetraedr" (and "tetraedrr")
    hub.import_file(loaded, write_csv(tmp_path / "intern.csv", [
        ["x1", "Lager", "Museum", "51.40", "7.20", "closed", "tetraedr tetraedrr", "yes"]]), "intern", clock=clock)
    for typed in ("tetraedr", "tetraedrr"):  # a closed word itself; one only like a closed word
        page = loaded.search_spelled(Query(q=typed))
        assert page.corrected_q == "Tetraeder" and [i["name"]["de"] for i in page.items] == ["Tetraeder"], typed
    privileged = loaded.search_spelled(Query(q="tetraedr", include_closed=True))
    assert privileged.corrected_q is None and [i["name"]["de"] for i in privileged.items] == ["Lager"]


def test_a_long_query_of_known_words_asks_open_data_a_bounded_number_of_times(  # type: ignore[no-untyped-def]
        loaded: Store, monkeypatch) -> None:
    from datenhub.store.spelling import USABLE_SEARCHES

    calls: list[str | None] = []
    search = loaded.search

    def counted(query: Query) -> Any:
        calls.append(query.q)
        return search(query)

    monkeypatch.setattr(loaded, "search", counted)
    words = " ".join(["zeche", "zollverein", "museum", "folkwang", "halde", "haniel", "tetraeder", "westfalenpark"] * 5)
    assert loaded.search_spelled(Query(q=words)).items == []
    assert len(calls) <= 2 + USABLE_SEARCHES


def test_vocabulary_lists_indexed_terms_by_prefix_in_order(loaded: Store) -> None:
    terms = loaded.vocabulary("zo", 100)
    assert "zollverein" in terms and terms == sorted(terms) and all(t.startswith("zo") for t in terms)
    assert loaded.vocabulary("zo", 1) == terms[:1]


def test_open_at_follows_new_opening_hours(store: Store) -> None:
    # both stores keep the distinct opening hours per data version: a write must show in the next search
    at = datetime(2026, 11, 23, 12, tzinfo=UTC)  # a Monday, 13:00 in Essen

    def place(n: int, hours: str) -> HubEntity:
        data = {"id": f"o{n}", "kind": "place", "type": "Place", "name": {"de": f"Ort {n}"}, "licence": "CC0-1.0",
                "geo": {"lat": 51.45, "lon": 7.0 + n / 100}, "opening_hours": hours,
                "municipality": {"name": "Essen", "ags": "05113000"}}
        return HubEntity(f"o{n}", "place", data, data, f"c{n}{hours}", at)

    def open_ids() -> list[str]:
        return [i["id"] for i in store.search(Query(kind="place", open_at=at, sort="name")).items]

    store.upsert_entities([place(1, "Mo-Fr 10:00-18:00"), place(2, "Sa-Su 10:00-18:00")])
    assert open_ids() == ["o1"]
    store.upsert_entities([place(3, "Mo 09:00-15:00")])
    assert open_ids() == ["o1", "o3"]
    store.upsert_entities([place(1, "Tu-Fr 10:00-18:00")])
    assert open_ids() == ["o3"]


def test_current_notices_are_those_of_each_sources_latest_import_that_ran(store: Store, tmp_path: Path,
                                                                          clock) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "a.csv"
    path.write_text("id,name,lat,lon,licence,website,wheelchair\nw1,Zeche A,51.5,7.0,CC0-1.0,not a url,yes\n",
                    encoding="utf-8")
    hub.import_file(store, path, "a", clock=clock)
    other = tmp_path / "b.csv"
    other.write_text("id,name,lat,lon,licence\nb1,Halde B,51.5,7.1,CC0-1.0\nb1,Halde B,51.5,7.1,CC0-1.0\n",
                     encoding="utf-8")
    hub.import_file(store, other, "b", clock=clock)
    # the steward fixed the website and broke the wheelchair value
    path.write_text("id,name,lat,lon,licence,website,wheelchair\nw1,Zeche A,51.5,7.0,CC0-1.0,https://a.example,"
                    "vielleicht\n", encoding="utf-8")
    hub.import_file(store, path, "a", clock=clock)
    assert hub.import_file(store, path, "a", clock=clock).skipped  # recorded, with nothing to say about the data

    def codes(**given: object) -> list[str]:
        return sorted(n.code for n in store.list_notices(**given))  # type: ignore[arg-type]

    assert codes(source="a") == ["invalid_url", "invalid_wheelchair"]
    assert codes(source="a", current=True) == ["invalid_wheelchair"]
    assert codes(current=True) == ["duplicate_id", "invalid_wheelchair"]


def test_counts_tell_open_entities_from_all(loaded: Store) -> None:
    counts = loaded.counts()
    assert counts["places"] == len(ROWS) and counts["open_places"] == len(ROWS) - 1  # Geheimes Depot is closed
    assert counts["open_events"] == counts["events"] == 0


def test_record_licences_count_active_records_by_the_licence_each_carries(loaded: Store, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                            clock) -> None:
    by_licence: dict[str, int] = {}
    for row in ROWS:
        by_licence[row[5]] = by_licence.get(row[5], 0) + 1
    assert loaded.record_licences() == {"test": by_licence}
    hub.import_file(loaded, write_csv(tmp_path / "less.csv", ROWS[1:]), "test", clock=clock)  # one withdrawn
    by_licence[ROWS[0][5]] -= 1
    assert loaded.record_licences()["test"] == {k: v for k, v in by_licence.items() if v}


def test_kept_rows_come_back_as_written(store: Store, clock) -> None:  # type: ignore[no-untyped-def]
    at = datetime(2026, 3, 1, 9, 30, 15, 250000, tzinfo=UTC)
    rows: dict[str, list[tuple[Any, ...]]] = {
        "aliases": [("dh-alt", "dh-neu"), ("dh-aaa", "dh-neu")],
        # the JSON text byte for byte (blanks, key order), times to the microsecond and in UTC
        "record_history": [("test:z1", at, "c1", '{"b": 1,  "a": ["ä", null]}'), ("test:z1", at, "c2", "{}")],
        "audit_log": [(at, "k", "PUT", "/api/v1/x", 200, ["test:z1", "test:z2"], "changed"),
                      (at, None, "DELETE", "/api/v1/y", 404, [], None)],
        "webhook_outbox": [("wh_1", '{"event": "import"}', 2, at, None, "HTTP 500"), ("wh_1", "{}", 1, None, at, None)],
    }
    with store.transaction():
        store.save_webhook(Webhook("wh_1", "https://hooks.example/h", "s", None, clock()))
        for table, written in rows.items():
            store.add_kept_rows(table, written)
    for table, written in rows.items():
        got = list(store.kept_rows(table))
        # aliases come in key order, the others in the order written
        assert got == (sorted(written, key=str) if table == "aliases" else written), table
        assert all(v.utcoffset() == timedelta(0) for row in got for v in row if isinstance(v, datetime))
    with pytest.raises(ValueError, match="no kept table 'entities'"):
        list(store.kept_rows("entities"))


def test_compacted_hours_come_back_as_written(store: Store) -> None:
    from datenhub.live.model import HourBucket, Sensor, SensorKind

    hour = datetime(2026, 3, 1, 9, tzinfo=UTC)
    buckets = [HourBucket("s-1", hour, 12, 40.5, 30, 51, 0.4, 0.3, 0.51),
               HourBucket("s-1", hour + timedelta(hours=1), 3, None, None, None, 0.2, 0.1, 0.3)]
    with store.transaction():
        store.upsert_sensor(Sensor("s-1", "dh-x", SensorKind.PEOPLE, "test", 100))
        store.add_compacted_hours(buckets)
    assert store.compacted_hours(["s-1", "s-unknown"]) == buckets and store.compacted_hours([]) == []
    assert store.hourly_readings(["s-1"], hour, hour + timedelta(hours=2)) == buckets  # read as compaction's own


def test_anonymous_filters_read_the_open_view_only(loaded: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    # a partner's closed record merges into the open Zeche Zollern and, by priority, says other things of it
    closed = [["c9", "Zeche Zollern", "Museum", "51.5186", "7.3339", "closed", "Interne Notiz", "no"]]
    hub.import_file(loaded, write_csv(tmp_path / "intern.csv", closed), "intern", priority=1, clock=clock)
    zollern = loaded.get_entity("test:z2")
    assert zollern is not None and zollern["sources"] == ["test:z2"]  # the open view
    assert loaded.get_entity("test:z2", include_closed=True)["sources"] == ["intern:c9", "test:z2"]  # type: ignore[index]

    def found(**filters: Any) -> bool:
        return zollern["id"] in [e["id"] for e in loaded.search(Query(limit=100, **filters)).items]

    # what the public sees of it: Industriekultur, wheelchair yes, from `test`
    assert found(categories=("Industriekultur",)) and found(wheelchair=("yes",)) and found(sources=("test",))
    # what only the closed record says must neither find nor hide it
    assert not found(categories=("Museum",)) and not found(wheelchair=("no",)) and not found(sources=("intern",))
    # a reader of closed data finds it by either view's tags
    assert found(categories=("Museum",), include_closed=True) and found(sources=("intern",), include_closed=True)
    assert found(categories=("Industriekultur",), include_closed=True)
    # the import of source `test` again does not merge with itself through the closed record's tags
    again = hub.import_file(loaded, write_csv(tmp_path / "src.csv"), "test", clock=clock, force=True)
    assert again.merged == 0


def test_record_attributions_are_those_of_active_open_records(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    header = "id,name,lat,lon,licence,attribution\n"
    rows = ("a1,Halde Haniel,51.5600,6.9300,CC-BY-4.0,Ruhr Tourismus GmbH\n"
            "a2,Tetraeder,51.5210,6.9560,CC-BY-4.0,Ruhr Tourismus GmbH\n"
            "a3,Nordsternturm,51.5281,7.0333,CC-BY-4.0,Stadt Gelsenkirchen\n"
            "a4,Geheimes Depot,51.4500,7.0100,closed,Nur intern\n")
    (tmp_path / "a.csv").write_text(header + rows, encoding="utf-8")
    hub.import_file(store, tmp_path / "a.csv", "parks", clock=clock)
    assert store.record_attributions() == {"parks": ["Ruhr Tourismus GmbH", "Stadt Gelsenkirchen"]}  # most first
    (tmp_path / "b.csv").write_text(header + rows.splitlines(keepends=True)[0], encoding="utf-8")
    hub.import_file(store, tmp_path / "b.csv", "parks", clock=clock)  # the others withdrawn
    assert store.record_attributions() == {"parks": ["Ruhr Tourismus GmbH"]}
    assert store.sources_with_licences()[0].stats["attributions"] == ["Ruhr Tourismus GmbH"]


def test_a_single_record_write_keeps_the_other_records_notices_current(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    from datenhub.pipeline.writes import write_records

    header = "id,name,lat,lon,licence\n"
    rows = ("t1,Tetraeder,6.9560,51.5210,CC0-1.0\n"  # swapped coordinates: a warning, published
            "t2,Halde Haniel,6.9300,51.5600,CC0-1.0\n"
            "t3,Nordsternturm,51.5281,7.0333,CC0-1.0\n")
    (tmp_path / "a.csv").write_text(header + rows, encoding="utf-8")
    hub.import_file(store, tmp_path / "a.csv", "halden", clock=clock)
    before = {(n.code, n.location.entity_id) for n in store.list_notices(source="halden", current=True)}
    assert {("swapped_coordinates", "t1"), ("swapped_coordinates", "t2")} <= before
    # t1 fixed through the API: its warning goes, t2's stays, whatever the write itself says about t1
    fixed = b'{"id": "t1", "name": "Tetraeder", "geo": {"lat": 51.521, "lon": 6.956}, "licence": "CC0-1.0"}'
    write_records(store, "halden", fixed, clock=clock)
    after = {(n.code, n.location.entity_id) for n in store.list_notices(source="halden", current=True)}
    assert ("swapped_coordinates", "t2") in after and ("swapped_coordinates", "t1") not in after
    # a later file import says it all again: the writes before it are history
    hub.import_file(store, tmp_path / "a.csv", "halden", clock=clock, force=True)
    again = {(n.code, n.location.entity_id) for n in store.list_notices(source="halden", current=True)}
    assert {("swapped_coordinates", "t1"), ("swapped_coordinates", "t2")} <= again


def test_a_change_of_closed_data_alone_moves_an_entity_for_key_holders_only(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    hub_id, later = closed_founder_then_open(store, tmp_path, clock)
    rows = [list(r) for r in ROWS]
    rows[1][6] = "Musterzeche, neu"  # an open change of Zeche Zollern: it is last by change now
    hub.import_file(store, write_csv(tmp_path / "src2.csv", rows), "test", clock=lambda: later + timedelta(hours=1))
    since = later - timedelta(minutes=1)
    before = _all_pages(store, Query(changed_since=since, limit=3))
    # a full sync's first pass (no changed_since) walks the whole hub by change
    full_sync = [Query(sort="changed", limit=3), Query(sort="changed", kind="place", limit=3)]
    before_sync = [_all_pages(store, query) for query in full_sync]
    hub.import_file(store, write_csv(tmp_path / "intern2.csv", [[*CLOSED_ZOLLVEREIN[:6], "intern, neu", "yes"]]),
                    "intern", clock=lambda: later + timedelta(days=1))
    # the open view did not change (its last_changed stays `later`): neither does its place in the open feed
    assert _all_pages(store, Query(changed_since=since, limit=3)) == before
    assert [_all_pages(store, query) for query in full_sync] == before_sync
    # key holders see the change, last
    assert _all_pages(store, Query(changed_since=since, include_closed=True, limit=3))[-1] == hub_id
    assert _all_pages(store, Query(sort="changed", include_closed=True, limit=3))[-1] == hub_id


def test_a_split_gives_back_the_id_a_record_founded_whatever_its_licence_now(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    # closed intern:z1 founds H (salted); next import it is open (same hub); a join moves it into Zeche Zollern's
    # hub J (H becomes J's alias); a split gives H back
    hub.import_file(store, write_csv(tmp_path / "i.csv", [CLOSED_ZOLLVEREIN]), "intern", clock=clock)
    founded = store.get_record("intern:z1").hub_id  # type: ignore[union-attr]
    t1 = clock() + timedelta(days=1)
    hub.import_file(store, write_csv(tmp_path / "i2.csv", [[*CLOSED_ZOLLVEREIN[:5], "CC0-1.0", "intern", "yes"]]),
                    "intern", clock=lambda: t1)
    assert store.get_record("intern:z1").hub_id == founded  # type: ignore[union-attr]
    t2 = t1 + timedelta(days=1)
    hub.import_file(store, write_csv(tmp_path / "o.csv", [ROWS[1]]), "test", clock=lambda: t2)
    target = store.get_record("test:z2").hub_id  # type: ignore[union-attr]
    hub.join_record(store, "intern:z1", target, clock=lambda: t2)
    assert store.get_entity(founded)["id"] == target  # type: ignore[index]  # alias
    back = hub.split_record(store, "intern:z1", clock=lambda: t2 + timedelta(hours=1))
    got = store.get_entity(founded)
    assert back == founded and got is not None and got["sources"] == ["intern:z1"], (back, founded, got)


def _days_later(clock: Any, days: int) -> datetime:
    return clock() + timedelta(days=days)  # type: ignore[no-any-return]


def test_a_record_whose_licence_flips_keeps_its_hub_and_imports_stay_idempotent(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    hub.import_file(store, write_csv(tmp_path / "i.csv", [CLOSED_ZOLLVEREIN]), "intern", clock=clock)
    opened = write_csv(tmp_path / "i2.csv", [[*CLOSED_ZOLLVEREIN[:5], "CC0-1.0", "intern", "yes"]])
    for n in range(1, 4):
        r = hub.import_file(store, opened, "intern", clock=functools.partial(_days_later, clock, n), force=True)
        assert (r.new, r.changed) == (0, 1 if n == 1 else 0), r.summary()
    closed = write_csv(tmp_path / "i3.csv", [CLOSED_ZOLLVEREIN])
    for n in range(4, 7):
        r = hub.import_file(store, closed, "intern", clock=functools.partial(_days_later, clock, n), force=True)
        assert (r.new, r.changed) == (0, 1 if n == 4 else 0), r.summary()
    assert store.get_record("intern:z1").hub_id == hub_id_for("intern:z1", store.hub_id_salt())  # type: ignore[union-attr]


def test_a_stewards_tombstone_is_dated_by_its_withdrawal(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    hub_id, gone = open_record_leaves(store, tmp_path, clock)
    withdrawn = gone + timedelta(days=5)
    intern_without_zollverein(store, tmp_path, withdrawn)
    (item,) = store.search(Query(changed_since=withdrawn, include_closed=True, ids=(hub_id,))).items
    assert datetime.fromisoformat(item["last_changed"]) == withdrawn, item


def test_a_delete_of_a_closed_record_moves_the_data_version(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    hub_id, gone = open_record_leaves(store, tmp_path, clock)
    before_v, before = store.data_version(), store.counts()
    assert withdraw_record(store, "intern:z1", clock=lambda: gone + timedelta(days=1))
    assert store.get_entity(hub_id, include_closed=True) is None
    after = store.counts()
    assert store.data_version() != before_v and after["places"] == before["places"] - 1, (before, after)


def test_a_split_does_not_put_the_record_back_into_a_hub_others_live_in(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    # intern:z1, open then, founds P (plain id); test:z1 joins P; intern:z1's licence turns closed (P stays)
    opened = [*CLOSED_ZOLLVEREIN[:5], "CC0-1.0", "intern", "yes"]
    hub.import_file(store, write_csv(tmp_path / "i.csv", [opened]), "intern", clock=clock)
    plain = store.get_record("intern:z1").hub_id  # type: ignore[union-attr]
    t1 = clock() + timedelta(days=1)
    hub.import_file(store, write_csv(tmp_path / "src.csv"), "test", clock=lambda: t1)
    assert store.get_record("test:z1").hub_id == plain  # type: ignore[union-attr]
    t2 = t1 + timedelta(days=1)
    hub.import_file(store, write_csv(tmp_path / "i2.csv", [CLOSED_ZOLLVEREIN]), "intern", clock=lambda: t2)
    # a steward joins intern:z1 to Zeche Zollern by mistake, then splits it off again
    zollern = store.get_record("test:z2").hub_id  # type: ignore[union-attr]
    hub.join_record(store, "intern:z1", zollern, clock=lambda: t2)
    back = hub.split_record(store, "intern:z1", clock=lambda: t2 + timedelta(hours=1))
    together = sorted(r.record_id for r in store.records_of_hubs([back])[back])
    # "the record becomes its own entity again": alone, not back in test:z1's hub P
    assert together == ["intern:z1"], (back == plain, together)


def test_an_open_place_without_a_point_is_never_found_at_its_closed_records_point(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    place = open_place_closed_point(store, tmp_path, clock)
    assert store.get_entity(place)["id"] == place and "geo" not in store.get_entity(place)  # type: ignore[index,operator]
    assert store.get_entity(place, include_closed=True)["geo"]  # type: ignore[index]
    box = (7.03, 51.48, 7.05, 51.49)  # around the closed record's point
    assert place not in [i["id"] for i in store.search(Query(bbox=box, limit=100)).items]
    assert place not in [i["id"] for i in store.search(Query(near=(51.4862, 7.0406), radius=500, limit=100)).items]


def test_a_record_split_twice_never_lands_in_a_hub_another_record_lives_in(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    hub.import_file(store, write_csv(tmp_path / "a.csv", [ROWS[0]]), "offen", clock=clock)
    hub.import_file(store, write_csv(tmp_path / "x.csv", [ROWS[0]]), "zweit", clock=clock)
    hub.import_file(store, write_csv(tmp_path / "r.csv", [ROWS[1]]), "dritt", clock=clock)
    first = store.get_record("offen:z1").hub_id  # type: ignore[union-attr]
    assert store.get_record("zweit:z1").hub_id == first  # type: ignore[union-attr]  # merged
    split = hub.split_record(store, "offen:z1", clock=clock)
    hub.join_record(store, "dritt:z2", split, clock=clock)  # another record now lives in the split's hub
    hub.join_record(store, "offen:z1", first, clock=clock)
    again = hub.split_record(store, "offen:z1", clock=clock)
    assert [r.record_id for r in store.records_of_hubs([again])[again]] == ["offen:z1"]


def test_a_sources_open_change_time_moves_with_its_open_data_alone(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    # two open records and a closed one in one source: re-imports and closed changes must not date its open data
    rows = [list(ROWS[0]), list(ROWS[4]), list(ROWS[6])]
    start = clock()

    def run(day: int, **options: Any) -> None:
        hub.import_file(store, write_csv(tmp_path / f"mixed{day}.csv", rows), "mixed",
                        clock=lambda: start + timedelta(days=day), **options)

    def stats(open_only: bool = True) -> dict[str, Any]:
        (source,) = store.sources_with_licences(open_only=open_only)
        return source.stats

    def changed() -> datetime:
        return datetime.fromisoformat(stats()["open_changed_at"])

    run(0)
    assert changed() == start
    run(1, force=True)  # the same records again
    assert changed() == start
    rows[2][6] = "interne Notiz, neu"  # the closed record changes
    run(2)
    assert changed() == start
    del rows[2]  # the closed record is withdrawn
    run(3)
    assert changed() == start and stats()["withdrawn"] == 0 and stats()["records"] == 2
    # a reader of open data sees no import times; a reader of closed data does
    assert "last_import" not in stats() and "last_status" not in stats()
    assert datetime.fromisoformat(stats(open_only=False)["last_import"]) == start + timedelta(days=3)
    assert stats(open_only=False)["withdrawn"] == 1
    rows[0][6] = "Zechen, Kokerei und Museum"  # an open record changes
    run(4)
    assert changed() == start + timedelta(days=4)
    del rows[1]  # an open record is withdrawn
    run(5)
    assert changed() == start + timedelta(days=5) and stats()["withdrawn"] == 1


def test_closed_records_change_the_rank_of_open_matches_on_sqlite_only(  # type: ignore[no-untyped-def]
        store: Store, tmp_path: Path, clock) -> None:
    """docs/api.md, the known limit: SQLite's bm25 counts closed-only rows and their length in its statistics, so
    closed records re-order an anonymous search's open matches; PostgreSQL's ts_rank reads each record alone. This
    pins both: when SQLite gets an index of open text of its own, the first assertion fails and the docs change."""
    from datenhub.store.sqlite.store import SqliteStore

    long_text, short_text = "kokerei kokerei " + "wort " * 60, "kokerei hier"
    rows = [["l", "Ort Lang", "Park", "51.40", "7.30", "CC0-1.0", long_text, "yes"],
            ["k", "Ort Kurz", "Park", "51.41", "7.31", "CC0-1.0", short_text, "yes"]]
    hub.import_file(store, write_csv(tmp_path / "open.csv", rows), "test", clock=clock)

    def order() -> list[str]:
        return [i["name"]["de"] for i in store.search(Query(q="kokerei", limit=10)).items]

    before = order()
    closed = [[f"x{i}", f"Geheim {i}", "Museum", "51.3", "7.0", "closed", "interne Notiz " * 100, "yes"]
              for i in range(40)]
    hub.import_file(store, write_csv(tmp_path / "closed.csv", closed), "intern", clock=clock)
    assert sorted(order()) == sorted(before)  # never the set
    assert (order() != before) == isinstance(store, SqliteStore)
