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


def index_text(*parts: str | None) -> str:
    return " ".join(stems(" ".join(part for part in parts if part)))


def query_terms(q: str) -> list[str]:
    """Stemmed terms of a user query; the caller adds prefix matching for the last one."""
    return [s for s in stems(q) if s][:20]


def prefix_end(prefix: str) -> str:
    """The smallest string after every string that starts with `prefix` (non-empty): `term >= prefix AND term <
    prefix_end(prefix)` is a prefix range an index can read."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
