"""Hooks other subsystems fill in: `open_at` filtering comes from the opening-hours engine."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from datenhub.store.query import QueryError

# The distinct (opening hours, state prefix) pairs of active entities that open_values_at reads: a scan of the
# table, which both stores keep per data version.
HOURS_PAIRS_SQL = ("SELECT DISTINCT opening_hours, substr(municipality_ags, 1, 2) FROM entities "
                   "WHERE opening_hours IS NOT NULL AND withdrawn_at IS NULL")


def open_values_at(pairs: Iterable[tuple[str, str | None]], at: datetime) -> list[tuple[str, str]]:
    try:
        from datenhub.hours.filter import open_values
    except ImportError:  # pragma: no cover - the engine ships with the package
        raise QueryError("open_at", "opening-hours filtering is not available in this installation") from None
    return open_values(pairs, at)
