"""Shared list/detail behaviour for places and events: one filter language, one pagination, every format."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from datenhub.api.cache import no_store
from datenhub.api.deps import DETAIL_PARAMS, LIST_PARAMS, check_known, get_clock, parse_query
from datenhub.api.formats import (
    FastJSONResponse,
    format_language,
    localise,
    negotiate,
    project,
    serialized,
    wanted_fields,
)
from datenhub.api.urls import base_url, with_param
from datenhub.hours.filter import live_state, live_state_json
from datenhub.publish import get_serializer
from datenhub.publish.geojson import COLLECTION_HEAD, feature_bytes, to_feature
from datenhub.publish.jsonbytes import dumps
from datenhub.store import Store
from datenhub.store.base import Page
from datenhub.store.documents import RawDocument

LIST_FORMATS = {"place": ("json", "geojson", "jsonld", "csv"), "event": ("json", "geojson", "jsonld", "csv", "ical")}


def with_live_state(request: Request, entity: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """Places show whether they are open now: computed per request, because it changes with the clock
    (a listing reads the clock once and passes `now` for all its items)."""
    return live_entity(entity, now or get_clock(request)())


def live_entity(entity: dict[str, Any], now: datetime) -> dict[str, Any]:
    if entity.get("kind") != "place" or not entity.get("opening_hours"):
        return entity
    geo, municipality = entity.get("geo") or {}, entity.get("municipality") or {}
    state = live_state(entity["opening_hours"], now, geo.get("lat"), geo.get("lon"), municipality.get("ags"))
    return {**entity, "open_state": state} if state else entity


def item_bytes(page: Page, now: datetime | None, *, features: bool = False) -> list[bytes]:
    """A page's items as the JSON list (or GeoJSON features) shows them: live state added at `now` (None: no live
    state, as OGC API features have none), distances for `near`.

    Written from the stored bytes where the store handed them over with their columns (store.documents): the
    document is not parsed and serialised again. Other items (another layout, no point, a privileged full view of
    a partly closed entity, tombstones) take the dict path, which gives the same JSON."""
    out: list[bytes] = []
    for entry in page.raw if page.raw is not None else page.items:
        parts = entry.parts() if isinstance(entry, RawDocument) and entry.known else None
        if parts is None:
            item = orjson.loads(entry.raw) if isinstance(entry, RawDocument) else entry
            item = live_entity(item, now) if now is not None else item
            if item.get("id") in page.distances:
                item = {**item, "distance_m": page.distances[item["id"]]}
            out.append(dumps(to_feature(item) if features else item))
            continue
        assert isinstance(entry, RawDocument)
        id_json, lat, lon, rest_at = parts
        added = b""  # the members the dict path adds, as its JSON writes them
        if now is not None and entry.kind == "place" and entry.hours:
            state = live_state_json(entry.hours, now, float(lat), float(lon), entry.ags)
            if state is not None:
                added = b',"open_state":' + state
        distance = page.distances.get(id_json[1:-1].decode()) if page.distances else None
        if distance is not None:
            added += b',"distance_m":' + orjson.dumps(distance)
        if features:
            out.append(feature_bytes(id_json, lat, lon, memoryview(entry.raw)[rest_at:], added))
        elif added:
            out.append(entry.raw[:-1] + added + b"}")
        else:
            out.append(entry.raw)
    return out


def _link_header(request: Request, response: Response, page: Page) -> Response:
    if page.next_cursor:
        response.headers["Link"] = f'<{with_param(request, "cursor", page.next_cursor)}>; rel="next"'
    return response


def _links(request: Request, page: Page) -> dict[str, str]:
    links = {"self": str(request.url)}
    if page.next_cursor:
        links["next"] = with_param(request, "cursor", page.next_cursor)
    return links


def list_response(request: Request, store: Store, kind: str) -> Response:
    check_known(request, LIST_PARAMS)
    fmt = negotiate(request, LIST_FORMATS[kind])
    now, fields = get_clock(request)(), request.query_params.get("fields")
    wanted_fields(fields)  # an unknown field is a 400 even when the page is empty
    lang = format_language(request, fmt)
    query = parse_query(request, kind)
    page = store.search_spelled(query)
    if page.empty and query.sources:
        store.check_sources(query.sources, open_only=query.open_view)  # only an empty page pays for the check
    if lang is None and not fields and fmt in ("json", "geojson"):
        # the common case, written from the stored bytes: the same JSON as the general path below
        encoded = item_bytes(page, now, features=fmt == "geojson")
        if fmt == "geojson":
            collection = COLLECTION_HEAD + b",".join(encoded) + b"]}\n"
            return _link_header(request, Response(collection, media_type=get_serializer("geojson").media_type), page)
        tail = dumps(_envelope(request, page))
        return Response(b'{"items":[' + b",".join(encoded) + b"]," + tail[1:], media_type="application/json")
    serializer = None if fmt == "json" else get_serializer(fmt)  # the hub's own JSON shows every member
    live = serializer is None or serializer.live_state  # JSON-LD, CSV and iCal have no place for it
    found = page.items if serializer is None else page.items_as(serializer.view)
    items = [project(localise(live_entity(item, now) if live else item, lang), fields, fmt) for item in found]
    for item in items:
        if item.get("id") in page.distances:
            item["distance_m"] = page.distances[item["id"]]
    if fmt != "json":
        return _link_header(request, serialized(fmt, items, request), page)
    return FastJSONResponse({"items": items, **_envelope(request, page)})


def _envelope(request: Request, page: Page) -> dict[str, Any]:
    """What a JSON list says besides its items; `corrected_q` only when misspelled words were corrected."""
    around: dict[str, Any] = {"next_cursor": page.next_cursor, "links": _links(request, page)}
    if page.corrected_q is not None:
        around["corrected_q"] = page.corrected_q
    return around


def detail_response(request: Request, store: Store, kind: str, entity_id: str) -> Response:
    if not entity_id:  # ".../places/": the list, as before ids could hold "/" (Starlette's slash redirect)
        return RedirectResponse(str(request.url.replace(path=request.url.path.rstrip("/"))), status_code=307)
    check_known(request, DETAIL_PARAMS)
    fmt = negotiate(request, LIST_FORMATS[kind])
    from datenhub.api.auth import reads_closed

    closed = reads_closed(request)
    # most places have no sensors: knowing that with the entity spares occupancy_summary's reads
    entity, sensing = store.get_entity_sensing(entity_id, include_closed=closed)
    if entity is None or entity.get("kind") != kind:
        raise HTTPException(404, f"no {kind} {entity_id!r}")
    entity = with_live_state(request, entity)
    if kind == "place" and (closed or sensing):
        from datenhub.live.web import occupancy_summary

        # schema.org has no occupancy property for places, so this lives in the hub's own JSON only
        summary = occupancy_summary(store, entity["id"], get_clock(request)(), closed)
        if summary is not None:
            no_store(request)  # live readings: the response cache would keep them past their minute
            entity["occupancy"] = {k: summary[k] for k in ("status", "percent", "updated", "stale", "simulated",
                                                           "next_hours", "api") if k in summary}
    entity = project(localise(entity, format_language(request, fmt)), request.query_params.get("fields"), fmt)
    if fmt == "json":
        return FastJSONResponse(entity)
    if fmt == "jsonld":
        from datenhub.publish.jsonld import to_jsonld  # type: ignore[import-not-found]

        body = to_jsonld(entity, base_url=base_url(request))
        return FastJSONResponse({"@context": "https://schema.org/", **{k: v for k, v in body.items()
                                                                          if k != "@context"}},
                                media_type="application/ld+json")
    if fmt == "geojson":  # one resource is one Feature (RFC 7946 §3.2), as the OGC API's /items/{id} answers
        return FastJSONResponse(to_feature(entity), media_type=get_serializer(fmt).media_type)
    return serialized(fmt, [entity], request)
