"""/api/v1/sources and health."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Request

from datenhub.api.deps import get_store, known_parameters
from datenhub.api.formats import accepts_json
from datenhub.store import Store

router = APIRouter(tags=["meta"], dependencies=[Depends(known_parameters)])


@router.get("/api/v1/sources", summary="Sources with licence and counts", dependencies=[Depends(accepts_json)])
def list_sources(request: Request, store: Store = Depends(get_store)) -> dict[str, Any]:
    """`licence` is what the source's imports declared; `stats.licences` counts the licences its records carry.
    Without a closed:read key: the sources with open records, and those counted alone."""
    from datenhub.api.auth import reads_closed

    return {"items": [asdict(s) for s in store.sources_with_licences(open_only=not reads_closed(request))]}


@router.get("/health", summary="Liveness and counts")
def health(request: Request, store: Store = Depends(get_store)) -> dict[str, Any]:
    """Places and events as anyone may see them (one that only closed data holds is not counted); the store's own
    totals (records, sources, notices …, closed ones included) for keys that may read closed data."""
    from datenhub.api.auth import reads_closed

    counts = store.counts()
    shown = {"places": counts["open_places"], "events": counts["open_events"]}
    if reads_closed(request):
        shown = {**{k: v for k, v in counts.items() if not k.startswith("open_")}, **shown}
    return {"status": "ok", "counts": shown}


@router.get("/api/v1/categories", summary="The category vocabulary with counts")
def list_categories() -> dict[str, Any]:
    from datenhub.model.categories import CATEGORIES

    items = []
    for name, info in CATEGORIES.items():
        items.append({"id": name, "name": {"de": name, "en": info["en"], "nl": info["nl"]},
                      "schema_type": info["type"]})
    return {"items": items}


@router.get("/api/v1/municipalities", summary="The 53 RVR municipalities (name, AGS, Kreis)")
def list_municipalities() -> dict[str, Any]:
    from datenhub.enrich.municipality import boundaries

    rvr = [i for i in boundaries().infos if i.in_rvr]
    return {"items": [{"name": i.name, "ags": i.ags, "kreis": i.kreis, "kreis_ags": i.kreis_ags}
                      for i in sorted(rvr, key=lambda i: i.name)]}
