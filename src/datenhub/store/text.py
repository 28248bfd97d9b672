"""German-stemmed search text: the same function prepares indexed text and queries, on every backend."""

from __future__ import annotations

import re
import unicodedata

import Stemmer

_TOKEN = re.compile(r"\w+", re.UNICODE)
_stemmer = Stemmer.Stemmer("german")


# The combining marks of the Latin diacritics block, removed by one regex instead of a loop per character.
_LATIN_MARKS = re.compile("[" + "".join(chr(c) for c in range(0x300, 0x370) if unicodedata.combining(chr(c))) + "]")


def fold(text: str) -> str:
    """Lower-case, ß→ss, diacritics removed: the sort and match key for names."""
    text = text.lower().replace("ß", "ss")
    if text.isascii():
        return text
    stripped = _LATIN_MARKS.sub("", unicodedata.normalize("NFKD", text))
    if stripped.isascii():
        return stripped
    return "".join(c for c in stripped if not unicodedata.combining(c))


_STEMS: dict[str, str] = {}  # token → folded stem; vocabularies are small, imports hit this ~always
_MAX_STEMS = 200_000


def _stem(token: str) -> str:
    stem = _STEMS.get(token)
    if stem is None:
        stem = fold(_stemmer.stemWord(token))
        if len(_STEMS) < _MAX_STEMS:
            _STEMS[token] = stem
    return stem


def stems(text: str) -> list[str]:
    known = _STEMS.get
    return [known(t) or _stem(t) for t in _TOKEN.findall(text.lower()) if len(t) < 60]


# Heads of German compounds that places are named with: "Förderturm" is found by "Turm", "Bergbaumuseum" by
# "Museum", "Landschaftspark" by "Park". (The front of a compound needs nothing: a search's last word matches
# as a prefix, so "Bergbau" finds "Bergbaumuseum" already.) Folded, longest first: a word gets one head. Heads
# that end many town names are not here ("Duisburg" is no Burg, "Ennepetal" no Tal), the few other towns are
# _TOWNS; tests/store/test_text.py checks every NRW municipality's name against both.
_HEADS = sorted({fold(head) for head in (
    "museum", "turm", "park", "halde", "zeche", "bahnhof", "kirche", "dom", "schloss", "see", "garten", "haus",
    "hütte", "brücke", "platz", "siedlung", "theater", "halle", "kraftwerk", "hebewerk", "werk", "bad", "zoo",
    "markt", "stadion", "arena", "kokerei", "hafen", "kanal", "wald", "mühle", "villa", "kapelle", "kloster",
    "bibliothek", "galerie", "denkmal", "zentrum", "stollen", "schacht", "pfad", "route", "friedhof", "gasometer",
    "tierpark", "bühne", "kino", "schule", "akademie", "sammlung", "ausstellung", "insel", "ufer", "quelle",
    "wasserturm", "förderturm", "fördergerüst",
)}, key=len, reverse=True)
_TOWNS = {"heiligenhaus", "hurtgenwald", "mohnesee", "radevormwald", "schalksmuhle"}
_MIN_FRONT = 3  # "Bad" in "Freibad" is a head; the "bad" in "Bad" itself is the whole word
# Abbreviations in names, with what a visitor types instead ("Essen Hbf" → "Essen Hauptbahnhof", "Bahnhof").
LONG_FORMS = {"hbf": "hauptbahnhof bahnhof", "bhf": "bahnhof", "bf": "bahnhof", "st": "sankt"}
_ALSO: dict[str, tuple[str, ...]] = {}  # lower-case word → the stems it is also found by, as _STEMS


def _also(word: str) -> tuple[str, ...]:
    found = _ALSO.get(word)
    if found is None:
        folded = fold(word)
        head = "" if folded in _TOWNS else next(
            (h for h in _HEADS if len(folded) - len(h) >= _MIN_FRONT and folded.endswith(h)), "")
        found = tuple(stems(f"{LONG_FORMS.get(folded, '')} {head}"))
        if len(_ALSO) < _MAX_STEMS:
            _ALSO[word] = found
    return found


def index_text(*parts: str | None) -> str:
    """The indexed form of a record's text: its words stemmed, each followed by what a search should find it by
    as well: the heads of its compound words and the long forms of its abbreviations. Queries are stemmed only
    (query_terms), so "Turm" finds "Förderturm" while "Förderturm" still finds only Fördertürme."""
    known = _INDEXED.get
    return " ".join([known(w) or _indexed(w) for w in _TOKEN.findall(" ".join(filter(None, parts)).lower())
                     if len(w) < 60])


_INDEXED: dict[str, str] = {}  # lower-case word → its indexed terms, as _STEMS: one lookup per word of an import


def _indexed(word: str) -> str:
    if word.isdigit() and word.isascii():
        return word  # a house or place number ("Schacht 12"): its own stem, no head, and too many to remember
    found = " ".join((_STEMS.get(word) or _stem(word), *_also(word)))
    if len(_INDEXED) < _MAX_STEMS:
        _INDEXED[word] = found
    return found


def query_terms(q: str) -> list[str]:
    """Stemmed terms of a user query; the caller adds prefix matching for the last one."""
    return [s for s in stems(q) if s][:20]


def prefix_end(prefix: str) -> str:
    """The smallest string after every string that starts with `prefix` (non-empty): `term >= prefix AND term <
    prefix_end(prefix)` is a prefix range an index can read."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
