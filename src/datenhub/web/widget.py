"""Embedding for partner sites: `/widget.js` (Shadow DOM) and the iframe pages under `/embed/`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from datenhub.api.deps import get_clock, resolve_municipality
from datenhub.store import Query, QueryError, Store, from_params
from datenhub.web.common import STATIC, base_url, context, fmt_datetime, not_found, render, text
from datenhub.web.hours import closes_at
from datenhub.web.i18n import choose_lang, translator

router = APIRouter(include_in_schema=False)
MAX_WIDGET_ITEMS = 20


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
    return {"id": entity["id"], "name": text(entity.get("name"), lang),
            "category": ", ".join(entity.get("categories") or []), "state": state, "state_text": state_text,
            "address": line, "url": f"{base_url(request)}/places/{entity['id']}{suffix}"}


def widget_items(request: Request, lang: str) -> list[dict[str, Any]]:
    """Raises QueryError for bad parameters; an unknown `place` gives an empty list."""
    store = _store(request)
    place_id = request.query_params.get("place")
    if place_id:
        entity = store.get_entity(place_id)
        return [widget_item(request, entity, lang)] if entity and entity.get("kind") == "place" else []
    params = {k: request.query_params[k] for k in ("category", "municipality", "q", "wheelchair", "limit")
              if request.query_params.get(k)}
    params.setdefault("limit", "5")
    query: Query = from_params(params, kind="place", resolve_municipality=resolve_municipality)
    if query.limit > MAX_WIDGET_ITEMS:
        raise QueryError("limit", f"at most {MAX_WIDGET_ITEMS} in a widget")
    return [widget_item(request, e, lang) for e in store.search_spelled(query).items]


@router.get("/widget.js")
def widget_script() -> Response:
    body = (STATIC / "widget.js").read_text(encoding="utf-8")
    return Response(body, media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"})


@router.get("/widget/data.json")
def widget_data(request: Request) -> Response:
    lang = choose_lang(request)
    try:
        items = widget_items(request, lang)
    except QueryError as exc:
        return JSONResponse({"error": exc.param, "detail": exc.detail}, status_code=400)
    t = translator(lang)
    return JSONResponse({"items": items, "lang": lang, "empty": t("no_results"), "more": t("back_home"),
                         "home": base_url(request) + ("/?lang=en" if lang == "en" else "/")})


@router.get("/embed/place/{place_id}", response_class=HTMLResponse)
def embed_place(request: Request, place_id: str) -> HTMLResponse:
    entity = _store(request).get_entity(place_id)
    if entity is None or entity.get("kind") != "place":
        return not_found(request)
    lang = choose_lang(request)
    ctx = context(request, f"/places/{entity['id']}", items=[widget_item(request, entity, lang)], error=None)
    return render("embed.html", ctx)


@router.get("/embed/list", response_class=HTMLResponse)
def embed_list(request: Request) -> HTMLResponse:
    lang = choose_lang(request)
    try:
        items, error = widget_items(request, lang), None
    except QueryError as exc:
        items, error = [], f"{exc.param}: {exc.detail}"
    ctx = context(request, "/embed/list", items=items, error=error)
    return render("embed.html", ctx, status_code=400 if error else 200)


@router.get("/embed/map", response_class=HTMLResponse)
def embed_map(request: Request) -> HTMLResponse:
    from urllib.parse import urlencode

    keep = [(k, v) for k, v in request.query_params.multi_items() if k in ("category", "municipality", "q") and v]
    ctx = context(request, "/embed/map", api_query=urlencode(keep))
    return render("embed_map.html", ctx)
