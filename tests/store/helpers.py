"""Small CSV sources written on the fly for store and pipeline tests."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HEADER = ["id", "name", "category", "lat", "lon", "licence", "description", "wheelchair"]

ROWS = [
    ["z1", "Zeche Zollverein", "Industriekultur", "51.4862", "7.0406", "CC0-1.0", "Zechen und Kokerei", "limited"],
    ["z2", "Zeche Zollern", "Industriekultur", "51.5186", "7.3339", "CC0-1.0", "Musterzeche in Dortmund", "yes"],
    ["m1", "Museum Folkwang", "Museum", "51.4426", "7.0046", "CC-BY-4.0", "Kunstmuseum", "yes"],
    ["m2", "Deutsches Bergbau-Museum", "Museum", "51.4891", "7.2171", "CC0-1.0", "Bergbau und Museen", "yes"],
    ["h1", "Halde Haniel", "Panorama", "51.5600", "6.9300", "CC0-1.0", "Aussicht", "no"],
    ["h2", "Tetraeder", "Panorama", "51.5210", "6.9560", "CC0-1.0", "Halde mit Aussicht", "no"],
    ["c1", "Geheimes Depot", "Museum", "51.4500", "7.0100", "closed", "interne Notiz geheimwort", "yes"],
    ["p1", "Westfalenpark", "Park", "51.4950", "7.4770", "DL-DE-BY-2.0", "Park in Dortmund", "yes"],
]


def write_csv(path: Path, rows: list[list[str]] | None = None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(ROWS if rows is None else rows)
    return path


def typed_queries(names: list[str], count: int, seed: int = 3) -> list[str]:
    """Queries as people type them: a name word cut after 4+ letters, alone or after another whole name word."""
    import random

    words = sorted({w for name in names for w in name.split() if len(w) >= 5})
    rng = random.Random(seed)
    queries = []
    for _ in range(count):
        first, last = rng.choice(words), rng.choice(words)
        cut = last[: rng.randint(4, len(last))]
        queries.append(rng.choice([cut, f"{first} {cut}"]))
    return queries


def geo_last(stored: str) -> str:
    """A stored document as stores wrote it before `geo` followed `id` (store.documents): the point further back."""
    import orjson

    data = orjson.loads(stored)
    return orjson.dumps({**{k: v for k, v in data.items() if k != "geo"}, "geo": data["geo"]}).decode()


def provenance_inside(stored: str) -> str:
    """A stored document as stores wrote it before `provenance` came last (store.documents): members after it."""
    import orjson

    data = orjson.loads(stored)
    head = dict(list(data.items())[:2])  # id and geo stay in front
    return orjson.dumps({**head, "provenance": data["provenance"], **data}).decode()


ZOO_CSV = ("id,name_de,name_en,description_de,description_en,description_nl,category,lat,lon,keywords,email,website,"
           "street,city,licence,attribution\n1,Tierpark Bochum,Bochum Zoo,Zoo mit Aquarium,Zoo with an aquarium,"
           "Dierentuin met aquarium,Zoo,51.4846,7.2138,Tiere;Familie,info@tierpark.de,https://tierpark-bochum.de,"
           "Klinikstr. 49,Bochum,CC-BY-4.0,Stadt Bochum\n")


def round_trip(folder: Path, fmt: str, name: str, text: str) -> tuple[Any, Any, Any]:
    """The file `name` (holding `text`) imported into a hub, exported as `fmt`, and that export imported into a
    second hub: (the first hub, the second, the second import's result)."""
    from datenhub import hub
    from datenhub.clock import fixed
    from datenhub.store import open_store

    clock = fixed(datetime(2026, 6, 4, 12, 0, tzinfo=UTC))
    first = open_store(f"sqlite:///{folder / 'first.db'}")
    hub.import_file(first, write_text(folder / name, text), "orte", clock=clock)
    exported = folder / f"export.{fmt}"
    exported.write_bytes(b"".join(hub.export(first, fmt)))
    second = open_store(f"sqlite:///{folder / 'second.db'}")
    return first, second, hub.import_file(second, exported, "kopie", clock=clock)


def exported_and_imported_back(folder: Path, fmt: str, source_csv: str = ZOO_CSV,
                               ) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """`source_csv` (ZOO_CSV) through round_trip: (the entity before, the entity after, the second import's
    result)."""
    first, second, result = round_trip(folder, fmt, "orte.csv", source_csv)
    (before,), (after,) = list(first.iter_entities()), list(second.iter_entities())
    return before, after, result


OPEN_IMAGE = {"url": "https://example.org/offen.jpg", "licence": "CC0-1.0", "caption": {"de": "Offen"}}
CLOSED_IMAGE = {"url": "https://example.org/geheim.jpg", "licence": "closed", "caption": {"de": "Geheimbild"},
                "attribution": "Foto: Intern"}
PICTURED = {"id": "bild1", "name": "Kokerei Hansa", "geo": {"lat": 51.5325, "lon": 7.3941}, "licence": "CC-BY-4.0",
            "attribution": "Stadt Dortmund", "images": [OPEN_IMAGE, CLOSED_IMAGE]}


def import_pictured(store: Any, folder: Path, clock: Any) -> str:
    """An open place with an open and a closed image; returns its hub id."""
    from datenhub import hub

    path = folder / "bilder.json"
    path.write_text(json.dumps([PICTURED]), encoding="utf-8")
    hub.import_file(store, path, "bilder", adapter="hub-json", clock=clock)
    entity = store.get_entity("bilder:bild1")
    assert entity is not None
    return str(entity["id"])


GOLDEN_ICS = Path(__file__).resolve().parents[1] / "publish" / "golden" / "sample.ics"  # three events
CLOSED_ZOLLVEREIN = ["z1", "Zeche Zollverein", "Industriekultur", "51.4863", "7.0407", "closed", "intern", "yes"]


def closed_founder_then_open(store: Any, folder: Path, clock: Any) -> tuple[str, datetime]:
    """A closed record ("intern:z1") founds Zeche Zollverein; 30 days later the open ROWS arrive and test:z1 joins
    it. Returns the hub id and the open import's instant."""
    from datetime import timedelta

    from datenhub import hub

    hub.import_file(store, write_csv(folder / "intern.csv", [CLOSED_ZOLLVEREIN]), "intern", clock=clock)
    later = clock() + timedelta(days=30)
    hub.import_file(store, write_csv(folder / "src.csv"), "test", clock=lambda: later)
    entity = store.get_entity("test:z1")
    assert entity is not None
    return str(entity["id"]), later


def withdraw_every_event(store: Any, folder: Path, at: datetime) -> None:
    """The GOLDEN_ICS calendar's next export is empty: its three events are withdrawn at `at`."""
    from datenhub import hub

    empty = write_text(folder / "empty.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\nEND:VCALENDAR\r\n")
    hub.import_file(store, empty, "events", clock=lambda: at, allow_empty=True)


OTHER_DEPOT = ["zz", "Anderes Depot", "Museum", "51.6", "7.1", "closed", "intern", "yes"]


def intern_without_zollverein(store: Any, folder: Path, at: datetime) -> None:
    """The closed source's next export lacks z1 (another record of it stays, so the import is not empty)."""
    from datenhub import hub

    hub.import_file(store, write_csv(folder / "intern-next.csv", [OTHER_DEPOT]), "intern", clock=lambda: at)


def open_place_closed_point(store: Any, folder: Path, clock: Any) -> str:
    """An open record without coordinates and a closed one at 51.4862, 7.0406 in one place; returns its id."""
    from datenhub import hub

    pointless = ["a", "Depot am Kanal", "Museum", "", "", "CC0-1.0", "", "yes"]
    hub.import_file(store, write_csv(folder / "a.csv", [pointless]), "offen", clock=clock)
    placed = ["x", "Depot am Kanal", "Museum", "51.4862", "7.0406", "closed", "intern", "yes"]
    hub.import_file(store, write_csv(folder / "x.csv", [placed]), "intern", clock=clock)
    place = str(store.get_record("offen:a").hub_id)
    hub.join_record(store, "intern:x", place, clock=clock)
    return place


def open_record_leaves(store: Any, folder: Path, clock: Any) -> tuple[str, datetime]:
    """closed_founder_then_open, then a day later the open source's next export lacks z1: the place lives on in its
    closed record, its open view is gone. Returns the hub id and the instant the open record went."""
    from datetime import timedelta

    from datenhub import hub

    hub_id, later = closed_founder_then_open(store, folder, clock)
    gone = later + timedelta(days=1)
    hub.import_file(store, write_csv(folder / "smaller.csv", ROWS[1:]), "test", clock=lambda: gone)
    return hub_id, gone


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
