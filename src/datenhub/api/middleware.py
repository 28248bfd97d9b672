"""HTTP hygiene: request ids in logs, ETag/304 for GET, gzip (api.compression), CORS for reads.

Plain ASGI middleware (no BaseHTTPMiddleware): it sits on every request, so it must cost microseconds.
"""

from __future__ import annotations

import logging
import random
import time
from typing import Any

import xxhash
from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from starlette.middleware.gzip import GZipResponder
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from datenhub.api import accesslog
from datenhub.api.compression import MemoGZipMiddleware
from datenhub.api.cors import ReadCORSMiddleware

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
            await self.app(scope, receive, _flushing_at_shutdown(send) if scope["type"] == "lifespan" else send)
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
            sink = accesslog.SINK  # datenhub serve's batched access log; else the logger, as an embedder set it up
            if sink is not None:
                sink.write(state["request_id"], scope["method"], scope["path"], held["status"],
                           (time.perf_counter() - began) * 1000)
            elif log.isEnabledFor(logging.INFO):
                log.info("%s %s %s %d %.1fms", request_id.decode("latin-1"), scope["method"], scope["path"],
                         held["status"], (time.perf_counter() - began) * 1000)


def _flushing_at_shutdown(send: Send) -> Send:
    """The batched access log is written out when the server shuts the app down: uvicorn ends the process
    with the signal it caught, so exit handlers never run."""

    async def wrapped(message: Message) -> None:
        if message["type"].startswith("lifespan.shutdown"):
            accesslog.flush()
        await send(message)

    return wrapped


def install(app: FastAPI) -> None:
    app.add_middleware(HygieneMiddleware)
    # the memo needs Starlette's GZipResponder._compress_body (Starlette ≥ 0.47); older ones compress every time
    app.add_middleware(MemoGZipMiddleware if hasattr(GZipResponder, "_compress_body") else GZipMiddleware,
                       minimum_size=1024)
    app.add_middleware(ReadCORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "OPTIONS"],
                       allow_headers=["Accept", "Accept-Language", "If-None-Match"],
                       expose_headers=["ETag", "Link", "X-Request-ID", "Retry-After"])
