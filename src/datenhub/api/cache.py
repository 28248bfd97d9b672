"""Response cache for anonymous reads: a repeated query is answered from memory until the data changes.

Plain ASGI, inside the hygiene middleware (request id, ETag, gzip and CORS still apply to every answer).
A response is kept under (path, query, host, Accept, Accept-Language, store data version, time bucket):

- only GETs without credentials: a key holder may see closed data, and revoking a key changes no data version;
- the store's `data_version()` moves with every import and write, so a change is visible on the next request
  (stores without it are not cached);
- the time bucket is the clock's minute (opening state, `open_now` and JSON-LD hours change at most once a
  minute), its second under /ogc (the feature collection's `timeStamp`);
- a route that answers with live figures (a place's occupancy) opts out with `no_store(request)`.

DATENHUB_RESPONSE_CACHE sets the budget in MiB (default 64; 0 turns the cache off).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from datenhub.api.middleware import CREDENTIALS, KNOWN_ETAG, etag_for

# Reads whose answer depends only on the request, the data and the clock: lists, one entity, OGC collections
# (not /api/v1/places/{id}/occupancy and the like, which show live readings).
LISTS = ("/api/v1/places", "/api/v1/events")
ONE = ("/api/v1/places/", "/api/v1/events/")
OGC = "/ogc/collections"
MAX_ENTRY_BYTES = 2 * 1024 * 1024  # bigger pages are rare and cheap to skip; they would crowd out the rest
_VARY = (b"accept", b"accept-language", b"host")
_NO_STORE = "response_cache_no_store"

Entry = tuple[int, list[tuple[bytes, bytes]], bytes, bytes]  # status, headers, body, ETag


def no_store(request: Request) -> None:
    """Keep this response out of the cache (it shows figures that change without a data version change)."""
    setattr(request.state, _NO_STORE, True)


class ResponseCache:
    """A least-recently-used map bounded by total body bytes; emptied when the data version moves on."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.version: object = None
        self.hits = self.misses = 0
        self._entries: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple[Any, ...], version: object) -> Entry | None:
        if version != self.version:
            self.clear()
            self.version = version
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, key: tuple[Any, ...], version: object, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        if version != self.version or len(body) > min(MAX_ENTRY_BYTES, self.max_bytes):
            return  # the data changed while this response was computed, or it is too big
        old = self._entries.pop(key, None)
        if old is not None:
            self.size -= len(old[2])
        self._entries[key] = (200, headers, body, etag_for(body))
        self.size += len(body)
        while self.size > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.size -= len(evicted[2])

    def clear(self) -> None:
        self._entries.clear()
        self.size = 0


def budget_from_env() -> int:
    """Bytes from DATENHUB_RESPONSE_CACHE (MiB, default 64)."""
    return int(float(os.environ.get("DATENHUB_RESPONSE_CACHE", "64")) * 1024 * 1024)


def cacheable(path: str) -> bool:
    if path in LISTS or path.startswith(OGC):
        return True
    return path.startswith(ONE) and path.count("/") == 4


class ResponseCacheMiddleware:
    def __init__(self, app: ASGIApp, cache: ResponseCache,
                 version_of: Callable[[Scope], tuple[object, object] | None]) -> None:
        self.app, self.cache, self.version_of = app, cache, version_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] != "GET" or not cacheable(path):
            await self.app(scope, receive, send)
            return
        vary: list[bytes] = [b"", b"", b""]
        for name, value in scope["headers"]:
            if name in CREDENTIALS:
                await self.app(scope, receive, send)
                return
            if name in _VARY:
                vary[_VARY.index(name)] = value
        try:
            versions = self.version_of(scope)
        except Exception:  # database gone: the route itself answers (503 with Retry-After)
            versions = None
        if versions is None:
            await self.app(scope, receive, send)
            return
        version, bucket = versions
        key = (path, scope.get("query_string", b""), scope.get("scheme"), scope.get("root_path", ""), bucket, *vary)
        entry = self.cache.get(key, version)
        if entry is not None:
            status, headers, body, etag = entry
            scope.setdefault("state", {})[KNOWN_ETAG] = etag  # the hygiene middleware need not hash it again
            await send({"type": "http.response.start", "status": status, "headers": list(headers)})
            await send({"type": "http.response.body", "body": body})
            return
        held: dict[str, Any] = {"start": None, "parts": []}

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                held["start"] = message
            elif message["type"] == "http.response.body" and held["parts"] is not None:
                held["parts"].append(message.get("body", b""))
                if not message.get("more_body"):
                    start = held["start"]
                    if start["status"] == 200 and not scope.get("state", {}).get(_NO_STORE):
                        self.cache.put(key, version, list(start.get("headers", [])), b"".join(held["parts"]))
                    held["parts"] = None
            await send(message)

        await self.app(scope, receive, keep)


def store_version(scope: Scope) -> tuple[object, object] | None:
    """(data version, time bucket) of the app serving this request; None when the store cannot tell."""
    state = scope["app"].state
    data_version = getattr(state.store, "data_version", None)
    if data_version is None:
        return None
    now = state.clock()
    bucket = now.replace(microsecond=0) if scope["path"].startswith(OGC) else now.replace(
        second=0, microsecond=0)
    return data_version(), bucket


def install(app: Any, max_bytes: int | None = None) -> ResponseCache | None:
    budget = budget_from_env() if max_bytes is None else max_bytes
    if budget <= 0:
        return None
    cache = ResponseCache(budget)
    app.state.response_cache = cache
    app.add_middleware(ResponseCacheMiddleware, cache=cache, version_of=store_version)
    return cache
