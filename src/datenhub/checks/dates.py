"""Event dates: ISO 8601 or common German notation; naive times are Europe/Berlin."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

from datenhub.checks.base import Check, CheckContext
from datenhub.clock import BERLIN, local_if_utc
from datenhub.ingest.base import Draft
from datenhub.notices import Notice, Severity

_EVENT_EXTRAS = ("all_day", "location_name", "organizer", "status", "place_id", "url")  # an event's, besides its dates
_GERMAN = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,]+(\d{1,2})[:.](\d{2})(?:\s*Uhr)?)?$")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_WRITE_DATES = "write 2026-11-24, 2026-11-24T18:00 or 24.11.2026 18:00"


def bare_number(value: object) -> bool:
    """A JSON number or a cell of digits: no format we read documents epoch seconds, and datetime.fromisoformat
    would take 20261124 for a date (ISO 8601's basic form) where it is as likely a count or a timestamp."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float) or (isinstance(value, str) and bool(_NUMBER.match(value.strip())))


def parse_when(value: object) -> tuple[datetime, bool] | None:
    """(aware datetime, date_only) or None."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=BERLIN)), False
    if bare_number(value):
        return None
    text = str(value or "").strip()
    if not text:
        return None
    match = _GERMAN.match(text)
    try:
        if match:
            day, month, year, hour, minute = match.groups()
            at = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), tzinfo=BERLIN)
            return at, hour is None
        date_only = len(text) == 10
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=BERLIN)), date_only


class DatesCheck(Check):
    codes = {
        "missing_start": (Severity.ERROR, "an event needs a start date"),
        "invalid_date": (Severity.ERROR, "a date cannot be read (ISO 8601 or 24.12.2026 18:00 expected)"),
        "end_before_start": (Severity.WARNING, "the end lies before the start; the end was dropped"),
        "invalid_end_date": (Severity.WARNING, "the end date cannot be read; it was dropped, the event kept"),
        "event_fields_ignored": (Severity.WARNING, "a place has values only events have (a venue name, organizer, "
                                                   "status …); they are left out"),
    }

    def check(self, draft: Draft, ctx: CheckContext) -> Iterator[Notice]:
        if draft.kind != "event":
            # a place row of a file that also holds events (its event columns): what only events have is left
            # out, and said; a start or end stays, so that the record is held back and told to be an event. A
            # page of its own (an events file's "url" column) is a place's website, where it names none.
            contact = draft.data.get("contact") or {}  # an object, or none (checks.shape)
            if draft.data.get("url") and not contact.get("website"):
                draft.data["contact"] = {**contact, "website": draft.data.pop("url")}
            found = sorted(k for k in _EVENT_EXTRAS if draft.data.get(k) not in (None, ""))
            if found:
                yield self.notice("event_fields_ignored", f"places have no {', '.join(found)}: left out", draft,
                                  found[0], draft.data[found[0]] if len(found) == 1 else [draft.data[k] for k in found])
            for key in _EVENT_EXTRAS:
                draft.data.pop(key, None)
            return
        data = draft.data
        if not data.get("start"):
            yield self.notice("missing_start", "no start date", draft, "start")
            data["start"] = "invalid"
            return
        start = parse_when(data["start"])
        if start is None:
            yield self.notice("invalid_date", _unreadable("start", data["start"]), draft, "start", data["start"])
            data["start"] = "invalid"
            return
        data["start"] = local_if_utc(start[0]).isoformat()
        if start[1]:
            data["all_day"] = True
        if data.get("end"):
            end = parse_when(data["end"])
            # a date alone is the event's last day, as people write it (and schema.org's endDate means it); the
            # hub's `end` is exclusive, as iCalendar's DTEND: the next midnight
            if end is None:
                yield self.notice("invalid_end_date", f"{_unreadable('end', data['end'])}; dropped", draft, "end",
                                  data["end"])
                data["end"] = None
                return
            until = end[0] + timedelta(days=1) if end[1] else end[0]
            if until < start[0] or (end[1] and until <= start[0]):  # a last day before the first: no event left
                yield self.notice("end_before_start", "end before start; dropped", draft, "end", data["end"])
                data["end"] = None
            else:
                data["end"] = local_if_utc(until).isoformat()


def _unreadable(which: str, value: object) -> str:
    if bare_number(value):
        return f"the {which} date is a bare number, which is not read as a date (nor as epoch seconds): {_WRITE_DATES}"
    return f"unreadable {which} date"
