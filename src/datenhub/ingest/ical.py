"""iCalendar (.ics) event feeds: VEVENTs as events, recurring ones expanded over a bounded window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from datenhub.clock import BERLIN
from datenhub.ingest.base import Adapter, AdapterOptions, Draft, RawInput
from datenhub.ingest.decode import read_text
from datenhub.ingest.registry import register
from datenhub.notices import Location, Notice, Severity

MAX_OCCURRENCES = 200
RECURRENCE_WINDOW = timedelta(days=400)


def _as_datetime(value: Any) -> tuple[datetime, bool]:
    """(aware datetime, all_day). Floating times are read as Europe/Berlin local time."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=BERLIN)), False
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=BERLIN), True
    raise TypeError(f"not a date: {value!r}")


def _text(component: Any, key: str) -> str | None:
    value = component.get(key)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value is not None else None


def _occurrences(component: Any, start: datetime, all_day: bool, now: datetime) -> list[datetime]:
    """The dates of a recurring event from RECURRENCE_WINDOW before the feed was fetched to as far after it: a
    series that began years ago still reaches the coming weeks. Over MAX_OCCURRENCES, the coming ones win; a
    series that ended before the window keeps its first dates."""
    rrule = component.get("RRULE")
    if rrule is None:
        return [start]
    from dateutil.rrule import rrulestr

    rule_text = rrule.to_ical().decode()
    naive_start = start.replace(tzinfo=None) if all_day else start
    rule = rrulestr(rule_text, dtstart=naive_start)
    at = now.astimezone(BERLIN).replace(tzinfo=None) if all_day else now
    found = rule.between(max(naive_start, at - RECURRENCE_WINDOW), at + RECURRENCE_WINDOW, inc=True)
    if not found:  # a series over long before the fetch (an archive): its first dates, as they were
        found = rule.between(naive_start, naive_start + RECURRENCE_WINDOW, inc=True)[:MAX_OCCURRENCES]
    coming = [o for o in found if o >= at][:MAX_OCCURRENCES]
    past = [o for o in found if o < at][-(MAX_OCCURRENCES - len(coming)):] if len(coming) < MAX_OCCURRENCES else []
    out = [o.replace(tzinfo=BERLIN) if o.tzinfo is None else o for o in past + coming]
    excluded = set()
    exdates = component.get("EXDATE")
    for ex in exdates if isinstance(exdates, list) else ([exdates] if exdates else []):
        for d in ex.dts:
            excluded.add(_as_datetime(d.dt)[0].astimezone(UTC))
    return [o for o in out if o.astimezone(UTC) not in excluded]


@register
class ICalAdapter(Adapter):
    name = "ical"
    extensions = (".ics", ".ical", ".ifb")
    description = "iCalendar feeds (RFC 5545): VEVENTs with recurrence expanded 400 days either side of the fetch"

    def read(self, raw: RawInput, options: AdapterOptions) -> Iterator[Draft | Notice]:
        import icalendar

        where = Location(source=raw.source, file=raw.name)
        text, notices = read_text(raw.payload, where, "iCalendar")
        yield from notices
        if text is None:
            return
        try:
            calendars = icalendar.Calendar.from_ical(text, multiple=True)
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            yield Notice("invalid_ical", Severity.ERROR, f"not valid iCalendar: {exc}", where)
            return
        if not calendars:
            yield Notice("invalid_ical", Severity.ERROR,
                         "no complete VCALENDAR found (unbalanced BEGIN/END: is the file cut off?)", where)
            return
        index = 0
        for calendar in calendars:
            for component in calendar.walk("VEVENT"):
                index += 1
                pointer = f"VEVENT[{index}]"
                uid = _text(component, "UID")
                loc = Location(source=raw.source, file=raw.name, pointer=pointer, entity_id=uid)
                try:
                    dtstart = component.get("DTSTART")
                    start, all_day = _as_datetime(dtstart.dt) if dtstart is not None else (None, False)
                    dtend = component.get("DTEND")
                    end = _as_datetime(dtend.dt)[0] if dtend is not None else None
                    if end is None and component.get("DURATION") is not None and start is not None:
                        end = start + component.get("DURATION").dt
                except (TypeError, ValueError, AttributeError) as exc:
                    yield Notice("invalid_date", Severity.ERROR, f"unreadable DTSTART/DTEND: {exc}", loc)
                    continue
                data: dict[str, Any] = {
                    "type": "Event",
                    "name": {"de": _text(component, "SUMMARY")} if _text(component, "SUMMARY") else {},
                    "description": ({"de": _text(component, "DESCRIPTION")}
                                    if _text(component, "DESCRIPTION") else {}),
                    "location_name": _text(component, "LOCATION"),
                    "url": _text(component, "URL"),
                    "all_day": all_day,
                }
                status = _text(component, "STATUS")
                if status:
                    data["status"] = {"CANCELLED": "EventCancelled", "TENTATIVE": "EventScheduled",
                                      "CONFIRMED": "EventScheduled"}.get(status.upper(), "EventScheduled")
                organizer = component.get("ORGANIZER")
                if organizer is not None:
                    data["organizer"] = organizer.params.get("CN") or str(organizer).removeprefix("mailto:")
                geo = component.get("GEO")
                if geo is not None:
                    data["lat"], data["lon"] = geo.latitude, geo.longitude
                categories = component.get("CATEGORIES")
                if categories is not None:
                    cats = categories if isinstance(categories, list) else [categories]
                    data["keywords"] = [str(c) for cat in cats for c in getattr(cat, "cats", [cat])]
                if start is None:
                    yield Draft("event", uid, data, loc)  # checks report the missing start
                    continue
                duration = (end - start) if end is not None else None
                try:
                    starts = _occurrences(component, start, all_day, raw.fetched_at)
                except (ValueError, TypeError) as exc:
                    yield Notice("invalid_recurrence", Severity.WARNING,
                                 f"recurrence rule unreadable ({exc}); only the first date is kept", loc)
                    starts = [start]
                # an occurrence is named by its date; by date and time where a rule repeats within a day
                daily = len({o.date() for o in starts}) == len(starts)
                for occurrence in starts:
                    item = dict(data)
                    item["start"] = occurrence.isoformat()
                    item["end"] = (occurrence + duration).isoformat() if duration is not None else None
                    stamp = occurrence.date().isoformat() if daily else occurrence.strftime("%Y-%m-%dT%H%M")
                    local = uid if len(starts) == 1 or uid is None else f"{uid}#{stamp}"
                    yield Draft("event", local, item, Location(source=raw.source, file=raw.name,
                                                               pointer=pointer, entity_id=local))
