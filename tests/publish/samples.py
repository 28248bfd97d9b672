"""A small fixed set of places, events and sources for the golden files (no clock, no randomness)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from datenhub.clock import BERLIN, fixed
from datenhub.model.entity import Event, Place

NOW = datetime(2026, 6, 4, 12, 0, tzinfo=BERLIN)  # Fronleichnam 2026, a Thursday
CLOCK = fixed(NOW)
BASE_URL = "https://datenhub.ruhr"
CHANGED = datetime(2026, 5, 20, 9, 15, tzinfo=BERLIN)
SEEN = datetime(2026, 1, 10, 8, 0, tzinfo=BERLIN)

ESSEN = {"name": "Essen", "ags": "05113000", "kreis": "Essen", "kreis_ags": "05113", "in_rvr": True}
HATTINGEN = {"name": "Hattingen", "ags": "05954016", "kreis": "Ennepe-Ruhr-Kreis", "kreis_ags": "05954",
             "in_rvr": True}
DORTMUND = {"name": "Dortmund", "ags": "05913000", "kreis": "Dortmund", "kreis_ags": "05913", "in_rvr": True}


def _place(**fields: Any) -> dict[str, Any]:
    return Place(first_seen=SEEN, last_changed=CHANGED, **fields).model_dump(mode="json")


def _event(**fields: Any) -> dict[str, Any]:
    return Event(first_seen=SEEN, last_changed=CHANGED, **fields).model_dump(mode="json")


def sample_places() -> list[dict[str, Any]]:
    return [
        _place(
            id="dh-sample-museum", type="Museum", categories=["Museum", "Industriekultur"],
            name={"de": "Ruhr Museum", "en": "Ruhr Museum", "nl": "Ruhr Museum"},
            description={"de": "Regionalmuseum in der Kohlenwäsche der Zeche Zollverein.",
                         "en": "Regional museum in the coal washery of the Zollverein colliery."},
            geo={"lat": 51.4862, "lon": 7.0443},
            address={"street": "Gelsenkirchener Str. 181", "postal_code": "45309", "locality": "Essen"},
            municipality=ESSEN,
            contact={"website": "https://www.ruhrmuseum.de", "phone": "+49 201 24681444",
                     "email": "info@ruhrmuseum.de"},
            images=[
                {"url": "https://example.org/img/kohlenwaesche.jpg", "caption": {"de": "Die Kohlenwäsche"},
                 "licence": "CC-BY-SA-4.0", "attribution": "Foto: Erika Muster, CC BY-SA 4.0",
                 "author": "Erika Muster"},
                {"url": "https://example.org/img/intern.jpg", "licence": "closed"},
            ],
            keywords=["UNESCO-Welterbe", "Zollverein"], licence="CC0-1.0",
            attribution="DatenHub Ruhr sample data (CC0 1.0)", sources=["sample:museum"],
            opening_hours="Mo-Su 10:00-18:00; PH off", wheelchair="yes", route_role="Ankerpunkt",
        ),
        _place(
            id="dh-sample-henrichshuette", type="LandmarksOrHistoricalBuildings", categories=["Industriekultur"],
            name={"de": "Henrichshütte Hattingen"}, geo={"lat": 51.4037, "lon": 7.1766},
            address={"street": "Werksstraße 31-33", "postal_code": "45527", "locality": "Hattingen"},
            municipality=HATTINGEN, licence="DL-DE-BY-2.0", attribution="Stadt Hattingen, dl-de/by-2-0",
            opening_hours="Apr-Oct Tu-Su 10:00-18:00; Nov-Mar Tu-Su 10:00-17:00", wheelchair="limited",
        ),
        _place(
            id="dh-sample-station", type="TrainStation", categories=["Verkehr"], name={"de": "Essen Hbf"},
            geo={"lat": 51.451355, "lon": 7.014793},
            address={"street": "Am Hauptbahnhof 5", "postal_code": "45127", "locality": "Essen"},
            municipality=ESSEN, licence="CC-BY-4.0", wheelchair="no",
            attribution="Deutsche Bahn AG (DB Station&Service), CC BY 4.0",
        ),
        _place(
            id="dh-sample-park", type="Park", categories=["Park"], name={"de": "Westfalenpark", "nl": "Westfalenpark"},
            geo={"lat": 51.4939, "lon": 7.4761}, municipality=DORTMUND, licence="ODbL-1.0",
            attribution="© OpenStreetMap contributors, ODbL 1.0", opening_hours="nach Vereinbarung",
        ),
    ]


def sample_events() -> list[dict[str, Any]]:
    return [
        _event(
            id="dh-sample-konzert", type="MusicEvent", categories=["Kultur"],
            name={"de": "Konzert in der Mischanlage", "en": "Concert in the mixing plant"},
            description={"de": "Ein langer Text, mit Kommas; Semikolons und Umlauten (äöü ß), der in iCalendar "
                               "gefaltet werden muss, weil er deutlich länger als fünfundsiebzig Oktette ist."},
            start=datetime(2026, 6, 13, 19, 30, tzinfo=BERLIN), end=datetime(2026, 6, 13, 22, 0, tzinfo=BERLIN),
            location_name="Zeche Zollverein, Mischanlage", place_id="dh-sample-museum",
            geo={"lat": 51.4862, "lon": 7.0443},
            address={"street": "Gelsenkirchener Str. 181", "postal_code": "45309", "locality": "Essen"},
            municipality=ESSEN, organizer="Stiftung Zollverein", url="https://www.zollverein.de/konzert",
            status="EventScheduled", keywords=["Musik"], licence="CC-BY-4.0",
            attribution="Stiftung Zollverein, CC BY 4.0",
        ),
        _event(
            id="dh-sample-fest", type="Festival", name={"de": "Hüttenfest"},
            start=datetime(2026, 8, 22, 0, 0, tzinfo=BERLIN), end=datetime(2026, 8, 24, 0, 0, tzinfo=BERLIN),
            all_day=True, location_name="Henrichshütte", place_id="dh-sample-henrichshuette",
            address={"street": "Werksstraße 31-33", "postal_code": "45527", "locality": "Hattingen"},
            status="EventCancelled", licence="DL-DE-ZERO-2.0",
        ),
        _event(
            id="dh-sample-fuehrung", name={"de": "Führung über die Halde"},
            start=datetime(2026, 7, 5, 14, 0, tzinfo=BERLIN), location_name="Halde Haniel",
            address={"locality": "Bottrop", "postal_code": "46244"}, licence="CC0-1.0",
        ),
    ]


def sample_entities() -> list[dict[str, Any]]:
    return sample_places() + sample_events()


def sample_sources() -> list[dict[str, Any]]:
    stats = {"records": 3, "active": 3, "withdrawn": 0}
    return [
        {"name": "ruhr-demo", "title": "DatenHub Ruhr demo", "licence": "CC0-1.0",
         "attribution": "DatenHub Ruhr demo dataset (CC0 1.0)", "priority": 10, "url": None,
         "description": "Route der Industriekultur and major attractions, compiled from public facts.", "events": True,
         # imported since, without a change of its open data: dct:modified is the open change
         "stats": {**stats, "open_changed_at": "2026-05-20T09:15:00+02:00",
                   "last_import": "2026-06-03T05:00:00+02:00"}},
        {"name": "db-stations", "title": "Deutsche Bahn stations in the RVR", "licence": "CC-BY-4.0",
         "attribution": "Deutsche Bahn AG (DB Station&Service), CC BY 4.0", "priority": 50,
         "url": "https://www.npmjs.com/package/db-stations", "description": None,
         "stats": {**stats, "open_changed_at": "2026-05-21T06:00:00+00:00",
                   "last_import": "2026-06-03T06:00:00+00:00"}},
        {"name": "osm-ruhr", "title": "OpenStreetMap extract", "licence": "ODbL-1.0",
         "attribution": "© OpenStreetMap contributors, ODbL 1.0", "priority": 80, "url": None,
         "description": None, "stats": {}},
        {"name": "partner", "title": "Partner feed (internal)", "licence": "closed", "attribution": "Partner GmbH",
         "priority": 5, "url": None, "description": None, "stats": stats},
        {"name": "unlabelled", "title": None, "licence": None, "attribution": None, "priority": 100, "url": None,
         "description": None, "stats": {}},
    ]


def render_golden() -> dict[str, bytes]:
    """Every golden file, by name, from the samples above: what the tests compare and regenerate.py writes."""
    from datenhub.publish.dcat import catalog_jsonld, catalog_rdf_xml, catalog_turtle
    from datenhub.publish.ical_ import write_ical
    from datenhub.publish.jsonld import to_jsonld, write_jsonld
    from datenhub.publish.sitemap import robots_txt, sitemap_files, sitemap_xml

    entities = sample_entities()
    nodes_de = [to_jsonld(e, base_url=BASE_URL, lang="de", clock=CLOCK) for e in entities]
    formats = ["jsonld", "geojson", "csv", "ical"]
    return {
        "sample.jsonld": b"".join(write_jsonld(entities, base_url=BASE_URL, clock=CLOCK)),
        "sample-de.json": _pretty(nodes_de),
        "sample.ics": b"".join(write_ical(entities, clock=CLOCK)),
        "sitemap.xml": sitemap_xml(entities, BASE_URL),
        **{f"sitemap-split/{name}": data for name, data in sitemap_files(entities, BASE_URL, max_urls=3).items()},
        "robots.txt": robots_txt(BASE_URL),
        "catalog.jsonld": _pretty(catalog_jsonld(sample_sources(), BASE_URL, formats)),
        "catalog.ttl": catalog_turtle(sample_sources(), BASE_URL, formats),
        "catalog.rdf": catalog_rdf_xml(sample_sources(), BASE_URL, formats),
    }


def _pretty(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
