"""HTTP hygiene: request ids in logs, ETag/304 for GET, gzip (api.compression), CORS for reads.

Plain ASGI middleware (no BaseHTTPMiddleware): it sits on every request, so it must cost microseconds.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from typing import Any

import xxhash
from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from starlette.middleware.gzip import GZipResponder
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from datenhub.api import accesslog, problems
from datenhub.api.compression import MemoGZipMiddleware, add_vary
from datenhub.api.cors import ReadCORSMiddleware

log = logging.getLogger("datenhub.api")
MAX_ETAG_BODY = 8 * 1024 * 1024  # larger bodies stream on without an ETag
MAX_TARGET = 8192  # bytes of path and query, as nginx's default buffers take: a longer one is a 414
KNOWN_ETAG = "etag"  # scope state: the response cache hands over the ETag of the body it sends, hashed once


# The same URL answers in another format or language by the request's Accept and Accept-Language (api.formats),
# and with closed data for a key that may read it, so shared caches must key on them; gzip (Accept-Encoding) and
# CORS (Origin) add their own.
VARY = b"Accept, Accept-Language, Authorization, X-API-Key"
CREDENTIALS = (b"authorization", b"x-api-key", b"cookie")
PRIVATE = (b"cache-control", b"private")  # an answer to a key or a session: for that client's cache alone


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    """If-None-Match by weak comparison (RFC 9110 13.1.2): W/"x" matches "x", and * matches any body."""
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(b",")]
    return b"*" in tags or etag in (t.removeprefix(b"W/") for t in tags)


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
        # the whole target as sent: path, "?" and query
        target = len(scope.get("raw_path") or b"") + (len(query) + 1 if (query := scope.get("query_string")) else 0)
        if target > MAX_TARGET:
            await problems.problem(414, "URI Too Long", f"the request target is longer than {MAX_TARGET} bytes; "
                                   "send fewer or shorter parameters",
                                   {"X-Request-ID": state["request_id"]})(scope, receive, send)
            return
        conditional = headers.get(b"if-none-match", b"")
        private = [PRIVATE] if any(name in headers for name in CREDENTIALS) else []
        is_get = scope["method"] in ("GET", "HEAD")
        began = time.perf_counter()
        held: dict[str, Any] = {"start": None, "parts": [], "size": 0, "passthrough": False, "status": 0,
                                "sent": False}

        async def flush_start(extra: list[tuple[bytes, bytes]]) -> None:
            start: Message = held["start"]
            mine = private if private and not any(k.lower() == b"cache-control" for k, _ in start["headers"]) else []
            start["headers"] = [*start["headers"], (b"x-request-id", request_id), *extra, *mine]
            held["sent"] = True
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
            if _matches(conditional, etag):
                held["status"], held["sent"] = 304, True
                await send({"type": "http.response.start", "status": 304, "headers": [
                    (b"etag", etag), (b"vary", VARY + b", Accept-Encoding"), (b"x-request-id", request_id),
                    *private]})
                await send({"type": "http.response.body", "body": b""})
                return
            start = held["start"]
            start["headers"] = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            add_vary(start["headers"], VARY)
            await flush_start([(b"etag", etag), (b"content-length", str(len(body)).encode())])
            await send({"type": "http.response.body", "body": body})

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            if held["sent"]:
                raise  # the response has begun: the server can only log it and drop the connection
            # A bug, not the client's fault: a problem+json 500 naming the request id the log line carries. Caught
            # here, the server keeps the connection; re-raised, uvicorn would close it under the client's next
            # request on it.
            log.exception("unhandled error in %s %s (request %s)", scope["method"], scope["path"],
                          state["request_id"])
            held["status"] = 500
            answer = problems.problem(500, "Internal server error",
                                      f"an unexpected error; it is logged under request id {state['request_id']}",
                                      {"x-request-id": state["request_id"]}, instance=scope["path"])
            await answer(scope, receive, send)
        finally:
            sink = accesslog.SINK  # datenhub serve's batched access log; else the logger, as an embedder set it up
            if sink is not None or log.isEnabledFor(logging.INFO):
                ms = (time.perf_counter() - began) * 1000
                client = peer[0] if (peer := scope.get("client")) else None  # after FORWARDED_ALLOW_IPS
                agent = agent.decode("latin-1") if (agent := headers.get(b"user-agent")) is not None else None
                if sink is not None:
                    sink.write(state["request_id"], scope["method"], scope["path"], held["status"], ms, client, agent)
                else:
                    log.info("%s %s %s %d %.1fms", state["request_id"], scope["method"], scope["path"],
                             held["status"], ms, extra={"fields": accesslog.fields(
                                 state["request_id"], scope["method"], scope["path"], held["status"], ms, client,
                                 agent)})


def _flushing_at_shutdown(send: Send) -> Send:
    """The batched access log is written out when the server shuts the app down: uvicorn ends the process
    with the signal it caught, so exit handlers never run."""

    async def wrapped(message: Message) -> None:
        if message["type"].startswith("lifespan.shutdown"):
            accesslog.flush()
        await send(message)

    return wrapped


class _HeadersSent(Exception):
    """Stops a streamed answer to HEAD once its headers are out (a live stream would never end)."""


class HeadMiddleware:
    """HEAD is GET without the body (RFC 9110): every read route answers it with GET's status and headers,
    Content-Length and ETag included, where FastAPI's routes would answer 405."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headless(message: Message) -> None:
            if message["type"] == "http.response.body":
                await send({"type": "http.response.body", "body": b""})
                if message.get("more_body"):
                    raise _HeadersSent  # a stream (an export, server-sent events): the rest is not wanted
                return
            await send(message)

        with contextlib.suppress(_HeadersSent):
            await self.app({**scope, "method": "GET"}, receive, headless)


# What a browser app may send on a cross-origin read: an app that shows its partner data (closed licences
# included) reads with its API key, so a preflight naming the key's header must not be refused; the same for
# its request id (kept in the access log) and W3C trace context (read by FastAPI's OpenTelemetry when it is on).
READ_HEADERS = ["Accept", "Accept-Language", "If-None-Match", "Authorization", "X-API-Key", "X-Request-ID",
                "traceparent", "tracestate"]


def install(app: FastAPI) -> None:
    app.add_middleware(HygieneMiddleware)
    # the memo needs Starlette's GZipResponder._compress_body (Starlette ≥ 0.47); older ones compress every time
    app.add_middleware(MemoGZipMiddleware if hasattr(GZipResponder, "_compress_body") else GZipMiddleware,
                       minimum_size=1024)
    app.add_middleware(ReadCORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "OPTIONS"],
                       allow_headers=READ_HEADERS,
                       expose_headers=["ETag", "Link", "X-Request-ID", "Retry-After"])
    app.add_middleware(HeadMiddleware)  # outermost of these: gzip and ETag see the GET they answer
