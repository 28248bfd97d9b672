"""schema.org JSON-LD: one node per place or event, as search engines and linked-data tools read it.

`to_jsonld` turns one canonical entity dict into a schema.org node (the API embeds it in pages); the "jsonld"
serializer streams `{"@context": "https://schema.org/", "@graph": [...]}`. Enumeration values (dayOfWeek,
eventStatus, eventAttendanceMode) are written as `{"@id": <full https://schema.org/ IRI>}`, because the schema.org
context does not type these terms as IRIs: a bare string would be read as text by RDF tools.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import orjson

from datenhub.clock import BERLIN, Clock, local_if_utc, utc_now
from datenhub.hours.schemaorg import DAY_NAMES
from datenhub.model.categories import TERM_SET_PATH
from datenhub.model.entity import LANGS
from datenhub.model.licence import LICENCES, LicenceId
from datenhub.publish.jsonbytes import dumps
from datenhub.publish.registry import Entities, Serializer, register_serializer

SCHEMA = "https://schema.org/"
CONTEXT = "https://schema.org/"
DEFAULT_BASE_URL = "https://datenhub.ruhr"
HOURS_WINDOW_DAYS = 365  # how far ahead openingHoursSpecification claims validity (cut earlier when rules change)

EVENT_STATUSES = frozenset({"EventScheduled", "EventCancelled", "EventPostponed", "EventRescheduled",
                            "EventMovedOnline"})
# What a place holds that schema.org has no property for, as `additionalProperty` PropertyValues named by
# `propertyID`, so that a hub's JSON-LD import (ingest.jsonld) reads it back: our categories, the Route
# Industriekultur role, and the OSM opening_hours value itself, which openingHoursSpecification only states as
# a dated year of regular weeks ("24/7" would come back as "2026 Nov 24-2027 Nov 23 Mo-Su 00:00-24:00").
CATEGORY_PROPERTY = "category"
# An event's categories: schema.org has no additionalProperty on Event, so they are what it is `about`, as terms of
# the hub's category vocabulary (model.categories.TERM_SET_PATH), which ingest.jsonld reads back.
ROUTE_ROLE_PROPERTY = "route_role"
OPENING_HOURS_PROPERTY = "https://wiki.openstreetmap.org/wiki/Key:opening_hours"
WHEELCHAIR_FEATURES = {"yes": ("wheelchair accessible", True), "no": ("wheelchair accessible", False),
                       "limited": ("partially wheelchair accessible", True)}

Node = dict[str, Any]


def entity_url(entity: dict[str, Any], base_url: str = DEFAULT_BASE_URL) -> str:
    """The public page (and linked-data @id) of an entity."""
    folder = "events" if entity.get("kind") == "event" else "places"
    return f"{base_url.rstrip('/')}/{folder}/{entity['id']}"


_LICENCE_URLS = {lid.value: info.url for lid, info in LICENCES.items()}


def licence_url(licence: str | None) -> str | None:
    return _LICENCE_URLS.get(licence) if licence else None


def _compact(node: Node) -> Node:
    # `v or …`: most values are truthy and pass on one test; 0 and False stay, empty values go
    return {k: v for k, v in node.items() if v or (v is not None and v != "" and v != [] and v != {})}


def _text(values: dict[str, str] | str | None, lang: str | None) -> Any:
    """Language-tagged values (our languages first), or one plain string when `lang` is given.

    An already localised entity (the API's `?lang=`) has plain strings; they stay plain, language unknown.
    """
    if isinstance(values, str):
        return values.strip() or None
    if not values:
        return None
    if lang is not None:
        kept = {k: v for k, v in values.items() if v and not v.isspace()}
        return (kept.get(lang) or kept.get("de") or next(iter(kept.values()))) if kept else None
    # every node has a name and most a description: our languages by lookup, others (rare) sorted after them
    out = []
    ours = 0
    for code in LANGS:
        value = values.get(code)
        if value is not None:
            ours += 1
            if value and not value.isspace():
                out.append({"@value": value, "@language": code})
    if ours != len(values):
        out += [{"@value": value, "@language": code} for code in sorted(c for c in values if c not in LANGS)
                if (value := values[code]) and not value.isspace()]
    return out or None


def _geo(geo: dict[str, Any] | None) -> Node | None:
    if not geo:
        return None
    return {"@type": "GeoCoordinates", "latitude": geo["lat"], "longitude": geo["lon"]}


def _address(address: dict[str, Any] | None) -> Node | None:
    if not address:
        return None
    node = _compact({"streetAddress": address.get("street"), "postalCode": address.get("postal_code"),
                     "addressLocality": address.get("locality"), "addressCountry": address.get("country")})
    return {"@type": "PostalAddress", **node} if node else None


def _municipality(municipality: dict[str, Any] | None) -> Node | None:
    if not municipality:
        return None
    node: Node = {"@type": "AdministrativeArea", "name": municipality["name"], "identifier": municipality["ags"]}
    kreis, kreis_ags = municipality.get("kreis"), municipality.get("kreis_ags")
    if kreis and kreis_ags and kreis != municipality["name"]:  # kreisfreie Städte are their own Kreis
        node["containedInPlace"] = {"@type": "AdministrativeArea", "name": kreis, "identifier": kreis_ags}
    return node


def _images(images: list[dict[str, Any]] | None, lang: str | None) -> list[Node]:
    out = []
    for image in images or []:
        if image.get("licence") == LicenceId.CLOSED:  # never published, whoever asks for the open view
            continue
        out.append({"@type": "ImageObject", **_compact({
            "contentUrl": image["url"],
            "caption": _text(image.get("caption"), lang),
            "license": licence_url(image.get("licence")),
            "creditText": image.get("attribution") or image.get("author"),
        })})
    return out


def _local_date(value: str) -> date:
    return datetime.fromisoformat(value).astimezone(BERLIN).date()


def _hhmmss(hhmm: str) -> str:
    return "23:59:59" if hhmm == "24:00" else f"{hhmm}:00"


def _day_hours(ranges: list[tuple[str, str, str, str | None]]) -> list[tuple[str, str]] | None:
    """A day's open ranges as schema.org times; None when the day holds anything but plain open/closed."""
    if any(state not in ("open", "closed") for _, _, state, _ in ranges):
        return None
    return sorted((_hhmmss(a), _hhmmss("24:00" if b == "00:00" else b)) for a, b, state, _ in ranges
                  if state == "open")


def _expected_hours(specs: dict[str, list[Node]], day: date) -> list[tuple[str, str]]:
    special = [s for s in specs["specialOpeningHoursSpecification"] if s["validFrom"] == day.isoformat()]
    if special:
        return sorted((s["opens"], s["closes"]) for s in special if s["opens"] != s["closes"])
    weekday = SCHEMA + DAY_NAMES[day.weekday()]
    return sorted((s["opens"], s["closes"]) for s in specs["openingHoursSpecification"] if weekday in s["dayOfWeek"])


@lru_cache(maxsize=4096)
def _hours_specs(value: str, lat: float | None, lon: float | None, first: date) -> bytes | None:
    """schema.org hours for [first, first + window), cut at the first day they would misstate; JSON (cached)."""
    try:
        from datenhub.hours import OpeningHours, OpeningHoursError
        from datenhub.hours.schemaorg import to_schemaorg
    except ImportError:
        return None
    last = first + timedelta(days=HOURS_WINDOW_DAYS - 1)
    try:
        oh = OpeningHours.parse(value, lat=lat, lon=lon)
        specs = to_schemaorg(oh, first=first, last=last)
        days = [day for start in range(0, HOURS_WINDOW_DAYS, 7)
                for day in oh.weekly_table(first + timedelta(days=start))]
    except (OpeningHoursError, ValueError):
        return None
    # to_schemaorg states one regular week plus public holidays; seasons, school holidays or week rules break
    # that, so validity ends the day before the first date whose real hours differ.
    through = None
    for day, ranges in days:
        if day > last:
            break
        if _day_hours(ranges) != _expected_hours(specs, day):
            break
        through = day
    if through is None:
        return None
    covered = {SCHEMA + DAY_NAMES[(first + timedelta(days=n)).weekday()]
               for n in range(min(7, (through - first).days + 1))}
    # days as JSON-LD references ({"@id": …}), built here once rather than for every place on every page
    regular = [{**s, "dayOfWeek": [{"@id": day} for day in days], "validThrough": through.isoformat()}
               for s in specs["openingHoursSpecification"]
               if (days := [d for d in s["dayOfWeek"] if d in covered])]
    special = [s for s in specs["specialOpeningHoursSpecification"] if s["validFrom"] <= through.isoformat()]
    return orjson.dumps({"openingHoursSpecification": regular, "specialOpeningHoursSpecification": special})


@lru_cache(maxsize=4096)
def _hours_fragments(value: str, lat: float | None, lon: float | None, first: date) -> tuple[tuple[str, Any], ...]:
    """_hours_specs as ready JSON per property (orjson.Fragment), for serialisers that only write the node."""
    cached = _hours_specs(value, lat, lon, first)
    specs: dict[str, list[Node]] = orjson.loads(cached) if cached is not None else {}
    return tuple((key, orjson.Fragment(orjson.dumps(items))) for key, items in specs.items() if items)


def opening_hours_specification(entity: dict[str, Any], today: date, *, fragments: bool = False) -> dict[str, Any]:
    """`openingHoursSpecification` (+ special days) from the raw OSM value; {} when unknown or not expressible.
    `fragments`: the values as orjson.Fragment (written as they are, not built and serialised per node)."""
    value = entity.get("opening_hours")
    if not value:
        return {}
    geo = entity.get("geo") or {}
    needs_position = "sun" in value or "dawn" in value or "dusk" in value
    lat, lon = (geo.get("lat"), geo.get("lon")) if needs_position else (None, None)
    if fragments:
        return dict(_hours_fragments(value, lat, lon, today))
    cached = _hours_specs(value, lat, lon, today)
    if cached is None:
        return {}
    specs: dict[str, list[Node]] = orjson.loads(cached)  # a fresh copy: callers change it
    return {key: items for key, items in specs.items() if items}


def _wheelchair(value: str | None) -> list[Node]:
    if value not in WHEELCHAIR_FEATURES:
        return []
    name, flag = WHEELCHAIR_FEATURES[value]
    return [{"@type": "LocationFeatureSpecification", "name": name, "value": flag}]


def _place_properties(entity: dict[str, Any]) -> list[Node]:
    found = [(CATEGORY_PROPERTY, category) for category in entity.get("categories") or []]
    found += [(prop, value) for prop, key in ((ROUTE_ROLE_PROPERTY, "route_role"),
                                             (OPENING_HOURS_PROPERTY, "opening_hours"))
              if (value := entity.get(key))]
    return [{"@type": "PropertyValue", "propertyID": prop, "value": value} for prop, value in found]


def _local_time(value: str | None) -> str | None:
    """A stored time as clock.local_if_utc shows it (a hub imported before checks.dates did so holds UTC times)."""
    if value and (value.endswith("Z") or value.endswith("+00:00")):
        return local_if_utc(datetime.fromisoformat(value)).isoformat()
    return value


def _event_dates(entity: dict[str, Any]) -> tuple[str | None, str | None]:
    start, end = entity.get("start"), entity.get("end")
    if not start or not entity.get("all_day"):
        return _local_time(start), _local_time(end)
    first = _local_date(start)
    if not end:
        return first.isoformat(), None
    # all-day ends are exclusive (iCalendar DTEND); schema.org endDate is the last day
    end_local = datetime.fromisoformat(end).astimezone(BERLIN)
    last = end_local.date() - timedelta(days=1) if end_local.time() == datetime.min.time() else end_local.date()
    return first.isoformat(), max(first, last).isoformat()


def _event_location(entity: dict[str, Any], base_url: str) -> Node | None:
    node: Node = {"@type": "Place"}
    if entity.get("place_id"):
        node["@id"] = entity_url({"kind": "place", "id": entity["place_id"]}, base_url)
    node.update(_compact({
        "name": entity.get("location_name"),
        "address": _address(entity.get("address")),
        "geo": _geo(entity.get("geo")),
        "containedInPlace": _municipality(entity.get("municipality")),
    }))
    return node if len(node) > 1 else None


def to_jsonld(entity: dict[str, Any], *, base_url: str = DEFAULT_BASE_URL, lang: str | None = None,
              clock: Clock = utc_now, fragments: bool = False) -> Node:
    """One schema.org node for a canonical place or event dict. `clock` fixes the opening-hours window.

    Partial dicts (the API's `?fields=` projection) give partial nodes; only `id` is required. `fragments`: parts
    that many nodes share may be orjson.Fragment, for a caller that only serialises the node with orjson.
    """
    get = entity.get
    if get("tombstone"):
        # a delta feed's withdrawn entity: schema.org's feed item with the date it was deleted, naming the node
        item = {"@type": "Event" if get("kind") == "event" else "Place", "@id": entity_url(entity, base_url),
                "identifier": get("id")}
        return {"@type": "DataFeedItem", "dateDeleted": get("withdrawn_at"), "item": item}
    contact = get("contact") or {}
    is_event = get("kind") == "event"
    # Members in schema order, empty ones (None, "", [], {}) left out as they come: a page renders twenty of
    # these per request. Every member is a string, list or dict (the model's types), so `if value` is that test.
    node: Node = {"@type": get("type") or ("Event" if is_event else "Place"), "@id": entity_url(entity, base_url)}
    if value := entity["id"]:
        node["identifier"] = value
    if value := _text(get("name"), lang):
        node["name"] = value
    if value := _text(get("description"), lang):
        node["description"] = value
    if is_event:
        start, end = _event_dates(entity)
        status = get("status")
        if start:
            node["startDate"] = start
        if end:
            node["endDate"] = end
        if status in EVENT_STATUSES:
            node["eventStatus"] = {"@id": SCHEMA + status}
        node["eventAttendanceMode"] = {"@id": SCHEMA + "OfflineEventAttendanceMode"}
        if value := _event_location(entity, base_url):
            node["location"] = value
        if value := get("organizer"):
            node["organizer"] = {"@type": "Organization", "name": value}
        if value := get("url") or contact.get("website"):
            node["url"] = value
        if value := get("categories"):
            node["about"] = [{"@type": "DefinedTerm", "name": category, "inDefinedTermSet": base_url + TERM_SET_PATH}
                             for category in value]
    else:
        if value := _geo(get("geo")):
            node["geo"] = value
        if value := _address(get("address")):
            node["address"] = value
        if value := _municipality(get("municipality")):
            node["containedInPlace"] = value
        if value := contact.get("website"):
            node["url"] = value
        if value := contact.get("phone"):
            node["telephone"] = value
        if value := contact.get("email"):
            node["email"] = value
        if get("opening_hours"):
            node.update(opening_hours_specification(entity, _today(clock()), fragments=fragments))
        if value := _wheelchair(get("wheelchair")):
            node["amenityFeature"] = value
        if value := _place_properties(entity):
            node["additionalProperty"] = value
    if value := _images(get("images"), lang):
        node["image"] = value
    if value := get("keywords"):
        node["keywords"] = list(value)
    if value := licence_url(get("licence")):
        node["license"] = value
    if value := get("attribution"):
        node["creditText"] = value
    return node


_last_day: tuple[datetime, date] | None = None


def _today(now: datetime) -> date:
    """The Berlin date of `now`; the last answer is kept, since a page asks with one clock reading per node."""
    global _last_day
    last = _last_day
    if last is not None and last[0] is now:
        return last[1]
    today = now.astimezone(BERLIN).date()
    _last_day = (now, today)
    return today


def write_jsonld(entities: Entities, *, base_url: str = DEFAULT_BASE_URL, clock: Clock = utc_now) -> Iterator[bytes]:
    """`{"@context": …, "@graph": [...]}` with one node per line, so diffs and line-based tools stay usable."""
    yield b'{"@context":"https://schema.org/","@graph":[\n'
    now = clock()

    def reading() -> datetime:
        return now

    for index, entity in enumerate(entities):
        # one clock reading for the whole document: every node's hours window starts the same day
        try:
            body = orjson.dumps(to_jsonld(entity, base_url=base_url, clock=reading, fragments=True))
        except TypeError:  # what only the standard library writes (integers beyond 64 bits)
            body = dumps(to_jsonld(entity, base_url=base_url, clock=reading))
        yield (b",\n" if index else b"") + body
    yield b"\n]}\n"


register_serializer(Serializer("jsonld", "application/ld+json", "jsonld", write_jsonld, view="core", links=True))
