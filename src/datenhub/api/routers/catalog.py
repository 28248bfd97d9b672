"""Open-data publishing: DCAT-AP.de catalogue, bulk exports per source and format, sitemap and robots.txt."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from datenhub.api.deps import get_store
from datenhub.api.urls import base_url
from datenhub.publish import get_serializer
from datenhub.publish.dcat import catalog_jsonld, catalog_turtle, dataset_jsonld
from datenhub.publish.sitemap import robots_txt, sitemap_files
from datenhub.store import Store

router = APIRouter(tags=["open data"])
EXPORT_FORMATS = {"jsonld": "jsonld", "geojson": "geojson", "csv": "csv", "jsonl": "jsonl"}
WHOLE_HUB = "datenhub-ruhr"


def _open_sources(store: Store) -> list[dict[str, object]]:
    """The sources with what their records' licences are (a source may mix them row by row)."""
    return [{**asdict(s), "record_licences": s.stats["licences"]} for s in store.sources_with_licences()]


@router.get("/catalog", summary="DCAT-AP.de catalogue (JSON-LD; Turtle with Accept: text/turtle or f=ttl)")
def catalog(request: Request, store: Store = Depends(get_store), f: str | None = None) -> Response:
    sources = _open_sources(store)
    wants_turtle = f in ("ttl", "turtle") or "text/turtle" in request.headers.get("accept", "")
    if wants_turtle:
        return Response(catalog_turtle(sources, base_url(request)), media_type="text/turtle; charset=utf-8")
    return JSONResponse(catalog_jsonld(sources, base_url(request)), media_type="application/ld+json")


@router.get("/datasets/{name}", summary="One dataset of the DCAT-AP.de catalogue (its IRI resolves here)")
def dataset(request: Request, name: str, store: Store = Depends(get_store)) -> Response:
    node = dataset_jsonld(_open_sources(store), name, base_url(request))
    if node is None:
        raise HTTPException(404, f"no open dataset {name!r}; the catalogue (/catalog) lists them")
    return JSONResponse(node, media_type="application/ld+json")


@router.get("/catalog.ttl", include_in_schema=False)
def catalog_ttl(request: Request, store: Store = Depends(get_store)) -> Response:
    return Response(catalog_turtle(_open_sources(store), base_url(request)), media_type="text/turtle; charset=utf-8")


@router.get("/api/v1/exports/{name}.{ext}", summary="Bulk dump of a source (datenhub-ruhr: all), open data only")
def export(name: str, ext: str, request: Request, store: Store = Depends(get_store)) -> StreamingResponse:
    if ext not in EXPORT_FORMATS:
        raise HTTPException(404, f"no export format {ext!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if name != WHOLE_HUB and name not in {s.name for s in store.sources_with_licences(open_only=True)}:
        raise HTTPException(404, f"no source {name!r} with open data")  # a closed one's name tells nothing
    serializer = get_serializer(EXPORT_FORMATS[ext])
    # Open data only: the store's anonymous view, filtered in the query; a source's share of merged entities.
    entities = store.iter_entities(None)
    if name != WHOLE_HUB:
        prefix = f"{name}:"
        entities = (e for e in entities if any(s.startswith(prefix) for s in e.get("sources", [])))
    return StreamingResponse(serializer.stream(entities, base_url(request)), media_type=serializer.media_type,
                             headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'})


@router.get("/sitemap.xml", include_in_schema=False)
def sitemap(request: Request, store: Store = Depends(get_store)) -> Response:
    files = sitemap_files(store.iter_entities(None), base_url(request))
    return Response(files["sitemap.xml"], media_type="application/xml")


@router.get("/sitemaps/{number}.xml", include_in_schema=False)
def sitemap_part(number: int, request: Request, store: Store = Depends(get_store)) -> Response:
    files = sitemap_files(store.iter_entities(None), base_url(request))
    part = files.get(f"sitemaps/{number}.xml")
    if part is None:
        raise HTTPException(404, f"no sitemap part {number}")
    return Response(part, media_type="application/xml")


@router.get("/robots.txt", include_in_schema=False)
def robots(request: Request) -> Response:
    return Response(robots_txt(base_url(request)), media_type="text/plain")
