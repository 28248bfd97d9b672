"""Misspelled words: a text search that finds nothing is tried once more with each unknown word replaced by the
indexed term most like it ("Zolverein" → zollverein), and the answer says so (`Page.corrected_q`).

Likeness is trigram similarity as PostgreSQL's pg_trgm defines it (`similarity()`: shared trigrams over all
trigrams of both words, each word padded with two spaces in front and one behind), computed here so that every
backend corrects alike. Candidates are the indexed terms that share the word's first two letters
(`Store.vocabulary`): typos there are rare, and the candidates stay a handful of index entries.

Only a search that found nothing is corrected, so searches that work pay nothing. The correction is kept only
when the corrected search finds something under the same licence view: a term that only closed records hold is
never shown to someone who may not read them. Nor does such a term count as known, or win over an open one, for
such a reader (`usable`): either would tell of it by the correction a reader does not get.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from datenhub.store.query import Query
from datenhub.store.text import stems

THRESHOLD = 0.4  # pg_trgm's default is 0.3; below 0.4 short words got unrelated neighbours
MIN_LENGTH = 4  # shorter words have too few trigrams to tell a typo from another word
CANDIDATES = 5_000  # indexed terms compared per unknown word at most (~2 µs each); more: three letters in common
MAX_WORDS = 3  # unknown words corrected per query at most: a query of nonsense words must stay cheap
DISPLAY_ITEMS = 5  # found items read for the words shown

_WORD = re.compile(r"\w+")
Vocabulary = Callable[[str, int], list[str]]  # (prefix, limit) → indexed terms starting with it, in order
Usable = Callable[[str], bool]  # a word → whether the reader's view holds it (a search for it finds something)
USABLE_TRIES = 5  # candidates asked at most, best first
USABLE_SEARCHES = 12  # words a query asks `usable` about at most: a long query of known words stays cheap


def trigrams(word: str) -> frozenset[str]:
    padded = f"  {word.lower()} "
    return frozenset(padded[i:i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(a, b) for single words."""
    return _likeness(trigrams(a), trigrams(b))


def _likeness(mine: frozenset[str], theirs: frozenset[str]) -> float:
    shared = len(mine & theirs)
    union = len(mine) + len(theirs) - shared
    return shared / union if union else 0.0


def _swapped_at(term: str, candidate: str) -> int | None:
    """Where `term` is `candidate` with two neighbouring letters swapped ("dusiburg", "duisburg": 2), else None."""
    if len(term) != len(candidate):
        return None
    diffs = [i for i, (a, b) in enumerate(zip(term, candidate, strict=True)) if a != b]
    if len(diffs) == 2 and diffs[1] == diffs[0] + 1 and term[diffs[0]] == candidate[diffs[1]] \
            and term[diffs[1]] == candidate[diffs[0]]:
        return diffs[0]
    return None


def likeness(term: str, candidate: str) -> float:
    """pg_trgm's similarity, except that two neighbouring letters swapped count as one wrong letter: a swap is
    one slip of the fingers, but breaks four trigrams where a wrong letter breaks three ("dusiburg" was 0.385,
    below THRESHOLD; as "duisb?rg" it is 0.5). Only an exact swap is eased, so no other word gets closer."""
    score = similarity(term, candidate)
    at = _swapped_at(term, candidate)
    if at is not None:
        score = max(score, similarity(candidate[:at] + "\0" + candidate[at + 1:], candidate))
    return score


def closest(term: str, candidates: list[str], usable: Usable | None = None) -> str | None:
    """The candidate most like `term` at THRESHOLD or above (ties: the one nearest the term's length, as a typo
    drops or swaps a letter rather than half the word: "staton" is "station", not "stat"; then the shorter, then
    the first in order); two neighbouring letters swapped count as one wrong letter (`likeness`). Only a term
    that stems to itself qualifies, so a corrected query searches for exactly that term; with `usable`, only one
    it accepts (the best USABLE_TRIES at most are asked)."""
    ranked: list[tuple[float, int, int, int, str]] = []
    mine = trigrams(term)
    for order, candidate in enumerate(candidates):
        if candidate == term or not candidate.isalpha():
            continue
        score = _likeness(mine, trigrams(candidate))
        if score < THRESHOLD and _swapped_at(term, candidate) is not None:
            score = likeness(term, candidate)
        if score >= THRESHOLD:
            ranked.append((score, -abs(len(candidate) - len(term)), -len(candidate), -order, candidate))
    ranked.sort(reverse=True)
    tries = 0
    for *_, candidate in ranked:
        if stems(candidate) != [candidate]:
            continue
        if usable is None:
            return candidate
        if usable(candidate):
            return candidate
        tries += 1
        if tries >= USABLE_TRIES:
            break
    return None


def corrected_q(q: str, vocabulary: Vocabulary, usable: Usable | None = None) -> str | None:
    """`q` with every word whose stem the index does not hold replaced by the closest indexed term; None when
    no word needed or found a correction. The last word counts as known when an indexed term starts with its
    stem, as the search matches it as a prefix. The index holds the words of every record: for a reader of open
    data only, `usable` tells whether open data holds a word, so that a word only closed records hold neither
    counts as known nor is offered as a correction (either would tell of it)."""
    words = [w for w in _WORD.findall(q) if len(w) < 60]
    changed, tried = False, 0
    out: list[str] = []
    for position, word in enumerate(words):
        stem = (stems(word.lower()) or [""])[0]
        if len(stem) < MIN_LENGTH or not stem.isalpha() or tried >= MAX_WORDS:
            out.append(word)
            continue
        first = vocabulary(stem, 1)  # the stem itself sorts first among the terms it starts
        if first and (first[0] == stem or position == len(words) - 1) and (usable is None or usable(word)):
            out.append(word)
            continue
        tried += 1
        candidates = vocabulary(stem[:2], CANDIDATES)
        if len(candidates) == CANDIDATES:
            candidates = vocabulary(stem[:3], CANDIDATES)
        fixed = closest(stem, candidates, usable)
        changed = changed or fixed is not None
        out.append(fixed or word)
    return " ".join(out) if changed else None


def shown(q: str, items: list[dict[str, Any]]) -> str:
    """`q` as a visitor reads it: each word that is a bare stem ("gasom") replaced by the first word of the
    found items' names or descriptions that stems to it ("Gasometer"), which searches alike."""
    texts = [text for item in items[:DISPLAY_ITEMS] for key in ("name", "description")
             for text in (item.get(key) or {}).values() if isinstance(text, str)]
    out = []
    for word in _WORD.findall(q):
        stem = (stems(word.lower()) or [""])[0]
        if stem == word:  # a stem put in by the correction
            word = next((w for text in texts for w in _WORD.findall(text) if stems(w.lower()) == [stem]), word)
        out.append(word)
    return " ".join(out)



def spelled(query: Query, vocabulary: Vocabulary, usable: Usable | None = None) -> Query | None:
    """The query with its words corrected, or None when there is nothing to correct."""
    if not query.q:
        return None
    fixed = corrected_q(query.q, vocabulary, usable)
    return replace(query, q=fixed) if fixed else None
