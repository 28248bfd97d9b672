"""CORS for the open read API, with Starlette's rules and a lighter step per request.

Starlette's CORSMiddleware builds header objects for every request and wraps every response, also for the
many clients that send no Origin (apps, crawlers, wrk): ~8 µs of a 70 µs get-by-id. Here the request's headers
are scanned once as they are, and the response start gets Starlette's headers added in place. Preflight
requests (OPTIONS with Origin and Access-Control-Request-Method) go to Starlette's middleware itself, so its
answers, 400s included, stay exactly its own. tests/api/test_cors.py compares both message by message.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from datenhub.api.compression import add_vary


class ReadCORSMiddleware:
    def __init__(self, app: ASGIApp, allow_origins: Sequence[str] = ("*",), allow_methods: Sequence[str] = ("GET",),
                 allow_headers: Sequence[str] = (), expose_headers: Sequence[str] = ()) -> None:
        if list(allow_origins) != ["*"]:
            raise ValueError("ReadCORSMiddleware serves every origin without credentials; use Starlette's "
                             "CORSMiddleware for anything else")
        self.app = app
        self.starlette = CORSMiddleware(app, allow_origins=["*"], allow_methods=allow_methods,
                                        allow_headers=allow_headers, expose_headers=expose_headers)
        # what Starlette's simple_response adds when the request names an origin
        self.simple = [(name.lower().encode("latin-1"), value.encode("latin-1"))
                       for name, value in self.starlette.simple_headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = preflight = False
        for name, _ in scope["headers"]:
            if name == b"origin":
                origin = True
            elif name == b"access-control-request-method":
                preflight = True
        if origin and preflight and scope["method"] == "OPTIONS":
            await self.starlette(scope, receive, send)
            return
        await self.app(scope, receive, _SimpleSend(send, self.simple if origin else None))


class _SimpleSend:
    """The response start as Starlette's CORSMiddleware.send leaves it: its simple headers set when there is an
    Origin, and `Origin` joined to Vary either way (allow-all without credentials)."""

    __slots__ = ("send", "simple")

    def __init__(self, send: Send, simple: list[tuple[bytes, bytes]] | None) -> None:
        self.send, self.simple = send, simple

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = message.setdefault("headers", [])
            if not isinstance(headers, list):
                headers = message["headers"] = list(headers)
            if self.simple is not None:
                for name, value in self.simple:
                    _set(headers, name, value)
            add_vary(headers, b"Origin")
        await self.send(message)


def _set(headers: list[tuple[bytes, bytes]], name: bytes, value: bytes) -> None:
    """MutableHeaders.__setitem__: the first header of that name takes the value, the others go."""
    found = [i for i, (key, _) in enumerate(headers) if key == name]
    for i in reversed(found[1:]):
        del headers[i]
    if found:
        headers[found[0]] = (name, value)
    else:
        headers.append((name, value))
