"""Indexed text: stemmed words, plus the heads of German compounds and the long forms of abbreviations."""

from __future__ import annotations

import orjson

from datenhub.data import data_path
from datenhub.store.text import index_text, query_terms


def test_compound_heads_and_long_forms_are_indexed_too() -> None:
    indexed = index_text("Förderturm", "Deutsches Bergbaumuseum", "Essen Hbf", "Freibad", "Henrichshütte").split()
    for word in ("Turm", "Museum", "Hauptbahnhof", "Bahnhof", "Bad", "Hütte"):
        assert query_terms(word)[0] in indexed, word


def test_a_word_that_is_a_head_itself_gets_nothing_more() -> None:
    assert index_text("Bad Museum Park") == " ".join(query_terms("Bad Museum Park"))


def test_no_nrw_town_name_is_taken_for_a_compound() -> None:
    towns = orjson.loads(data_path("boundaries", "nrw_gemeinden_vg5000_2021.geojson").read_bytes())["features"]
    names = sorted({feature["properties"]["GEN"] for feature in towns})
    assert len(names) == 396
    wrong = [name for name in names if index_text(name) != " ".join(query_terms(name))]
    assert wrong == []  # e.g. "Duisburg" must not be found by "Burg", "Möhnesee" not by "See"


def test_numbers_are_indexed_as_they_are() -> None:
    assert index_text("Schacht 12", "Halle 0815") == " ".join(query_terms("Schacht 12 Halle 0815"))
    assert "12" in index_text("Schacht 12").split()
