"""How many places a word search will match, worked out in the process from the planner's own statistics.

A text search picks its strategy by the number of matches (store.ranking: more than the budget is broad). Asking
the planner (`EXPLAIN`) costs a round trip and a planning per search, ~0.3 ms of a ~1.5 ms search at 1M places.
For the common case (words, maybe a box, the open view) the estimate is what the planner would compute from
the same statistics: the share of each lexeme from `pg_stats`, their product for an AND and the usual sum for
an OR, times the shares of the box's latitude and longitude ranges from their histograms. The statistics
change only when the table is analysed; they are read again after `REFRESH_S`.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

import psycopg

REFRESH_S = 60.0
DEFAULT_WORD_SHARE = 0.005  # the planner's default match selectivity (DEFAULT_TS_MATCH_SEL)


@dataclass(frozen=True, slots=True)
class EntityStatistics:
    rows: float
    words: dict[str, float]  # the most common lexemes of open_tsv → share of rows
    least: float  # the share of the least common lexeme listed
    lat: list[float]  # histogram bounds: equally many rows between each two
    lon: list[float]

    def word_share(self, lexeme: str, listed_only: bool = False) -> float:
        found = self.words.get(lexeme)
        if found is not None:
            return found
        # a lexeme not listed is rarer than every listed one: the planner assumes half the least common's
        return 0.0 if listed_only else min(DEFAULT_WORD_SHARE, self.least / 2)

    def prefix_share(self, prefix: str, listed_only: bool = False) -> float:
        matched = sum(share for word, share in self.words.items() if word.startswith(prefix))
        return min(1.0, matched if listed_only else max(matched, min(DEFAULT_WORD_SHARE, self.least / 2)))

    def query_share(self, tsquery: str, listed_only: bool = False) -> float:
        """The share of rows a tsquery of `fulltext.tsquery_literal`'s form matches: conjuncts of a lexeme, a
        phrase (`<->`), alternatives (`|`) or a prefix (`:*`). `listed_only`: lexemes the statistics do not list
        count as matching nothing, so the share is only what the listed ones say for sure."""
        share = 1.0
        for conjunct in tsquery.split(" & "):
            part = conjunct.strip("()")
            if " | " in part:
                missing = 1.0
                for word in part.split(" | "):
                    missing *= 1.0 - self.word_share(word.strip("'"), listed_only)
                share *= 1.0 - missing
            elif " <-> " in part:
                for word in part.split(" <-> "):
                    share *= self._term_share(word, listed_only)
            else:
                share *= self._term_share(part, listed_only)
        return share

    def _term_share(self, term: str, listed_only: bool) -> float:
        if term.endswith(":*"):
            return self.prefix_share(term[:-2].strip("'"), listed_only)
        return self.word_share(term.strip("'"), listed_only)

    def matches(self, tsquery: str, bbox: tuple[float, float, float, float] | None, listed_only: bool = False
                ) -> float:
        share = self.query_share(tsquery, listed_only)
        return self.rows * share * (self.box_share(bbox) if bbox is not None else 1.0)

    def box_share(self, bbox: tuple[float, float, float, float]) -> float:
        """The share of rows in a box (min_lon, min_lat, max_lon, max_lat), latitude and longitude independent."""
        min_lon, min_lat, max_lon, max_lat = bbox
        return _range_share(self.lat, min_lat, max_lat) * _range_share(self.lon, min_lon, max_lon)

    def box_rows(self, bbox: tuple[float, float, float, float]) -> float:
        return self.rows * self.box_share(bbox)


def _position(bounds: list[float], value: float) -> float:
    """Where `value` lies in the histogram, in buckets from its start (0 … len(bounds) - 1)."""
    if value <= bounds[0]:
        return 0.0
    if value >= bounds[-1]:
        return float(len(bounds) - 1)
    at = bisect_left(bounds, value)
    low, high = bounds[at - 1], bounds[at]
    return at - 1 + ((value - low) / (high - low) if high > low else 0.0)


def _range_share(bounds: list[float], low: float, high: float) -> float:
    if len(bounds) < 2:
        return 1.0
    return max(0.0, _position(bounds, high) - _position(bounds, low)) / (len(bounds) - 1)


_SQL = """
SELECT (SELECT reltuples FROM pg_class WHERE oid = 'entities'::regclass),
       max(CASE WHEN s.attname = 'open_tsv' THEN s.most_common_elems::text END)::text[],
       max(CASE WHEN s.attname = 'open_tsv' THEN s.most_common_elem_freqs::text END)::float8[],
       max(CASE WHEN s.attname = 'lat' THEN s.histogram_bounds::text END)::float8[],
       max(CASE WHEN s.attname = 'lon' THEN s.histogram_bounds::text END)::float8[]
FROM pg_stats s
WHERE s.tablename = 'entities' AND s.attname IN ('open_tsv', 'lat', 'lon')
  AND s.schemaname = (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE c.oid = 'entities'::regclass)
"""


def read(conn: psycopg.Connection[Any]) -> EntityStatistics | None:
    """None until the table has been analysed (the planner then guesses too; the caller asks it instead)."""
    row = conn.execute(_SQL).fetchone()
    if row is None or None in row or not row[0] or row[0] < 0:
        return None
    rows, lexemes, shares, lat, lon = row
    if len(shares) < len(lexemes) + 2:  # the shares, then the least and the greatest of them
        return None
    return EntityStatistics(float(rows), dict(zip(lexemes, shares[:len(lexemes)], strict=True)),
                            float(shares[len(lexemes)]), list(lat), list(lon))


class StatisticsCache:
    """One process's copy of the statistics, read again after REFRESH_S (or never while missing)."""

    def __init__(self) -> None:
        self._value: EntityStatistics | None = None
        self._read_at = float("-inf")

    def get(self, conn: psycopg.Connection[Any]) -> EntityStatistics | None:
        now = time.monotonic()
        if now - self._read_at >= REFRESH_S:
            self._value = read(conn)
            self._read_at = now
        return self._value

    def invalidate(self) -> None:
        """Read them again on next use (the tables were just analysed)."""
        self._read_at = float("-inf")


# Autovacuum analyses a table once more rows changed than 50 + 10 % of the rows its statistics know of, and it
# looks once a minute: for a minute or more after a big first import the planner plans for an empty table (a word
# page took ~170 ms instead of ~2 at 100k places). Until a VACUUM, the full-text indexes also keep up to 4 MB of new
# entries in a pending list that every search reads through and the planner prices in (words in a box: 14-18 ms
# instead of 7). An import that wrote more than autovacuum's threshold settles both itself, inside its
# transaction, so its rows, their index entries and their statistics commit together (store.bulk).
ANALYZE_BASE = 50
ANALYZE_SHARE = 0.1

_GIN_INDEXES = ("SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_am a ON a.oid = c.relam WHERE i.indrelid = 'entities'::regclass AND a.amname = 'gin'")


def known_rows(conn: psycopg.Connection[Any]) -> float:
    """The entity rows the statistics know of (0 before the first ANALYZE, where PostgreSQL says -1)."""
    row = conn.execute("SELECT reltuples FROM pg_class WHERE oid = 'entities'::regclass").fetchone()
    return max(float(row[0]), 0.0) if row else 0.0


def needs_analyze(written: int, known: float) -> bool:
    return written > ANALYZE_BASE + ANALYZE_SHARE * known


def settle(conn: psycopg.Connection[Any]) -> None:
    """Move the GIN indexes' pending entries into place and analyse the tables an import writes (100k places:
    ~0.04 s and ~0.7 s). A role that does not own the indexes leaves them to autovacuum."""
    for (index,) in conn.execute(_GIN_INDEXES).fetchall():
        try:
            with conn.transaction():  # a savepoint: without ownership only this step is undone
                conn.execute("SELECT gin_clean_pending_list(%s::regclass)", (index,))
        except psycopg.errors.InsufficientPrivilege:
            break
    # lexemes too: the word searches read ranges of it (search._expansions, _lexemes_starting), and without
    # statistics the planner guessed 3,000 rows for a range of 110,000 and read all of it through a bitmap
    conn.execute("ANALYZE entities, records, lexemes")  # a table the role does not own is skipped with a warning
