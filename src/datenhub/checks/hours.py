"""Opening hours: keep the raw OSM string, flag values the engine cannot parse, read German free text."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from datenhub.checks.base import Check, CheckContext
from datenhub.ingest.base import Draft
from datenhub.notices import Notice, Severity


class OpeningHoursCheck(Check):
    codes = {
        "invalid_opening_hours": (Severity.WARNING, "opening_hours is not valid OSM syntax; kept raw, not evaluated"),
        "opening_hours_normalised": (Severity.INFO, "German free-text hours were converted to OSM syntax"),
        "opening_hours_unreadable": (Severity.WARNING, "free-text hours could not be converted; kept as text"),
    }

    def check(self, draft: Draft, ctx: CheckContext) -> Iterator[Notice]:
        data = draft.data
        text = data.pop("opening_hours_text", None)
        spec = data.pop("opening_hours_specification", None)
        value = data.get("opening_hours")
        if not value and spec:
            try:
                from datenhub.hours.schemaorg import from_schemaorg

                value = from_schemaorg(spec if isinstance(spec, list) else [spec])
            except (ImportError, ValueError, TypeError, KeyError):
                value = None
        if not value and text:
            try:
                from datenhub.hours.normalize import normalize_german

                converted = normalize_german(str(text))
            except ImportError:
                converted = (None, 0.0, [])
            if converted[0]:
                value = converted[0]
                yield self.notice("opening_hours_normalised",
                                  f"read {text!r} as {value!r} (confidence {converted[1]:.0%})", draft,
                                  "opening_hours", text)
            else:
                yield self.notice("opening_hours_unreadable", "could not convert to OSM syntax", draft,
                                  "opening_hours", text)
        if value:
            value = str(value).strip()
            error = _syntax_error(value)
            if error is not None:
                yield self.notice("invalid_opening_hours", error, draft, "opening_hours", value)
        data["opening_hours"] = value or None


@lru_cache(maxsize=8192)  # feeds repeat the same few dozen hours strings thousands of times
def _syntax_error(value: str) -> str | None:
    """Why the opening-hours engine refuses this string; None when it parses (or the engine is absent)."""
    try:
        from datenhub.hours import OpeningHours, OpeningHoursError
    except ImportError:
        return None
    try:
        OpeningHours.parse(value)
    except OpeningHoursError as exc:
        return str(exc)
    return None
