"""A deterministic generator of realistic places inside the RVR (for benchmarks, never for tests of truth)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import shapely
from shapely.geometry import shape

from datenhub.enrich.municipality import boundaries

PREFIXES = ["Zeche", "Halde", "Museum", "Park", "Siedlung", "Kokerei", "Villa", "Schloss", "Hütte", "Bahnhof",
            "Kirche", "Galerie", "Theater", "Zoo", "Brauerei", "Wasserturm", "Förderturm", "Hafen", "Kanal", "Garten"]
NAMES = ["Zollverein", "Hannover", "Erin", "Ewald", "Nordstern", "Consol", "Minister Stein", "Hansa", "Zollern",
         "Gneisenau", "Rheinelbe", "Haniel", "Hoheward", "Schwerin", "Rungenberg", "Pluto", "Holland", "Lohberg",
         "Osterfeld", "Sterkrade", "Friedrich", "Auguste", "Victoria", "Adolf", "Helene", "Amalie", "Carl", "Julius"]
CATEGORIES = ["Industriekultur", "Museum", "Panorama", "Siedlung", "Natur", "Park", "Kultur", "Freizeit",
              "Gastronomie", "Unterkunft"]
WORDS = ["Förderturm", "Steinkohle", "Bergbau", "Aussicht", "Ruhrgebiet", "Industrie", "Denkmal", "Führung",
         "Familien", "Radweg", "Emscher", "Ruhr", "Kunst", "Ausstellung", "Geschichte", "Arbeiter", "Natur"]
HOURS = ["Tu-Su 10:00-18:00", "Mo-Fr 09:00-17:00; Sa,Su 10:00-18:00", "24/7", "", "We-Su 11:00-17:00; PH off"]


def generate(path: Path, count: int, seed: int = 42) -> Path:
    rng = random.Random(seed)
    outline = shape(boundaries().rvr_geojson["outline"]["features"][0]["geometry"])
    shapely.prepare(outline)
    min_lon, min_lat, max_lon, max_lat = outline.bounds
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "category", "lat", "lon", "description", "opening_hours", "wheelchair",
                         "website", "licence"])
        made = 0
        while made < count:
            lon, lat = rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)
            if not shapely.contains_xy(outline, lon, lat):
                continue
            made += 1
            name = f"{rng.choice(PREFIXES)} {rng.choice(NAMES)} {made}"
            description = " ".join(rng.choices(WORDS, k=12))
            writer.writerow([f"p{made}", name, rng.choice(CATEGORIES), f"{lat:.6f}", f"{lon:.6f}", description,
                             rng.choice(HOURS), rng.choice(["yes", "limited", "no", ""]),
                             f"https://example.org/{made}", rng.choice(["CC0-1.0", "CC-BY-4.0", "DL-DE-BY-2.0"])])
    return path
