"""Request-scoped dependencies: the store, and query parsing in the shared filter language."""

from __future__ import annotations

from fastapi import Request

from datenhub.enrich.municipality import boundaries
from datenhub.store import Query, Store, from_params

QUERY_PARAMS = ("q", "category", "type", "municipality", "bbox", "near", "radius", "wheelchair", "licence",
                "source", "changed_since", "from", "to", "open_at", "sort", "cursor", "limit")


def get_store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def resolve_municipality(value: str) -> str | None:
    info = boundaries().resolve(value)
    return info.ags if info else None


def parse_query(request: Request, kind: str) -> Query:
    params = {k: request.query_params.get(k) for k in QUERY_PARAMS if request.query_params.get(k) is not None}
    for multi in ("category", "type", "source", "wheelchair"):
        values = request.query_params.getlist(multi)
        if len(values) > 1:
            params[multi] = ",".join(values)
    return from_params(params, kind=kind, resolve_municipality=resolve_municipality)
