"""Shared list/detail behaviour for places and events: one filter language, one pagination, every format."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import Response

from datenhub.api.cache import no_store
from datenhub.api.deps import get_clock, parse_query
from datenhub.api.formats import FastJSONResponse, language, localise, negotiate, project, serialized
from datenhub.hours.filter import live_state
from datenhub.store import Store

LIST_FORMATS = {"place": ("json", "geojson", "jsonld", "csv"), "event": ("json", "geojson", "jsonld", "csv", "ical")}


def with_live_state(request: Request, entity: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """Places show whether they are open now: computed per request, because it changes with the clock
    (a listing reads the clock once and passes `now` for all its items)."""
    if entity.get("kind") != "place" or not entity.get("opening_hours"):
        return entity
    geo, municipality = entity.get("geo") or {}, entity.get("municipality") or {}
    state = live_state(entity["opening_hours"], now or get_clock(request)(), geo.get("lat"), geo.get("lon"),
                       municipality.get("ags"))
    return {**entity, "open_state": state} if state else entity


def list_response(request: Request, store: Store, kind: str) -> Response:
    fmt = negotiate(request, LIST_FORMATS[kind])
    lang = language(request)
    page = store.search(parse_query(request, kind))
    now, fields = get_clock(request)(), request.query_params.get("fields")
    items = [project(localise(with_live_state(request, item, now), lang), fields) for item in page.items]
    for item in items:
        if item.get("id") in page.distances:
            item["distance_m"] = page.distances[item["id"]]
    if fmt != "json":
        response = serialized(fmt, items)
        if page.next_cursor:
            response.headers["Link"] = f'<{request.url.include_query_params(cursor=page.next_cursor)}>; rel="next"'
        return response
    links = {"self": str(request.url)}
    if page.next_cursor:
        links["next"] = str(request.url.include_query_params(cursor=page.next_cursor))
    body: dict[str, Any] = {"items": items, "next_cursor": page.next_cursor, "links": links}
    return FastJSONResponse(body)


def detail_response(request: Request, store: Store, kind: str, entity_id: str) -> Response:
    fmt = negotiate(request, LIST_FORMATS[kind])
    from datenhub.api.auth import principal

    who = principal(request)
    closed = who is not None and who.can_read_closed
    # most places have no sensors: knowing that with the entity spares occupancy_summary's reads
    entity, sensing = store.get_entity_sensing(entity_id, include_closed=closed)
    if entity is None or entity.get("kind") != kind:
        raise HTTPException(404, f"no {kind} {entity_id!r}")
    entity = with_live_state(request, entity)
    if kind == "place" and (closed or sensing):
        from datenhub.live.web import occupancy_summary

        # schema.org has no occupancy property for places, so this lives in the hub's own JSON only
        summary = occupancy_summary(store, entity["id"], get_clock(request)())
        if summary is not None:
            no_store(request)  # live readings: the response cache would keep them past their minute
            entity["occupancy"] = {k: summary[k] for k in ("status", "percent", "updated", "stale", "simulated",
                                                           "next_hours", "api") if k in summary}
    entity = project(localise(entity, language(request)), request.query_params.get("fields"))
    if fmt == "json":
        return FastJSONResponse(entity)
    if fmt == "jsonld":
        from datenhub.publish.jsonld import to_jsonld  # type: ignore[import-not-found]

        body = to_jsonld(entity, base_url=str(request.base_url).rstrip("/"))
        return FastJSONResponse({"@context": "https://schema.org/", **{k: v for k, v in body.items()
                                                                          if k != "@context"}},
                                media_type="application/ld+json")
    return serialized(fmt, [entity])
