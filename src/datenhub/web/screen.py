"""Information-screen mode: `/screen` for a large display, `/screen/data.json` for its one-minute refresh."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup

from datenhub.api.deps import get_clock
from datenhub.clock import BERLIN
from datenhub.enrich.municipality import boundaries
from datenhub.store import Query, QueryError, Store
from datenhub.web.common import (
    attribution_lines,
    category_label,
    context,
    fmt_datetime,
    fmt_distance,
    fmt_time,
    not_found,
    render,
    text,
)
from datenhub.web.errors import page_error, query_error_text
from datenhub.web.hours import closes_at
from datenhub.web.i18n import choose_lang, translator
from datenhub.web.occupancy import occupancy_view

router = APIRouter(include_in_schema=False)
DEFAULT_RADIUS = 1500.0
DEFAULT_REFRESH = 60
MAX_ITEMS = 40


@dataclass(frozen=True, slots=True)
class ScreenSpec:
    lat: float
    lon: float
    radius: float
    title: str
    place_id: str | None
    rotate: int
    refresh: int
    place: dict[str, Any] | None = None


def _number(request: Request, name: str, default: float | None, low: float, high: float) -> float | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise QueryError(name, f"expected a number, got {raw!r}") from None
    if not low <= value <= high:
        raise QueryError(name, f"must be between {low:g} and {high:g}")
    return value


def parse_spec(request: Request, store: Store, lang: str) -> ScreenSpec | None:
    """None when `place` names no place (the caller answers 404); QueryError for malformed parameters."""
    radius = _number(request, "radius", DEFAULT_RADIUS, 50, 50_000) or DEFAULT_RADIUS
    rotate = int(_number(request, "rotate", 0, 0, 3600) or 0)
    # `refresh` exists for tests and slow links; screens use the default minute
    refresh = int(_number(request, "refresh", DEFAULT_REFRESH, 1, 3600) or DEFAULT_REFRESH)
    place_id = request.query_params.get("place")
    if place_id:
        entity = store.get_entity(place_id)
        if entity is None or not entity.get("geo"):
            return None
        geo = entity["geo"]
        title = text(entity.get("name"), lang) or translator(lang)("screen_nearby")
        return ScreenSpec(geo["lat"], geo["lon"], radius, title, entity["id"], rotate, refresh, entity)
    lat = _number(request, "lat", None, -90, 90)
    lon = _number(request, "lon", None, -180, 180)
    if lat is None or lon is None:
        raise QueryError("place", "give place=ID or lat= and lon=")
    return ScreenSpec(lat, lon, radius, _point_title(lat, lon, lang), None, rotate, refresh)


def _point_title(lat: float, lon: float, lang: str) -> str:
    """A screen placed by coordinates is titled with its town, not with the numbers; outside NRW "Nearby"."""
    info = boundaries().locate_many([lat], [lon])[0]
    return info.name if info else translator(lang)("screen_nearby")


def _occupancy(store: Store, spec: ScreenSpec, now: datetime, lang: str) -> dict[str, Any] | None:
    if spec.place is None:
        return None
    return occupancy_view(store, spec.place, now, lang)


def _until(change: str, now: datetime, lang: str) -> str:
    """When an open place closes, as a screen says it: the time today, 24:00 at midnight, else with its day
    ("morgen 02:00", "Fr 25.12.2026 00:00"): a bare "00:00" read as tonight for a place open until Christmas."""
    at, today = datetime.fromisoformat(change).astimezone(BERLIN), now.astimezone(BERLIN).date()
    if at.date() == today:
        return fmt_time(at)
    if at.date() == today + timedelta(days=1) and (at.hour, at.minute) == (0, 0):
        return "24:00"
    return fmt_datetime(at, lang, now)


def screen_data(store: Store, spec: ScreenSpec, now: datetime, lang: str) -> dict[str, Any]:
    """Everything the screen shows, already worded and formatted: the page's script only places it."""
    t = translator(lang)
    near = (spec.lat, spec.lon)
    found = store.search(Query(near=near, radius=spec.radius, open_at=now, sort="distance", limit=MAX_ITEMS))
    open_now, shown = [], []
    for entity in found.items:
        state, change = closes_at(entity, now)
        if state != "open":
            continue
        closes = t("screen_until", time=_until(change, now, lang)) if change else t("screen_always")
        shown.append(entity)
        open_now.append({"id": entity["id"], "name": text(entity.get("name"), lang), "closes": closes,
                         "distance": fmt_distance(found.distances.get(entity["id"]), lang),
                         "category": ", ".join(category_label(c, lang) for c in entity.get("categories") or [])})
    local_now = now.astimezone(BERLIN)
    end_of_day = local_now.replace(hour=23, minute=59, second=59, microsecond=0)
    events = store.search(Query(kind="event", near=near, radius=spec.radius, date_from=now, date_to=end_of_day,
                                sort="start", limit=MAX_ITEMS)).items
    today = [{"id": e["id"], "name": text(e.get("name"), lang),
              "time": t("all_day") if e.get("all_day") else fmt_time(e.get("start")),
              "where": e.get("location_name") or (e.get("municipality") or {}).get("name") or ""} for e in events]
    return {"generated_at": now.isoformat(), "updated": local_now.strftime("%H:%M"), "lang": lang,
            "title": spec.title, "open": open_now, "events": today,
            "occupancy": _occupancy(store, spec, now, lang),
            # the sources the listed places and events ask to be named, beside the map's
            "credits": " · ".join(["DatenHub Ruhr", *attribution_lines(shown + events), t("map_attribution")]),
            "departures": None}  # filled by the transit issue


def _labels(lang: str) -> dict[str, str]:
    t = translator(lang)
    return {key: t(key) for key in ("screen_open", "screen_events", "screen_none_open", "screen_no_events",
                                    "occupancy", "occupancy_soon", "departures", "departures_soon")} | {
        "updated": "Aktualisiert" if lang == "de" else "Updated",
        "stale": "Keine Verbindung – Stand: vor {age}" if lang == "de" else "No connection – data from {age} ago",
        "seconds": "{n} Sek." if lang == "de" else "{n} s", "minutes": "{n} Min." if lang == "de" else "{n} min",
        "hours": "{n} Std." if lang == "de" else "{n} h"}


def _bad_request(request: Request, exc: QueryError) -> HTMLResponse:
    lang = choose_lang(request)
    ctx = context(request, "/screen", title=translator(lang)("screen_name"), error=page_error(request, exc, lang))
    return render("screen_error.html", ctx, status_code=400)


@router.get("/screen", response_class=HTMLResponse)
def screen_page(request: Request) -> Response:
    store, lang = request.app.state.store, choose_lang(request)
    try:
        spec = parse_spec(request, store, lang)
    except QueryError as exc:
        return _bad_request(request, exc)
    if spec is None:
        return not_found(request)
    data = screen_data(store, spec, get_clock(request)(), lang)
    config = {"refresh": spec.refresh, "rotate": spec.rotate, "labels": _labels(lang),
              "dataUrl": "/screen/data.json?" + request.url.query}
    blob = json.dumps({"config": config, "data": data}, ensure_ascii=False)
    safe = Markup(blob.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
    ctx = context(request, "/screen", title=spec.title, initial=safe, data=data, labels=config["labels"],
                  canonical_params={k: v for k, v in request.query_params.items() if k != "lang"})
    return render("screen.html", ctx, headers={"X-Robots-Tag": "noindex"})


@router.get("/screen/data.json")
def screen_json(request: Request) -> Response:
    store, lang = request.app.state.store, choose_lang(request)
    try:
        spec = parse_spec(request, store, lang)
    except QueryError as exc:
        message = query_error_text(exc, request.query_params.get(exc.param), lang)
        return JSONResponse({"error": exc.param, "detail": exc.detail, "message": message}, status_code=400)
    if spec is None:
        message = translator(lang)("place_not_found", id=request.query_params.get("place", ""))
        return JSONResponse({"error": "place", "detail": "no such place", "message": message}, status_code=404)
    return JSONResponse(screen_data(store, spec, get_clock(request)(), lang), headers={"Cache-Control": "no-store"})
