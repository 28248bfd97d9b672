"""The JSON shape of structured fields, before any other check reads them: a JSON or GeoJSON record may hold a
string where an object belongs ("contact": "https://…") or a list of URLs where images belong. What can be read
unambiguously is reshaped; anything else is dropped with a notice, never handed on to crash a later check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from datenhub.checks.base import Check, CheckContext
from datenhub.ingest.base import Draft, json_kind
from datenhub.notices import Notice, Severity

_OBJECTS = ("contact", "address")  # fields whose value is an object of texts
_TEXT_MAPS = ("name", "description")  # a text, or an object of texts by language
_LISTS = ("categories", "keywords")  # a list of texts, or one text of them separated by ; , or |
_SCALAR = (str, int, float)
_SEPARATORS = re.compile(r"[;,]")


def split_list(text: str) -> list[str]:
    """The items of a list written as one text: "a; b", "a, b", or, as the hub's CSV export joins them, "a|b",
    whose items may hold a comma ("Essen, Trinken|Bier")."""
    parts = text.split("|") if "|" in text else _SEPARATORS.split(text)
    return [part.strip() for part in parts if part.strip()]


class ShapeCheck(Check):
    codes = {
        "invalid_field_type": (Severity.WARNING, "a field holds the wrong kind of JSON value and was dropped"),
    }

    def check(self, draft: Draft, ctx: CheckContext) -> Iterator[Notice]:
        data = draft.data
        for name in _OBJECTS:
            value = data.get(name)
            if value is not None and not isinstance(value, dict):
                yield self._dropped(draft, name, value, "an object")
                del data[name]
            elif isinstance(value, dict):
                yield from self._scalars(draft, name, value)
        for name in _TEXT_MAPS:
            value = data.get(name)
            if isinstance(value, dict):
                yield from self._scalars(draft, name, value)
            elif value is not None and not isinstance(value, _SCALAR):
                yield self._dropped(draft, name, value, "a text or an object of texts by language")
                del data[name]
        for name in _LISTS:
            value = data.get(name)
            if isinstance(value, str):
                data[name] = split_list(value)
            elif isinstance(value, list):
                kept = [str(item) for item in value if isinstance(item, _SCALAR)]
                if len(kept) < len(value):
                    yield self._dropped(draft, name, value, "a list of texts")
                data[name] = kept
            elif value is not None:
                yield self._dropped(draft, name, value, "a list of texts")
                del data[name]
        if "images" in data:
            yield from self._images(draft, data)

    def _images(self, draft: Draft, data: dict[str, Any]) -> Iterator[Notice]:
        value = data["images"]
        if isinstance(value, (str, dict)):
            value = [value]
        if not isinstance(value, list):
            yield self._dropped(draft, "images", value, "a list of images")
            del data["images"]
            return
        kept: list[dict[str, Any]] = []
        for index, image in enumerate(value):
            if isinstance(image, str) and image.strip():
                kept.append({"url": image.strip()})  # a bare URL: an image without a licence, which LicenceCheck says
            elif isinstance(image, dict):
                caption = image.get("caption")
                if isinstance(caption, str):
                    image["caption"] = {"de": caption} if caption.strip() else {}
                elif caption is not None and not isinstance(caption, dict):
                    yield self._dropped(draft, f"images[{index}].caption", caption, "a text or texts by language")
                    del image["caption"]
                elif isinstance(caption, dict):
                    yield from self._scalars(draft, f"images[{index}].caption", caption)
                kept.append(image)
            elif image is not None:
                yield self._dropped(draft, f"images[{index}]", image, "an image object or its URL")
        data["images"] = kept

    def _scalars(self, draft: Draft, name: str, value: dict[str, Any]) -> Iterator[Notice]:
        for key in [k for k, v in value.items() if v is not None and not isinstance(v, _SCALAR)]:
            yield self._dropped(draft, f"{name}.{key}", value[key], "a text")
            del value[key]

    def _dropped(self, draft: Draft, field_name: str, value: Any, expected: str) -> Notice:
        return self.notice("invalid_field_type", f"expected {expected}, not {json_kind(value)}: left out", draft,
                           field_name, value)

