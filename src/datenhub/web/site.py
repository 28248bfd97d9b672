"""The visitor web: one router that gathers the pages, the map data, the widget, the screen and the admin."""

from __future__ import annotations

import mimetypes

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from datenhub.enrich.municipality import BOUNDARIES_ATTRIBUTION, boundaries
from datenhub.web import admin, pages, screen, widget
from datenhub.web.common import STATIC, not_found

router = APIRouter(include_in_schema=False)
for part in (pages, widget, screen, admin):
    router.include_router(part.router)

# Vendored files carry their version in the folder name only, so caches are kept short rather than immutable.
STATIC_CACHE = "public, max-age=3600"
mimetypes.add_type("text/javascript", ".js")


@router.get("/static/web/{path:path}")
def static_file(request: Request, path: str) -> Response:
    """Our CSS/JS and the vendored Leaflet files, from the installed package (no CDN, works offline)."""
    root = STATIC.resolve()
    target = (root / path).resolve()
    if not target.is_file() or root not in target.parents:
        return not_found(request)
    return FileResponse(target, headers={"Cache-Control": STATIC_CACHE})


@router.get("/map/boundaries.geojson")
def map_boundaries() -> JSONResponse:
    """The offline base map: RVR municipalities, Kreise and outline from the BKG VG5000 (2021)."""
    data = boundaries().rvr_geojson
    body = {"attribution": BOUNDARIES_ATTRIBUTION, "municipalities": data["municipalities"],
            "kreise": data["kreise"], "outline": data["outline"]}
    return JSONResponse(body, headers={"Cache-Control": "public, max-age=86400"})
