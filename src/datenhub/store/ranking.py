"""Relevance order, the same on every backend: the text rank times a prior for how much a record offers a
visitor, and a budget for broad queries.

* **Prominence** (0 … 1): among equally good text matches the place with a description, opening hours, a
  website, images or a place on the Route Industriekultur comes first. Without it a bare station record named
  "Essen-Zollverein Nord" beats the UNESCO site on BM25's length normalisation. Relevance = text rank ×
  (1 + PROMINENCE_BOOST × prominence).
* **Name match**: BM25 weighs a word in a short name like the same word in a long description, so a search
  for "ruhr museum" put three other museums before the Ruhr Museum. A record whose name holds every query word
  (as typed, folded; the last may be a prefix) is multiplied by 1 + NAME_BOOST. A word that says what the
  place is counts as in the name of a place of that type, and so does a word an abbreviation of the name
  stands for: "Dortmund Bahnhof" is the name of "Dortmund Hbf", not of the museum opposite it.
* **Ranking budget**: ranking costs per match (BM25 or ts_rank reads each match's positions), so a word in
  half of all records ("ruhr") would cost a hundred milliseconds for twenty results. A query with more than
  RANKING_BUDGET text matches (within its area, when it has one) is *broad*: its words say little about which
  match is better, so it is ordered by prominence and then in a fixed order the index can stream without
  sorting (SQLite: the order entities were first stored, read tier by tier through a prominence token in the
  full-text index; PostgreSQL: by id, from an index). The mode travels in the sort key, so every page of one
  listing keeps the order the first page chose.
"""

from __future__ import annotations

import re
from typing import Any

from datenhub.model.search_words import TYPE_WORDS
from datenhub.store.text import LONG_FORMS, fold, stems

_PROMINENCE = (("description", 0.3), ("opening_hours", 0.15), ("contact", 0.15), ("images", 0.2),
               ("route_role", 0.2))
PROMINENCE_BOOST = 2.0  # up to 3× for the richest records
NAME_BOOST = 2.0  # 3× when the name holds every query word
RANKING_BUDGET = 500
BROAD = "b:"  # sort keys of broad listings start with this
TIER = "zq"  # + prominence in hundredths, three digits: the full-text token of a prominence tier (no German
# word starts with "zq", and user text never searches the column these tokens are in)


def prominence(data: dict[str, Any] | None) -> float:
    if not data:
        return 0.0
    return round(sum(weight for key, weight in _PROMINENCE if data.get(key)), 2)


_WORD = re.compile(r"\w+")


def name_words(q: str) -> list[str]:
    """The query's words as `name_sort` holds them (folded), for the name-match test; only word characters, so
    backends may quote them into SQL."""
    return _WORD.findall(fold(q))[:8]


def name_match_sql(q: str, column: str, contains: str, type_column: str | None = None) -> str:
    """1 + NAME_BOOST when `column` holds every word of `q`, else 1; `contains` is the backend's substring test
    with {column} and {word} placeholders. With `type_column`, a word for what a type is ("bahnhof") holds for
    every record of that type."""
    words = name_words(q)
    if not words:
        return "1"
    tests = []
    for word in words:
        alternatives = [contains.format(column=column, word=f"'{w}'") for w in (word, *_SHORT_FORMS.get(word, ()))]
        types = _TYPES_BY_WORD.get(word)
        if type_column is not None and types:
            alternatives.append(f"{type_column} IN ({', '.join(repr(t) for t in types)})")
        tests.append(alternatives[0] if len(alternatives) == 1 else f"({' OR '.join(alternatives)})")
    return f"(CASE WHEN {' AND '.join(tests)} THEN {1 + NAME_BOOST!r} ELSE 1 END)"


def name_has_words(q: str, name: str, type_: str | None = None) -> bool:
    """Whether `name` holds every word of `q` as a whole word, or a word of the same stem (a typed name, where
    name_match_sql's substrings would take "foo" for "Football"). A short form counts for its long one ("hbf" for
    "hauptbahnhof"), and with `type_` a word for what the type is ("bahnhof" for a TrainStation)."""
    held = set(name_words(name))
    held_stems = {stem for word in held for stem in stems(word)}
    for word in name_words(q):
        forms = (word, *_SHORT_FORMS.get(word, ()))
        if any(form in held or set(stems(form)) & held_stems for form in forms):
            continue
        if type_ is None or type_ not in _TYPES_BY_WORD.get(word, ()):
            return False
    return True


def _types_by_word() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for type_, words in TYPE_WORDS.items():
        for word in set(name_words(words)):
            found.setdefault(word, []).append(type_)
    return {word: tuple(sorted(types)) for word, types in found.items()}


_TYPES_BY_WORD = _types_by_word()
# long form → abbreviations a name may hold ("bahnhof" → hbf, bhf); two letters ("bf", "st") are too often part
# of another word for a substring test
_SHORT_FORMS: dict[str, tuple[str, ...]] = {}
for _short, _long in LONG_FORMS.items():
    if len(_short) > 2:
        for _word in _long.split():
            _SHORT_FORMS[_word] = (*_SHORT_FORMS.get(_word, ()), _short)


def tier_token(value: float) -> str:
    return tier_name(round(value * 100))


def tier_name(hundredths: int) -> str:
    return f"{TIER}{hundredths:03d}"


def broad_cursor(last_key: Any) -> bool:
    """Whether a cursor's sort key comes from a broad listing (its next pages stay broad)."""
    return isinstance(last_key, str) and last_key.startswith(BROAD)
