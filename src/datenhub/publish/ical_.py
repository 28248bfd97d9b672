"""iCalendar (RFC 5545): one VEVENT per event, for calendar apps and event portals. Places are skipped.

Times are written as Europe/Berlin local time (`DTSTART;TZID=Europe/Berlin:20270626T180000`, the calendar's
VTIMEZONE defining the zone), as visitors in the Ruhr read them; stamps (DTSTAMP, CREATED, LAST-MODIFIED) in UTC,
as RFC 5545 wants. All-day events use DATE values with an exclusive DTEND. Licence and attribution travel in
X-DATENHUB-LICENSE / X-DATENHUB-ATTRIBUTION on every VEVENT, a type other than Event in X-DATENHUB-TYPE, a status
that STATUS cannot say (postponed, rescheduled, moved online) in X-DATENHUB-STATUS, an organizer known by name
only in X-DATENHUB-ORGANIZER (ORGANIZER must be an address); the iCal import reads them back.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from datenhub.clock import BERLIN, Clock, utc_now
from datenhub.publish.registry import Entities, Serializer, register_serializer

UID_DOMAIN = "datenhub.ruhr"
PRODID = "-//DatenHub Ruhr//datenhub//DE"
STATUS = {"EventScheduled": "CONFIRMED", "EventRescheduled": "CONFIRMED", "EventMovedOnline": "CONFIRMED",
          "EventPostponed": "TENTATIVE", "EventCancelled": "CANCELLED"}
LOSSY_STATUS = {"EventRescheduled", "EventMovedOnline", "EventPostponed"}  # no STATUS of RFC 5545 says these


# Europe/Berlin by its rules since 1996 (last Sunday of March / October, as EU law fixes them): what the TZID of
# every timed event refers to, in the compact form calendar apps write themselves
VTIMEZONE = (b"BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nX-LIC-LOCATION:Europe/Berlin\r\n"
             b"BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
             b"DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
             b"BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"
             b"DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
             b"END:VTIMEZONE\r\n")


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def _local(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(BERLIN)


def _all_day_range(start: str, end: str | None) -> tuple[date, date | None]:
    first = datetime.fromisoformat(start).astimezone(BERLIN).date()
    if not end:
        return first, None
    end_local = datetime.fromisoformat(end).astimezone(BERLIN)
    # DTEND is exclusive: a midnight end is already the day after; any other end time still covers its day
    last = end_local.date() if end_local.time() == datetime.min.time() else end_local.date() + timedelta(days=1)
    return first, max(last, first + timedelta(days=1))


def _pick(values: dict[str, str] | str | None, lang: str) -> tuple[str, str] | None:
    if isinstance(values, str):  # already localised by the API: that language, which the caller asked for
        return (lang, values) if values.strip() else None
    values = {k: v for k, v in (values or {}).items() if v and v.strip()}
    if not values:
        return None
    code = lang if lang in values else "de" if "de" in values else next(iter(values))
    return code, values[code]


def location_text(entity: dict[str, Any]) -> str | None:
    """'Zeche Zollverein, Gelsenkirchener Str. 181, 45309 Essen': venue name and postal address on one line."""
    address = entity.get("address") or {}
    town = " ".join(part for part in (address.get("postal_code"), address.get("locality")) if part)
    parts = [entity.get("location_name"), address.get("street"), town]
    text = ", ".join(part for part in parts if part)
    return text or None


def to_vevent(entity: dict[str, Any], *, lang: str = "de", clock: Clock = utc_now) -> Any:
    """An `icalendar.Event` for one canonical event dict (`clock` only when the record has no timestamps)."""
    import icalendar

    event = icalendar.Event()
    event.add("uid", f"{entity['id']}@{UID_DOMAIN}")
    stamp = entity.get("last_changed") or entity.get("first_seen")
    event.add("dtstamp", _when(stamp) if stamp else clock().astimezone(UTC))
    if entity.get("first_seen"):
        event.add("created", _when(entity["first_seen"]))
    if entity.get("last_changed"):
        event.add("last-modified", _when(entity["last_changed"]))
    if entity.get("all_day"):
        first, after = _all_day_range(entity["start"], entity.get("end"))
        event.add("dtstart", first)
        if after is not None:
            event.add("dtend", after)
    else:
        event.add("dtstart", _local(entity["start"]))
        if entity.get("end"):
            event.add("dtend", _local(entity["end"]))
    for key, field in (("summary", "name"), ("description", "description")):
        picked = _pick(entity.get(field), lang)
        if picked:
            event.add(key, picked[1], parameters={"LANGUAGE": picked[0]})
    location = location_text(entity)
    if location:
        event.add("location", location)
    geo = entity.get("geo")
    if geo:
        event.add("geo", (geo["lat"], geo["lon"]))
    url = entity.get("url") or (entity.get("contact") or {}).get("website")
    if url:
        event.add("url", url)
    if organizer := entity.get("organizer"):
        if "@" in organizer and " " not in organizer.strip():
            event.add("organizer", f"mailto:{organizer.strip().removeprefix('mailto:')}")
        else:  # ORGANIZER must be an address (RFC 5545 CAL-ADDRESS); a name alone travels beside it
            event.add("X-DATENHUB-ORGANIZER", organizer)
    if entity.get("status") in STATUS:
        event.add("status", STATUS[entity["status"]])
        if entity["status"] in LOSSY_STATUS:  # STATUS alone would come back as EventScheduled
            event.add("X-DATENHUB-STATUS", entity["status"])
    categories = list(dict.fromkeys([*(entity.get("categories") or []), *(entity.get("keywords") or [])]))
    if categories:
        event.add("categories", categories)
    if entity.get("licence"):
        event.add("X-DATENHUB-LICENSE", entity["licence"])
    if entity.get("attribution"):
        event.add("X-DATENHUB-ATTRIBUTION", entity["attribution"])
    if entity.get("type") and entity["type"] != "Event":
        event.add("X-DATENHUB-TYPE", entity["type"])  # schema.org's kind of event (ExhibitionEvent …)
    return event


def write_ical(entities: Entities, *, lang: str = "de", name: str = "DatenHub Ruhr",
               clock: Clock = utc_now) -> Iterator[bytes]:
    """A VCALENDAR streamed event by event (RFC 5545 wants at least one VEVENT; an empty feed has none)."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    yield calendar.to_ical().removesuffix(b"END:VCALENDAR\r\n") + VTIMEZONE
    for entity in entities:
        if entity.get("kind") == "event" and entity.get("start"):  # a VEVENT without DTSTART is invalid
            yield to_vevent(entity, lang=lang, clock=clock).to_ical()
    yield b"END:VCALENDAR\r\n"


register_serializer(Serializer("ical", "text/calendar; charset=utf-8", "ics", write_ical, view="lean"))
