"""Full-text values built from our own German stems, so PostgreSQL indexes exactly what SQLite's FTS5 indexes.

The text is already stemmed and folded in Python (`datenhub.store.text`); PostgreSQL only stores the tokens.
Building the tsvector and tsquery literals here (instead of `to_tsvector`) keeps the result independent of the
database's locale and text-search configuration. Tokens split at `_` like FTS5's unicode61 tokenizer does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

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
    return tsvector(text)[0]


def tsvector(text: str) -> tuple[str, tuple[str, ...]]:
    """The tsvector literal of `text` and its lexemes (for table lexemes)."""
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
        literal = " ".join(f"'{lexeme}':{','.join(map(str, sorted({min(p, _MAX_POSITION) for p in pos})))}"
                           for lexeme, pos in positions.items())
    else:  # most lexemes occur once: no join for them (a fifth of the literal's cost)
        literal = " ".join([f"'{lexeme}':{pos[0]}" if len(pos) == 1 else f"'{lexeme}':{','.join(map(str, pos))}"
                            for lexeme, pos in positions.items()])
    return literal, tuple(positions)


@dataclass(frozen=True, slots=True)
class SearchWords:
    """A query's words: the tsquery, and the lexemes a match must hold whatever their positions, as groups of
    alternatives (a word the index expands, `expand` below), a prefix left out: what the words' cells can
    answer (clauses.add_area_words)."""

    literal: str
    exact: tuple[tuple[str, ...], ...]


def search_words(q: str, expand: Callable[[str], list[str] | None] | None = None) -> SearchWords | None:
    """Every term must match, the last one as a prefix (results while typing); None when nothing is left.

    `expand(term)` may list the lexemes a last term of more than three letters stands for (itself and the few
    longer ones the index holds): exact GIN entries are much cheaper than a prefix match; None keeps `:*`."""
    terms = [tokens(term) for term in query_terms(q)]
    terms = [parts for parts in terms if parts]
    if not terms:
        return None
    phrases = []
    exact: list[tuple[str, ...]] = []
    for number, parts in enumerate(terms, start=1):
        quoted = [_quote(p) for p in parts]
        exact += [(p,) for p in parts[:-1]]
        if number == len(terms):
            options = expand(parts[0]) if expand is not None and len(parts) == 1 and len(parts[0]) > 3 else None
            if options is None:
                quoted[-1] += ":*"
            elif len(options) > 1:
                quoted[-1] = "(" + " | ".join(_quote(o) for o in options) + ")"
                exact.append(tuple(options))
            else:
                exact.append((parts[-1],))
        else:
            exact.append((parts[-1],))
        phrases.append(quoted[0] if len(quoted) == 1 else "(" + " <-> ".join(quoted) + ")")
    return SearchWords(" & ".join(phrases), tuple(dict.fromkeys(exact)))


def tsquery_literal(q: str, expand: Callable[[str], list[str] | None] | None = None) -> str | None:
    """The tsquery of `search_words`."""
    words = search_words(q, expand)
    return None if words is None else words.literal
