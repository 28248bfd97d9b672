"""HTTP hygiene: request ids in logs, ETag/304 for GET, gzip, CORS for reads."""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from starlette.responses import Response

log = logging.getLogger("datenhub.api")
MAX_ETAG_BODY = 8 * 1024 * 1024  # larger bodies stream without an ETag


async def request_id_and_etag(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex[:16]
    request.state.request_id = request_id
    start = time.perf_counter()
    response = await call_next(request)
    response.headers["X-Request-ID"] = request_id
    if request.method == "GET" and response.status_code == 200 and hasattr(response, "body_iterator"):
        body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[misc]
        headers = dict(response.headers)
        headers.pop("content-length", None)
        response = Response(body, status_code=200, headers=headers, media_type=response.media_type)
        if len(body) <= MAX_ETAG_BODY:
            etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
            response.headers["ETag"] = etag
            if etag in (t.strip() for t in request.headers.get("if-none-match", "").split(",")):
                response = Response(status_code=304, headers={"ETag": etag, "X-Request-ID": request_id})
    log.info("%s %s %s %d %.1fms", request_id, request.method, request.url.path, response.status_code,
             (time.perf_counter() - start) * 1000)
    return response


def install(app: FastAPI) -> None:
    app.middleware("http")(request_id_and_etag)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "OPTIONS"],
                       allow_headers=["Accept", "Accept-Language", "If-None-Match"],
                       expose_headers=["ETag", "Link", "X-Request-ID", "Retry-After"])
