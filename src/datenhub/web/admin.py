"""Data-steward dashboard at /admin: sources, imports, notices, completeness, withdrawn records.

Login posts an API key with scope `admin`; the key then lives in an HttpOnly, SameSite=Strict cookie scoped
to /admin, so scripts cannot read it and other sites cannot send it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from datenhub.api.deps import get_clock
from datenhub.auth import Principal, authenticate
from datenhub.notices import Notice
from datenhub.store import Query, Store
from datenhub.web.common import context, render, text
from datenhub.web.quality import CRITERIA, by_source, checks, score

router = APIRouter(include_in_schema=False)
COOKIE = "datenhub_admin"
SESSION_SECONDS = 8 * 3600
WITHDRAWN_DAYS = 90
NOTICE_SAMPLE = 2000
MAX_DELTA_PAGES = 50


def _store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def admin_principal(request: Request) -> Principal | None:
    key = request.cookies.get(COOKIE)
    if not key:
        return None
    who = authenticate(_store(request), key)
    return who if who is not None and "admin" in who.scopes else None


def _login(request: Request, error: str | None, status_code: int) -> HTMLResponse:
    title = "Data stewards" if request.query_params.get("lang") == "en" else "Datenpflege"
    ctx = context(request, "/admin", title=title, error=error)
    return render("admin_login.html", ctx, status_code=status_code,
                  headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})


@router.post("/admin/login")
async def login(request: Request) -> Response:
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    key = (form.get("key") or [""])[0].strip()
    who = authenticate(_store(request), key) if key else None
    en = request.query_params.get("lang") == "en"
    if who is None:
        message = "The key is unknown or revoked." if en else "Der Schlüssel ist unbekannt oder widerrufen."
        return _login(request, message, 401)
    if "admin" not in who.scopes:
        message = "This key lacks the scope 'admin'." if en else "Diesem Schlüssel fehlt der Scope 'admin'."
        return _login(request, message, 403)
    response = RedirectResponse("/admin" + ("?lang=en" if en else ""), status_code=303)
    response.set_cookie(COOKIE, key, max_age=SESSION_SECONDS, path="/admin", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


@router.post("/admin/logout")
def logout() -> Response:
    response = RedirectResponse("/admin", status_code=303)
    response.delete_cookie(COOKIE, path="/admin")
    return response


def notices_by_code(store: Store, source: str | None, code: str | None) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = defaultdict(int)
    for notice in store.list_notices(source=source, code=code, current=True, limit=NOTICE_SAMPLE):
        counts[notice.code] += 1
        group = groups.setdefault(notice.code, {"code": notice.code, "severity": notice.severity.value.lower(),
                                                "samples": []})
        if len(group["samples"]) < 5:
            group["samples"].append({"notice": notice, **_page_of(store, notice)})
    for group in groups.values():
        group["count"] = counts[group["code"]]
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(groups.values(), key=lambda g: (order.get(g["severity"], 3), -g["count"], g["code"]))


def _page_of(store: Store, notice: Notice) -> dict[str, str | None]:
    """The record a notice is about (`rid`) and its public page (`page`), None where it has none: an ERROR held it
    back, --within left it out, or only closed data holds it. Places and events have pages of their own."""
    at = notice.location
    if not at.entity_id:
        return {"rid": None, "page": None}
    rid = f"{at.source}:{at.entity_id}" if at.source else at.entity_id
    entity = store.get_entity(rid)
    page = f"/{entity['kind']}s/{quote(rid, safe=':/')}" if entity and entity.get("kind") in ("place", "event") \
        else None
    return {"rid": rid, "page": page}


def withdrawn(store: Store, request: Request) -> list[dict[str, Any]]:
    since = get_clock(request)() - timedelta(days=WITHDRAWN_DAYS)
    query = Query(kind=None, changed_since=since, include_closed=True, limit=1000)
    tombstones: list[dict[str, Any]] = []
    for _ in range(MAX_DELTA_PAGES):  # the delta feed mixes changes and tombstones: walk it, keep tombstones
        page = store.search(query)
        tombstones += [i for i in page.items if i.get("tombstone") or i.get("withdrawn_at")]
        if not page.next_cursor:
            break
        query = query.with_cursor(page.next_cursor)
    rows = []
    for item in tombstones[-200:][::-1]:
        full = store.get_entity(item["id"], include_closed=True, include_withdrawn=True) or {}
        rows.append({"id": item["id"], "withdrawn_at": item.get("withdrawn_at"), "kind": full.get("kind"),
                     "name": text(full.get("name"), "de") or item["id"], "sources": full.get("sources") or []})
    return rows


@router.get("/admin", response_class=HTMLResponse)
def dashboard(request: Request) -> HTMLResponse:
    who = admin_principal(request)
    if who is None:
        return _login(request, None, 401)
    store = _store(request)
    source = request.query_params.get("source") or None
    code = request.query_params.get("code") or None
    entities = list(store.iter_entities(include_closed=True))
    records = None
    if source:
        records = [{"id": e["id"], "kind": e.get("kind"), "name": text(e.get("name"), "de"), "score": score(e),
                    "checks": checks(e)}
                   for e in entities if any(s.split(":", 1)[0] == source for s in e.get("sources") or [])]
        records.sort(key=lambda r: (r["score"], r["name"]))
    quality = {q.source: q for q in by_source(entities)}
    ctx = context(request, "/admin", title="Datenpflege", who=who, sources=store.list_sources(),
                  imports=store.list_imports(limit=15), notices=notices_by_code(store, source, code),
                  quality=quality, criteria=CRITERIA, records=records, source=source, code=code,
                  withdrawn=withdrawn(store, request), counts=store.counts(), withdrawn_days=WITHDRAWN_DAYS)
    return render("admin.html", ctx, headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})
