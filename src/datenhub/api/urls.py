"""Absolute URLs of the request being answered, as Starlette spells them, at a fraction of the cost.

Every page links to itself, its next page and its neighbours. Starlette builds a `URL` object (a urlsplit and
a geturl) for each of them; the base URL here is remembered per host and root path, and the next-page link is
the request's URL with its query rebuilt, the same text `URL.include_query_params` gives.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request

_BASES: dict[tuple[object, ...], str] = {}


def base_url(request: Request) -> str:
    """The app's base URL without the trailing slash (`str(request.base_url).rstrip("/")`)."""
    scope = request.scope
    host = next((value for key, value in scope["headers"] if key == b"host"), None)
    server = scope.get("server")
    key = (scope.get("scheme"), host, tuple(server) if server else None,
           scope.get("app_root_path", scope.get("root_path", "")))
    found = _BASES.get(key)
    if found is None:
        if len(_BASES) > 1000:  # hosts come from the client: keep the memo bounded
            _BASES.clear()
        found = _BASES[key] = str(request.base_url).rstrip("/")
    return found


def with_param(request: Request, name: str, value: str) -> str:
    """The request's URL with one query parameter set (moved last, as `URL.include_query_params` does)."""
    head, _, query = str(request.url).partition("?")
    items = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != name]
    items.append((name, value))
    return f"{head}?{urlencode(items)}"
