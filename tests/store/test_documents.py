"""Stored documents: the layout both stores write, and the splits a page takes from the bytes."""

from __future__ import annotations

from typing import Any

import orjson

from datenhub.publish.geojson import feature_bytes, to_feature
from datenhub.store.documents import TAIL, RawDocument, View, dump_document, relaid, split_point

PLACE = {"id": "dh-abc", "kind": "place", "name": {"de": "Zeche \"Zollverein\" – Förderturm"},
         "geo": {"lat": 51.4862, "lon": 7.0406}, "licence": "CC0-1.0"}


def test_geo_follows_id_and_nothing_else_moves() -> None:
    raw = dump_document(PLACE).encode()
    assert raw.startswith(b'{"id":"dh-abc","geo":{"lat":51.4862,"lon":7.0406},"kind":"place"')
    assert orjson.loads(raw) == PLACE
    assert list(orjson.loads(raw))[2:] == ["kind", "name", "licence"]


def test_split_point_gives_the_feature_to_feature_gives() -> None:
    raw = dump_document(PLACE).encode()
    parts = split_point(raw)
    assert parts is not None
    id_json, lat, lon, rest_at = parts
    assert feature_bytes(id_json, lat, lon, raw[rest_at:]) == orjson.dumps(to_feature(PLACE))
    extra = b',"open_state":{"open":true}'  # what a page appends (api.routers._listing)
    assert feature_bytes(id_json, lat, lon, raw[rest_at:], extra) == orjson.dumps(
        to_feature({**PLACE, "open_state": {"open": True}}))
    assert (lat, lon) == (b"51.4862", b"7.0406")
    assert RawDocument(raw, "place", True, None, None).parts() == parts  # worked out once, the same


def test_other_layouts_are_not_split() -> None:
    assert split_point(orjson.dumps(PLACE)) is None  # geo not after id (written before the layout)
    assert split_point(dump_document({"id": "dh-x", "kind": "event"}).encode()) is None  # no point
    assert split_point(dump_document({"id": 'a"b', "geo": {"lat": 1.0, "lon": 2.0}, "k": 1}).encode()) is None
    assert split_point(dump_document({"id": "x", "geo": {"lat": 1.0, "lon": 2.0, "alt": 3}, "k": 1}).encode()) is None
    assert split_point(dump_document({"id": "x", "geo": {"lat": 1.0, "lon": 2.0}}).encode()) is None
    assert RawDocument(b"{}", "place", True, None, None).parts() is None


def test_relaid_moves_geo_of_older_documents_only() -> None:
    older = orjson.dumps(PLACE).decode()  # the layout before: keys in the model's order, geo among them
    assert split_point(older.encode()) is None
    again = relaid(older)
    assert again == dump_document(PLACE) and split_point(again.encode()) is not None
    assert relaid(again) is None  # already laid out: nothing to write
    assert relaid(orjson.dumps({"id": "dh-x", "kind": "event"}).decode()) is None  # no point: no layout to take
    assert relaid(None) is None and relaid("") is None


SOURCED = {**PLACE, "sources": ["rvr:1"], "wheelchair": "yes", "first_seen": "2026-11-01T00:00:00+00:00",
           "provenance": {"name": {"source": "rvr", "record_id": "rvr:1", "at": "2026-11-01T00:00:00+00:00"}},
           "nearest_stations": [{"id": "db:1", "name": "Essen-Zollverein", "distance_m": 410}]}


def _view(data: dict[str, Any], view: View) -> dict[str, Any]:
    return orjson.loads(RawDocument(dump_document(data).encode(), "place", True, None, None).view(view))


def test_the_bookkeeping_comes_last_and_views_leave_it_out() -> None:
    raw = dump_document(SOURCED).encode()
    assert orjson.loads(raw) == SOURCED
    assert list(orjson.loads(raw))[-4:] == ["sources", "nearest_stations", "first_seen", "provenance"]
    assert _view(SOURCED, "full") == SOURCED
    assert _view(SOURCED, "lean") == {k: v for k, v in SOURCED.items() if k != "provenance"}
    assert _view(SOURCED, "core") == {k: v for k, v in SOURCED.items() if k not in TAIL}
    bare = {**PLACE, "provenance": {}}  # no sources: "core" is "lean"
    assert _view(bare, "lean") == _view(bare, "core") == PLACE
    # a string cannot end a view early: its quotes are escaped
    tricky = {**SOURCED, "description": {"de": 'kein ,"provenance":{ und ,"sources":[ hier}}'}}
    assert _view(tricky, "core") == {k: v for k, v in tricky.items() if k not in TAIL}


def test_a_document_of_an_older_layout_is_read_whole() -> None:
    older = orjson.dumps({**PLACE, "sources": ["rvr:1"], "provenance": SOURCED["provenance"], "wheelchair": "yes"})
    for view in ("lean", "core"):
        assert RawDocument(older, "place", True, None, None).view(view) == older  # type: ignore[arg-type]
    assert relaid(older.decode()) == dump_document(orjson.loads(older))
