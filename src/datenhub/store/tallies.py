"""Figures both stores compute the same way from the rows their own SQL counts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from datenhub.model.licence import is_open, parse_licence

MAX_ATTRIBUTIONS = 50


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
