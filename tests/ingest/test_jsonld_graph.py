"""JSON-LD as websites publish it: an @graph of places and events beside pages, organisations and breadcrumbs,
nodes that point at each other by @id, and sites that contain places."""

from __future__ import annotations

import json
from typing import Any

from ingest_corpus import FIXED_NOW

from datenhub.ingest.base import AdapterOptions, Draft, RawInput
from datenhub.ingest.jsonld import classify
from datenhub.ingest.registry import get_adapter
from datenhub.notices import Notice, Severity

GRAPH = {
    "@context": "https://schema.org",
    "@graph": [
        {"@type": "WebSite", "@id": "https://ruhr.example/#website", "name": "Ruhr erleben"},
        {"@type": "WebPage", "@id": "https://ruhr.example/zollverein", "isPartOf": {"@id": "https://ruhr.example/#website"}},
        {"@type": "BreadcrumbList", "itemListElement": []},
        {"@type": "PostalAddress", "@id": "#adr", "streetAddress": "Gelsenkirchener Str. 181",
         "postalCode": "45309", "addressLocality": "Essen"},
        {"@type": ["Organization", "LandmarksOrHistoricalBuildings"], "@id": "#zollverein",
         "name": "Zeche Zollverein", "address": {"@id": "#adr"},
         "geo": {"@type": "GeoCoordinates", "latitude": 51.4862, "longitude": 7.0406},
         "containsPlace": [
             {"@type": "Museum", "@id": "#ruhrmuseum", "name": "Ruhr Museum",
              "geo": {"latitude": 51.4858, "longitude": 7.0455}},
             {"@id": "#kokerei"}]},
        {"@type": "TouristAttraction", "@id": "#kokerei", "name": "Kokerei Zollverein",
         "geo": {"latitude": 51.4895, "longitude": 7.0322}},
        {"@type": "Festival", "@id": "#extraschicht", "name": "ExtraSchicht", "startDate": "2027-06-26T18:00",
         "location": {"@id": "#zollverein"}},
    ],
}


def read(doc: Any) -> list[Draft | Notice]:
    raw = RawInput("test", "site.jsonld", json.dumps(doc).encode(), FIXED_NOW)
    return list(get_adapter("jsonld").read(raw, AdapterOptions("test")))


def test_only_places_and_events_become_records_and_other_nodes_are_named() -> None:
    items = read(GRAPH)
    drafts = [i for i in items if isinstance(i, Draft)]
    assert [(d.kind, d.local_id, d.data["type"], d.location.pointer) for d in drafts] == [
        ("place", "#zollverein", "LandmarksOrHistoricalBuildings", "/@graph/4"),
        ("place", "#ruhrmuseum", "Museum", "/@graph/4/containsPlace/0"),  # written inside the site
        ("place", "#kokerei", "TouristAttraction", "/@graph/5"),  # referenced by the site: imported once
        ("event", "#extraschicht", "Festival", "/@graph/6"),
    ]
    skipped = [(n.code, n.severity, n.location.pointer, n.value) for n in items if isinstance(n, Notice)]
    # the website is part of the page and the address part of a place: only what stands alone is named
    assert skipped == [("not_a_place_or_event", Severity.INFO, "/@graph/1", "WebPage"),
                       ("not_a_place_or_event", Severity.INFO, "/@graph/2", "BreadcrumbList")]


def test_references_by_id_are_followed() -> None:
    drafts = {d.local_id: d for d in read(GRAPH) if isinstance(d, Draft)}
    assert drafts["#zollverein"].data["address"] == {"street": "Gelsenkirchener Str. 181", "postal_code": "45309",
                                                     "locality": "Essen"}
    festival = drafts["#extraschicht"].data
    assert (festival["location_name"], festival["lat"], festival["lon"]) == ("Zeche Zollverein", 51.4862, 7.0406)
    assert festival["address"]["locality"] == "Essen"  # the location's own address reference too


def test_types_of_a_vocabulary_of_the_sources_own_stay_places() -> None:
    assert classify({"@type": "Zechenturm"}) == ("place", "Zechenturm")
    assert classify({"name": "ohne Typ"}) == ("place", "Place")
    assert classify({"@type": ["Organization", "Museum"]}) == ("place", "Museum")
    assert classify({"@type": "Person"}) == (None, "Person")
    assert classify({"@type": ["QuantitativeValue", "gs1:NetContent"]}) == (None, "QuantitativeValue")
    assert classify({"@type": "gs1:Product"}) == (None, "gs1:Product")  # another vocabulary: not read
    assert classify({"@type": "ExhibitionEvent"}) == ("event", "ExhibitionEvent")


def test_a_reference_to_no_node_of_the_document_is_named() -> None:
    event = {"@type": "Event", "@id": "#fest", "name": "Fest", "startDate": "2027-06-26",
             "location": {"@id": "#nowhere"}}
    items = read({"@context": "https://schema.org", "@graph": [event]})
    [notice] = [i for i in items if isinstance(i, Notice)]
    assert (notice.code, notice.severity, notice.location.pointer, notice.value) == (
        "unresolved_reference", Severity.WARNING, "/@graph/0/location", "#nowhere")
    assert [d.local_id for d in items if isinstance(d, Draft)] == ["#fest"]  # imported all the same


def test_events_written_inside_a_venue_or_a_festival_are_events_held_there() -> None:
    venue = {"@context": "https://schema.org", "@type": "Museum", "@id": "#bergbaumuseum",
             "name": "Deutsches Bergbau-Museum", "address": {"addressLocality": "Bochum"},
             "geo": {"latitude": 51.4888, "longitude": 7.2168},
             "event": [{"@type": "Event", "@id": "#fuehrung", "name": "Führung unter Tage",
                        "startDate": "2027-03-06T11:00"},
                       {"@type": "ExhibitionEvent", "@id": "#schau", "name": "Sonderschau",
                        "startDate": "2027-04-01", "location": {"name": "Schacht Hannover"}},
                       {"@id": "#elsewhere"}],
             "subEvent": {"@type": "Event", "name": "not a member of a place"}}
    festival = {"@context": "https://schema.org", "@type": "Festival", "@id": "#extraschicht", "name": "ExtraSchicht",
                "startDate": "2027-06-26", "location": {"name": "Zeche Zollverein", "geo": {"latitude": 51.4862,
                                                                                            "longitude": 7.0406}},
                "subEvent": [{"@type": "MusicEvent", "@id": "#konzert", "name": "Konzert am Förderturm",
                              "startDate": "2027-06-26T21:00"}]}
    drafts = {str(d.local_id): d for d in read([venue, festival]) if isinstance(d, Draft)}
    assert sorted(drafts) == ["#bergbaumuseum", "#extraschicht", "#fuehrung", "#konzert", "#schau"]
    tour = drafts["#fuehrung"]
    assert tour.kind == "event" and tour.location.pointer == "/0/event/0"
    assert (tour.data["location_name"], tour.data["lat"], tour.data["address"]["locality"]) == (
        "Deutsches Bergbau-Museum", 51.4888, "Bochum")
    assert drafts["#schau"].data["location_name"] == "Schacht Hannover"  # its own place wins
    concert = drafts["#konzert"]
    assert (concert.data["type"], concert.data["location_name"], concert.data["lon"]) == (
        "MusicEvent", "Zeche Zollverein", 7.0406)


def test_what_is_written_inside_a_node_takes_its_licence_and_credit_unless_it_names_its_own() -> None:
    venue = {"@context": "https://schema.org", "@type": "Museum", "@id": "#museum", "name": "Ruhr Museum",
             "license": "https://creativecommons.org/licenses/by/4.0/", "creditText": "Stiftung Zollverein",
             "geo": {"latitude": 51.4862, "longitude": 7.0406},
             "event": [{"@type": "Event", "@id": "#tour", "name": "Führung", "startDate": "2027-03-06T11:00"},
                       {"@type": "Event", "@id": "#open", "name": "Tag der offenen Tür", "startDate": "2027-05-01",
                        "license": "https://creativecommons.org/publicdomain/zero/1.0/"}]}
    drafts = {str(d.local_id): d for d in read([venue]) if isinstance(d, Draft)}
    assert drafts["#tour"].data["licence"] == "https://creativecommons.org/licenses/by/4.0/"
    assert drafts["#tour"].data["attribution"] == "Stiftung Zollverein"
    assert drafts["#open"].data["licence"] == "https://creativecommons.org/publicdomain/zero/1.0/"  # its own


def test_property_values_of_a_hub_export_give_categories_role_and_raw_hours() -> None:
    node = {"@context": "https://schema.org", "@type": "TouristAttraction", "name": "Halde Haniel",
            "openingHoursSpecification": [{"@type": "OpeningHoursSpecification", "opens": "00:00:00",
                                           "closes": "23:59:59", "validFrom": "2026-11-24",
                                           "validThrough": "2027-11-23"}],
            "additionalProperty": [
                {"@type": "PropertyValue", "propertyID": "category", "value": "Panorama"},
                {"@type": "PropertyValue", "propertyID": "category", "value": "Natur"},
                {"@type": "PropertyValue", "propertyID": "route_role", "value": "Panorama"},
                {"@type": "PropertyValue", "propertyID": "https://wiki.openstreetmap.org/wiki/Key:opening_hours",
                 "value": "24/7"},
                {"@type": "PropertyValue", "propertyID": "height", "value": 159}]}  # not ours: left alone
    [draft] = [d for d in read(node) if isinstance(d, Draft)]
    assert draft.data["categories"] == ["Panorama", "Natur"]
    assert draft.data["route_role"] == "Panorama"
    assert draft.data["opening_hours"] == "24/7"  # wins over the dated specification (checks.hours)
    assert "height" not in draft.data


def test_a_document_of_only_a_context_is_no_nameless_place() -> None:
    """A schema.org context file given by mistake was read as one place without a name (missing_name)."""
    items = read({"@context": {"name": "https://schema.org/name"}})
    assert [(i.code, i.severity) for i in items if isinstance(i, Notice)] == [("not_a_place_or_event", Severity.INFO)]
    assert not [i for i in items if isinstance(i, Draft)]


def test_an_events_categories_named_by_reference_come_back() -> None:
    """A flattened @graph (what a JSON-LD processor makes of a hub's export) names the DefinedTerms an event is
    `about` by @id; they were not looked up, so the event lost its categories."""
    terms = "https://hub.example/api/v1/categories"
    doc = {"@context": "https://schema.org", "@graph": [
        {"@type": "Event", "@id": "#fest", "name": "Zechenfest", "startDate": "2027-06-26T18:00",
         "location": {"@type": "Place", "name": "Zollverein"}, "about": [{"@id": "#kultur"}, {"@id": "#natur"}]},
        {"@type": "DefinedTerm", "@id": "#kultur", "name": "Kultur", "inDefinedTermSet": terms},
        {"@type": "DefinedTerm", "@id": "#natur", "name": "Natur", "inDefinedTermSet": {"@id": terms}},
    ]}
    out = read(doc)
    (event,) = [d for d in out if isinstance(d, Draft)]
    assert event.data["categories"] == ["Kultur", "Natur"]
    assert not [n for n in out if isinstance(n, Notice)]  # the terms are part of the event, no nodes of their own
