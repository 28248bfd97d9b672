"""Words visitors search by that a record's own text rarely holds: what the place is, in German, English and Dutch.

A station's name is "Essen Hbf"; a visitor types "Bahnhof", "station" or "treinstation". A museum's record says
"Museum" as its category; an English visitor types "museum", a Dutch one "museum" too, but a zoo's says "Zoo" and
a Dutch visitor types "dierentuin". These words go into the indexed text of each place (store.rows), on every
backend, next to the name and description: they are found, they are never shown.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from datenhub.model.categories import CATEGORIES, category_aliases

# By schema.org type (the record's `type`): what the type is called, in the three languages of the hub.
TYPE_WORDS: dict[str, str] = {
    "TrainStation": "Bahnhof Station Zug train station railway treinstation station",
    "BusStation": "Busbahnhof Bus bus station busstation",
    "SubwayStation": "U-Bahn Station subway metro",
    "Museum": "Museum museum",
    "ArtGallery": "Galerie Kunst gallery art galerie kunst",
    "Park": "Park park",
    "Zoo": "Zoo Tierpark zoo dierentuin",
    "Aquarium": "Aquarium aquarium",
    "LandmarksOrHistoricalBuildings": "Denkmal Sehenswürdigkeit landmark monument bezienswaardigheid monument",
    "TouristAttraction": "Sehenswürdigkeit Ausflugsziel attraction sight bezienswaardigheid",
    "PlaceOfWorship": "Kirche Gotteshaus church kerk",
    "Church": "Kirche church kerk",
    "CatholicChurch": "Kirche church kerk",
    "Mosque": "Moschee mosque moskee",
    "Synagogue": "Synagoge synagogue synagoge",
    "LodgingBusiness": "Unterkunft Übernachtung accommodation overnachting",
    "Hotel": "Hotel Unterkunft hotel accommodation",
    "Hostel": "Hostel Jugendherberge hostel jeugdherberg",
    "Campground": "Campingplatz Camping campsite camping",
    "FoodEstablishment": "Gastronomie Essen food restaurant eten",
    "Restaurant": "Restaurant Gastronomie restaurant",
    "CafeOrCoffeeShop": "Café Kaffee cafe coffee koffie",
    "BarOrPub": "Kneipe Bar pub bar kroeg",
    "Brewery": "Brauerei brewery brouwerij",
    "StadiumOrArena": "Stadion Arena stadium stadion",
    "SportsActivityLocation": "Sport sport",
    "PublicSwimmingPool": "Schwimmbad Bad swimming pool zwembad",
    "MovieTheater": "Kino cinema bioscoop",
    "PerformingArtsTheater": "Theater Bühne theatre theater schouwburg",
    "MusicVenue": "Konzert Musik concert music muziek",
    "Library": "Bibliothek Bücherei library bibliotheek",
    "Castle": "Schloss Burg castle kasteel",
    "Playground": "Spielplatz playground speeltuin",
    "Beach": "Strand beach strand",
    "LakeBodyOfWater": "See lake meer",
    "Mountain": "Berg mountain berg",
    "Cemetery": "Friedhof cemetery begraafplaats",
    "TouristInformationCenter": "Touristinformation Information tourist information toeristeninformatie",
}

# By our category: its German name, its English and Dutch labels, and the aliases an import accepts for it.
_CATEGORY_WORDS: dict[str, str] = {
    name: " ".join([name, labels["en"], labels["nl"], *category_aliases(name)])
    for name, labels in CATEGORIES.items()
}


def kind_words(data: dict[str, Any]) -> str:
    """The words for what a place is (its type and categories), for the indexed text; "" for none."""
    return _kind_words(str(data.get("type") or ""), tuple(data.get("categories") or ()))


@lru_cache(maxsize=4096)  # a hub has a few dozen combinations; imports ask per record
def _kind_words(type_: str, categories: tuple[str, ...]) -> str:
    text = " ".join([TYPE_WORDS.get(type_, ""), *(_CATEGORY_WORDS.get(category, "") for category in categories)])
    # each word once: "Museum" as type and as category must not weigh twice in the text rank
    return " ".join(dict.fromkeys(text.lower().split()))
