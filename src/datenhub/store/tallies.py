"""Figures both stores compute the same way from the rows their own SQL counts."""

from __future__ import annotations

from collections.abc import Iterable

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
