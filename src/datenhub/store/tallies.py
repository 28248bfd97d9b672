"""Figures both stores compute the same way from `record_tallies`: per source, licence and attribution, the active
and withdrawn records, their last change and last withdrawal, kept as records are written (a few rows to read
where a scan of every record's document took 11 s at 1M places on PostgreSQL). The stores' record writers add
new records (tally_rows), from keys the import workers compute, and so does PostgreSQL's for the records it
changes or withdraws, from the rows they replace; SQLite's trigger records_tally_update moves changed records. No
trigger per new row (SQLite: 1 s per 100k records, measured) and no statement trigger on PostgreSQL (its transition
tables copy every updated row: a forced re-import of 100k records updates every record's draft, ~200k rows of
~2 KB by our estimate)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from datenhub.model.licence import is_open, parse_licence

MAX_ATTRIBUTIONS = 50

# record rows (each store's record_row) end with the record's tally_key, after the columns of the records table
KEY_COLUMNS = 2
# where a record row holds its source, last change and withdrawal
_SOURCE, _CHANGED, _WITHDRAWN = 1, 8, 9


def tally_key(data: dict[str, Any]) -> tuple[str, str]:
    """A record's group within its source: its licence and attribution ('' for none), as the migrations' SQL and
    SQLite's trigger read them from the stored document."""
    return data.get("licence") or "", data.get("attribution") or ""


# A change of record_tallies: (source, licence, attribution, Δ active, Δ withdrawn, change time, withdrawal time)
Move = tuple[str, str, str, int, int, Any, Any]


def written(rows: Iterable[Sequence[Any]]) -> Iterator[Move]:
    """Record rows written: each joins its group, active or withdrawn, with its times."""
    for row in rows:
        withdrawn = row[_WITHDRAWN]
        yield row[_SOURCE], row[-2], row[-1], withdrawn is None, withdrawn is not None, row[_CHANGED], withdrawn


def replaced(rows: Iterable[tuple[str, str, str, bool, Any]]) -> Iterator[Move]:
    """Stored rows that others replace, as (source, licence, attribution, withdrawn?, change time of the row that
    replaced it): each leaves its group, which counts that time as a change (it left, or changed within, the
    group)."""
    for source, licence, attribution, was_withdrawn, changed in rows:
        yield source, licence, attribution, -(not was_withdrawn), -was_withdrawn, changed, None


def tally_rows(moves: Iterable[Move]) -> list[tuple[Any, ...]]:
    """Moves → record_tallies rows (source, licence, attribution, active, withdrawn, last change, last withdrawal)
    to add, one per group, in key order (two writers cannot deadlock)."""
    groups: dict[tuple[str, str, str], list[Any]] = {}
    for source, licence, attribution, active, withdrawn, changed, withdrawn_at in moves:
        key = (source, licence, attribution)
        found = groups.get(key)
        if found is None:
            found = groups[key] = [0, 0, None, None]
        found[0] += active
        found[1] += withdrawn
        found[2], found[3] = _later(found[2], changed), _later(found[3], withdrawn_at)
    return [(*key, *groups[key]) for key in sorted(groups)]


def _later(a: Any, b: Any) -> Any:
    return b if a is None else a if b is None else max(a, b)


# (source, licence, active, withdrawn, last change, last withdrawal) rows for active_licences and open_tallies;
# a licence of '' is a record without one
RECORD_TALLY_SQL = (
    "SELECT source, nullif(licence, ''), CAST(sum(active) AS bigint), CAST(sum(withdrawn) AS bigint), "
    "max(last_changed), max(last_withdrawn) FROM record_tallies GROUP BY source, licence")
# (source, attribution, active records) of the active records whose licence is neither closed nor missing
ATTRIBUTIONS_SQL = (
    "SELECT source, attribution, CAST(sum(active) AS bigint) FROM record_tallies WHERE active > 0 "
    "AND attribution <> '' AND licence NOT IN ('', 'closed') GROUP BY source, attribution")
# Store.counts() in COUNTS' order: one pass over the active entities, the withdrawn ones (few: a partial index
# of their own), the records from their tallies
COUNT_SQL = (
    "SELECT count(*) FILTER (WHERE kind = 'place'), count(*) FILTER (WHERE kind = 'event'), "
    "(SELECT count(*) FROM entities WHERE withdrawn_at IS NOT NULL), "
    "(SELECT CAST(coalesce(sum(active + withdrawn), 0) AS bigint) FROM record_tallies), "
    "(SELECT count(*) FROM sources), (SELECT count(*) FROM raw_inputs), (SELECT count(*) FROM notices), "
    "count(*) FILTER (WHERE kind = 'place' AND has_open), count(*) FILTER (WHERE kind = 'event' AND has_open) "
    "FROM entities WHERE withdrawn_at IS NULL")
# (records, withdrawn records) of the source {source} (a parameter's mark or a column)
SOURCE_TALLY_SQL = (
    "SELECT CAST(coalesce(sum(active + withdrawn), 0) AS bigint), CAST(coalesce(sum(withdrawn), 0) AS bigint) "
    "FROM record_tallies WHERE source = {source}")


def attribution_lists(rows: Iterable[tuple[str, str, int]]) -> dict[str, list[str]]:
    """(source, attribution, count) rows, most common first → {source: attributions}."""
    out: dict[str, list[str]] = {}
    for source, attribution, _ in sorted(rows, key=lambda row: (row[0], -row[2], row[1])):
        found = out.setdefault(source, [])
        if len(found) < MAX_ATTRIBUTIONS:
            found.append(attribution)
    return out


def licence_counts(rows: Iterable[tuple[str, str | None, int]]) -> dict[str, dict[str, int]]:
    """(source, licence, count) rows → {source: {licence: count}}; a record without a licence counts as closed."""
    out: dict[str, dict[str, int]] = {}
    for source, licence, count in rows:
        per = out.setdefault(source, {})
        per[licence or "closed"] = per.get(licence or "closed", 0) + int(count)
    return out


class OpenTally(NamedTuple):
    """What a reader of open data may learn of a source's changes (Store.open_record_changes)."""

    changed_at: str | None  # ISO, UTC: the last change of its open data, withdrawals included
    withdrawn: int  # its withdrawn open records


def active_licences(rows: Iterable[tuple[Any, ...]]) -> dict[str, dict[str, int]]:
    """Record tally rows (source, licence, active, withdrawn, last change, last withdrawal) → licence_counts of the
    active records."""
    return licence_counts((source, licence, active) for source, licence, active, *_ in rows if active)


def open_tallies(rows: Iterable[tuple[Any, ...]]) -> dict[str, OpenTally]:
    """Record tally rows (source, licence, active, withdrawn, last change of a record, last withdrawal) → {source:
    OpenTally} over the rows of open licences alone: closed records neither date nor count (times as SQLite's ISO
    text or PostgreSQL's datetimes). A record's last change is when its content last changed, not when an import
    last delivered it."""
    out: dict[str, OpenTally] = {}
    for source, licence, _, withdrawn, *times in rows:
        if not ((lid := parse_licence(licence)) and is_open(lid)):
            continue
        found = [_utc(t) for t in times if t is not None]
        before = out.get(source, OpenTally(None, 0))
        if before.changed_at is not None:
            found.append(datetime.fromisoformat(before.changed_at))
        changed = max(found).isoformat() if found else None
        out[source] = OpenTally(changed, before.withdrawn + int(withdrawn))
    return out


def _utc(value: str | datetime) -> datetime:
    return (datetime.fromisoformat(value) if isinstance(value, str) else value).astimezone(UTC)
