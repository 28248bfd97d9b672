"""schema.org JSON-LD: a single object, an array, or an @graph. The context is resolved locally.

We read schema.org terms directly (plain, `schema:`-prefixed or full IRIs), so no context is ever
fetched from the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datenhub.ingest.base import Adapter, AdapterOptions, Draft, RawInput
from datenhub.ingest.jsonload import load_json
from datenhub.ingest.registry import register
from datenhub.model.categories import TERM_SET_PATH
from datenhub.model.schemaorg import term, vocabulary
from datenhub.notices import Location, Notice, Severity


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


def node_types(node: dict[str, Any]) -> list[str]:
    value = node.get("@type")
    return [str(v) for v in (value if isinstance(value, list) else [value]) if v]


def classify(node: dict[str, Any]) -> tuple[str | None, str]:
    """(kind, the type to keep): an event or place type wins over others of the node (["Organization", "Museum"]
    is a museum). kind None: only schema.org types that are neither (WebPage, Organization, BreadcrumbList)."""
    given = node_types(node)
    types = [t for t in given if ":" not in t]  # schema.org's terms are bare here (normalise); gs1:… are not ours
    places, events, known = vocabulary()
    for kind, family in (("event", events), ("place", places)):
        if found := next((t for t in types if t in family), None):
            return kind, found
    if (types and all(t in known for t in types)) or (given and not types):
        return None, (types or given)[0]
    return "place", types[0] if types else "Place"  # no type, or one of a vocabulary of the source's own


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


# schema.org's LocationFeatureSpecification for step-free access, as feeds and our own export write it
# (publish.jsonld.WHEELCHAIR_FEATURES): the feature's name and whether the place has it give OSM's value.
_WHEELCHAIR = {("wheelchair accessible", True): "yes", ("wheelchair accessible", False): "no",
               ("partially wheelchair accessible", True): "limited"}


def _wheelchair(features: Any) -> str | None:
    for feature in features if isinstance(features, list) else [features]:
        if not isinstance(feature, dict):
            continue
        name, value = scalar(feature.get("name")), scalar(feature.get("value"))
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            value = value.strip().lower() == "true"
        if isinstance(name, str) and isinstance(value, bool):
            found = _WHEELCHAIR.get((" ".join(name.lower().split()), value))
            if found:
                return found
    return None


# A hub's own export writes these as `additionalProperty` PropertyValues (publish.jsonld): propertyID -> field
_PROPERTIES = {"category": "categories", "route_role": "route_role",
               "https://wiki.openstreetmap.org/wiki/Key:opening_hours": "opening_hours"}


def _additional_properties(values: Any, data: dict[str, Any]) -> None:
    """Our categories, Route Industriekultur role and raw OSM opening hours, where the node carries them. The
    raw hours win over openingHoursSpecification, which only states a dated year of them."""
    for item in values if isinstance(values, list) else [values]:
        if not isinstance(item, dict):
            continue
        field = _PROPERTIES.get(str(scalar(item.get("propertyID"))))
        value = scalar(item.get("value"))
        if field is None or value is None or not str(value).strip():
            continue
        if field == "categories":
            data.setdefault("categories", []).append(str(value))
        else:
            data[field] = str(value)


def _category_terms(values: Any, data: dict[str, Any]) -> None:
    """An event's categories, as a hub's export names them: the DefinedTerms it is `about` from a hub's category
    vocabulary (model.categories.TERM_SET_PATH, at whatever base URL); other things it is about stay out."""
    for item in values if isinstance(values, list) else [values]:
        if not isinstance(item, dict) or not str(scalar(item.get("inDefinedTermSet")) or "").endswith(
                TERM_SET_PATH):
            continue
        name = scalar(item.get("name"))
        if name is not None and str(name).strip():
            data.setdefault("categories", []).append(str(name))


def to_draft_data(node: dict[str, Any], kind: str, typ: str) -> dict[str, Any]:
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
    if kind == "place" and (wheelchair := _wheelchair(node.get("amenityFeature"))):
        data["wheelchair"] = wheelchair
    if node.get("additionalProperty") is not None:
        _additional_properties(node["additionalProperty"], data)
    if node.get("about") is not None:
        _category_terms(node["about"], data)
    if kind == "event":
        data["start"] = scalar(node.get("startDate"))
        data["end"] = scalar(node.get("endDate"))  # a bare date is the last day (checks.dates)
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
    return data


def _items(doc: Any, pointer: str = "") -> list[tuple[str, Any]]:
    """Every top-level node with its JSON pointer: an object, the members of an array, of an @graph."""
    if isinstance(doc, list):
        return [item for i, d in enumerate(doc) for item in _items(d, f"{pointer}/{i}")]
    if isinstance(doc, dict) and "@graph" in doc:
        return _items(doc["@graph"], f"{pointer}/@graph")
    return [(pointer, doc)]


# members that may be a reference {"@id": …}; `about`: an event's category terms in a flattened @graph
_LINKS = ("address", "geo", "location", "image", "containsPlace", "about")


def _resolved(value: Any, index: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, list):
        return [_resolved(v, index) for v in value]
    if isinstance(value, dict) and set(value) == {"@id"}:
        return index.get(str(value["@id"]), value)
    return value


def _with_links(node: dict[str, Any], index: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The node with its references to other nodes of the document replaced by those nodes (one level: a
    place's address node, an event's location node and that location's own address are what feeds use)."""
    out = dict(node)
    for key in _LINKS:
        if key in out:
            out[key] = _resolved(out[key], index)
    location = out.get("location")
    if isinstance(location, dict):
        out["location"] = {**location, **{k: _resolved(location[k], index) for k in ("address", "geo")
                                           if k in location}}
    return out


def _referenced(nodes: list[dict[str, Any]]) -> set[str]:
    """@ids that other nodes point to: such a node is part of another (an address, a picture) where it is not
    a place or an event itself."""
    found: set[str] = set()

    def walk(value: Any, top: bool) -> None:
        if isinstance(value, list):
            for v in value:
                walk(v, False)
        elif isinstance(value, dict):
            if not top and "@id" in value:
                found.add(str(value["@id"]))
            for v in value.values():
                walk(v, False)

    for node in nodes:
        walk(node, True)
    return found


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
        nodes: list[tuple[str, dict[str, Any]]] = []
        for pointer, item in _items(doc):
            if isinstance(item, dict):
                nodes.append((pointer, normalise(item)))
            else:
                yield Notice("invalid_jsonld_node", Severity.ERROR, "a JSON-LD node must be an object",
                             Location(source=raw.source, file=raw.name, pointer=pointer or None))
        index = {str(node["@id"]): node for _, node in nodes if "@id" in node}
        parts = _referenced([node for _, node in nodes])
        for pointer, node in nodes:
            yield from self._node(raw, _with_links(node, index), pointer, index, parts)

    def _node(self, raw: RawInput, node: dict[str, Any], pointer: str, index: dict[str, dict[str, Any]],
              parts: set[str]) -> Iterator[Draft | Notice]:
        if all(key.startswith("@") for key in node) and "@type" not in node:
            # nothing but @context / @id: a context document or a bare reference, no record of anything
            if str(node.get("@id")) in parts:
                return
            yield Notice("not_a_place_or_event", Severity.INFO, "a node with no type and no properties (only "
                         f"{', '.join(sorted(node)) or 'nothing'}) is neither a place nor an event; skipped",
                         Location(source=raw.source, file=raw.name, pointer=pointer or None))
            return
        kind, typ = classify(node)
        if kind is None:
            if str(node.get("@id")) not in parts:
                article = "an" if typ[:1].lower() in "aeiou" else "a"
                yield Notice("not_a_place_or_event", Severity.INFO,
                             f"{article} {typ} node is neither a place nor an event (schema.org); skipped",
                             Location(source=raw.source, file=raw.name, pointer=pointer or None), typ)
            return
        data = to_draft_data(node, kind, typ)
        if kind == "event" and not data.get("place_id"):
            data["place_id"] = _venue_id(node.get("location"), index)
        local_id = scalar(node.get("identifier")) or node.get("@id")
        local = None if local_id is None else str(local_id)
        for key in ("location", "address", "geo"):
            value = node.get(key)
            if isinstance(value, dict) and set(value) == {"@id"}:  # _with_links found no such node
                yield Notice("unresolved_reference", Severity.WARNING,
                             f"{key} refers to {value['@id']!r}, which is no node of this document; the record is "
                             f"imported without its {key}",
                             Location(source=raw.source, file=raw.name, pointer=f"{pointer}/{key}", field=key,
                                      entity_id=local), str(value["@id"]))
        yield Draft(kind, local, data, Location(source=raw.source, file=raw.name, pointer=pointer or None,
                                                entity_id=local))
        # What is written inside a node is imported too: a site's parts are places of their own (Zollverein's Ruhr
        # Museum), a venue's events and a festival's single events are events, held where their parent is unless
        # they name a place of their own
        members = ("containsPlace", "event", "events") if kind == "place" else ("subEvent",)
        for member in members:
            inner = node.get(member)
            for j, part in enumerate(inner if isinstance(inner, list) else [inner]):
                # a reference to a node of the document is imported as that node
                if not isinstance(part, dict) or set(part) == {"@id"} or str(part.get("@id")) in index:
                    continue
                if member != "containsPlace" and "location" not in part:
                    part = {**part, "location": _venue(node) if kind == "place" else node.get("location")}
                # written inside its parent, it is published under the parent's licence and credit unless it
                # names its own (as an image without a licence takes the node's)
                part = {**{k: node[k] for k in ("license", "creditText") if k in node}, **part}
                yield from self._node(raw, _with_links(part, index), f"{pointer}/{member}/{j}", index, parts)


def _venue(place: dict[str, Any]) -> dict[str, Any]:
    """A place as the location of an event written inside it."""
    return {"@type": "Place", **{k: place[k] for k in ("@id", "name", "address", "geo") if k in place}}


def _venue_id(location: Any, index: dict[str, dict[str, Any]]) -> str | None:
    """The local id of the place record an event's location names by @id, where that place is a node of this
    document (a hub's own JSON-LD export writes its events so): the event's place_id, as CSV and GeoJSON give it."""
    if isinstance(location, list):
        location = location[0] if location else None
    target = index.get(str(location.get("@id"))) if isinstance(location, dict) and location.get("@id") else None
    if target is None or classify(target)[0] != "place":
        return None
    found = scalar(target.get("identifier")) or target.get("@id")
    return None if found is None else str(found)
