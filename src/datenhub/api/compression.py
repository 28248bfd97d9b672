"""gzip for answers that are worth it, and the Vary header that keeps caches honest for the others.

Starlette's GZipMiddleware, with two changes that cost nothing in bytes: compressed forms of bodies seen before
are remembered (GzipMemo), and a client that does not take gzip gets Starlette's IdentityResponder behaviour
from a small sender (VaryOnEncoding), because building the responder and its header objects cost every such
request ~30 µs, a tenth of a get-by-id.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache

from fastapi.middleware.gzip import GZipMiddleware
from starlette.middleware.gzip import GZipResponder
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class VaryOnEncoding:
    """The send of an answer to a client without gzip, as Starlette's IdentityResponder shapes it: a body that
    would have been compressed (large enough, of a compressible type, not already encoded, not a 206) says
    `Vary: Accept-Encoding`, so a shared cache never hands it to a client that asked for gzip or the reverse.
    tests/api/test_compression.py checks the messages against IdentityResponder's."""

    __slots__ = ("excluded", "minimum_size", "send", "start", "started", "through")

    def __init__(self, send: Send, minimum_size: int, excluded: tuple[str, ...]) -> None:
        self.send, self.minimum_size, self.excluded = send, minimum_size, excluded
        self.start: Message = {}
        self.through = self.started = False  # through: sent as it comes (nothing to decide)

    async def __call__(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self.start = message
            headers = message.setdefault("headers", [])
            # raw names as Starlette compares them: ASGI response headers are lower-case
            names = [name for name, _ in headers]
            media = next((value for name, value in headers if name == b"content-type"), b"")
            self.through = b"content-encoding" in names or message["status"] == 206 or _excluded(media, self.excluded)
            if self.through:
                await self.send(message)
        elif kind in ("http.response.body", "http.response.pathsend") and self.through:
            await self.send(message)
        elif kind == "http.response.body" and not self.started:
            self.started = True
            if len(message.get("body", b"")) >= self.minimum_size or message.get("more_body", False):
                add_vary(self.start["headers"], b"Accept-Encoding")
            await self.send(self.start)
            await self.send(message)
        elif kind in ("http.response.body", "http.response.early_hint", "http.response.trailers"):
            await self.send(message)
        elif kind == "http.response.pathsend":
            await self.send(self.start)
            await self.send(message)


@lru_cache(maxsize=256)  # a server answers with a handful of media types
def _excluded(media: bytes, excluded: tuple[str, ...]) -> bool:
    media_type = media.decode("latin-1").partition(";")[0].strip().lower()
    types = {media_type, media_type.partition("/")[0] + "/*"}
    if media_type.startswith("application/grpc+"):
        types.add("application/grpc")
    return not types.isdisjoint(excluded)


def add_vary(headers: list[tuple[bytes, bytes]], token: bytes) -> None:
    """`token` joined to the Vary values there are, in the first Vary header's place (as Starlette's
    MutableHeaders.add_vary_header and CORSMiddleware do)."""
    found = [i for i, (name, _) in enumerate(headers) if name == b"vary"]
    value = b", ".join([*(headers[i][1] for i in found), token])
    for i in reversed(found[1:]):
        del headers[i]
    if found:
        headers[found[0]] = (b"vary", value)
    else:
        headers.append((b"vary", value))


class GzipMemo:
    """Whole bodies and their gzip form, least recently used first out: the response cache sends the very same
    body object again and again, and compressing it (level 9) costs three times what serving it does."""

    def __init__(self, max_bytes: int = 16 * 1024 * 1024) -> None:
        self.max_bytes, self.size = max_bytes, 0
        self._entries: OrderedDict[bytes, bytes] = OrderedDict()

    def get(self, body: bytes) -> bytes | None:
        found = self._entries.get(body)
        if found is not None:
            self._entries.move_to_end(body)
        return found

    def put(self, body: bytes, compressed: bytes) -> None:
        if body in self._entries or len(body) + len(compressed) > self.max_bytes // 16:
            return
        self._entries[body] = compressed
        self.size += len(body) + len(compressed)
        while self.size > self.max_bytes:
            old, old_compressed = self._entries.popitem(last=False)
            self.size -= len(old) + len(old_compressed)


class _MemoGZipResponder(GZipResponder):
    memo: GzipMemo

    def _compress_body(self, body: bytes, more_body: bool) -> bytes:
        # Only a whole body in one message (no stream under way), compressed on the event loop (small ones):
        # zlib's gzip output depends on nothing but the bytes and the level, so a remembered answer is exact.
        if more_body or self._compressor is not None or len(body) >= self.thread_minimum_size:
            return super()._compress_body(body, more_body)
        found = self.memo.get(body)
        if found is None:
            found = super()._compress_body(body, more_body)
            self.memo.put(body, found)
        return found


class MemoGZipMiddleware(GZipMiddleware):
    """Starlette's gzip, remembering the compressed form of bodies it has seen (see GzipMemo)."""

    def __init__(self, app: ASGIApp, minimum_size: int = 500, memo: GzipMemo | None = None) -> None:
        super().__init__(app, minimum_size)
        self.memo = memo or GzipMemo()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accepted = next((value for name, value in scope["headers"] if name == b"accept-encoding"), b"")
        if b"gzip" not in accepted:
            await self.app(scope, receive, VaryOnEncoding(send, self.minimum_size, self.exclude_content_types))
            return
        responder = _MemoGZipResponder(self.app, self.minimum_size, compresslevel=self.compresslevel,
                                       thread_minimum_size=self.thread_minimum_size,
                                       exclude_content_types=self.exclude_content_types)
        responder.memo = self.memo
        await responder(scope, receive, _weak_when_encoded(send))


def _weak_when_encoded(send: Send) -> Send:
    """A strong ETag names one sequence of bytes; the gzip form is another (RFC 9110 8.8.1), so its ETag becomes
    weak, as nginx does. If-None-Match compares weakly (api.middleware), so either form still gets its 304."""

    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = message.get("headers", [])
            if any(name == b"content-encoding" for name, _ in headers):
                message["headers"] = [(name, b"W/" + value if name == b"etag" and not value.startswith(b"W/")
                                       else value) for name, value in headers]
        await send(message)

    return sender


