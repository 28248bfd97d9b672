"""Full-text values built from our own German stems, so PostgreSQL indexes exactly what SQLite's FTS5 indexes.

The text is already stemmed and folded in Python (`datenhub.store.text`); PostgreSQL only stores the tokens.
Building the tsvector and tsquery literals here (instead of `to_tsvector`) keeps the result independent of the
database's locale and text-search configuration. Tokens split at `_` like FTS5's unicode61 tokenizer does.
"""

from __future__ import annotations

import re

from datenhub.store.text import query_terms

_SPLIT = re.compile(r"[\W_]+", re.UNICODE)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # the pieces _SPLIT leaves
_MAX_POSITION = 16383  # tsvector positions stop here
_MAX_POSITIONS_PER_LEXEME = 256


def tokens(text: str) -> list[str]:
    return [t for t in _SPLIT.split(text) if t]


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(text: str) -> str:
    """'zech':1,4 'zollverein':2 … — the input form of a tsvector, positions kept for ranking and phrases."""
    positions: dict[str, list[int]] = {}
    words = _WORD.findall(text)
    for index, token in enumerate(words, start=1):
        found = positions.get(token)
        if found is None:
            positions[token] = [index]
        elif len(found) < _MAX_POSITIONS_PER_LEXEME:
            found.append(index)
    # tokens are runs of word characters: nothing in them needs quoting; positions already ascend
    if len(words) > _MAX_POSITION:
        return " ".join(f"'{lexeme}':{','.join(map(str, sorted({min(p, _MAX_POSITION) for p in pos})))}"
                        for lexeme, pos in positions.items())
    return " ".join(f"'{lexeme}':{','.join(map(str, pos))}" for lexeme, pos in positions.items())


def tsquery_literal(q: str) -> str | None:
    """Every term must match, the last one as a prefix (results while typing); None when nothing is left."""
    terms = [tokens(term) for term in query_terms(q)]
    terms = [parts for parts in terms if parts]
    if not terms:
        return None
    phrases = []
    for number, parts in enumerate(terms, start=1):
        quoted = [_quote(p) for p in parts]
        if number == len(terms):
            quoted[-1] += ":*"
        phrases.append(quoted[0] if len(quoted) == 1 else "(" + " <-> ".join(quoted) + ")")
    return " & ".join(phrases)
