"""schema.org JSON-LD: a single object, an array, or an @graph. The context is resolved locally.

We read schema.org terms directly (plain, `schema:`-prefixed or full IRIs), so no context is ever
fetched from the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from datenhub.ingest.base import Adapter, AdapterOptions, Draft, RawInput
from datenhub.ingest.jsonload import load_json
from datenhub.ingest.registry import register
from datenhub.notices import Location, Notice, Severity

SCHEMA_PREFIXES = ("https://schema.org/", "http://schema.org/", "schema:")

EVENT_TYPES = frozenset({
    "Event", "BusinessEvent", "ChildrensEvent", "ComedyEvent", "DanceEvent", "EducationEvent",
    "ExhibitionEvent", "Festival", "FoodEvent", "LiteraryEvent", "MusicEvent", "SaleEvent",
    "ScreeningEvent", "SocialEvent", "SportsEvent", "TheaterEvent", "VisualArtsEvent", "CourseInstance",
})


def term(key: str) -> str:
    for prefix in SCHEMA_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def normalise(node: Any) -> Any:
    """Strip schema.org prefixes from keys and type names, recursively."""
    if isinstance(node, list):
        return [normalise(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        k = term(key)
        if k == "@type":
            value = [term(v) for v in value] if isinstance(value, list) else term(str(value))
        out[k] = normalise(value)
    return out


def first_type(node: dict[str, Any]) -> str | None:
    value = node.get("@type")
    if isinstance(value, list):
        return str(value[0]) if value else None
    return str(value) if value else None


def texts(value: Any, default_lang: str = "de") -> dict[str, str]:
    """schema.org text: a string, a language-tagged value, or a list of them."""
    out: dict[str, str] = {}
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            out.setdefault(default_lang, item)
        elif isinstance(item, dict) and "@value" in item:
            lang = str(item.get("@language") or default_lang).split("-")[0].lower()
            out.setdefault(lang, str(item["@value"]))
    return out


def scalar(value: Any) -> Any:
    if isinstance(value, list):
        return scalar(value[0]) if value else None
    if isinstance(value, dict):
        return value.get("@id") or value.get("@value") or value.get("url") or value.get("name")
    return value


def _image(value: Any, doc_licence: Any) -> dict[str, Any] | None:
    if isinstance(value, str):
        return {"url": value, "licence": doc_licence}
    if isinstance(value, dict):
        url = scalar(value.get("contentUrl")) or scalar(value.get("url"))
        if not url:
            return None
        author = value.get("author") or value.get("creator")
        return {
            "url": url,
            "licence": scalar(value.get("license")) or doc_licence,
            "attribution": scalar(value.get("creditText")) or scalar(value.get("copyrightNotice")),
            "author": scalar(author) if author else None,
            "caption": texts(value["caption"]) if value.get("caption") else {},
        }
    return None


def _address_and_geo(node: dict[str, Any], data: dict[str, Any]) -> None:
    address = node.get("address")
    if isinstance(address, list):
        address = address[0] if address else None
    if isinstance(address, dict):
        data["address"] = {
            k: v for k, v in {
                "street": scalar(address.get("streetAddress")),
                "postal_code": scalar(address.get("postalCode")),
                "locality": scalar(address.get("addressLocality")),
                "country": scalar(address.get("addressCountry")),
            }.items() if v
        }
    elif isinstance(address, str):
        data["address"] = {"street": address}
    geo = node.get("geo")
    if isinstance(geo, list):
        geo = geo[0] if geo else None
    if isinstance(geo, dict):
        data["lat"], data["lon"] = scalar(geo.get("latitude")), scalar(geo.get("longitude"))


def to_draft_data(node: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    typ = first_type(node) or "Place"
    kind = "event" if typ in EVENT_TYPES else "place"
    data: dict[str, Any] = {"type": typ}
    if node.get("name") is not None:
        data["name"] = texts(node["name"])
    if node.get("description") is not None:
        data["description"] = texts(node["description"])
    _address_and_geo(node, data)
    contact = {k: v for k, v in {
        "website": scalar(node.get("url")) if kind == "place" else None,
        "phone": scalar(node.get("telephone")),
        "email": scalar(node.get("email")),
    }.items() if v}
    if contact:
        data["contact"] = contact
    licence = scalar(node.get("license"))
    if licence:
        data["licence"] = licence
    if node.get("creditText"):
        data["attribution"] = scalar(node["creditText"])
    images = node.get("image")
    if images is not None:
        data["images"] = [i for i in (_image(v, licence) for v in (images if isinstance(images, list) else [images]))
                          if i]
    keywords = node.get("keywords")
    if isinstance(keywords, str):
        data["keywords"] = [k.strip() for k in keywords.split(",") if k.strip()]
    elif isinstance(keywords, list):
        data["keywords"] = [str(scalar(k)) for k in keywords if scalar(k)]
    if node.get("openingHours"):
        oh = node["openingHours"]
        data["opening_hours"] = "; ".join(oh) if isinstance(oh, list) else str(oh)
    if node.get("openingHoursSpecification"):
        data["opening_hours_specification"] = node["openingHoursSpecification"]
    if kind == "event":
        data["start"] = scalar(node.get("startDate"))
        data["end"] = _exclusive_end(scalar(node.get("endDate")))
        data["url"] = scalar(node.get("url"))
        status = scalar(node.get("eventStatus"))
        data["status"] = str(status).rsplit("/", 1)[-1] if status else None
        organizer = node.get("organizer")
        data["organizer"] = scalar(organizer) if organizer else None
        location = node.get("location")
        if isinstance(location, list):
            location = location[0] if location else None
        if isinstance(location, dict):
            data["location_name"] = scalar(location.get("name"))
            _address_and_geo(location, data)
        elif isinstance(location, str):
            data["location_name"] = location
    return kind, data


def _items(doc: Any) -> list[Any]:
    if isinstance(doc, list):
        return [item for d in doc for item in _items(d)]
    if isinstance(doc, dict) and "@graph" in doc:
        return _items(doc["@graph"])
    return [doc]


@register
class JsonLdAdapter(Adapter):
    name = "jsonld"
    extensions = (".jsonld",)
    description = "schema.org JSON-LD (object, array or @graph) for places and events"

    @classmethod
    def sniff(cls, raw: RawInput) -> bool:
        if raw.name.lower().endswith(".jsonld"):
            return True
        return raw.name.lower().endswith(".json") and b"schema.org" in raw.payload[:4096]

    def read(self, raw: RawInput, options: AdapterOptions) -> Iterator[Draft | Notice]:
        doc, notices = load_json(raw)
        yield from notices
        if doc is None:
            return
        for index, item in enumerate(_items(doc)):
            pointer = f"/{index}"
            if not isinstance(item, dict):
                yield Notice("invalid_jsonld_node", Severity.ERROR, "a JSON-LD node must be an object",
                             Location(source=raw.source, file=raw.name, pointer=pointer))
                continue
            node = normalise(item)
            kind, data = to_draft_data(node)
            local_id = scalar(node.get("identifier")) or node.get("@id")
            local = None if local_id is None else str(local_id)
            yield Draft(kind, local, data, Location(source=raw.source, file=raw.name, pointer=pointer,
                                                    entity_id=local))


def _exclusive_end(value: object) -> object:
    """schema.org's endDate as a bare date is the event's last day; the hub's `end` is exclusive (as iCalendar's
    DTEND), so it becomes the next day. Date-times and anything unreadable pass as they are (checks judge)."""
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return (date.fromisoformat(value.strip()) + timedelta(days=1)).isoformat()
        except ValueError:
            return value
    return value
