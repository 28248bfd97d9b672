"""German-stemmed search text: the same function prepares indexed text and queries, on every backend."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_TOKEN = re.compile(r"\w+", re.UNICODE)
_stemmer = Stemmer.Stemmer("german")


def fold(text: str) -> str:
    """Lower-case, ß→ss, diacritics removed: the sort and match key for names."""
    text = text.lower().replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def _stem(token: str) -> str:
    return fold(_stemmer.stemWord(token))


def stems(text: str) -> list[str]:
    return [_stem(t) for t in _TOKEN.findall(text.lower()) if len(t) < 60]


def index_text(*parts: str | None) -> str:
    return " ".join(s for part in parts if part for s in stems(part))


def query_terms(q: str) -> list[str]:
    """Stemmed terms of a user query; the caller adds prefix matching for the last one."""
    return [s for s in stems(q) if s][:20]
