"""Our category vocabulary for the Ruhr, with the schema.org type each one suggests."""

from __future__ import annotations

# Where a hub lists its categories: the DefinedTermSet its JSON-LD names for an event's categories (publish.jsonld,
# read back by ingest.jsonld, whatever hub's base URL comes before it)
TERM_SET_PATH = "/api/v1/categories"

CATEGORIES: dict[str, dict[str, str]] = {
    "Industriekultur": {"en": "Industrial heritage", "nl": "Industrieel erfgoed", "type": "TouristAttraction"},
    "Museum": {"en": "Museum", "nl": "Museum", "type": "Museum"},
    "Panorama": {"en": "Panorama / slag heap", "nl": "Panorama / steenberg", "type": "TouristAttraction"},
    "Siedlung": {"en": "Workers' housing estate", "nl": "Arbeiderswijk", "type": "LandmarksOrHistoricalBuildings"},
    "Natur": {"en": "Nature", "nl": "Natuur", "type": "TouristAttraction"},
    "Park": {"en": "Park", "nl": "Park", "type": "Park"},
    "Kultur": {"en": "Culture and venues", "nl": "Cultuur", "type": "TouristAttraction"},
    "Zoo": {"en": "Zoo", "nl": "Dierentuin", "type": "Zoo"},
    "Freizeit": {"en": "Leisure", "nl": "Vrije tijd", "type": "TouristAttraction"},
    "Sport": {"en": "Sport", "nl": "Sport", "type": "StadiumOrArena"},
    "Gastronomie": {"en": "Food and drink", "nl": "Horeca", "type": "FoodEstablishment"},
    "Unterkunft": {"en": "Accommodation", "nl": "Accommodatie", "type": "LodgingBusiness"},
    "Verkehr": {"en": "Transport", "nl": "Vervoer", "type": "TrainStation"},
    "Religion": {"en": "Religious site", "nl": "Religieuze plaats", "type": "PlaceOfWorship"},
    "Architektur": {"en": "Architecture", "nl": "Architectuur", "type": "LandmarksOrHistoricalBuildings"},
}

_LOWER = {name.lower(): name for name in CATEGORIES}
_ALIASES = {
    "industrial heritage": "Industriekultur",
    "industriedenkmal": "Industriekultur",
    "halde": "Panorama",
    "aussichtspunkt": "Panorama",
    "viewpoint": "Panorama",
    "museum": "Museum",
    "nature": "Natur",
    "culture": "Kultur",
    "transport": "Verkehr",
    "bahnhof": "Verkehr",
    "station": "Verkehr",
    "hotel": "Unterkunft",
    "restaurant": "Gastronomie",
    "kirche": "Religion",
    "church": "Religion",
}


def normalise_category(value: str) -> str | None:
    key = value.strip().lower()
    return _LOWER.get(key) or _ALIASES.get(key)


def category_aliases(name: str) -> list[str]:
    """The other words an import accepts for the category `name` ("bahnhof" for Verkehr)."""
    return [alias for alias, to in _ALIASES.items() if to == name]
