"""What SQLite's full-text index is asked: the MATCH expression of a search, with the last word expanded to the
indexed terms it starts, and the prominence tiers the index holds. Both read the index's vocabulary
(entities_fts_vocab) and are memoised per data version by the store."""

from __future__ import annotations

import sqlite3
from typing import Any

from datenhub.store.ranking import TIER
from datenhub.store.text import prefix_end, query_terms

# FTS5 writes what an import adds as a new segment of the index at every statement savepoint (once per import
# batch), and its automerge left about nine segments after 100k places: a search then looks each term up in
# every one of them (a text page spent ~20 µs of ~100 µs of SQL there). So during an import automerge is off,
# and an import that wrote at least this share of the index merges it into one segment when it is done (0.3 s
# per 100k places, about what the merges during the import cost); after smaller ones automerge does the rest,
# since merging everything rewrites the whole index. FTS5's crisis merge bounds the segments either way.
COMPACT_SHARE = 0.2
COMPACT_MIN_ROWS = 10_000
AUTOMERGE = 4  # FTS5's default


def set_automerge(db: sqlite3.Connection, on: bool) -> None:
    db.execute("INSERT INTO entities_fts (entities_fts, rank) VALUES ('automerge', ?)", (AUTOMERGE if on else 0,))


def compact_after_import(db: sqlite3.Connection, written: int) -> bool:
    """Merge the full-text index into one segment after an import that wrote much of it; True if it did."""
    if written < COMPACT_MIN_ROWS:
        return False
    indexed = db.execute("SELECT max(rowid) FROM entities").fetchone()[0] or 0
    if written < COMPACT_SHARE * indexed:
        return False
    db.execute("INSERT INTO entities_fts (entities_fts) VALUES ('optimize')")
    return True


def fts_expression(q: str, column: str, db: sqlite3.Connection | None = None,
                   memo: dict[str, Any] | None = None) -> str | None:
    terms = query_terms(q)
    if not terms:
        return None
    # Every term must match; the last one as a prefix so results appear while the user types.
    last = terms[-1]
    prefix = memo.get(last) if memo is not None else None
    if prefix is None:
        prefix = _prefix(last, db)
        remember(memo, last, prefix)
    parts = [_phrase(t) for t in terms[:-1]] + [prefix]
    return f"{column} : ({' AND '.join(parts)})"  # explicit AND: FTS5 allows no implicit one before a group


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


_INDEXED_PREFIXES = 3  # entities_fts has prefix indexes for 2 and 3 characters
_MAX_EXPANSION = 8


def _prefix(term: str, db: sqlite3.Connection | None) -> str:
    """The last query term as a prefix. FTS5 answers a prefix longer than its prefix indexes by merging the
    doclists of every matching term into a new one first, which for a frequent word ("forderturm*", half of
    all records) costs milliseconds even when a small area or a rare other word would have stopped it early.
    When only a few indexed terms start with it, OR-ing them instead lets FTS5 step through the doclists
    lazily: the same matches, without the copy."""
    expanded = _expansion(term, db)
    if expanded is None:
        return _phrase(term) + "*"
    if len(expanded) == 1:
        return _phrase(term)
    return "(" + " OR ".join(_phrase(t) for t in expanded) + ")"


def _expansion(term: str, db: sqlite3.Connection | None) -> list[str] | None:
    """The indexed terms the last query word stands for (itself first); None: too many, FTS5's prefix query."""
    if db is None or len(term) <= _INDEXED_PREFIXES:
        return None
    longer = [t for t in vocabulary(db, term, _MAX_EXPANSION + 2) if t != term]
    return None if len(longer) > _MAX_EXPANSION else [term, *longer]


# bm25 weighs each word by its IDF, log((N - n + 0.5) / (n + 0.5)), and FTS5 computes n on every search by
# stepping through the word's whole doclist: for "ruhr" (half of 100k places) 5-9 ms, when finding and ordering
# a box's few hundred matches costs 2-3 ms. A word in at least half the documents gets FTS5's floor IDF (1e-6):
# bm25 then only orders by how often the word occurs against document length, which for such a word says next
# to nothing. For those searches the ranking keeps prominence and name matches and skips bm25 (`flat_rank`).
FLAT_MIN_DOCS = 5_000  # below this many documents holding the words, bm25's IDF pass costs under ~0.5 ms


def flat_rank(q: str, db: sqlite3.Connection, memo: dict[str, Any] | None) -> bool:
    """Whether every indexed word the search text stands for is in at least half the indexed documents (and
    in at least FLAT_MIN_DOCS): then bm25 adds cost, not order. Memoised like the prefix expansions."""
    key = _FLAT_KEY + q
    known = memo.get(key) if memo is not None else None
    if known is None:
        known = _all_common(q, db, memo)
        remember(memo, key, known)
    return bool(known)


def _all_common(q: str, db: sqlite3.Connection, memo: dict[str, Any] | None) -> bool:
    terms = query_terms(q)
    if not terms:
        return False
    expanded = _expansion(terms[-1], db)
    if expanded is None:
        return False  # FTS5's own prefix query: its document count is not in the vocabulary
    words = terms[:-1] + expanded
    counts = [db.execute("SELECT doc FROM entities_fts_vocab WHERE term = ?", (w,)).fetchone() for w in words]
    indexed = memo.get(_INDEXED_KEY) if memo is not None else None
    if indexed is None:
        indexed = db.execute("SELECT count(*) FROM entities_fts_docsize").fetchone()[0]  # FTS5's row count
        remember(memo, _INDEXED_KEY, indexed)
    docs = [c[0] if c else 0 for c in counts]
    return sum(docs) >= FLAT_MIN_DOCS and all(2 * n >= indexed for n in docs)


def tiers(db: sqlite3.Connection, memo: dict[str, Any] | None) -> list[int]:
    """The prominence tiers present in the index, highest first (memoised like the prefix expansions)."""
    found = memo.get(_TIERS_KEY) if memo is not None else None
    if found is None:
        found = sorted((int(term[len(TIER):]) for (term,) in db.execute(
            "SELECT term FROM entities_fts_vocab WHERE term >= ? AND term < ?", (TIER, TIER[:-1] + "r"))
            if term[len(TIER):].isdigit()), reverse=True)
        remember(memo, _TIERS_KEY, found)
    return found


MEMO_LIMIT = 10_000  # entries: distinct searches could otherwise grow it without bound


def remember(memo: dict[str, Any] | None, key: str, value: Any) -> None:
    """Keep a search-side answer that depends on the index alone; the memo lives as long as the index does not
    change (SqliteStore._cached)."""
    if memo is not None and len(memo) < MEMO_LIMIT:
        memo[key] = value


_TIERS_KEY = "\x00tiers"  # memo keys; no query term contains NUL
_FLAT_KEY = "\x00flat\x00"
_INDEXED_KEY = "\x00indexed"


def vocabulary(db: sqlite3.Connection, prefix: str, limit: int) -> list[str]:
    """Indexed terms starting with `prefix` (non-empty), in order; cell and tier tokens included."""
    return [t for (t,) in db.execute("SELECT term FROM entities_fts_vocab WHERE term >= ? AND term < ? LIMIT ?",
                                     (prefix, prefix_end(prefix), limit))]
