"""JSON Lines: one canonical record per line (the hub's own JSON, all fields)."""

from __future__ import annotations

from collections.abc import Iterator

from datenhub.publish.jsonbytes import dumps
from datenhub.publish.registry import Entities, Serializer, register_serializer


def write_jsonl(entities: Entities) -> Iterator[bytes]:
    for entity in entities:
        yield dumps(entity) + b"\n"


register_serializer(Serializer("jsonl", "application/x-ndjson", "jsonl", write_jsonl))
