"""/api/v1/places: list with filters and cursor pagination, and one place by id."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from datenhub.api.deps import get_store, parse_query
from datenhub.store import Store

router = APIRouter(prefix="/api/v1", tags=["places"])


def page_body(request: Request, items: list[dict[str, Any]], next_cursor: str | None,
              distances: dict[str, float]) -> dict[str, Any]:
    for item in items:
        if item.get("id") in distances:
            item["distance_m"] = distances[item["id"]]
    links = {"self": str(request.url)}
    if next_cursor:
        links["next"] = str(request.url.include_query_params(cursor=next_cursor))
    return {"items": items, "next_cursor": next_cursor, "links": links}


@router.get("/places", summary="Search places")
def list_places(
    request: Request,
    store: Store = Depends(get_store),
    q: str | None = Query(None, description="Full text, German stemming"),
    category: str | None = Query(None), type: str | None = Query(None),
    municipality: str | None = Query(None, description="Name or AGS"),
    bbox: str | None = Query(None, description="minLon,minLat,maxLon,maxLat"),
    near: str | None = Query(None, description="lat,lon"), radius: float | None = Query(None, description="metres"),
    wheelchair: str | None = Query(None), licence: str | None = Query(None, description="'open'"),
    source: str | None = Query(None), changed_since: str | None = Query(None),
    sort: str | None = Query(None, description="relevance, name, distance, changed"),
    cursor: str | None = Query(None), limit: int = Query(20, ge=1, le=1000),
) -> dict[str, Any]:
    page = store.search(parse_query(request, "place"))
    return page_body(request, page.items, page.next_cursor, page.distances)


@router.get("/places/{place_id}", summary="One place")
def get_place(place_id: str, store: Store = Depends(get_store)) -> dict[str, Any]:
    entity = store.get_entity(place_id)
    if entity is None or entity.get("kind") != "place":
        raise HTTPException(404, f"no place {place_id!r}")
    return entity
