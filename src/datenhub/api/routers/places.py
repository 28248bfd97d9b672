"""/api/v1/places: list with filters and cursor pagination, and one place by id, in every format."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from datenhub.api.deps import get_store, known_parameters
from datenhub.api.formats import accepts_json
from datenhub.api.routers._listing import detail_response, list_response
from datenhub.store import Store

router = APIRouter(prefix="/api/v1", tags=["places"], dependencies=[Depends(known_parameters)])


@router.get("/places", summary="Search places", response_class=Response)
async def list_places(  # async: queries take ~1 ms, a thread-pool hop would cost more
    request: Request,
    store: Store = Depends(get_store),
    q: str | None = Query(None, description="Full text, German stemming; the last word matches as a prefix"),
    category: str | None = Query(None, description="Category (comma-separated for several)"),
    type: str | None = Query(None, description="schema.org type"),
    municipality: str | None = Query(None, description="Municipality name or AGS"),
    bbox: str | None = Query(None, description="minLon,minLat,maxLon,maxLat"),
    near: str | None = Query(None, description="lat,lon"),
    radius: float | None = Query(None, description="metres around near"),
    wheelchair: str | None = Query(None, description="yes, limited, no"),
    licence: str | None = Query(None, description="'open': open licences only"),
    source: str | None = Query(None),
    changed_since: str | None = Query(None, description="ISO 8601; includes tombstones of withdrawn places"),
    open_at: str | None = Query(None, description="ISO 8601: only places open then"),
    open_now: bool | None = Query(None, description="only places open now"),
    sort: str | None = Query(None, description="relevance, name, distance, changed"),
    fields: str | None = Query(None, description="comma-separated fields to return"),
    lang: str | None = Query(None, description="de, en or nl (default: Accept-Language, else all)"),
    f: str | None = Query(None, description="json, geojson, jsonld, csv"),
    cursor: str | None = Query(None), limit: int = Query(20, ge=1, le=1000),
) -> Response:
    return list_response(request, store, "place")


@router.get("/places/{place_id:path}/hours", summary="Opening hours of a place: state now, next change, weekly table",
            dependencies=[Depends(accepts_json)])
def place_hours(request: Request, place_id: str, store: Store = Depends(get_store),
                week: str | None = Query(None, description="any date of the week to show (default: this week)")
                ) -> dict[str, object]:
    import re
    from datetime import date, timedelta

    from fastapi import HTTPException

    from datenhub.api.auth import reads_closed
    from datenhub.api.deps import get_clock
    from datenhub.hours import OpeningHours, OpeningHoursError
    from datenhub.hours.filter import live_state, state_for_ags
    from datenhub.store import QueryError
    from datenhub.store.query import DATE_PATTERN, check_date

    entity = store.get_entity(place_id, include_closed=reads_closed(request))  # the view the place's page shows
    if entity is None or entity.get("kind") != "place":
        raise HTTPException(404, f"no place {place_id!r}")
    value = entity.get("opening_hours")
    now = get_clock(request)()
    day = now.date()
    if week:
        try:
            if not re.match(DATE_PATTERN, week):  # fromisoformat takes "20260601" and "2026-W23" too
                raise ValueError(week)
            day = date.fromisoformat(week)
        except ValueError:
            raise QueryError("week", "expected a date like 2026-06-01") from None
        check_date("week", day)
    body: dict[str, object] = {"id": entity["id"], "opening_hours": value, "state": None, "week": []}
    if not value:
        return body
    geo, municipality = entity.get("geo") or {}, entity.get("municipality") or {}
    try:
        oh = OpeningHours.parse(value, lat=geo.get("lat"), lon=geo.get("lon"),
                                state=state_for_ags(municipality.get("ags")))
    except OpeningHoursError as exc:
        body["error"] = str(exc)
        return body
    body["state"] = live_state(value, now, geo.get("lat"), geo.get("lon"), municipality.get("ags"))
    monday = day - timedelta(days=day.weekday())
    body["week"] = [{"date": d.isoformat(), "ranges": [{"from": r[0], "to": r[1], "state": r[2], "comment": r[3]}
                                                       for r in ranges]}
                    for d, ranges in oh.weekly_table(monday)]
    return body


@router.get("/places/{place_id:path}/speech", dependencies=[Depends(accepts_json)],
            summary="A place in a few spoken sentences (voice and AI assistants): open now, busy, nearest station")
def place_speech(request: Request, place_id: str, store: Store = Depends(get_store),
                 lang: str | None = Query(None, description="de or en (default: by Accept-Language, else de)")
                 ) -> dict[str, object]:
    from fastapi import HTTPException

    from datenhub.api.auth import reads_closed
    from datenhub.api.deps import get_clock
    from datenhub.api.formats import preferred
    from datenhub.publish.speech import LANGUAGES
    from datenhub.publish.speech import place_speech as speech
    from datenhub.store import QueryError

    if lang is None:  # the listener's language where the assistant sends it
        lang = next((tag[:2] for tag in preferred(request.headers.get("accept-language", ""))
                     if tag[:2] in LANGUAGES), "de")
    if lang not in LANGUAGES:
        raise QueryError("lang", f"one of {', '.join(LANGUAGES)}, not {lang!r}")
    closed = reads_closed(request)
    entity = store.get_entity(place_id, include_closed=closed)  # the view the place's page shows
    if entity is None or entity.get("kind") != "place":
        raise HTTPException(404, f"no place {place_id!r}")
    return speech(store, entity, get_clock(request)(), lang, include_closed=closed)


# after the routes below a place (…/hours, …/speech): a record id may hold "/" (OSM's "osm:node/123"), so this one takes
# the rest of the path, and Starlette tries routes in order
@router.get("/places/{place_id:path}", summary="One place", response_class=Response)
async def get_place(request: Request, place_id: str, store: Store = Depends(get_store),
              lang: str | None = Query(None), fields: str | None = Query(None),
              f: str | None = Query(None, description="json, geojson, jsonld, csv")) -> Response:
    return detail_response(request, store, "place", place_id)
