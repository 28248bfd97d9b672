"""The serializer registry. Built-in formats register exactly like third-party ones."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from datenhub.store.documents import View

Entities = Iterable[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Serializer:
    name: str
    media_type: str
    extension: str
    write: Callable[[Entities], Iterator[bytes]]  # streams, so a 1M-entity export needs no 1M-entity list
    live_state: bool = False  # the format shows the API's live members (`open_state`): computed only for those
    view: View = "full"  # what the format reads of a stored document: pages parse only that (store.documents)
    links: bool = False  # write takes `base_url=`: the format names entities by absolute URLs of the hub
    languages: bool = False  # every language has its own columns (CSV): a chosen language changes nothing

    def stream(self, entities: Entities, base_url: str | None = None) -> Iterator[bytes]:
        """`write`, with the hub's base URL where the format links to entities (the server answering)."""
        if self.links and base_url is not None:
            return self.write(entities, base_url=base_url)  # type: ignore[call-arg]
        return self.write(entities)


SERIALIZERS: dict[str, Serializer] = {}
BUILTIN_MODULES = ("datenhub.publish.jsonl", "datenhub.publish.geojson", "datenhub.publish.csv_",
                   "datenhub.publish.jsonld", "datenhub.publish.ical_")


_builtins_loaded = False


def _load_builtins() -> None:
    global _builtins_loaded
    for module in BUILTIN_MODULES:
        import_module(module)
    _builtins_loaded = True  # once: get_serializer runs for every API response in a format


def register_serializer(serializer: Serializer) -> Serializer:
    SERIALIZERS[serializer.name] = serializer
    return serializer


def get_serializer(name: str) -> Serializer:
    if not _builtins_loaded:
        _load_builtins()
    try:
        return SERIALIZERS[name]
    except KeyError:
        raise LookupError(f"unknown format {name!r}; known: {', '.join(sorted(SERIALIZERS))}") from None
