"""JSON Lines: one canonical record per line (the hub's own JSON, all fields)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from datenhub.publish.registry import Entities, Serializer, register_serializer


def write_jsonl(entities: Entities) -> Iterator[bytes]:
    for entity in entities:
        yield (json.dumps(entity, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


register_serializer(Serializer("jsonl", "application/x-ndjson", "jsonl", write_jsonl))
