"""JSON loading that turns every failure (bad syntax, absurd nesting, wrong encoding) into a notice."""

from __future__ import annotations

import json
from typing import Any

from datenhub.ingest.base import RawInput
from datenhub.ingest.decode import read_text
from datenhub.notices import Location, Notice, Severity

MAX_DEPTH = 200  # real GeoJSON/JSON-LD is a few dozen levels deep at most


def _depth_exceeds(text: str, limit: int) -> bool:
    """Cheap scan before parsing: CPython's parser recurses, so 100k-deep input must never reach it."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def load_json(raw: RawInput) -> tuple[Any, list[Notice]]:
    """Return (document or None, notices)."""
    where = Location(source=raw.source, file=raw.name)
    text, notices = read_text(raw.payload, where, "JSON")
    if text is None:
        return None, notices
    # The scan is linear but slow in Python; only deep-looking documents need it.
    if text.count("[") + text.count("{") > MAX_DEPTH and _depth_exceeds(text, MAX_DEPTH):
        notices.append(Notice("json_too_deep", Severity.ERROR,
                              f"JSON nests deeper than {MAX_DEPTH} levels; refusing to parse it", where))
        return None, notices
    try:
        return json.loads(text), notices
    except json.JSONDecodeError as exc:
        notices.append(Notice("invalid_json", Severity.ERROR,
                              f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                              Location(source=raw.source, file=raw.name, row=exc.lineno)))
    except RecursionError:
        notices.append(Notice("json_too_deep", Severity.ERROR, "JSON nests too deeply to parse", where))
    return None, notices
