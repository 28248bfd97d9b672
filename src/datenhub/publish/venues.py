"""An event's venue (`place_id`) as the hub knows it: a source names it by whatever id it has (its own record id,
another hub's id, a bare local id); the hub reads it as a hub id, a record id (`source:local`), or the local id of
a record of the event's own source, which is how a hub's export names its places when another hub imports it.
Exports write the venue's hub id, so a file exported, edited and imported elsewhere still points to its places."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from datenhub.store import Store


def venue(store: Store, event: dict[str, Any], include_closed: bool = False) -> dict[str, Any] | None:
    """The place the event happens at, as the reader may read it; None when no place answers to its place_id."""
    place_id = event.get("place_id")
    if not isinstance(place_id, str) or not place_id:
        return None
    tried = [place_id] + [f"{source.split(':', 1)[0]}:{place_id}" for source in event.get("sources") or []
                          if isinstance(source, str) and ":" in source]
    for candidate in dict.fromkeys(tried):
        found = store.get_entity(candidate, include_closed=include_closed)
        if found is not None and found.get("kind") == "place":
            return found
    return None


def with_venue_ids(store: Store, entities: Iterable[dict[str, Any]], include_closed: bool = False
                   ) -> Iterator[dict[str, Any]]:
    """The entities, each event's place_id replaced by its venue's hub id where a place answers to it (looked up
    once per id); one no place answers to stays as given."""
    known: dict[tuple[str, tuple[str, ...]], str | None] = {}
    for entity in entities:
        place_id = entity.get("place_id")
        if entity.get("kind") == "event" and isinstance(place_id, str) and place_id:
            key = (place_id, tuple(s.split(":", 1)[0] for s in entity.get("sources") or [] if isinstance(s, str)))
            if key not in known:
                found = venue(store, entity, include_closed)
                known[key] = found["id"] if found else None
            if known[key] and known[key] != place_id:
                entity = {**entity, "place_id": known[key]}
        yield entity
