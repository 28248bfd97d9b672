"""Canonical field paths such as `name.de` or `address.street`, used by mapping files."""

from __future__ import annotations

from typing import Any

# Paths a mapping may target; anything else is a mistake in the mapping file.
TARGETS: frozenset[str] = frozenset({
    "id", "kind", "type", "category", "categories", "keywords",
    "name.de", "name.en", "name.nl", "description.de", "description.en", "description.nl",
    "lat", "lon", "address.street", "address.postal_code", "address.locality", "address.country",
    "contact.website", "contact.phone", "contact.email",
    "opening_hours", "opening_hours_text", "wheelchair", "route_role", "licence", "attribution",
    "image.url", "image.licence", "image.attribution", "image.author", "images",
    "start", "end", "all_day", "location_name", "organizer", "url", "status", "place_id",
})


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    head, _, rest = path.partition(".")
    if not rest:
        data[head] = value
        return
    child = data.setdefault(head, {})
    if isinstance(child, dict):
        child[rest] = value


def get_path(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node
