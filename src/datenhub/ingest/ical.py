"""iCalendar (.ics) event feeds: VEVENTs as events, recurring ones expanded over a bounded window.

A series (RRULE or RDATE) yields one event per occurrence, named `UID#date` (`UID#dateTtime` where the rule
repeats within a day), so an occurrence keeps its id however many others the series has; a VEVENT that does
not recur is named by its UID alone. A VEVENT with the series' UID and a RECURRENCE-ID replaces the occurrence
it names and keeps that occurrence's id, wherever it moves it (its own fields win; what it leaves out, the
series gives). Expansion itself lives in `ical_series`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from datenhub.ingest.base import Adapter, AdapterOptions, Draft, RawInput
from datenhub.ingest.decode import read_text
from datenhub.ingest.ical_series import MAX_OCCURRENCES, RECURRENCE_WINDOW, Series, as_datetime, expand
from datenhub.ingest.registry import register
from datenhub.model.categories import normalise_category
from datenhub.notices import Location, Notice, Severity

__all__ = ["MAX_OCCURRENCES", "RECURRENCE_WINDOW", "ICalAdapter"]

_TIMING = ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID")  # properties that may occur once (RFC 5545 3.6.1)


def _text(component: Any, key: str) -> str | None:
    value = component.get(key)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value is not None else None


def _ical(value: Any) -> str:
    try:
        return str(value.to_ical().decode())
    except (AttributeError, ValueError, TypeError):
        return str(value)


def _moment(value: Any) -> object:
    """What a date property means, to tell a repeated property from a contradicting one."""
    try:
        return value.dt  # type: ignore[no-any-return]
    except (AttributeError, ValueError):
        return _ical(value)


@dataclass(slots=True)
class _Vevent:
    """One VEVENT as read: where it is, when it is (start None: no DTSTART), and its event fields."""

    uid: str | None
    pointer: str
    start: datetime | None
    all_day: bool
    floating: bool
    duration: timedelta | None
    recurrence_id: datetime | None
    sequence: int
    data: dict[str, Any]


def _single(component: Any, key: str, label: str, loc: Location) -> tuple[Any, Notice | None]:
    """A property that must occur once. Repeated with one value it is read (WARNING); with values that
    disagree, which is meant cannot be told and the VEVENT is held back (ERROR)."""
    value = component.get(key)
    if not isinstance(value, list):
        return value, None
    shown = ", ".join(_ical(v) for v in value)
    where = loc.at_field(key)
    if len({_moment(v) for v in value}) == 1:
        return value[0], Notice("duplicate_property", Severity.WARNING,
                                f"{label} has {len(value)} {key} properties ({shown}); the first is used",
                                where, shown)
    return None, Notice("duplicate_property", Severity.ERROR,
                        f"{label} has {len(value)} {key} properties that disagree ({shown}); which one is meant "
                        "cannot be told, so the event is not imported", where, shown)


def _label(uid: str | None, pointer: str) -> str:
    return f"VEVENT UID={uid}" if uid is not None else f"{pointer} (no UID)"


def _unreadable(timing: dict[str, Any], exc: Exception) -> str:
    """What a steward can act on: the property and its value as written, not the iCal library's words."""
    for key, prop in timing.items():
        if prop is None:
            continue
        try:
            prop.dt  # noqa: B018 (the access is the test)
        except (TypeError, ValueError, AttributeError):
            raw = getattr(prop, "to_ical", None)
            try:
                written = raw().decode("utf-8", "replace") if raw else str(prop)
            except (TypeError, ValueError, AttributeError):
                written = "?"
            return (f"{key} {written!r} is not a valid date or date-time (write e.g. 20260627 for a day or "
                    "20260627T180000 with TZID for a time)")
    return f"unreadable date: {exc}"


def _read_vevent(component: Any, pointer: str, loc: Location) -> tuple[_Vevent | None, list[Notice]]:
    uid = _text(component, "UID")
    label = _label(uid, pointer)
    notices: list[Notice] = []
    timing: dict[str, Any] = {}
    for key in _TIMING:
        timing[key], notice = _single(component, key, label, loc)
        if notice is not None:
            notices.append(notice)
            if notice.severity is Severity.ERROR:
                return None, notices
    try:
        dtstart = timing["DTSTART"]
        start, all_day = as_datetime(dtstart.dt) if dtstart is not None else (None, False)
        floating = dtstart is not None and isinstance(dtstart.dt, datetime) and dtstart.dt.tzinfo is None
        end = as_datetime(timing["DTEND"].dt)[0] if timing["DTEND"] is not None else None
        duration = (end - start) if end is not None and start is not None else None
        if duration is None and timing["DURATION"] is not None and start is not None:
            duration = timing["DURATION"].dt
        recurrence = timing["RECURRENCE-ID"]
        recurrence_id = as_datetime(recurrence.dt)[0] if recurrence is not None else None
    except (TypeError, ValueError, AttributeError) as exc:
        notices.append(Notice("invalid_date", Severity.ERROR, _unreadable(timing, exc), loc))
        return None, notices
    if (zone_notice := _unknown_zone(timing, label, loc)) is not None:
        notices.append(zone_notice)
    try:
        sequence = int(str(component.get("SEQUENCE", 0)))
    except ValueError:
        sequence = 0
    return _Vevent(uid, pointer, start, all_day, floating, duration, recurrence_id, sequence,
                   _fields(component, all_day)), notices


_EXACT_STATUS = {"EventRescheduled", "EventMovedOnline", "EventPostponed"}


def _fields(component: Any, all_day: bool) -> dict[str, Any]:
    summary, description = _text(component, "SUMMARY"), _text(component, "DESCRIPTION")
    data: dict[str, Any] = {
        "type": _text(component, "X-DATENHUB-TYPE") or "Event",  # as the hub's own iCal export writes them
        "name": {"de": summary} if summary else {},
        "description": {"de": description} if description else {},
        "location_name": _text(component, "LOCATION"),
        "url": _text(component, "URL"),
        "all_day": all_day,
    }
    status = _text(component, "STATUS")
    if status:
        data["status"] = {"CANCELLED": "EventCancelled", "TENTATIVE": "EventScheduled",
                          "CONFIRMED": "EventScheduled"}.get(status.upper(), "EventScheduled")
        # the hub's own export says in X-DATENHUB-STATUS what STATUS cannot (postponed, rescheduled, moved online)
        if (exact := _text(component, "X-DATENHUB-STATUS")) in _EXACT_STATUS and status.upper() != "CANCELLED":
            data["status"] = exact
    organizer = component.get("ORGANIZER")
    if organizer is not None:
        data["organizer"] = organizer.params.get("CN") or str(organizer).removeprefix("mailto:")
    elif named := _text(component, "X-DATENHUB-ORGANIZER"):  # the hub's export: a name with no address
        data["organizer"] = named
    geo = component.get("GEO")
    if geo is not None:
        data["lat"], data["lon"] = geo.latitude, geo.longitude
    for key, prop in (("licence", "X-DATENHUB-LICENSE"), ("attribution", "X-DATENHUB-ATTRIBUTION")):
        if value := _text(component, prop):
            data[key] = value
    categories = component.get("CATEGORIES")
    if categories is not None:
        cats = categories if isinstance(categories, list) else [categories]
        words = [str(c) for cat in cats for c in getattr(cat, "cats", [cat])]
        # a word of the hub's category vocabulary is a category (the hub's iCal export writes its categories
        # first in CATEGORIES, then its keywords); every other word is a keyword
        data["keywords"] = [w for w in words if normalise_category(w) is None]
        if known := [w for w in words if normalise_category(w) is not None]:
            data["categories"] = known
    return data


_GUESSED = re.compile(r"Timezone '(?P<tzid>[^']*)' is a globally unique TZID; guessing it means '(?P<zone>[^']*)'")


def _parser_warnings(caught: list[warnings.WarningMessage], where: Location) -> Iterator[Notice]:
    """What the iCalendar library warned of while parsing, as notices (it printed them on stderr, for no one to
    act on); a warning it has no notice for is passed on as it came."""
    seen: set[str] = set()
    for warning in caught:
        text = str(warning.message)
        guessed = _GUESSED.search(text)
        if guessed is None:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
        elif text not in seen:
            seen.add(text)
            tzid, zone = guessed["tzid"], guessed["zone"]
            yield Notice("timezone_guessed", Severity.INFO,
                         f"TZID {tzid!r} names no time zone the file defines (VTIMEZONE); read as {zone!r}, its "
                         "name without the vendor prefix", where, tzid)


def _unknown_zone(timing: dict[str, Any], label: str, loc: Location) -> Notice | None:
    """A time whose TZID neither the file nor the time-zone database knows: the library reads it as floating."""
    for key in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        prop = timing.get(key)
        if prop is None:
            continue
        tzid = prop.params.get("TZID")
        if tzid and isinstance(prop.dt, datetime) and prop.dt.tzinfo is None:
            return Notice("unknown_timezone", Severity.WARNING,
                          f"{label}: {key} names the time zone {tzid!r}, which the file does not define (VTIMEZONE) "
                          "and no time-zone database knows; its times are read as Europe/Berlin local time: give a "
                          "zone such as Europe/Berlin or add its VTIMEZONE", loc, str(tzid))
    return None


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
        # icalendar keeps the zones of every file it reads in one cache for the whole process: a later file naming
        # a zone it does not define got an earlier file's definition, and a vendor TZID guessed once was never
        # reported again. Each file is read with a fresh cache (switching to the same provider empties it).
        tzp = icalendar.timezone.tzp
        tzp.use(tzp.name)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                calendars = icalendar.Calendar.from_ical(text, multiple=True)
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            yield Notice("invalid_ical", Severity.ERROR, f"not valid iCalendar: {exc}", where)
            return
        yield from _parser_warnings(caught, where)
        if not calendars:
            yield Notice("invalid_ical", Severity.ERROR,
                         "no complete VCALENDAR found (unbalanced BEGIN/END: is the file cut off?)", where)
            return
        vevents = [(f"VEVENT[{i}]", c) for i, c in enumerate((c for cal in calendars for c in cal.walk("VEVENT")), 1)]
        # an override may come before or after its series: group them by UID first
        overrides: dict[str, list[tuple[str, Any]]] = {}
        series_uids = set()
        for pointer, component in vevents:
            uid = _text(component, "UID")
            if uid is not None and component.get("RECURRENCE-ID") is not None:
                overrides.setdefault(uid, []).append((pointer, component))
            elif uid is not None:
                series_uids.add(uid)
        for pointer, component in vevents:
            uid = _text(component, "UID")
            if uid is None or component.get("RECURRENCE-ID") is None:
                yield from self._series(raw, pointer, component, overrides.get(uid, []) if uid else [])
            elif uid not in series_uids and overrides[uid][0][0] == pointer:  # instances of a series not here
                yield from self._orphans(raw, overrides[uid])

    def _location(self, raw: RawInput, pointer: str, entity_id: str | None) -> Location:
        return Location(source=raw.source, file=raw.name, pointer=pointer, entity_id=entity_id)

    def _series(self, raw: RawInput, pointer: str, component: Any,
                overrides: list[tuple[str, Any]]) -> Iterator[Draft | Notice]:
        uid = _text(component, "UID")
        loc = self._location(raw, pointer, uid)
        event, notices = _read_vevent(component, pointer, loc)
        yield from notices
        if event is None or event.start is None:
            if event is not None:
                yield Draft("event", uid, event.data, loc)  # checks report the missing start
            yield from self._orphans(raw, overrides)  # without a readable series, they stand alone
            return
        series = expand(component, event.start, event.all_day, event.floating, raw.fetched_at, loc)
        yield from series.notices
        replacing: dict[datetime, tuple[datetime, _Vevent]] = {}
        yield from self._read_overrides(raw, overrides, replacing)
        delivered = 0
        for occurrence in series.occurrences:
            _, override = replacing.pop(occurrence.astimezone(UTC), (occurrence, None)) if replacing else (None, None)
            yield self._occurrence(raw, event, series, occurrence, override)
            delivered += 1
        unmatched = {}
        for key, (recurrence_id, override) in replacing.items():
            if series.contains(recurrence_id):
                continue  # a date of the series outside the window: left out with it
            if key not in series.excluded:  # an override of an EXDATE'd date stands for it, moved
                yield Notice("unmatched_recurrence_id", Severity.WARNING,
                             f"{_label(uid, pointer)} has a RECURRENCE-ID ({recurrence_id.isoformat()}) that is "
                             "no date of its series; it is imported as an occurrence of its own",
                             self._location(raw, override.pointer, uid).at_field("RECURRENCE-ID"))
            unmatched[key] = (recurrence_id, override)
        for draft in self._standalone(raw, event, unmatched, series):
            delivered += 1
            yield draft
        if not delivered:
            yield Notice("no_occurrences", Severity.WARNING,
                         f"{_label(uid, pointer)} has no date: {series.empty_reason}; nothing is imported", loc)

    def _read_overrides(self, raw: RawInput, overrides: list[tuple[str, Any]],
                        into: dict[datetime, tuple[datetime, _Vevent]]) -> Iterator[Notice]:
        """Read RECURRENCE-ID VEVENTs into `into`, by the instant they replace; the highest SEQUENCE wins."""
        for pointer, component in overrides:
            loc = self._location(raw, pointer, _text(component, "UID"))
            override, notices = _read_vevent(component, pointer, loc)
            yield from notices
            if override is None or override.recurrence_id is None:
                continue
            key = override.recurrence_id.astimezone(UTC)
            if key not in into or into[key][1].sequence <= override.sequence:
                into[key] = (override.recurrence_id, override)

    def _orphans(self, raw: RawInput, overrides: list[tuple[str, Any]]) -> Iterator[Draft | Notice]:
        """Overrides of a series the file does not hold (or cannot read): each an occurrence of its own."""
        read: dict[datetime, tuple[datetime, _Vevent]] = {}
        yield from self._read_overrides(raw, overrides, read)
        yield from self._standalone(raw, None, read, None)

    def _standalone(self, raw: RawInput, event: _Vevent | None, read: dict[datetime, tuple[datetime, _Vevent]],
                    series: Series | None) -> Iterator[Draft]:
        """Overrides that replace no occurrence, each an occurrence of its own, named as one."""
        for recurrence_id, override in read.values():
            own = series if series is not None and series.recurring else Series(recurrence_id, [recurrence_id],
                                                                                recurring=True)
            yield self._occurrence(raw, event or override, own, recurrence_id, override)

    def _occurrence(self, raw: RawInput, base: _Vevent, series: Series, occurrence: datetime,
                    override: _Vevent | None) -> Draft:
        """One occurrence: the series' fields and times, or an override's where it has them."""
        data = dict(base.data)
        start, duration = occurrence, base.duration
        if series.lengths:
            duration = series.lengths.get(occurrence.astimezone(UTC), duration)
        if override is not None:
            if override is not base:
                data.update((k, v) for k, v in override.data.items()
                            if v is not None and v != {} and k != "all_day")  # all_day goes with the start
            if override.start is not None:
                start, data["all_day"] = override.start, override.all_day
            duration = override.duration if override.duration is not None else duration
        data["start"] = start.isoformat()
        data["end"] = (start + duration).isoformat() if duration is not None else None
        uid = base.uid
        local = f"{uid}#{series.stamp(occurrence)}" if series.recurring and uid is not None else uid
        pointer = override.pointer if override is not None else base.pointer
        return Draft("event", local, data, self._location(raw, pointer, local))
