"""schema.org JSON-LD: field mapping, SHACL validation with the official shapes, vocabulary domains, round trips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from datenhub.clock import utc_now
from datenhub.publish import get_serializer
from datenhub.publish.jsonld import SCHEMA, opening_hours_specification, to_jsonld, write_jsonld
from tests.publish.conftest import SchemaOrg, shared
from tests.publish.samples import BASE_URL, CLOCK, sample_entities, sample_events, sample_places

# rdflib 7's own JSON-LD parser still builds a ConjunctiveGraph, which rdflib itself deprecates. pySHACL warns when
# a shape recurs (Place -> containedInPlace -> Place) and stops descending there; the inner nodes are still
# validated, being typed targets of the same shapes themselves.
pytestmark = [pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::pyshacl.errors.ShapeRecursionWarning")]

SHAPES = "http://schema.org/validation#ValidSchema"
# The release's shapes for data types demand a node (sh:nodeKind sh:BlankNodeOrIRI), so every literal name, date
# or number anywhere fails them, the official examples included. We validate with those shapes corrected to
# literals of the right form, and separately check that the uncorrected shapes object to nothing else.
DATATYPE_PATTERNS: dict[str, str | None] = {
    "Text": None, "CssSelectorType": None, "XPathType": None, "PronounceableText": None, "DataType": None,
    "URL": r"^[A-Za-z][A-Za-z0-9+.-]*:",
    "Number": r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$",
    "Float": r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$",
    "Integer": r"^-?[0-9]+$",
    "Boolean": r"^(true|false)$",
    "Date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "DateTime": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})?$",
    "Time": r"^[0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:[0-9]{2})?$",
}
# Off-domain on purpose (docs/formats.md): licence and credit on every record, e-mail on places that are no
# Organization. schema.org's domains are expectations, not constraints; consumers read these where they are.
OFF_DOMAIN_ALLOWED = {"license", "creditText", "email"}


def graph_of(nodes: list[dict[str, Any]], schemaorg: SchemaOrg) -> Any:
    """An rdflib graph of our nodes, parsed with the local schema.org context (never fetched)."""
    from rdflib import Graph

    return Graph().parse(data=json.dumps({"@context": schemaorg.context, "@graph": nodes}), format="json-ld")


def corrected_shapes(schemaorg: SchemaOrg) -> Any:
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF, SH

    shapes = Graph()
    for triple in schemaorg.shapes:
        shapes.add(triple)
    for name, pattern in DATATYPE_PATTERNS.items():
        shape = URIRef(SHAPES + name)
        assert (shape, RDF.type, SH.NodeShape) in shapes, name
        shapes.remove((shape, SH.nodeKind, None))
        shapes.add((shape, SH.nodeKind, SH.IRIOrLiteral if name == "URL" else SH.Literal))
        if pattern:
            shapes.add((shape, SH.pattern, Literal(pattern)))
    return shapes


def shacl(nodes: list[dict[str, Any]], schemaorg: SchemaOrg, shapes: Any) -> tuple[Any, list[Any]]:
    """(results graph, top-level violations) of pySHACL over our nodes."""
    from pyshacl import validate
    from rdflib.namespace import SH

    _, results, _ = validate(graph_of(nodes, schemaorg), shacl_graph=shapes, ont_graph=schemaorg.subclasses,
                             inference="none")
    report = next(results.subjects(predicate=SH.conforms))
    return results, list(results.objects(report, SH.result))


def describe(results: Any, violations: list[Any]) -> list[str]:
    from rdflib.namespace import SH

    return [f"{results.value(v, SH.focusNode)} {results.value(v, SH.resultPath)} = {results.value(v, SH.value)!r}"
            for v in violations[:20]]


def nodes_for(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [to_jsonld(e, base_url=BASE_URL, clock=CLOCK) for e in entities]


def test_jsonld_place_has_schemaorg_fields() -> None:
    museum = nodes_for(sample_places())[0]
    assert museum["@type"] == "Museum"
    assert museum["@id"] == f"{BASE_URL}/places/dh-sample-museum"
    assert museum["identifier"] == "dh-sample-museum"
    assert {"@value": "Ruhr Museum", "@language": "nl"} in museum["name"]
    assert museum["geo"] == {"@type": "GeoCoordinates", "latitude": 51.4862, "longitude": 7.0443}
    assert museum["address"]["postalCode"] == "45309"
    assert museum["containedInPlace"] == {"@type": "AdministrativeArea", "name": "Essen", "identifier": "05113000"}
    assert museum["license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert [i["contentUrl"] for i in museum["image"]] == ["https://example.org/img/kohlenwaesche.jpg"]  # closed one
    assert museum["image"][0]["license"] == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert museum["image"][0]["creditText"] == "Foto: Erika Muster, CC BY-SA 4.0"
    assert museum["amenityFeature"] == [{"@type": "LocationFeatureSpecification", "name": "wheelchair accessible",
                                         "value": True}]
    days = museum["openingHoursSpecification"][0]["dayOfWeek"]
    assert days[0] == {"@id": "https://schema.org/Monday"} and len(days) == 7
    closed = {s["name"]: s for s in museum["specialOpeningHoursSpecification"]}
    assert (closed["Fronleichnam"]["opens"], closed["Fronleichnam"]["closes"]) == ("00:00:00", "00:00:00")


def test_jsonld_lang_gives_plain_strings() -> None:
    node = to_jsonld(sample_places()[0], lang="en", clock=CLOCK)
    assert node["name"] == "Ruhr Museum"
    assert node["description"].startswith("Regional museum")
    assert to_jsonld(sample_places()[1], lang="nl", clock=CLOCK)["name"] == "Henrichshütte Hattingen"  # falls back


def test_jsonld_accepts_localised_and_projected_entities() -> None:
    node = to_jsonld({"id": "dh-x", "kind": "event", "name": "Nur deutsch"}, clock=CLOCK)
    assert node == {"@type": "Event", "@id": f"{BASE_URL}/events/dh-x", "identifier": "dh-x", "name": "Nur deutsch",
                    "eventAttendanceMode": {"@id": SCHEMA + "OfflineEventAttendanceMode"}}


def test_jsonld_event_meets_google_event_requirements() -> None:
    for node in nodes_for(sample_events()):
        assert node["name"] and node["startDate"] and node["location"]["address"]["addressLocality"]
        assert node["eventAttendanceMode"] == {"@id": SCHEMA + "OfflineEventAttendanceMode"}
    concert, fest, _ = nodes_for(sample_events())
    assert concert["eventStatus"] == {"@id": "https://schema.org/EventScheduled"}
    assert concert["location"]["@id"] == f"{BASE_URL}/places/dh-sample-museum"
    assert concert["organizer"] == {"@type": "Organization", "name": "Stiftung Zollverein"}
    assert concert["startDate"] == "2026-06-13T19:30:00+02:00"
    assert (fest["startDate"], fest["endDate"]) == ("2026-08-22", "2026-08-23")  # all day: inclusive last day
    assert "amenityFeature" not in concert and "geo" not in concert  # Place properties stay on the location


def test_jsonld_event_given_in_utc_is_published_in_local_time() -> None:
    """An iCal feed's UTC times (…Z) were published as such; a local offset given stays as it was."""
    base = {"id": "dh-e", "kind": "event", "name": {"de": "Führung"}}
    utc = to_jsonld({**base, "start": "2027-04-10T08:00:00Z", "end": "2027-04-10T10:00:00+00:00"}, clock=CLOCK)
    assert (utc["startDate"], utc["endDate"]) == ("2027-04-10T10:00:00+02:00", "2027-04-10T12:00:00+02:00")
    local = to_jsonld({**base, "start": "2026-12-05T11:00:00+01:00"}, clock=CLOCK)
    assert local["startDate"] == "2026-12-05T11:00:00+01:00"


def test_jsonld_seasonal_hours_valid_only_until_they_change() -> None:
    hütte = nodes_for(sample_places())[1]
    regular = hütte["openingHoursSpecification"]
    assert [(s["opens"], s["closes"], s["validFrom"], s["validThrough"]) for s in regular] == [
        ("10:00:00", "18:00:00", "2026-06-04", "2026-11-02")]  # Nov-Mar hours start on Tuesday 3 November


@pytest.mark.parametrize(("value", "through"), [
    ("Mo-Fr 10:00-18:00; SH off", "2026-07-19"),  # NRW summer school holidays start on 20 July 2026
    ("Mo-Fr 10:00-18:00 unknown", None),
    ("Mo-Su 10:00-18:00", "2027-06-03"),
])
def test_jsonld_hours_validity_ends_where_one_regular_week_stops_being_true(value: str, through: str | None) -> None:
    specs = opening_hours_specification({"opening_hours": value}, CLOCK().date())
    assert [s["validThrough"] for s in specs.get("openingHoursSpecification", [])] == ([through] if through else [])


def test_jsonld_unparseable_hours_are_left_out() -> None:
    park = nodes_for(sample_places())[3]
    assert "openingHoursSpecification" not in park and "openingHours" not in park


def test_jsonld_serializer_streams_a_graph() -> None:
    serializer = get_serializer("jsonld")
    assert (serializer.media_type, serializer.extension) == ("application/ld+json", "jsonld")
    doc = json.loads(b"".join(write_jsonld(sample_entities(), clock=CLOCK)))
    assert doc["@context"] == "https://schema.org/"
    assert len(doc["@graph"]) == len(sample_entities())
    assert json.loads(b"".join(write_jsonld([]))) == {"@context": "https://schema.org/", "@graph": []}


def test_jsonld_demo_and_events_conform_to_corrected_official_shapes(
        schemaorg: SchemaOrg, demo_places: list[dict[str, Any]], ical_events: list[dict[str, Any]]) -> None:
    nodes = nodes_for(demo_places + sample_entities() + ical_events)
    results, violations = shacl(nodes, schemaorg, corrected_shapes(schemaorg))
    print(f"\nSHACL: {len(demo_places)} demo places, {len(sample_entities())} samples, {len(ical_events)} iCal "
          f"events -> {len(violations)} violations")
    assert len(demo_places) > 300 and len(ical_events) > 50
    assert violations == [], describe(results, violations)


def test_jsonld_corrected_shapes_still_catch_bad_values(schemaorg: SchemaOrg) -> None:
    bad = {"@type": "Museum", "name": {"@id": "https://example.org/not-a-text"},
           "openingHoursSpecification": {"@type": "OpeningHoursSpecification", "opens": "10 Uhr"}}
    from rdflib.namespace import SH

    results, violations = shacl([bad], schemaorg, corrected_shapes(schemaorg))
    paths = sorted(str(results.value(v, SH.resultPath)).removeprefix("http://schema.org/") for v in violations)
    assert paths == ["name", "openingHoursSpecification", "opens"]


def test_jsonld_uncorrected_official_shapes_flag_only_literal_datatype_values(
        schemaorg: SchemaOrg, demo_places: list[dict[str, Any]]) -> None:
    from rdflib.namespace import SH

    nodes = nodes_for(sample_entities() + [p for p in demo_places if p.get("opening_hours")][:12])
    results, violations = shacl(nodes, schemaorg, schemaorg.shapes)
    assert violations  # the release's shapes reject every literal (see DATATYPE_PATTERNS)
    leaves: list[Any] = []
    todo = list(violations)
    while todo:
        result = todo.pop()
        details = list(results.objects(result, SH.detail))
        todo.extend(details)
        if not details:
            leaves.append(result)
    odd = [leaf for leaf in leaves if not _literal_for_datatype(results, leaf, schemaorg.shapes)]
    assert odd == [], describe(results, odd)


def _literal_for_datatype(results: Any, leaf: Any, shapes: Any) -> bool:
    """Whether a leaf result is the release's defect: a literal refused by a data-type shape (or by an sh:or
    whose alternatives include one)."""
    from rdflib import Literal
    from rdflib.collection import Collection
    from rdflib.namespace import SH

    if not isinstance(results.value(leaf, SH.value), Literal):
        return False
    component, source = results.value(leaf, SH.sourceConstraintComponent), results.value(leaf, SH.sourceShape)
    if component == SH.NodeKindConstraintComponent:
        return str(source).removeprefix(SHAPES) in DATATYPE_PATTERNS
    if component == SH.OrConstraintComponent:
        options = Collection(shapes, shapes.value(source, SH["or"]))
        return any(str(shapes.value(o, SH.node)).removeprefix(SHAPES) in DATATYPE_PATTERNS for o in options)
    return False


def _ancestors(schemaorg: SchemaOrg, name: str) -> set[str]:
    seen, todo = {name}, [name]
    while todo:
        parents = schemaorg.vocabulary.get(todo.pop(), {}).get("rdfs:subClassOf", [])
        for parent in parents if isinstance(parents, list) else [parents]:
            parent_name = parent["@id"].removeprefix("schema:")
            if parent_name not in seen:
                seen.add(parent_name)
                todo.append(parent_name)
    return seen


def _uses(node: Any, found: set[tuple[str, str]]) -> None:
    """(type, property) pairs of every typed node, recursively."""
    if isinstance(node, list):
        for item in node:
            _uses(item, found)
    elif isinstance(node, dict):
        for key, value in node.items():
            if not key.startswith("@"):
                if "@type" in node:
                    found.add((node["@type"], key))
                _uses(value, found)


def test_jsonld_types_and_properties_exist_in_the_vocabulary_and_domains(
        schemaorg: SchemaOrg, demo_places: list[dict[str, Any]]) -> None:
    found: set[tuple[str, str]] = set()
    _uses(nodes_for(demo_places + sample_entities()), found)
    off_domain = set()
    for typ, prop in sorted(found):
        assert typ in schemaorg.vocabulary, f"unknown type {typ}"
        assert prop in schemaorg.vocabulary, f"unknown property {prop}"
        domains = schemaorg.vocabulary[prop].get("schema:domainIncludes", [])
        domains = {d["@id"].removeprefix("schema:") for d in (domains if isinstance(domains, list) else [domains])}
        if not domains & _ancestors(schemaorg, typ):
            off_domain.add((typ, prop))
    assert {prop for _, prop in off_domain} <= OFF_DOMAIN_ALLOWED, sorted(off_domain)
    wheelchair_types = {typ for typ, prop in found if prop == "amenityFeature"}
    assert all("Place" in _ancestors(schemaorg, typ) for typ in wheelchair_types)


def _read_back(path: Path, licence: str | None = None) -> list[dict[str, Any]]:
    from datenhub.checks import CheckContext
    from datenhub.ingest.base import AdapterOptions, RawInput
    from datenhub.ingest.jsonld import JsonLdAdapter
    from datenhub.notices import Report
    from datenhub.pipeline import validate_stream

    raw = RawInput.from_path(path, "roundtrip", utc_now())
    defaults = {"licence": licence} if licence else {}
    options = AdapterOptions(source="roundtrip", mapping=None, defaults=defaults)
    entities, _, _ = validate_stream(JsonLdAdapter().read(raw, options), CheckContext("roundtrip", defaults), Report())
    return [e.model_dump(mode="json") for e in entities]


def test_jsonld_round_trip_through_jsonld_adapter_keeps_names_geo_licence(
        tmp_path: Path, demo_places: list[dict[str, Any]]) -> None:
    from datenhub.hub import validate_file
    from datenhub.notices import Severity

    originals = sample_entities() + demo_places[::10]
    path = tmp_path / "export.jsonld"
    path.write_bytes(b"".join(write_jsonld(originals, clock=CLOCK)))
    report = validate_file(path, adapter="jsonld")
    assert report.count(Severity.ERROR) == 0, report.by_code()
    back = _read_back(path)
    assert len(back) == len(originals)
    for before, after in zip(originals, back, strict=True):
        assert after["kind"] == before["kind"] and after["type"] == before["type"]
        assert after["name"] == before["name"]
        assert after["geo"] == before.get("geo")
        assert after["licence"] == before["licence"]
        assert after.get("attribution") == before.get("attribution")
        if before["kind"] == "event" and not before["all_day"]:
            assert (after["start"], after.get("end")) == (before["start"], before.get("end"))


# What a place's JSON-LD carries (schema.org properties and our additionalProperty values); the rest is the
# importing hub's own (id, sources, provenance, times) or its enrichment (municipality, stations).
CARRIED = ("kind", "type", "categories", "name", "description", "geo", "address", "contact", "images", "keywords",
           "licence", "attribution", "opening_hours", "wheelchair", "route_role")


def _given(value: Any) -> Any:
    """A value without its empty members: an absent contact and one of three None members say the same."""
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if v is not None}
    return value or None


def test_jsonld_round_trip_of_every_demo_place_is_lossless(
        tmp_path: Path, demo_places: list[dict[str, Any]]) -> None:
    path = tmp_path / "export.jsonld"
    path.write_bytes(b"".join(write_jsonld(demo_places, clock=CLOCK)))
    back = _read_back(path)
    assert len(back) == len(demo_places) == 334
    lost = {(before["id"], key): (before.get(key), after.get(key))
            for before, after in zip(demo_places, back, strict=True)
            for key in CARRIED if _given(before.get(key)) != _given(after.get(key))}
    assert lost == {}
    # what the round trip is about: it holds categories, roles and hours that openingHoursSpecification cannot say
    assert {"24/7", "Tu-Su 10:00-18:00; Mo off"} <= {p["opening_hours"] for p in back if p.get("opening_hours")}
    assert {p["route_role"] for p in back if p.get("route_role")} == {"Ankerpunkt", "Panorama", "Siedlung"}
    assert all(p["categories"] for p in back)


def test_jsonld_place_writes_categories_role_and_raw_hours_as_property_values() -> None:
    node = to_jsonld({"id": "dh-x", "kind": "place", "name": {"de": "Halde"}, "categories": ["Panorama", "Natur"],
                      "route_role": "Panorama", "opening_hours": "24/7"}, clock=CLOCK)
    assert [(p["propertyID"], p["value"]) for p in node["additionalProperty"]] == [
        ("category", "Panorama"), ("category", "Natur"), ("route_role", "Panorama"),
        ("https://wiki.openstreetmap.org/wiki/Key:opening_hours", "24/7")]
    assert all(p["@type"] == "PropertyValue" for p in node["additionalProperty"])


def test_schemaorg_official_examples_import_through_jsonld_adapter(tmp_path: Path) -> None:
    from datenhub.hub import validate_file

    examples = json.loads(shared("schemaorg", "schemaorg_examples_tourism_events.json").read_text(encoding="utf-8"))
    with_records = 0
    for example in examples:
        if not example.get("jsonld"):
            continue
        path = tmp_path / f"{example['id'].strip('#')}.jsonld"
        path.write_text(json.dumps(example["jsonld"]), encoding="utf-8")
        validate_file(path, adapter="jsonld", licence="CC0-1.0")  # must not raise; notices are fine
        if _read_back(path, licence="CC0-1.0"):
            with_records += 1
    print(f"schema.org examples: {len(examples)} read, {with_records} give records")
    assert len(examples) == 64
    assert with_records >= 30


def test_event_categories_are_what_it_is_about_and_come_back(tmp_path: Path) -> None:
    """schema.org has no additionalProperty on Event: an event's categories are DefinedTerms of the hub's
    vocabulary it is `about`, which a hub's JSON-LD import reads back (other things it is about it leaves)."""
    event = {"id": "dh-e", "kind": "event", "type": "MusicEvent", "name": {"de": "Konzert im Gasometer"},
             "start": "2027-06-05T20:00:00+02:00", "categories": ["Kultur", "Industriekultur"],
             "licence": "CC0-1.0"}
    node = to_jsonld(event, clock=CLOCK, base_url="https://hub.example")
    assert node["about"] == [{"@type": "DefinedTerm", "name": name, "inDefinedTermSet":
                              "https://hub.example/api/v1/categories"} for name in ("Kultur", "Industriekultur")]
    assert "additionalProperty" not in node
    node["about"].append({"@type": "Thing", "name": "Jazz"})
    path = tmp_path / "event.jsonld"
    path.write_text(json.dumps(node), encoding="utf-8")
    (back,) = _read_back(path)
    assert back["categories"] == ["Kultur", "Industriekultur"]
