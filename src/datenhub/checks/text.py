"""Text fields: names present, sizes bounded, no control characters, no encoding damage."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from datenhub.checks.base import Check, CheckContext
from datenhub.ingest.base import Draft
from datenhub.ingest.decode import looks_mojibake
from datenhub.notices import Notice, Severity

MAX_NAME = 300
MAX_TEXT = 20_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LANG_FIELDS = ("name", "description")


def _as_texts(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items() if v is not None and str(v).strip()}
    if isinstance(value, str) and value.strip():
        return {"de": value}
    return {}


def _without_controls(value: Any, path: str) -> tuple[Any, list[str]]:
    """`value` with control characters taken out of every string in it, and the paths where some were."""
    if isinstance(value, str):
        return (_CONTROL.sub("", value), [path]) if _CONTROL.search(value) else (value, [])
    if isinstance(value, dict):
        found: list[str] = []
        out: dict[Any, Any] = {}
        for key, item in value.items():
            out[key], inner = _without_controls(item, f"{path}.{key}")
            found += inner
        return out, found
    if isinstance(value, list):
        found, items = [], []
        for index, item in enumerate(value):
            clean, inner = _without_controls(item, f"{path}[{index}]")
            items.append(clean)
            found += inner
        return items, found
    return value, []


class TextCheck(Check):
    codes = {
        "missing_name": (Severity.ERROR, "the record has no name in any language"),
        "oversized_field": (Severity.WARNING, "a text field is longer than allowed and was cut"),
        "control_characters": (Severity.WARNING, "control characters were removed from a text field"),
        "replacement_character": (Severity.WARNING, "text shows encoding damage (� or UTF-8 read as Latin-1)"),
    }

    def check(self, draft: Draft, ctx: CheckContext) -> Iterator[Notice]:
        data = draft.data
        for field_name in _LANG_FIELDS:
            texts = _as_texts(data.get(field_name))
            limit = MAX_NAME if field_name == "name" else MAX_TEXT
            for lang, text in list(texts.items()):
                path = f"{field_name}.{lang}"
                if _CONTROL.search(text):
                    text = _CONTROL.sub("", text)
                    yield self.notice("control_characters", "control characters removed", draft, path)
                if len(text) > limit:
                    yield self.notice("oversized_field", f"{len(text):,} characters, cut to {limit:,}",
                                      draft, path, text)
                    text = text[:limit]
                if looks_mojibake(text):
                    yield self.notice("replacement_character",
                                      "text looks damaged by a wrong encoding; check the file's encoding",
                                      draft, path, text)
                texts[lang] = text.strip()
            data[field_name] = {k: v for k, v in texts.items() if v}
        if not data.get("name"):
            yield self.notice("missing_name", "the record has no name; it cannot be published", draft, "name")
        for key in [k for k in data if k not in _LANG_FIELDS]:
            # every other text too (attribution, address, image credits …): XML outputs cannot hold them at all
            data[key], paths = _without_controls(data[key], key)
            for path in paths:
                yield self.notice("control_characters", "control characters removed", draft, path)
        for key in ("opening_hours", "opening_hours_text", "location_name", "organizer", "attribution"):
            value = data.get(key)
            if isinstance(value, str) and len(value) > MAX_TEXT:
                yield self.notice("oversized_field", f"{len(value):,} characters, cut to {MAX_TEXT:,}",
                                  draft, key, value)
                data[key] = value[:MAX_TEXT]
