"""The landing page: what is in the hub, a search, and where the data comes from."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from datenhub.api.deps import get_store, parse_query
from datenhub.model.categories import CATEGORIES
from datenhub.store import QueryError, Store

templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]))
router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def landing(request: Request, store: Store = Depends(get_store)) -> HTMLResponse:
    try:
        query = parse_query(request, "place")
        page = store.search(query)
        places, error = page.items, None
    except QueryError as exc:
        places, error = [], f"{exc.param}: {exc.detail}"
    html = templates.get_template("landing.html").render(
        counts=store.counts(), places=places, sources=store.list_sources(), categories=list(CATEGORIES),
        q=request.query_params.get("q"), category=request.query_params.get("category"), error=error)
    return HTMLResponse(html)
