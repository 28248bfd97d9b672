"""Visitor pages: home (search, filters, map, list), place pages and events."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import date, time, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from datenhub.api.deps import get_clock, parse_query
from datenhub.clock import BERLIN
from datenhub.enrich.municipality import BOUNDARIES_ATTRIBUTION, boundaries
from datenhub.enrich.stations import station_index
from datenhub.live.status import readable
from datenhub.model.categories import CATEGORIES, normalise_category
from datenhub.model.licence import credits, licence_mix
from datenhub.publish.venues import venue as find_venue
from datenhub.store import Page, Query, QueryError, Store
from datenhub.store.text import fold
from datenhub.web.common import (
    category_label,
    context,
    fmt_distance,
    in_shown_order,
    not_found,
    page_url,
    render,
    text,
)
from datenhub.web.errors import page_error
from datenhub.web.hours import closes_at, hours_view
from datenhub.web.i18n import choose_lang, translator
from datenhub.web.occupancy import occupancy_view

router = APIRouter(include_in_schema=False)
FILTERS = ("q", "category", "municipality", "open_now", "wheelchair")
LIST_LIMIT = 50


def _store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def jsonld_script(entity: dict[str, Any], base: str, lang: str, request: Request) -> Markup | None:
    """The entity's schema.org node, safe inside <script>; None while the serializer is not available."""
    try:
        from datenhub.publish.jsonld import to_jsonld
    except ImportError:
        return None
    node = to_jsonld(entity, base_url=base, lang=lang, clock=get_clock(request))
    node = {"@context": "https://schema.org/", **node} if "@context" not in node else node
    # "<", ">" and "&" as \u escapes: record text can never close the script element.
    body = json.dumps(node, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(body.replace("&", "\\u0026"))


def municipality_names() -> list[str]:
    return sorted((info.name for info in boundaries().infos if info.in_rvr), key=fold)  # Bönen before Bottrop


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    store = _store(request)
    lang = choose_lang(request)
    params = {k: request.query_params.get(k, "") for k in FILTERS}
    places: list[dict[str, Any]] = []
    error, next_cursor, corrected_q = None, None, None
    query: Query | None = None
    try:
        query = parse_query(request, "place")
        if "limit" not in request.query_params:
            query = replace(query, limit=LIST_LIMIT)
        found: Page = store.search_spelled(query)
        places, next_cursor, corrected_q = found.items, found.next_cursor, found.corrected_q
        places = in_shown_order(places, lang, query)
    except QueryError as exc:
        error = page_error(request, exc, lang)
    now = get_clock(request)()
    rows = [{"entity": p, "state": closes_at(p, now)} for p in places]
    # what was asked, as the search read it: every category given (?category=Museum&category=Park lists both, and
    # so names both) and the search words it corrected a misspelling to (Dusiburg: Duisburg)
    asked = {**params, "category": ",".join(v for v in request.query_params.getlist("category") if v.strip())}
    title_asked = {**asked, "q": corrected_q} if corrected_q else asked
    ctx = context(request, "/", title=search_title(title_asked, lang), rows=rows, error=error, params=params,
                  next_cursor=next_cursor, corrected_q=corrected_q, later_page=bool(request.query_params.get("cursor")),
                  categories=list(CATEGORIES), municipalities=municipality_names(), counts=store.counts(),
                  api_query=_api_query(request), now=now, boundaries_attribution=BOUNDARIES_ATTRIBUTION,
                  no_results=no_results_text(asked, lang, bool(request.query_params.get("cursor")),
                                             words_alone_find=_words_alone_find(store, places, query, error)))
    return render("home.html", ctx, status_code=400 if error else 200)


def _words_alone_find(store: Store, places: list[dict[str, Any]], query: Query | None, error: Any) -> bool:
    """Whether the search words find anything without the filters: only asked when the page is empty, so "drop a
    filter" is not advised where the words themselves match nothing."""
    if places or error or query is None or not query.q:
        return True
    return bool(store.search_spelled(Query(q=query.q, limit=1, include_closed=query.include_closed)).items)


def _places_asked(params: dict[str, str], lang: str) -> tuple[list[str], str]:
    """The categories by their labels in the page's language ("Industrial heritage", also for an alias such as
    "halde") and the town by its name ("Muelheim" is Mülheim an der Ruhr), as a visitor reads them."""
    categories = [category_label(normalise_category(c) or c.strip(), lang)
                  for c in params.get("category", "").split(",") if c.strip()]
    town = boundaries().resolve(params["municipality"]) if params.get("municipality") else None
    return categories, town.name if town else params.get("municipality", "")


def no_results_text(params: dict[str, str], lang: str, later_page: bool = False, words_alone_find: bool = True
                    ) -> str:
    """What to try when a search found nothing, naming only what was set: the filters (by the words of the form),
    else the search words (also where they find nothing even without the filters); neither set means the hub holds
    no places."""
    t = translator(lang)
    categories, town = _places_asked(params, lang)
    filters = [*categories, town, t("open_now") if params.get("open_now") in ("true", "1") else "",
               t("wheelchair") if params.get("wheelchair") else ""]
    if any(filters) and words_alone_find:
        return t("no_results_filters", filters=", ".join(f for f in filters if f))
    if params.get("q", "").strip():
        return t("no_results_q", q=params["q"].strip())
    return t("no_results") if later_page else t("no_results_empty")


def search_title(params: dict[str, str], lang: str) -> str | None:
    """A search's own title (tabs, history, bookmarks): what was asked for, in the page's words; None without a
    search."""
    categories, town = _places_asked(params, lang)
    return " · ".join(v for v in (params.get("q"), ", ".join(categories), town) if v) or None


def _api_query(request: Request) -> str:
    """The page's filters for the JSON API the map reads: the same parameters, so map and list agree."""
    from urllib.parse import urlencode

    keep = [(k, v) for k, v in request.query_params.multi_items() if k in FILTERS and v]
    return urlencode(keep)


def _station(store: Store, near: dict[str, Any]) -> dict[str, Any]:
    """A nearest station as the place page shows it. One outside the hub (an import --within rvr left it out) is
    named, but not linked, and placed on the map from the shipped station data."""
    stored = store.get_entity(near["id"])
    geo = (stored or {}).get("geo")
    point = (geo["lat"], geo["lon"]) if geo else station_index().point(near["id"])
    return {"id": near["id"], "name": near["name"], "distance_m": near["distance_m"], "linked": stored is not None,
            "point": point}


def _place_map(entity: dict[str, Any], stations: list[dict[str, Any]], lang: str) -> str | None:
    """What the place page's map shows (static/web/place.js), as JSON for a data attribute: the place and its
    nearest stations with their page links; None for a place without coordinates."""
    geo = entity.get("geo")
    if not geo:
        return None
    return json.dumps({
        "place": {"lat": geo["lat"], "lon": geo["lon"], "name": text(entity.get("name"), lang) or entity["id"]},
        "stations": [{"lat": s["point"][0], "lon": s["point"][1], "name": s["name"],
                      "distance": fmt_distance(s["distance_m"], lang),
                      "url": page_url(f"/places/{s['id']}", lang) if s["linked"] else None}
                     for s in stations if s["point"]],
    }, ensure_ascii=False)


@router.get("/places/{place_id:path}", response_class=HTMLResponse)
def place_page(request: Request, place_id: str) -> HTMLResponse:
    if not place_id:  # "/places/": no route, as before ids could hold "/" (the 404 that answers by Accept)
        raise HTTPException(404)
    entity = _store(request).get_entity(place_id)
    if entity is None or entity.get("kind") != "place":
        return not_found(request)
    ctx = context(request, f"/places/{entity['id']}")
    lang, now = ctx["lang"], get_clock(request)()
    stations = [_station(_store(request), s) for s in entity.get("nearest_stations") or []]
    image = (entity.get("images") or [None])[0]
    ctx.update(entity=entity, title=text(entity.get("name"), lang), hours=hours_view(entity, now, lang),
               occupancy=occupancy_view(_store(request), entity, now, lang),
               description=text(entity.get("description"), lang), image=image, stations=stations,
               place_map=_place_map(entity, stations, lang),
               jsonld=jsonld_script(entity, ctx["root"], lang, request), og_type="place", now=now,
               og_image=image["url"] if image else None)
    return render("place.html", ctx)


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request) -> HTMLResponse:
    store = _store(request)
    events: list[dict[str, Any]] = []
    error = None
    now = get_clock(request)()
    try:
        query = parse_query(request, "event")
        if query.date_from is None:
            start_of_day = now.astimezone(BERLIN).replace(hour=0, minute=0, second=0, microsecond=0)
            query = replace(query, date_from=start_of_day)
        if "limit" not in request.query_params:
            query = replace(query, limit=LIST_LIMIT)
        events = store.search(query).items
    except QueryError as exc:
        error = page_error(request, exc, choose_lang(request))
    # a list names the last day of an event over several days, as its page does (shown_end)
    last_days = {e["id"]: end for e in events if (end := shown_end(e)) and (e.get("all_day") or _other_day(e))}
    ctx = context(request, "/events", title=None, events=events, error=error, now=now,
                  q=request.query_params.get("q", ""), last_days=last_days)
    ctx["title"] = ctx["t"]("events")
    return render("events.html", ctx, status_code=400 if error else 200)


@router.get("/events/{event_id:path}", response_class=HTMLResponse)
def event_page(request: Request, event_id: str) -> Response:
    if not event_id:  # "/events/": the list, as before ids could hold "/"
        return RedirectResponse(str(request.url.replace(path="/events")), status_code=307)
    store = _store(request)
    entity = store.get_entity(event_id)
    if entity is None or entity.get("kind") != "event":
        return not_found(request)
    ctx = context(request, f"/events/{entity['id']}")
    lang = ctx["lang"]
    venue = find_venue(store, entity)
    image = (entity.get("images") or [None])[0]
    ctx.update(entity=entity, title=text(entity.get("name"), lang), description=text(entity.get("description"), lang),
               venue=venue, image=image, jsonld=jsonld_script(entity, ctx["root"], lang, request), og_type="event",
               og_image=image["url"] if image else None, now=get_clock(request)(),
               end_is_other_day=_other_day(entity), shown_end=shown_end(entity))
    return render("event.html", ctx)


# An event that ends the next morning up to this hour is one evening ("Sa 20:00 – 01:00"), not two days.
NIGHT_ENDS_BY = time(6, 0)


def _other_day(entity: dict[str, Any]) -> bool:
    """A timed event that ends on another day than it starts (in Berlin): its end is named with day and time
    (a weekend's 10:00 to Sunday 18:00, a night to 09:00). An evening past midnight, ending by NIGHT_ENDS_BY the
    next day (20:00 to 01:00), is not: visitors count it to the day it starts on."""
    from datenhub.web.common import local

    start, end = local(entity.get("start")), local(entity.get("end"))
    if not (start and end) or end.date() == start.date():
        return False
    return not (end.date() == start.date() + timedelta(days=1) and end.time() <= NIGHT_ENDS_BY)


def shown_end(entity: dict[str, Any]) -> str | None:
    """The end a visitor reads: an all-day event's `end` is the day after its last (exclusive, as iCalendar's
    DTEND), so the page names the last day itself, and none when that is the first."""
    end = entity.get("end")
    if not end or not entity.get("all_day"):
        return end  # type: ignore[no-any-return]
    try:
        last = date.fromisoformat(str(end)[:10]) - timedelta(days=1)
    except ValueError:
        return end  # type: ignore[no-any-return]
    return None if last.isoformat() <= str(entity.get("start"))[:10] else last.isoformat()


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request) -> HTMLResponse:
    """Where the data comes from and under which licence, for people; the footer's "Daten" link. The same
    sources as JSON stay at /api/v1/sources, linked here as machine-readable."""
    ctx = context(request, "/data")
    store = _store(request)
    # a source may bring occupancy readings rather than places: its column says so instead of "0 records"
    sensors = Counter(sensor.source for sensor in readable(store, store.list_sensors(), include_closed=False))
    sources = store.sources_with_licences(open_only=True)  # a page for everyone
    ctx.update(title=ctx["t"]("data_title"), sources=sources, sensors=sensors,
               licences={s.name: licence_mix(s.licence, s.stats["licences"]) for s in sources},
               credits={s.name: "; ".join(credits(s.attribution, s.stats["attributions"])) for s in sources},
               has_events=store.counts().get("open_events", 0) > 0)  # the iCal download holds open events alone
    return render("data.html", ctx)
