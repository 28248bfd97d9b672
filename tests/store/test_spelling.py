"""Spelling correction without a store: pg_trgm's similarity, the closest term, which words are corrected."""

from __future__ import annotations

import pytest

from datenhub.store import Query
from datenhub.store.spelling import closest, corrected_q, shown, similarity, spelled, trigrams


def test_trigrams_pad_like_pg_trgm() -> None:
    assert trigrams("Zech") == {"  z", " ze", "zec", "ech", "ch "}


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("zolverein", "zollverein", 9 / 12),
    ("zollverein", "zollverein", 1.0),
    ("zech", "zeck", 3 / 7),
    ("halde", "museum", 0.0),
])
def test_similarity_is_shared_over_all_trigrams(a: str, b: str, expected: float) -> None:
    assert similarity(a, b) == pytest.approx(expected)
    assert similarity(b, a) == pytest.approx(expected)


def test_closest_takes_the_most_alike_stem_above_the_threshold() -> None:
    assert closest("zolverein", ["zoll", "zollern", "zollverein", "zoo"]) == "zollverein"
    assert closest("zolverein", ["zoo", "zone"]) is None  # nothing alike enough
    assert closest("zolverein", ["zollverein2"]) is None  # not a word: cell, tier and number tokens never qualify


def test_closest_counts_two_letters_swapped_as_one_wrong_letter() -> None:
    assert similarity("dusiburg", "duisburg") < 0.4  # pg_trgm: a swap breaks four trigrams, more than a wrong letter
    assert closest("dusiburg", ["dortmund", "duisburg", "dusche"]) == "duisburg"
    assert closest("bergbua", ["bergbau", "berg"]) == "bergbau"  # the swap at the end of a word as well
    assert closest("zekc", ["zeck"]) is None  # too short: one wrong letter of four is another word
    assert closest("dusibrug", ["duisburg"]) is None  # two swaps are not a slip
    assert closest("dursiubg", ["duisburg"]) is None  # nor the same letters shuffled


VOCABULARY = ["bergbau", "bergbaumuseum", "zech", "zollern", "zollverein"]


def vocabulary(prefix: str, limit: int) -> list[str]:
    return [t for t in VOCABULARY if t.startswith(prefix)][:limit]


def test_corrected_q_replaces_unknown_words_only() -> None:
    assert corrected_q("Zeche Zolverein", vocabulary) == "Zeche zollverein"
    assert corrected_q("Zeche Zollverein", vocabulary) is None  # every word known
    assert corrected_q("Zeche Zollv", vocabulary) is None  # the last word is a prefix of a known term
    assert corrected_q("Bergbaumusem", vocabulary) is None  # ... this one too ("bergbaumus")
    assert corrected_q("Bergbaumusem Zeche", vocabulary) == "bergbaumuseum Zeche"
    assert corrected_q("Zoo 1234", vocabulary) is None  # short words and numbers are left as they are


def test_spelled_keeps_every_other_filter() -> None:
    query = Query(q="Zolverein", bbox=(6.9, 51.4, 7.2, 51.55), limit=5)
    fixed = spelled(query, vocabulary)
    assert fixed == Query(q="zollverein", bbox=(6.9, 51.4, 7.2, 51.55), limit=5)
    assert spelled(Query(q=None), vocabulary) is None


def test_shown_spells_a_corrected_stem_as_the_found_items_do() -> None:
    items = [{"name": {"de": "Gasometer Oberhausen"}, "description": {"de": "Ausstellungshalle"}}]
    assert shown("gasom Oberhausen", items) == "Gasometer Oberhausen"
    assert shown("gasom", [{"name": {"de": "Halde"}}]) == "gasom"  # no word of theirs stems to it: the stem


def test_a_big_vocabulary_narrows_to_three_letters_and_few_words_are_tried(monkeypatch: pytest.MonkeyPatch) -> None:
    from datenhub.store import spelling

    asked: list[tuple[str, int]] = []

    def many(prefix: str, limit: int) -> list[str]:
        asked.append((prefix, limit))
        terms = [f"{prefix}{n}" for n in range(limit)] if len(prefix) == 2 else ["zollverein"]
        return [t for t in terms if t.startswith(prefix)][:limit]

    monkeypatch.setattr(spelling, "CANDIDATES", 10)
    assert corrected_q("Zolverein", many) == "zollverein"
    assert asked == [("zolverein", 1), ("zo", 10), ("zol", 10)]
    asked.clear()

    def empty(prefix: str, limit: int) -> list[str]:
        asked.append((prefix, limit))
        return []

    assert corrected_q("Aaaaq Bbbbq Ccccq Ddddq Eeeeq", empty) is None
    assert len([prefix for prefix, limit in asked if limit > 1]) == spelling.MAX_WORDS  # the rest stay as typed


def test_a_tie_goes_to_the_term_nearest_the_words_length() -> None:
    # "staton" shares as many trigrams with "stat" as with "station": a typo is the longer word
    assert similarity("staton", "stat") == similarity("staton", "station")
    assert closest("staton", ["stat", "station"]) == closest("staton", ["station", "stat"]) == "station"
