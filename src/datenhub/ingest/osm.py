"""OpenStreetMap XML and PBF (a regional extract) via osmium: tourism, historic, leisure and amenity POIs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datenhub.ingest.base import Adapter, AdapterOptions, Draft, RawInput
from datenhub.ingest.decode import is_binary
from datenhub.ingest.registry import register
from datenhub.notices import Location, Notice, Severity

OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"

# key -> {value: (schema.org type, our category)}; "*" matches any value of the key
POI_TAGS: dict[str, dict[str, tuple[str, str]]] = {
    "tourism": {
        "museum": ("Museum", "Museum"), "attraction": ("TouristAttraction", "Freizeit"),
        "viewpoint": ("TouristAttraction", "Panorama"), "zoo": ("Zoo", "Zoo"), "aquarium": ("Aquarium", "Zoo"),
        "theme_park": ("AmusementPark", "Freizeit"), "gallery": ("ArtGallery", "Kultur"),
        "artwork": ("TouristAttraction", "Kultur"), "hotel": ("Hotel", "Unterkunft"),
        "hostel": ("Hostel", "Unterkunft"), "guest_house": ("LodgingBusiness", "Unterkunft"),
        "camp_site": ("Campground", "Unterkunft"), "information": ("TouristInformationCenter", "Freizeit"),
    },
    "historic": {
        "mine": ("LandmarksOrHistoricalBuildings", "Industriekultur"),
        "mine_shaft": ("LandmarksOrHistoricalBuildings", "Industriekultur"),
        "industrial": ("LandmarksOrHistoricalBuildings", "Industriekultur"),
        "castle": ("LandmarksOrHistoricalBuildings", "Architektur"),
        "monument": ("LandmarksOrHistoricalBuildings", "Architektur"),
        "*": ("LandmarksOrHistoricalBuildings", "Architektur"),
    },
    "leisure": {"park": ("Park", "Park"), "nature_reserve": ("Park", "Natur"),
                "stadium": ("StadiumOrArena", "Sport"), "water_park": ("AmusementPark", "Freizeit")},
    "amenity": {"theatre": ("PerformingArtsTheater", "Kultur"), "arts_centre": ("TouristAttraction", "Kultur"),
                "cinema": ("MovieTheater", "Kultur"), "planetarium": ("TouristAttraction", "Kultur"),
                "restaurant": ("Restaurant", "Gastronomie"), "cafe": ("CafeOrCoffeeShop", "Gastronomie"),
                "place_of_worship": ("PlaceOfWorship", "Religion")},
    "man_made": {"mineshaft": ("LandmarksOrHistoricalBuildings", "Industriekultur"),
                 "winding_tower": ("LandmarksOrHistoricalBuildings", "Industriekultur")},
    "railway": {"station": ("TrainStation", "Verkehr")},
}


def classify(tags: dict[str, str]) -> tuple[str, str] | None:
    for key, values in POI_TAGS.items():
        value = tags.get(key)
        if value is None:
            continue
        if value in values:
            return values[value]
        if "*" in values:
            return values["*"]
    return None


def tags_to_data(tags: dict[str, str]) -> dict[str, Any] | None:
    if "name" not in tags:
        return None
    kind = classify(tags)
    if kind is None:
        return None
    typ, category = kind
    name = {"de": tags["name"]}
    for lang in ("en", "nl"):
        if f"name:{lang}" in tags:
            name[lang] = tags[f"name:{lang}"]
    data: dict[str, Any] = {"type": typ, "category": category, "name": name,
                            "licence": "ODbL-1.0", "attribution": OSM_ATTRIBUTION}
    if "description" in tags:
        data["description"] = {"de": tags["description"]}
    if "opening_hours" in tags:
        data["opening_hours"] = tags["opening_hours"]
    if tags.get("wheelchair") in ("yes", "limited", "no"):
        data["wheelchair"] = tags["wheelchair"]
    website = tags.get("website") or tags.get("contact:website") or tags.get("url")
    phone = tags.get("phone") or tags.get("contact:phone")
    contact = {k: v for k, v in {"website": website, "phone": phone,
                                 "email": tags.get("email") or tags.get("contact:email")}.items() if v}
    if contact:
        data["contact"] = contact
    address = {k: v for k, v in {
        "street": " ".join(p for p in (tags.get("addr:street"), tags.get("addr:housenumber")) if p) or None,
        "postal_code": tags.get("addr:postcode"), "locality": tags.get("addr:city")}.items() if v}
    if address:
        data["address"] = address
    return data


@register
class OsmAdapter(Adapter):
    name = "osm"
    extensions = (".osm", ".osm.pbf", ".pbf", ".osm.xml")
    description = "OpenStreetMap XML or PBF extract (nodes and ways with tourism/historic/leisure/amenity tags)"

    def read(self, raw: RawInput, options: AdapterOptions) -> Iterator[Draft | Notice]:
        import osmium

        where = Location(source=raw.source, file=raw.name)
        if not raw.payload.strip():
            yield Notice("empty_file", Severity.ERROR, "the file is empty", where)
            return
        is_pbf = raw.name.lower().endswith(".pbf")
        if not is_pbf and is_binary(raw.payload):
            yield Notice("not_text", Severity.ERROR, "the file is binary but not named .pbf", where)
            return
        if not is_pbf and b"<!ENTITY" in raw.payload[:65536]:
            # OSM XML never needs entity declarations; refusing them defuses entity-expansion bombs.
            yield Notice("xml_entities_refused", Severity.ERROR,
                         "the XML declares entities (possible entity-expansion attack); refusing to read it",
                         where)
            return
        buffer = osmium.io.FileBuffer(raw.payload, "pbf" if is_pbf else "osm")
        drafts: list[Draft] = []
        try:
            processor = osmium.FileProcessor(buffer, osmium.osm.NODE | osmium.osm.WAY).with_locations()
            for obj in processor:
                tags = {t.k: t.v for t in obj.tags}
                data = tags_to_data(tags)
                if data is None:
                    continue
                if isinstance(obj, osmium.osm.Node):
                    local_id = f"node/{obj.id}"
                    data["lat"], data["lon"] = obj.location.lat, obj.location.lon
                elif isinstance(obj, osmium.osm.Way):
                    local_id = f"way/{obj.id}"
                    coords = [(n.location.lat, n.location.lon) for n in obj.nodes if n.location.valid()]
                    if not coords:
                        yield _way_without_nodes(local_id, len(obj.nodes), raw)
                        continue
                    data["lat"] = sum(c[0] for c in coords) / len(coords)
                    data["lon"] = sum(c[1] for c in coords) / len(coords)
                else:
                    continue  # the processor reads nodes and ways only
                drafts.append(Draft("place", local_id, data,
                                    Location(source=raw.source, file=raw.name, pointer=local_id,
                                             entity_id=local_id)))
        except RuntimeError as exc:
            yield Notice("invalid_osm", Severity.ERROR, f"osmium cannot read the file: {exc}", where)
            return
        yield from drafts


def _way_without_nodes(local_id: str, nodes: int, raw: RawInput) -> Notice:
    """A way whose nodes the file does not hold has no place to be: an extract that left them out (an Overpass query
    without recursion, `osmium tags-filter` with -R) or cut the way at its border."""
    return Notice("way_without_nodes", Severity.ERROR,
                  f"{local_id} refers to {nodes} node(s), none of them in the file, so it has no location: export the "
                  "ways with their nodes (Overpass: end the query with (._;>;); osmium tags-filter without -R)",
                  Location(source=raw.source, file=raw.name, pointer=local_id, entity_id=local_id))
