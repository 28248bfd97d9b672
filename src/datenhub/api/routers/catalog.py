"""Open-data publishing: DCAT-AP.de catalogue, bulk exports per source and format, sitemap and robots.txt."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from datenhub.api.deps import get_store, known_parameters
from datenhub.api.formats import from_accept
from datenhub.api.urls import base_url
from datenhub.publish import get_serializer
from datenhub.publish.dcat import catalog_jsonld, dataset_jsonld
from datenhub.publish.rdf import rdf_xml, turtle
from datenhub.publish.sitemap import robots_txt, sitemap_file
from datenhub.publish.venues import with_venue_ids
from datenhub.store import Query as StoreQuery
from datenhub.store import QueryError, Store

router = APIRouter(tags=["open data"])
EXPORT_FORMATS = {"jsonld": "jsonld", "geojson": "geojson", "csv": "csv", "jsonl": "jsonl", "ics": "ical"}
EVENTS_ONLY = {"ics"}  # a calendar of a dataset without events would be empty: a 404 says why
WHOLE_HUB = "datenhub-ruhr"


def _open_sources(store: Store) -> list[dict[str, object]]:
    """The sources with what their records' licences are (a source may mix them row by row), and whether readers of
    open data find events of theirs (the catalogue lists a calendar for those)."""
    return [{**asdict(s), "record_licences": s.stats["licences"], "events": _holds_events(store, s.name)}
            for s in store.sources_with_licences()]


def _holds_events(store: Store, name: str) -> bool:
    """Whether the open view holds an event of the dataset `name` (the whole hub's: any); one query, one row."""
    sources = () if name == WHOLE_HUB else (name,)
    return bool(store.search(StoreQuery(kind="event", sources=sources, limit=1)).items)


# f= value -> (media type, writer of a JSON-LD document); Accept media types map onto the same names
RDF_FORMATS: dict[str, tuple[str, Callable[[dict[str, Any]], bytes] | None]] = {
    "jsonld": ("application/ld+json", None),
    "ttl": ("text/turtle; charset=utf-8", turtle),
    "rdf": ("application/rdf+xml", rdf_xml),
}
RDF_ALIASES = {"turtle": "ttl", "xml": "rdf"}
RDF_MEDIA = {"application/ld+json": "jsonld", "application/json": "jsonld", "text/turtle": "ttl",
             "application/rdf+xml": "rdf", "application/xml": "rdf", "text/xml": "rdf"}


def contributor_id() -> str | None:
    """DATENHUB_DCAT_CONTRIBUTOR_ID: the dcatde:contributorID GovData assigned the hub (an http(s) URI, else none)."""
    value = os.environ.get("DATENHUB_DCAT_CONTRIBUTOR_ID", "").strip()
    return value if value.startswith(("http://", "https://")) and " " not in value else None


def rdf_format(request: Request, f: str | None) -> str:
    """The RDF format asked for: `f=` first, else the Accept header (JSON-LD for any type, as for none); a type
    none of them is, a 406 naming those offered, as on the lists (api.formats.negotiate)."""
    if f is not None:
        name = RDF_ALIASES.get(f, f)
        if name not in RDF_FORMATS:
            raise QueryError("f", f"unsupported format {f!r}; use one of {', '.join(RDF_FORMATS)}")
        return name
    header = request.headers.get("accept", "")
    chosen = from_accept(header, RDF_MEDIA, RDF_FORMATS, "jsonld")
    if chosen is not None:
        return chosen
    if not header.strip():
        return "jsonld"
    offered = ", ".join(media.split(";")[0] for media, _ in RDF_FORMATS.values())
    raise HTTPException(406, f"none of the accepted media types is offered here; accept one of {offered} "
                             f"(also application/json, application/xml), or choose with f=")


def rdf_response(doc: dict[str, Any], name: str) -> Response:
    media_type, write = RDF_FORMATS[name]
    if write is None:
        return JSONResponse(doc, media_type=media_type)
    return Response(write(doc), media_type=media_type)


def _catalogue(request: Request, store: Store) -> dict[str, Any]:
    return catalog_jsonld(_open_sources(store), base_url(request), contributor_id=contributor_id())


FORMAT_HELP = "jsonld (default), ttl (turtle) or rdf (xml, RDF/XML); else by the Accept header"


@router.get("/catalog", summary="DCAT-AP.de catalogue (JSON-LD, Turtle or RDF/XML by Accept or f=)",
            dependencies=[Depends(known_parameters)])
def catalog(request: Request, store: Store = Depends(get_store),
            f: str | None = Query(None, description=FORMAT_HELP)) -> Response:
    name = rdf_format(request, f)
    return rdf_response(_catalogue(request, store), name)


@router.get("/datasets/{name}", summary="One dataset of the DCAT-AP.de catalogue (its IRI resolves here)",
            dependencies=[Depends(known_parameters)])
def dataset(request: Request, name: str, store: Store = Depends(get_store),
            f: str | None = Query(None, description=FORMAT_HELP)) -> Response:
    chosen = rdf_format(request, f)
    node = dataset_jsonld(_open_sources(store), name, base_url(request), contributor_id=contributor_id())
    if node is None:
        raise HTTPException(404, f"no open dataset {name!r}; the catalogue (/catalog) lists them")
    return rdf_response(node, chosen)


@router.get("/catalog.ttl", include_in_schema=False)
def catalog_ttl(request: Request, store: Store = Depends(get_store)) -> Response:
    return rdf_response(_catalogue(request, store), "ttl")


@router.get("/catalog.rdf", include_in_schema=False)
def catalog_rdf(request: Request, store: Store = Depends(get_store)) -> Response:
    return rdf_response(_catalogue(request, store), "rdf")


@router.get("/api/v1/exports/{name}.{ext}", summary="Bulk dump of a source (datenhub-ruhr: all), open data only")
def export(name: str, ext: str, request: Request, store: Store = Depends(get_store)) -> StreamingResponse:
    if ext not in EXPORT_FORMATS:
        raise HTTPException(404, f"no export format {ext!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if name != WHOLE_HUB and name not in {s.name for s in store.sources_with_licences(open_only=True)}:
        raise HTTPException(404, f"no source {name!r} with open data")  # a closed one's name tells nothing
    if ext in EVENTS_ONLY and not _holds_events(store, name):
        others = ", ".join(e for e in EXPORT_FORMATS if e not in EVENTS_ONLY)
        raise HTTPException(404, f"dataset {name!r} holds no events, so no calendar ({ext}); use one of {others}")
    serializer = get_serializer(EXPORT_FORMATS[ext])
    # Open data only: the store's anonymous view, filtered in the query; a source's share of merged entities.
    entities = store.iter_entities("event" if ext in EVENTS_ONLY else None)
    if name != WHOLE_HUB:
        prefix = f"{name}:"
        entities = (e for e in entities if any(s.startswith(prefix) for s in e.get("sources", [])))
    return StreamingResponse(serializer.stream(with_venue_ids(store, entities), base_url(request)),
                             media_type=serializer.media_type,
                             headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'})


# Written from the ids and dates alone (Store.iter_page_dates), each file by itself: from every document, and every
# file for each request, a 1M-place hub on PostgreSQL took 39 s for the index and again for each of its 20 parts.
@router.get("/sitemap.xml", include_in_schema=False)
def sitemap(request: Request, store: Store = Depends(get_store)) -> Response:
    return Response(sitemap_file(store.iter_page_dates(), "sitemap.xml", base_url(request)),
                    media_type="application/xml")


@router.get("/sitemaps/{number}.xml", include_in_schema=False)
def sitemap_part(number: int, request: Request, store: Store = Depends(get_store)) -> Response:
    part = sitemap_file(store.iter_page_dates(), f"sitemaps/{number}.xml", base_url(request)) if number > 0 else None
    if part is None:
        raise HTTPException(404, f"no sitemap part {number}")
    return Response(part, media_type="application/xml")


@router.get("/robots.txt", include_in_schema=False)
def robots(request: Request) -> Response:
    return Response(robots_txt(base_url(request)), media_type="text/plain")
