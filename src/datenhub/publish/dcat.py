"""A DCAT-AP.de catalogue of what the hub publishes: one dataset per open source plus the whole hub.

Portals (GovData, the Open.NRW portal, data.europa.eu) harvest it. Each dataset has one distribution per export
format; licences use the DCAT-AP.de licence vocabulary and travel with the attribution text on every
distribution, where DCAT-AP.de puts them. Sources with a closed or unknown licence are not listed at all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from datenhub.model.licence import LICENCES, LicenceId, credits, parse_licence
from datenhub.publish.jsonld import DEFAULT_BASE_URL
from datenhub.publish.rdf import rdf_xml, turtle

DCATDE_LICENCES: dict[LicenceId, str] = {
    LicenceId.CC0_1_0: "http://dcat-ap.de/def/licenses/cc-zero",
    LicenceId.CC_BY_4_0: "http://dcat-ap.de/def/licenses/cc-by/4.0",
    LicenceId.CC_BY_SA_4_0: "http://dcat-ap.de/def/licenses/cc-by-sa/4.0",
    LicenceId.DL_DE_BY_2_0: "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
    LicenceId.DL_DE_ZERO_2_0: "http://dcat-ap.de/def/licenses/dl-zero-de/2.0",
    LicenceId.ODBL_1_0: "http://dcat-ap.de/def/licenses/odbl",
}
OTHER_OPEN = "http://dcat-ap.de/def/licenses/other-open"  # the whole hub mixes open licences record by record
HUB_DATASET = "datenhub-ruhr"
PUBLISHER = "DatenHub Ruhr"
# Bounding box of the RVR outline (BKG VG5000 2021, union of the 53 member municipalities).
RVR_BBOX = (6.29882, 51.21364, 7.99745, 51.82119)
IANA = "https://www.iana.org/assignments/media-types/"
EU = "http://publications.europa.eu/resource/authority/"
# EU data themes: the region's data (REGI), its culture, sport and leisure sites and events (EDUC), tourism as a
# sector of its economy (ECON)
THEMES = ("REGI", "EDUC", "ECON")
# EU file types of our export formats; those the EU table has no code for we know of (JSON Lines, iCalendar) carry
# their IANA media type alone
FILE_TYPES = {"csv": "CSV", "geojson": "GEOJSON", "jsonld": "JSON_LD"}
# The RVR as DCAT-AP.de's political geocoding: its 11 county-free cities and 4 districts (Kreise), which its 53
# municipalities make up exactly (Kreisschlüssel, tests check them against enrich.municipality)
RVR_DISTRICTS = ("05112", "05113", "05117", "05119", "05170", "05512", "05513", "05562", "05911", "05913", "05914",
                 "05915", "05916", "05954", "05978")
GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/"
EVENT_FORMATS = {"ical"}  # listed for datasets with events alone: others' would be empty calendars

CONTEXT: dict[str, Any] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatde": "http://dcat-ap.de/def/dcatde/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "gsp": "http://www.opengis.net/ont/geosparql#",
}


def _iri(value: str) -> dict[str, str]:
    return {"@id": value}


def _datetime(value: str) -> dict[str, str]:
    text = datetime.fromisoformat(value).astimezone(UTC).isoformat().replace("+00:00", "Z")
    return {"@value": text, "@type": "xsd:dateTime"}


def _formats(formats: list[str]) -> list[tuple[str, str, str]]:
    """(name, extension, media type without parameters) from the serializer registry."""
    from datenhub.publish.registry import get_serializer

    out = []
    for name in formats:
        serializer = get_serializer(name)
        out.append((name, serializer.extension, serializer.media_type.split(";")[0].strip()))
    return out


def _distributions(base_url: str, dataset: str, formats: list[tuple[str, str, str]], licence: str,
                   attribution: str | None, modified: str | None) -> list[dict[str, Any]]:
    out = []
    for name, extension, media_type in formats:
        url = f"{base_url}/api/v1/exports/{dataset}.{extension}"
        node: dict[str, Any] = {
            "@id": url,
            "@type": "dcat:Distribution",
            "dct:title": f"{dataset} ({name})",
            "dcat:accessURL": _iri(url),
            "dcat:downloadURL": _iri(url),
            "dcat:mediaType": _iri(IANA + media_type),
            "dct:license": _iri(licence),
        }
        if name in FILE_TYPES:
            node["dct:format"] = _iri(f"{EU}file-type/{FILE_TYPES[name]}")
        if attribution:
            node["dcatde:licenseAttributionByText"] = attribution
        if modified:
            node["dct:modified"] = _datetime(modified)
        out.append(node)
    return out


def _open_licences(source: dict[str, Any]) -> list[LicenceId]:
    """The open licences of a source's records (`record_licences`, from Store.record_licences), in the order of the
    vocabulary; without that figure, the licence its imports declared. Closed records are not in the source's
    downloads (open data only), so they do not count."""
    carried = source.get("record_licences")
    given = carried.keys() if carried else [source.get("licence")]
    found = {lic for name in given if (lic := parse_licence(name)) in DCATDE_LICENCES}
    return [lic for lic in DCATDE_LICENCES if lic in found]


def _attributions(source: dict[str, Any]) -> list[str]:
    """Whom a download of the source must credit: the attribution its imports declared, then those its open
    records carry themselves (`stats.attributions`, from Store.record_attributions)."""
    return credits(source.get("attribution"), (source.get("stats") or {}).get("attributions") or [])


def _licence_iri(licences: list[LicenceId]) -> str:
    return DCATDE_LICENCES[licences[0]] if len(licences) == 1 else OTHER_OPEN


def _licence_words(licences: list[LicenceId]) -> str:
    if len(licences) == 1:
        return f"licence {LICENCES[licences[0]].title}"
    return f"licences {', '.join(LICENCES[lic].title for lic in licences)}, each record carrying its own"


def catalog_jsonld(sources: list[dict[str, Any]], base_url: str = DEFAULT_BASE_URL,
                   formats: list[str] | None = None, *, contributor_id: str | None = None) -> dict[str, Any]:
    """The catalogue as JSON-LD (`sources` as `dataclasses.asdict(SourceInfo)`, with `events`: whether open data
    holds events of theirs; formats default to the four the catalogue lists, an iCalendar only for datasets with
    events). `contributor_id`: the hub's dcatde:contributorID, which GovData assigns; left out without one."""
    base_url = base_url.rstrip("/")
    every = _formats(formats if formats is not None else ["jsonld", "geojson", "csv", "ical"])
    fmt = [f for f in every if f[0] not in EVENT_FORMATS]
    publisher = f"{base_url}/catalog#publisher"
    german = _iri(f"{EU}language/DEU")
    common: dict[str, Any] = {
        "dct:publisher": _iri(publisher),
        "dcat:contactPoint": _iri(f"{base_url}/catalog#contact"),
        "dct:spatial": _iri(f"{base_url}/catalog#rvr"),
        "dct:language": german,
        "dcat:theme": [_iri(f"{EU}data-theme/{theme}") for theme in THEMES],
        "dcatde:politicalGeocodingURI": [_iri(f"{GEOCODING}districtKey/{key}") for key in RVR_DISTRICTS],
        "dcatde:politicalGeocodingLevelURI": _iri(f"{GEOCODING}Level/administrativeDistrict"),
    }
    if contributor_id:
        common["dcatde:contributorID"] = _iri(contributor_id)
    datasets: list[dict[str, Any]] = []
    # a source with no active records (one that only sends occupancy readings, say) has nothing to download
    open_sources = [(s, lic) for s in sorted(sources, key=lambda s: s["name"])
                    if (lic := _open_licences(s)) and (s.get("stats") or {}).get("active", 1)]
    for source, found in open_sources:
        name = source["name"]
        stats = source.get("stats") or {}
        modified = stats.get("open_changed_at")  # not the last import: one may change nothing open
        title = source.get("title") or name
        node: dict[str, Any] = {
            "@id": f"{base_url}/datasets/{name}",
            "@type": "dcat:Dataset",
            "dct:identifier": name,
            "dct:title": title,
            "dct:description": source.get("description") or f"{title}: as published by {PUBLISHER}, "
                                                             f"{_licence_words(found)}.",
            **common,
            "dcat:distribution": _distributions(base_url, name, every if source.get("events") else fmt,
                                                _licence_iri(found), "; ".join(_attributions(source)) or None,
                                                modified),
        }
        if source.get("url"):
            node["dct:source"] = _iri(source["url"])
        if modified:
            node["dct:modified"] = _datetime(modified)
        datasets.append(node)
    if open_sources:
        licences = sorted({lic for _, found in open_sources for lic in found}, key=list(DCATDE_LICENCES).index)
        attributions = [a for s, _ in open_sources for a in _attributions(s)]
        dates = [m for s, _ in open_sources if (m := (s.get("stats") or {}).get("open_changed_at"))]
        modified = max(dates, key=lambda m: datetime.fromisoformat(m)) if dates else None
        hub: dict[str, Any] = {
            "@id": f"{base_url}/datasets/{HUB_DATASET}",
            "@type": "dcat:Dataset",
            "dct:identifier": HUB_DATASET,
            "dct:title": [{"@value": "DatenHub Ruhr: alle offenen Orte und Veranstaltungen", "@language": "de"},
                          {"@value": "DatenHub Ruhr: all open places and events", "@language": "en"}],
            "dct:description": [
                {"@value": "Zusammengeführte, angereicherte Daten aller offenen Quellen der Metropole Ruhr. "
                           "Die Lizenz jedes Datensatzes steht im Feld 'licence'.", "@language": "de"},
                {"@value": "Merged and enriched records from every open source of the Metropole Ruhr. "
                           "Each record carries its own licence in the field 'licence'.", "@language": "en"}],
            **common,
            "dcat:distribution": _distributions(
                base_url, HUB_DATASET, every if any(s.get("events") for s, _ in open_sources) else fmt,
                _licence_iri(licences),
                "; ".join(dict.fromkeys(attributions)) or None, modified),
        }
        if modified:
            hub["dct:modified"] = _datetime(modified)
        datasets.append(hub)
    hub_modified = datasets[-1].get("dct:modified") if open_sources else None
    west, south, east, north = RVR_BBOX
    polygon = f"POLYGON(({west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}))"
    return {
        "@context": CONTEXT,
        "@graph": [
            {
                "@id": f"{base_url}/catalog",
                "@type": "dcat:Catalog",
                "dct:title": [{"@value": "DatenHub Ruhr", "@language": "de"}],
                "dct:description": [
                    {"@value": "Offene Tourismus- und Stadtdaten der Metropole Ruhr", "@language": "de"},
                    {"@value": "Open tourism and city data of the Metropole Ruhr", "@language": "en"}],
                "dct:publisher": _iri(publisher),
                "foaf:homepage": _iri(base_url + "/"),
                "dct:spatial": _iri(f"{base_url}/catalog#rvr"),
                "dct:language": german,
                **({"dct:modified": hub_modified} if hub_modified else {}),  # its latest dataset's
                "dcat:dataset": datasets,
            },
            {"@id": publisher, "@type": "foaf:Organization", "foaf:name": PUBLISHER},
            {"@id": f"{base_url}/catalog#contact", "@type": "vcard:Organization", "vcard:fn": PUBLISHER,
             "vcard:hasURL": _iri(base_url + "/")},
            {
                "@id": f"{base_url}/catalog#rvr",
                "@type": "dct:Location",
                "skos:prefLabel": "Metropole Ruhr (Regionalverband Ruhr)",
                "dcat:bbox": {"@value": polygon, "@type": "gsp:wktLiteral"},
            },
        ],
    }


def dataset_jsonld(sources: list[dict[str, Any]], name: str, base_url: str = DEFAULT_BASE_URL, *,
                   contributor_id: str | None = None) -> dict[str, Any] | None:
    """One dataset of the catalogue as its own JSON-LD document: what its IRI (`/datasets/<name>`) resolves to,
    as linked-data practice and DCAT-AP expect. None when the catalogue lists no such dataset."""
    catalogue = catalog_jsonld(sources, base_url, contributor_id=contributor_id)
    wanted = f"{base_url.rstrip('/')}/datasets/{name}"
    for node in catalogue["@graph"][0]["dcat:dataset"]:
        if node["@id"] == wanted:
            return {"@context": catalogue["@context"], **node,
                    "dct:isPartOf": _iri(f"{base_url.rstrip('/')}/catalog")}
    return None


def catalog_turtle(sources: list[dict[str, Any]], base_url: str = DEFAULT_BASE_URL,
                   formats: list[str] | None = None, *, contributor_id: str | None = None) -> bytes:
    """The same catalogue as Turtle."""
    return turtle(catalog_jsonld(sources, base_url, formats, contributor_id=contributor_id))


def catalog_rdf_xml(sources: list[dict[str, Any]], base_url: str = DEFAULT_BASE_URL,
                    formats: list[str] | None = None, *, contributor_id: str | None = None) -> bytes:
    """The same catalogue as RDF/XML."""
    return rdf_xml(catalog_jsonld(sources, base_url, formats, contributor_id=contributor_id))
