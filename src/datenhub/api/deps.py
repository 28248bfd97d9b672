"""Request-scoped dependencies: the store, and query parsing in the shared filter language."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from difflib import get_close_matches
from typing import Any, get_args, get_origin

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.datastructures import QueryParams

from datenhub.clock import Clock
from datenhub.enrich.municipality import resolve_municipality
from datenhub.store import Query, QueryError, Store, from_params

QUERY_PARAMS = ("q", "category", "type", "municipality", "bbox", "near", "radius", "wheelchair", "licence",
                "source", "changed_since", "from", "to", "open_at", "sort", "cursor", "limit")
_QUERY_PARAMS = frozenset(QUERY_PARAMS)
_MULTI = frozenset({"category", "type", "source", "wheelchair"})
# What a list and a single entity take besides the filters: a parameter not among them is a 400 naming the one
# meant ("mucipality" filtered nothing and answered every place). Names starting with "_" are left alone:
# browsers' and libraries' cache busters (`_=1700000000`).
LIST_PARAMS = frozenset({*QUERY_PARAMS, "open_now", "fields", "lang", "f"})
DETAIL_PARAMS = frozenset({"fields", "lang", "f"})


_DECLARED = "_datenhub_query_parameters"  # kept on the route: worked out on its first request


async def known_parameters(request: Request) -> None:
    """A router dependency: a query parameter the route does not take is a 400, as on the lists (check_known)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    declared: tuple[frozenset[str], frozenset[str]] | None = getattr(route, _DECLARED, None)
    if declared is None:
        params = list(_query_params(route.dependant))
        known = frozenset(param.alias for param in params)
        if "cursor" in known:  # a list: every filter, also those a kind has not (parse_query names them)
            known |= LIST_PARAMS
        declared = known, frozenset(param.alias for param in params if _is_list(param.field_info.annotation))
        setattr(route, _DECLARED, declared)
    check_known(request, *declared)


def _query_params(dependant: Any) -> Iterator[Any]:
    """The query parameters a FastAPI dependant declares, its dependencies' included."""
    yield from dependant.query_params
    for inner in dependant.dependencies:
        yield from _query_params(inner)


def _is_list(annotation: Any) -> bool:
    """Whether a parameter's type takes several values (`list[str] | None`)."""
    return get_origin(annotation) in (list, tuple, set, frozenset) or any(_is_list(a) for a in get_args(annotation))


def check_known(request: Request, known: frozenset[str], several: frozenset[str] = frozenset()) -> None:
    """Every parameter is one the resource takes, and given once, or with one value: besides the filters that take
    several (category, type, source, wheelchair) and parameters declared as lists (`several`), one of the values
    would win silently ("f=json&f=csv")."""
    given = request.query_params
    for name in given:
        if name not in known and not name.startswith("_"):
            close = get_close_matches(name.lower(), known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            takes = f"this resource takes {', '.join(sorted(known))}" if known else "this resource takes no parameters"
            raise QueryError(name, f"unknown parameter; {hint}{takes}")
    single_values(given, several)


def single_values(given: QueryParams, several: frozenset[str] = frozenset()) -> None:
    """A parameter given several times with different values is a 400, but for the filters that take several."""
    if len(given) == len(given.multi_items()):
        return  # the common case: no name given twice
    for name in given:
        values = given.getlist(name)
        if name not in _MULTI and name not in several and len(set(values)) > 1 and not name.startswith("_"):
            raise QueryError(name, f"given {len(values)} times with different values; it takes one "
                                   f"({', '.join(sorted(_MULTI))} take several)")


async def get_store(request: Request) -> Store:
    # async on purpose: a sync dependency costs a thread-pool hop on every request
    return request.app.state.store  # type: ignore[no-any-return]


def parse_query(request: Request, kind: str) -> Query:
    given = request.query_params
    single_values(given)  # web pages read their filters here without check_known
    params = {k: v for k, v in given.items() if k in _QUERY_PARAMS}
    for name in params:
        values = given.getlist(name)
        if name in _MULTI and len(values) > 1:  # several values: any of them (a repeated other one: check_known)
            params[name] = ",".join(values)
    open_now = given.get("open_now")
    if open_now is not None:
        if open_now.lower() not in ("true", "1", "false", "0"):
            raise QueryError("open_now", "expected true or false")
        if open_now.lower() in ("true", "1"):
            if kind == "event":
                raise QueryError("open_now", "filters places by their opening hours; events have dates: use from "
                                             "and to")
            if params.get("open_at"):
                raise QueryError("open_now", "use either open_now or open_at")
            params["open_at"] = get_clock(request)().isoformat()
    query = from_params(params, kind=kind, resolve_municipality=resolve_municipality)
    from datenhub.api.auth import reads_closed

    if reads_closed(request):
        query = replace(query, include_closed=True)
    return query


def get_clock(request: Request) -> Clock:
    return request.app.state.clock  # type: ignore[no-any-return]
