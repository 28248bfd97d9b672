"""The delta feed with filters: what changed since, and a tombstone for each changed record outside the filter.

A store's rows say what a record is now, not what it was when a mirror last synced, so a filtered feed cannot
know which of its changed records were in the mirror's copy. It lists every record of the kind that changed
since (as the unfiltered feed does, in the same order and pages): those that match the filters now in full, the
others as tombstones. A mirror drops a tombstone's id if it holds it and ignores it otherwise; a record that
left the filtered view (withdrawn, its open licence gone, another category, moved out of the box) is never kept
forever. What the clock alone moves (`from`, `to`, `open_at`) is no change of a record: a mirror of such a view
drops what time took out itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import orjson

from datenhub.store.base import Page
from datenhub.store.documents import RawDocument
from datenhub.store.query import Query, open_stubs_listed


def filtered(query: Query) -> bool:
    """Whether `query` is a delta feed (changed_since, in the order of change) narrowed by more than kind and ids."""
    return query.changed_since is not None and query.effective_sort() == "changed" and not open_stubs_listed(query)


def filtered_page(search: Callable[[Query], Page], query: Query) -> Page:
    """One page of the filtered delta feed `query` (see the module docstring), by two searches of the backend:
    the unfiltered feed's page, then its live records under the filters. The cursor is the unfiltered feed's, so
    a page's size and position do not depend on how many records the filters keep."""
    feed = search(Query(kind=query.kind, ids=query.ids, changed_since=query.changed_since, sort="changed",
                        include_closed=query.include_closed, open_licence_only=query.open_licence_only,
                        cursor=query.cursor, limit=query.limit))
    entries = feed.raw if feed.raw is not None else feed.items
    ids = {entry_id(entry): entry for entry in entries}
    live = tuple(i for i, entry in ids.items() if not _is_tombstone(entry))
    kept: dict[str, RawDocument | dict[str, Any]] = {}
    distances: dict[str, float] = {}
    if live:
        matched = search(replace(query, ids=live, cursor=None, limit=len(live)))
        kept = {entry_id(entry): entry for entry in (matched.raw if matched.raw is not None else matched.items)}
        distances = matched.distances
    shown: list[RawDocument | dict[str, Any]] = []
    for entity_id, entry in ids.items():
        if _is_tombstone(entry) or entity_id in kept:
            shown.append(kept.get(entity_id, entry))
        else:
            shown.append(_left(entry))
    return Page(None, feed.next_cursor, distances, raw=shown)


def entry_id(entry: RawDocument | dict[str, Any]) -> str:
    if isinstance(entry, dict):
        return str(entry["id"])
    parts = entry.parts() if entry.known else None
    return parts[0][1:-1].decode() if parts is not None else str(orjson.loads(entry.raw)["id"])


def _is_tombstone(entry: RawDocument | dict[str, Any]) -> bool:
    return isinstance(entry, dict) and bool(entry.get("tombstone"))


def _left(entry: RawDocument | dict[str, Any]) -> dict[str, Any]:
    """The tombstone of a live record outside the filters, dated by its last change: the one that took it out,
    or a later one (a mirror that held it drops it as of then; one that did not, ignores it)."""
    item = orjson.loads(entry.raw) if isinstance(entry, RawDocument) else entry
    changed = item.get("last_changed")
    return {"id": item["id"], "kind": item.get("kind"), "withdrawn_at": changed, "last_changed": changed,
            "tombstone": True}
