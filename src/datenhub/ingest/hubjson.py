"""The hub's own JSON (one object, an array, or JSON Lines as `datenhub export --format jsonl` writes).

Used by the write API and to move data between hubs: an export re-imports without loss.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from datenhub.ingest.base import Adapter, AdapterOptions, Draft, RawInput, named_kind, unknown_kind, unusable_id
from datenhub.ingest.jsonload import load_json
from datenhub.ingest.registry import register
from datenhub.notices import Location, Notice, Severity

# Derived or bookkeeping fields are recomputed by the hub, never taken from input.
IGNORED = frozenset({"sources", "provenance", "first_seen", "last_changed", "withdrawn_at", "municipality",
                     "nearest_stations", "kind", "open_state", "distance_m", "tombstone"})


def to_draft(obj: dict[str, Any], pointer: str, raw: RawInput, kind: str | None = None) -> Draft | Notice:
    data = {k: v for k, v in obj.items() if k not in IGNORED and k != "id"}
    geo = data.pop("geo", None)
    if isinstance(geo, dict):
        data["lat"], data["lon"] = geo.get("lat"), geo.get("lon")
    for key in ("name", "description"):
        if isinstance(data.get(key), str):
            data[key] = {"de": data[key]}
    local = obj.get("id")
    bad_id = unusable_id(local, Location(source=raw.source, file=raw.name, pointer=pointer))
    if bad_id is not None:
        return bad_id
    local = None if local is None else str(local)
    if local and ":" in local and not local.startswith("dh-"):
        local = local.split(":", 1)[1]  # a record id from another hub keeps its local part
    where = Location(source=raw.source, file=raw.name, pointer=pointer, entity_id=local)
    given = obj.get("kind")
    entity_kind = kind or (named_kind(given) if given not in (None, "") else "event" if obj.get("start") else "place")
    return Draft(entity_kind, local, data, where) if entity_kind else unknown_kind(given, where)


@register
class HubJsonAdapter(Adapter):
    name = "hub-json"
    extensions = (".jsonl", ".ndjson")
    description = "the hub's own JSON: an object, an array, or JSON Lines (datenhub export --format jsonl)"

    def read(self, raw: RawInput, options: AdapterOptions) -> Iterator[Draft | Notice]:
        kind = (options.mapping or {}).get("kind")
        if raw.name.lower().endswith((".jsonl", ".ndjson")):
            for line_no, line in enumerate(raw.payload.splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    obj = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    yield Notice("invalid_json", Severity.ERROR, f"line is not JSON: {exc}",
                                 Location(source=raw.source, file=raw.name, row=line_no))
                    continue
                if not isinstance(obj, dict):
                    yield Notice("invalid_record", Severity.ERROR, "each line must be a JSON object",
                                 Location(source=raw.source, file=raw.name, row=line_no))
                    continue
                yield to_draft(obj, f"line {line_no}", raw, kind)
            return
        doc, notices = load_json(raw)
        yield from notices
        if doc is None:
            return
        items = doc if isinstance(doc, list) else [doc]
        for index, obj in enumerate(items):
            if not isinstance(obj, dict):
                yield Notice("invalid_record", Severity.ERROR, "each record must be a JSON object",
                             Location(source=raw.source, file=raw.name, pointer=f"/{index}"))
                continue
            yield to_draft(obj, f"/{index}", raw, kind)
