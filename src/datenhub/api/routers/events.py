"""/api/v1/events: the same filter language, plus from/to, and iCal."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from datenhub.api.deps import get_store, known_parameters
from datenhub.api.routers._listing import detail_response, list_response
from datenhub.store import Store

router = APIRouter(prefix="/api/v1", tags=["events"], dependencies=[Depends(known_parameters)])


@router.get("/events", summary="Search events", response_class=Response)
async def list_events(
    request: Request,
    store: Store = Depends(get_store),
    q: str | None = Query(None), category: str | None = Query(None), type: str | None = Query(None),
    municipality: str | None = Query(None), bbox: str | None = Query(None), near: str | None = Query(None),
    radius: float | None = Query(None), licence: str | None = Query(None), source: str | None = Query(None),
    changed_since: str | None = Query(None),
    from_: str | None = Query(None, alias="from", description="ISO 8601: events ending at or after"),
    to: str | None = Query(None, description="ISO 8601: events starting before"),
    sort: str | None = Query(None, description="start, relevance, name, distance, changed"),
    fields: str | None = Query(None), lang: str | None = Query(None),
    f: str | None = Query(None, description="json, geojson, jsonld, csv, ical"),
    cursor: str | None = Query(None), limit: int = Query(20, ge=1, le=1000),
) -> Response:
    return list_response(request, store, "event")


@router.get("/events/{event_id:path}", summary="One event", response_class=Response)
async def get_event(request: Request, event_id: str, store: Store = Depends(get_store),
              lang: str | None = Query(None), fields: str | None = Query(None),
              f: str | None = Query(None, description="json, geojson, jsonld, csv, ical")) -> Response:
    return detail_response(request, store, "event", event_id)
