"""Embedding for partner sites: `/widget.js` (Shadow DOM) and the iframe pages under `/embed/`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from datenhub.api.deps import get_clock
from datenhub.enrich.municipality import resolve_municipality
from datenhub.store import Query, QueryError, Store, from_params
from datenhub.web.common import (
    STATIC,
    attribution_lines,
    base_url,
    category_label,
    context,
    fmt_datetime,
    in_shown_order,
    render,
    text,
)
from datenhub.web.errors import query_error_text
from datenhub.web.hours import closes_at
from datenhub.web.i18n import choose_lang, translator

router = APIRouter(include_in_schema=False)
MAX_WIDGET_ITEMS = 20
LIST_FILTERS = ("category", "municipality", "q")


class UnknownPlace(LookupError):
    """`place=` names no place: the widget and the embed say so with a 404 instead of an empty list."""


def _store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def widget_item(request: Request, entity: dict[str, Any], lang: str) -> dict[str, Any]:
    """One place as the widget shows it, already worded: the script never builds sentences."""
    t = translator(lang)
    now = get_clock(request)()
    state, change = closes_at(entity, now)
    when = fmt_datetime(change, lang, now) if change else None
    if state == "open":
        state_text = t("open") + (" · " + t("next_change_close", when=when) if when else "")
    elif state == "closed":
        state_text = t("closed") + (" · " + t("next_change_open", when=when) if when else "")
    else:
        state_text = ""
    address = entity.get("address") or {}
    line = ", ".join(x for x in (address.get("street"), address.get("locality")) if x)
    suffix = "?lang=en" if lang == "en" else ""
    categories = ", ".join(category_label(c, lang) for c in entity.get("categories") or [])
    return {"id": entity["id"], "name": text(entity.get("name"), lang), "category": categories, "state": state,
            "state_text": state_text, "address": line, "url": f"{base_url(request)}/places/{entity['id']}{suffix}",
            "licence": entity.get("licence"), "attribution": entity.get("attribution")}


def widget_items(request: Request, lang: str) -> list[dict[str, Any]]:
    """Raises QueryError for bad parameters and UnknownPlace for a `place` that is not one."""
    store = _store(request)
    place_id = request.query_params.get("place")
    if place_id:
        entity = store.get_entity(place_id)
        if entity is None or entity.get("kind") != "place":
            raise UnknownPlace(place_id)
        return [widget_item(request, entity, lang)]
    params = {k: request.query_params[k] for k in ("category", "municipality", "q", "wheelchair", "limit")
              if request.query_params.get(k)}
    params.setdefault("limit", "5")
    query: Query = from_params(params, kind="place", resolve_municipality=resolve_municipality)
    if query.limit > MAX_WIDGET_ITEMS:
        raise QueryError("limit", f"at most {MAX_WIDGET_ITEMS} in a widget")
    found = in_shown_order(store.search_spelled(query).items, lang, query)
    return [widget_item(request, e, lang) for e in found]


def list_title(request: Request, lang: str) -> str | None:
    """What a list or map embed shows, in words: "Museum · Essen"; None without filters."""
    from datenhub.enrich.municipality import boundaries
    from datenhub.model.categories import normalise_category

    given = {k: request.query_params.get(k, "").strip() for k in LIST_FILTERS}
    # named as the hub names them: "halde" is the Panorama category, "05113000" is Essen
    categories = [category_label(normalise_category(c) or c.strip(), lang) for c in given["category"].split(",")
                  if c.strip()]
    town = boundaries().resolve(given["municipality"]) if given["municipality"] else None
    quoted = (f"„{given['q']}“" if lang == "de" else f"“{given['q']}”") if given["q"] else ""
    parts = [", ".join(categories), town.name if town else given["municipality"], quoted]
    return " · ".join(p for p in parts if p) or None


@router.get("/widget.js")
def widget_script() -> Response:
    body = (STATIC / "widget.js").read_text(encoding="utf-8")
    return Response(body, media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"})


@router.get("/widget/data.json")
def widget_data(request: Request) -> Response:
    lang = choose_lang(request)
    t = translator(lang)
    try:
        items = widget_items(request, lang)
    except QueryError as exc:
        message = query_error_text(exc, request.query_params.get(exc.param), lang)
        return JSONResponse({"error": exc.param, "detail": exc.detail, "message": message}, status_code=400)
    except UnknownPlace as exc:
        message = t("place_not_found", id=str(exc))
        return JSONResponse({"error": "place", "detail": "no such place", "message": message, "items": []},
                            status_code=404)
    return JSONResponse({"items": items, "lang": lang, "title": list_title(request, lang),
                         "credits": attribution_lines(items), "empty": t("no_results"), "more": t("back_home"),
                         "home": base_url(request) + ("/?lang=en" if lang == "en" else "/")})


@router.get("/embed/place/{place_id:path}", response_class=HTMLResponse)
def embed_place(request: Request, place_id: str) -> HTMLResponse:
    if not place_id:
        raise HTTPException(404)
    entity = _store(request).get_entity(place_id)
    lang = choose_lang(request)
    if entity is None or entity.get("kind") != "place":
        # inside a partner's iframe: the embed's own small message, not the site's 404 page with its menu
        t = translator(lang)
        ctx = context(request, request.url.path, items=[], error=t("place_not_found", id=place_id),
                      title=t("not_found"))
        return render("embed.html", ctx, status_code=404, headers={"X-Robots-Tag": "noindex"})
    ctx = context(request, f"/places/{entity['id']}", items=[widget_item(request, entity, lang)], error=None,
                  title=text(entity.get("name"), lang))
    return render("embed.html", ctx)


@router.get("/embed/list", response_class=HTMLResponse)
def embed_list(request: Request) -> HTMLResponse:
    lang = choose_lang(request)
    t = translator(lang)
    status = 200
    try:
        items, error = widget_items(request, lang), None
    except QueryError as exc:
        items, error = [], t("bad_query") + ": " + query_error_text(exc, request.query_params.get(exc.param), lang)
        status = 400
    except UnknownPlace as exc:
        items, error, status = [], t("place_not_found", id=str(exc)), 404
    ctx = context(request, "/embed/list", items=items, error=error,
                  title=list_title(request, lang) or t("nav_places"))
    return render("embed.html", ctx, status_code=status)


@router.get("/embed/map", response_class=HTMLResponse)
def embed_map(request: Request) -> HTMLResponse:
    from urllib.parse import urlencode

    keep = [(k, v) for k, v in request.query_params.multi_items() if k in LIST_FILTERS and v]
    lang = choose_lang(request)
    try:  # the map asks the API from the browser: a bad filter would leave it empty without a word
        from_params(dict(keep), kind="place", resolve_municipality=resolve_municipality)
    except QueryError as exc:
        t = translator(lang)
        error = t("bad_query") + ": " + query_error_text(exc, request.query_params.get(exc.param), lang)
        ctx = context(request, "/embed/map", items=[], error=error, title=t("map"))
        return render("embed.html", ctx, status_code=400, headers={"X-Robots-Tag": "noindex"})
    shown = list_title(request, lang)
    title = translator(lang)("map") + (f": {shown}" if shown else "")
    ctx = context(request, "/embed/map", api_query=urlencode(keep), title=title)
    return render("embed_map.html", ctx)
