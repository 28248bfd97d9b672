"""/ogc: OGC API – Features – Part 1; the implementation lives in datenhub.api.ogc."""

from datenhub.api.ogc.routes import router

__all__ = ["router"]
