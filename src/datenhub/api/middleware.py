"""HTTP hygiene: request ids in logs, ETag/304 for GET, gzip, CORS for reads.

Plain ASGI middleware (no BaseHTTPMiddleware): it sits on every request, so it must cost microseconds.
"""

from __future__ import annotations

import logging
import random
import time
from collections import OrderedDict
from typing import Any

import xxhash
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipResponder, IdentityResponder
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("datenhub.api")
MAX_ETAG_BODY = 8 * 1024 * 1024  # larger bodies stream on without an ETag
KNOWN_ETAG = "etag"  # scope state: the response cache hands over the ETag of the body it sends, hashed once


def etag_for(body: bytes) -> bytes:
    # XXH3: a strong validator needs no cryptographic hash, and SHA-1 of a 35 KB page cost 8 % of serving it
    return b'"' + xxhash.xxh3_128_hexdigest(body)[:20].encode() + b'"'


class HygieneMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        # a log correlation id, not a secret: the PRNG is ten times cheaper than uuid4's system call
        request_id = (headers.get(b"x-request-id") or b"%016x" % random.getrandbits(64))[:64]
        state = scope.setdefault("state", {})
        state["request_id"] = request_id.decode("latin-1")
        conditional = headers.get(b"if-none-match", b"")
        is_get = scope["method"] in ("GET", "HEAD")
        began = time.perf_counter()
        held: dict[str, Any] = {"start": None, "parts": [], "size": 0, "passthrough": False, "status": 0}

        async def flush_start(extra: list[tuple[bytes, bytes]]) -> None:
            start: Message = held["start"]
            start["headers"] = [*start["headers"], (b"x-request-id", request_id), *extra]
            await send(start)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                held["status"] = message["status"]
                held["start"] = message
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                streaming = content_type.startswith(b"text/event-stream")  # SSE must flow, not be hashed
                if not is_get or message["status"] != 200 or streaming:
                    held["passthrough"] = True
                    await flush_start([])
                return
            if message["type"] != "http.response.body" or held["passthrough"]:
                await send(message)
                return
            held["parts"].append(message.get("body", b""))
            held["size"] += len(held["parts"][-1])
            if message.get("more_body"):
                if held["size"] > MAX_ETAG_BODY:  # too big to hash: stream on as it comes
                    held["passthrough"] = True
                    await flush_start([])
                    await send({"type": "http.response.body", "body": b"".join(held["parts"]), "more_body": True})
                return
            body = b"".join(held["parts"])
            etag = state.pop(KNOWN_ETAG, None) or etag_for(body)
            if etag in (t.strip() for t in conditional.split(b",")):
                held["status"] = 304
                await send({"type": "http.response.start", "status": 304,
                            "headers": [(b"etag", etag), (b"x-request-id", request_id)]})
                await send({"type": "http.response.body", "body": b""})
                return
            start = held["start"]
            start["headers"] = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            await flush_start([(b"etag", etag), (b"content-length", str(len(body)).encode())])
            await send({"type": "http.response.body", "body": body})

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if log.isEnabledFor(logging.INFO):
                log.info("%s %s %s %d %.1fms", request_id.decode("latin-1"), scope["method"], scope["path"],
                         held["status"], (time.perf_counter() - began) * 1000)


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
        responder: IdentityResponder
        if "gzip" in Headers(scope=scope).get("Accept-Encoding", ""):
            responder = _MemoGZipResponder(self.app, self.minimum_size, compresslevel=self.compresslevel,
                                           thread_minimum_size=self.thread_minimum_size,
                                           exclude_content_types=self.exclude_content_types)
            responder.memo = self.memo
        else:
            responder = IdentityResponder(self.app, self.minimum_size, exclude_content_types=self.exclude_content_types)
        await responder(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_middleware(HygieneMiddleware)
    # the memo needs Starlette's GZipResponder._compress_body (Starlette ≥ 0.47); older ones compress every time
    app.add_middleware(MemoGZipMiddleware if hasattr(GZipResponder, "_compress_body") else GZipMiddleware,
                       minimum_size=1024)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "OPTIONS"],
                       allow_headers=["Accept", "Accept-Language", "If-None-Match"],
                       expose_headers=["ETag", "Link", "X-Request-ID", "Retry-After"])
