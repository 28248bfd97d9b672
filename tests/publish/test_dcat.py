"""DCAT-AP.de catalogue: parses as RDF, every dataset licensed, closed and unlicensed sources left out."""

from __future__ import annotations

import json
from typing import Any

import pytest

from datenhub.model.licence import LicenceId
from datenhub.publish.dcat import DCATDE_LICENCES, OTHER_OPEN, RVR_DISTRICTS, catalog_jsonld, catalog_turtle
from tests.publish.samples import BASE_URL, sample_sources

rdflib = pytest.importorskip("rdflib")
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib's

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
DCATDE = rdflib.Namespace("http://dcat-ap.de/def/dcatde/")
FORMATS = ["jsonld", "geojson", "csv"]


def turtle_graph() -> Any:  # rdflib.Graph (rdflib is a test extra, imported when present)
    return rdflib.Graph().parse(data=catalog_turtle(sample_sources(), BASE_URL, FORMATS), format="turtle")


def test_dcat_turtle_parses_and_equals_the_jsonld() -> None:
    from rdflib.compare import isomorphic

    doc = json.dumps(catalog_jsonld(sample_sources(), BASE_URL, FORMATS))
    assert isomorphic(turtle_graph(), rdflib.Graph().parse(data=doc, format="json-ld"))


def test_dcat_every_dataset_has_licensed_distributions_per_format() -> None:
    graph = turtle_graph()
    datasets = set(graph.subjects(rdflib.RDF.type, DCAT.Dataset))
    assert {str(d).rsplit("/", 1)[-1] for d in datasets} == {"ruhr-demo", "db-stations", "osm-ruhr", "datenhub-ruhr"}
    known = {*DCATDE_LICENCES.values(), OTHER_OPEN}
    for dataset in datasets:
        assert graph.value(dataset, DCT.title) is not None and graph.value(dataset, DCT.description) is not None
        distributions = list(graph.objects(dataset, DCAT.distribution))
        assert len(distributions) == len(FORMATS)
        for distribution in distributions:
            assert str(graph.value(distribution, DCT.license)) in known
            assert str(graph.value(distribution, DCAT.downloadURL)).startswith(f"{BASE_URL}/api/v1/exports/")
            assert graph.value(distribution, DCAT.mediaType) is not None
    stations = rdflib.URIRef(f"{BASE_URL}/api/v1/exports/db-stations.geojson")
    assert str(graph.value(stations, DCT.license)) == "http://dcat-ap.de/def/licenses/cc-by/4.0"
    assert str(graph.value(stations, DCATDE.licenseAttributionByText)).startswith("Deutsche Bahn AG")


def test_dcat_closed_and_unlicensed_sources_are_not_listed() -> None:
    text = catalog_turtle(sample_sources(), BASE_URL, FORMATS).decode()
    assert "partner" not in text and "Partner GmbH" not in text and "unlabelled" not in text


def test_dcat_sources_without_active_records_are_not_listed() -> None:
    readings_only = {"name": "sensors-only", "licence": "CC0-1.0", "stats": {"records": 0, "active": 0}}
    text = catalog_turtle([*sample_sources(), readings_only], BASE_URL, FORMATS).decode()
    assert "sensors-only" not in text and "ruhr-demo" in text


def test_dcat_hub_dataset_takes_the_one_licence_when_sources_agree() -> None:
    cc0_only = [s for s in sample_sources() if s["licence"] == "CC0-1.0"]
    graph = rdflib.Graph().parse(data=catalog_turtle(cc0_only, BASE_URL, ["csv"]), format="turtle")
    hub = rdflib.URIRef(f"{BASE_URL}/api/v1/exports/datenhub-ruhr.csv")
    assert str(graph.value(hub, DCT.license)) == "http://dcat-ap.de/def/licenses/cc-zero"


def test_dcat_catalogue_without_open_sources_has_no_datasets() -> None:
    doc = catalog_jsonld([s for s in sample_sources() if s["licence"] in ("closed", None)], BASE_URL, FORMATS)
    assert doc["@graph"][0]["dcat:dataset"] == []


def test_dcat_spatial_coverage_is_the_rvr_bounding_box() -> None:
    graph = turtle_graph()
    rvr = graph.value(rdflib.URIRef(f"{BASE_URL}/catalog"), DCT.spatial)
    assert str(graph.value(rvr, DCAT.bbox)).startswith("POLYGON((6.29882 51.21364")


def test_dcat_a_source_is_catalogued_by_the_licences_its_records_carry() -> None:
    # rows with their own licences: the import declared none (or another one) for the source
    mixed = {"name": "stadt-essen", "licence": None, "stats": {"records": 3, "active": 3},
             "record_licences": {"CC0-1.0": 2, "CC-BY-4.0": 1, "closed": 4}}
    corrected = {"name": "stadt-bottrop", "licence": "CC-BY-4.0", "stats": {"records": 2, "active": 2},
                 "record_licences": {"DL-DE-ZERO-2.0": 2}}
    only_closed = {"name": "intern", "licence": "CC0-1.0", "stats": {"records": 1, "active": 1},
                   "record_licences": {"closed": 1}}
    doc = catalog_jsonld([mixed, corrected, only_closed], BASE_URL, ["csv"])
    datasets = {d["dct:identifier"]: d for d in doc["@graph"][0]["dcat:dataset"]}
    assert "intern" not in datasets  # its downloads hold nothing: closed records are not open data
    essen = datasets["stadt-essen"]
    assert essen["dcat:distribution"][0]["dct:license"] == {"@id": OTHER_OPEN}
    assert ("licences Creative Commons Zero 1.0, Creative Commons Attribution 4.0, each record carrying its own"
            in essen["dct:description"])
    bottrop = datasets["stadt-bottrop"]["dcat:distribution"][0]["dct:license"]
    assert bottrop == {"@id": DCATDE_LICENCES[LicenceId.DL_DE_ZERO_2_0]}


def test_dcat_credits_the_attributions_records_carry() -> None:
    # CC BY rows that name their author themselves, in a source whose import declared no attribution
    parks = {"name": "parks-ruhr", "licence": "CC-BY-4.0", "attribution": None,
             "stats": {"records": 2, "active": 2, "attributions": ["Ruhr Tourismus GmbH"]},
             "record_licences": {"CC-BY-4.0": 2}}
    stations = {"name": "db-stations", "licence": "CC-BY-4.0", "attribution": "Deutsche Bahn AG",
                "stats": {"records": 1, "active": 1, "attributions": ["Deutsche Bahn AG", "DB Station&Service"]},
                "record_licences": {"CC-BY-4.0": 1}}
    doc = catalog_jsonld([parks, stations], BASE_URL, ["csv"])
    datasets = {d["dct:identifier"]: d for d in doc["@graph"][0]["dcat:dataset"]}
    credit = "dcatde:licenseAttributionByText"
    assert datasets["parks-ruhr"]["dcat:distribution"][0][credit] == "Ruhr Tourismus GmbH"
    assert datasets["db-stations"]["dcat:distribution"][0][credit] == "Deutsche Bahn AG; DB Station&Service"
    assert datasets["datenhub-ruhr"]["dcat:distribution"][0][credit] == \
        "Deutsche Bahn AG; DB Station&Service; Ruhr Tourismus GmbH"  # by source name, each once


def test_dcat_modified_is_the_last_change_of_open_data_not_the_last_import() -> None:
    # imports since that changed nothing open (sample_sources' last_import) must not date the datasets
    doc = catalog_jsonld(sample_sources(), BASE_URL, ["csv"])
    datasets = {d["dct:identifier"]: d for d in doc["@graph"][0]["dcat:dataset"]}
    modified = {name: d.get("dct:modified", {}).get("@value") for name, d in datasets.items()}
    assert modified == {"ruhr-demo": "2026-05-20T07:15:00Z", "db-stations": "2026-05-21T06:00:00Z",
                        "osm-ruhr": None, "datenhub-ruhr": "2026-05-21T06:00:00Z"}
    for name, dataset in datasets.items():
        assert dataset["dcat:distribution"][0].get("dct:modified", {}).get("@value") == modified[name]


def test_dcat_rdf_xml_parses_and_equals_the_jsonld() -> None:
    from rdflib.compare import isomorphic

    from datenhub.publish.dcat import catalog_rdf_xml

    doc = json.dumps(catalog_jsonld(sample_sources(), BASE_URL, FORMATS))
    graph = rdflib.Graph().parse(data=catalog_rdf_xml(sample_sources(), BASE_URL, FORMATS), format="xml")
    assert isomorphic(graph, rdflib.Graph().parse(data=doc, format="json-ld"))


CONTRIBUTOR = "http://dcat-ap.de/def/contributors/datenhubRuhrTest"


def test_dcat_carries_what_german_portals_expect() -> None:
    doc = catalog_turtle(sample_sources(), BASE_URL, FORMATS, contributor_id=CONTRIBUTOR)
    graph = rdflib.Graph().parse(data=doc, format="turtle")
    catalogue = rdflib.URIRef(f"{BASE_URL}/catalog")
    assert str(graph.value(catalogue, DCT.language)) == "http://publications.europa.eu/resource/authority/language/DEU"
    hub = rdflib.URIRef(f"{BASE_URL}/datasets/datenhub-ruhr")
    assert graph.value(catalogue, DCT.modified) == graph.value(hub, DCT.modified) is not None
    themes = {f"http://publications.europa.eu/resource/authority/data-theme/{c}" for c in ("REGI", "EDUC", "ECON")}
    districts = {f"http://dcat-ap.de/def/politicalGeocoding/districtKey/{key}" for key in RVR_DISTRICTS}
    for dataset in graph.subjects(rdflib.RDF.type, DCAT.Dataset):
        assert {str(t) for t in graph.objects(dataset, DCAT.theme)} == themes
        assert str(graph.value(dataset, DCATDE.contributorID)) == CONTRIBUTOR
        assert {str(g) for g in graph.objects(dataset, DCATDE.politicalGeocodingURI)} == districts
        assert str(graph.value(dataset, DCATDE.politicalGeocodingLevelURI)).endswith("/Level/administrativeDistrict")
    filetype = "http://publications.europa.eu/resource/authority/file-type/"
    for ext, code in (("geojson", "GEOJSON"), ("csv", "CSV"), ("jsonld", "JSON_LD")):
        distribution = rdflib.URIRef(f"{BASE_URL}/api/v1/exports/db-stations.{ext}")
        assert str(graph.value(distribution, DCT["format"])) == filetype + code
        assert str(graph.value(distribution, DCAT.mediaType)).startswith("https://www.iana.org/assignments/media-types/")
    # no contributor id configured: none invented
    assert "contributorID" not in catalog_turtle(sample_sources(), BASE_URL, FORMATS).decode()


def test_dcat_political_geocoding_names_the_districts_of_the_rvr() -> None:
    from datenhub.enrich.municipality import boundaries

    assert set(RVR_DISTRICTS) == {info.kreis_ags for info in boundaries().infos if info.in_rvr}


def test_dcat_rdf_xml_stays_well_formed_with_characters_xml_cannot_hold() -> None:
    """One control character in one attribution (stored before imports removed them) made the whole catalogue
    unreadable to harvesters."""
    import xml.etree.ElementTree as ET

    from datenhub.publish.rdf import rdf_xml

    doc = catalog_jsonld(sample_sources(), BASE_URL, FORMATS)
    text = json.dumps(doc).replace("Deutsche Bahn", "Deutsche\\u000b Bahn\\u001f")
    assert "\\u000b" in text
    ET.fromstring(rdf_xml(json.loads(text)))
