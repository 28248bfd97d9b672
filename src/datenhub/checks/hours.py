"""Opening hours: keep the raw OSM string, flag values the engine cannot parse, read German free text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from datenhub.checks.base import Check, CheckContext
from datenhub.ingest.base import Draft
from datenhub.notices import Notice, Severity

if TYPE_CHECKING:
    from datenhub.hours.selectors import Rule


MAX_COMMENT = 250  # characters of unreadable free text kept as the hours' comment


class OpeningHoursCheck(Check):
    codes = {
        "invalid_opening_hours": (Severity.WARNING, "opening_hours is not valid OSM syntax; kept raw, not evaluated"),
        "opening_hours_normalised": (Severity.INFO, "hours in free text or loose syntax were converted to OSM syntax"),
        "opening_hours_unreadable": (Severity.WARNING, "free-text hours could not be converted; kept as a comment"),
        "opening_hours_partly_read": (Severity.WARNING, "free-text hours were converted leaving out a part"),
    }

    def warm(self) -> None:
        _read("Mo-Fr 10:00-18:00")  # imports the engine and its holiday calendars

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
        syntax = _read(str(text).strip()) if not value and text else None
        if syntax == (None, None):
            value = str(text)  # not prose but the syntax itself, exactly ("24/7"): taken as it is
        elif not value and text:
            try:
                from datenhub.hours.normalize import normalize_german

                converted = normalize_german(str(text))
            except ImportError:
                converted = (None, 0.0, [])
            if not converted[0] and syntax is not None and syntax[0] is None:
                value = str(text)  # the syntax, loosely written: canonicalised below
            elif converted[0]:
                value, confidence, notes = converted
                if confidence < 1:  # a part was left out ("24.12. geschlossen"): published, and flagged
                    yield self.notice("opening_hours_partly_read",
                                      f"read {text!r} as {value!r}, leaving out what was not understood: "
                                      f"{'; '.join(notes) or 'some words'}", draft, "opening_hours", text)
                else:
                    yield self.notice("opening_hours_normalised", f"read {text!r} as {value!r}", draft,
                                      "opening_hours", text)
            else:
                # kept as an OSM comment: visitors read the text as written, and the state is "unknown"
                value = '"' + " ".join(str(text).replace('"', "'").split())[:MAX_COMMENT] + '"'
                why = "; ".join(converted[2]) or "no days or times found"
                yield self.notice("opening_hours_unreadable", f"could not convert {text!r} to OSM syntax ({why}); "
                                  f"kept as the comment {value}", draft, "opening_hours", text)
        if value:
            value = str(value).strip()
            error, canonical = _read(value)
            if error is not None:
                yield self.notice("invalid_opening_hours", error, draft, "opening_hours", value)
            elif canonical is not None:
                # words the engine had to read tolerantly ("Di-So 10-18 Uhr"): other consumers of the value
                # (schema.org, apps, opening_hours.js) expect the syntax, so the canonical form is kept
                yield self.notice("opening_hours_normalised", f"read {value!r} as {canonical!r}", draft,
                                  "opening_hours", value)
                value = canonical
        data["opening_hours"] = value or None


@lru_cache(maxsize=8192)  # feeds repeat the same few dozen hours strings thousands of times
def _read(value: str) -> tuple[str | None, str | None]:
    """(why the engine refuses this string, or None; its canonical form if the engine had to correct what it
    read, such as German words or times without minutes, else None). Both None when the engine is absent."""
    try:
        from datenhub.hours import OpeningHours, OpeningHoursError
        from datenhub.hours.prettify import prettify
    except ImportError:
        return None, None
    try:
        hours = OpeningHours.parse(value)
    except OpeningHoursError as exc:
        return str(exc), None
    if not hours.notes:
        return None, None
    canonical = prettify(times_continue_days(hours.rules))
    return None, canonical if canonical != value else None


def times_continue_days(rules: list[Rule]) -> list[Rule]:
    """Loose text such as "Mo-Fr 9-12 Uhr; 14-18 Uhr" means the afternoon of the same days: OSM syntax would read
    a rule of times alone as every day, so its times join the rule before (a copy: parsed rules are cached)."""
    out: list[Rule] = []
    for rule in rules:
        before = out[-1] if out else None
        if (before is not None and rule.separator == ";" and not rule.groups and rule.times and rule.state is None
                and rule.comment is None and before.groups and before.times and before.state is None
                and before.comment is None and not rule.has_247):
            out[-1] = replace(before, times=[*before.times, *rule.times])
        else:
            out.append(rule)
    return out
