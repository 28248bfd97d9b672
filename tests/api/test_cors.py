"""CORS: the light middleware answers every request message for message as Starlette's CORSMiddleware does."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest
from starlette.middleware.cors import CORSMiddleware

from datenhub.api.cors import ReadCORSMiddleware
from datenhub.api.middleware import READ_HEADERS

Message = dict[str, Any]
OPTIONS: dict[str, Any] = {"allow_origins": ["*"], "allow_methods": ["GET", "HEAD", "OPTIONS"],
           "allow_headers": READ_HEADERS,
           "expose_headers": ["ETag", "Link", "X-Request-ID", "Retry-After"]}
JSON = (b"content-type", b"application/json")

REQUESTS = {
    "no origin": ("GET", []),
    "an origin": ("GET", [(b"origin", b"https://partner.example")]),
    "head with origin": ("HEAD", [(b"origin", b"https://partner.example"), (b"accept", b"*/*")]),
    "preflight": ("OPTIONS", [(b"origin", b"https://a.example"), (b"access-control-request-method", b"GET")]),
    "preflight with headers": ("OPTIONS", [(b"origin", b"https://a.example"),
                                           (b"access-control-request-method", b"GET"),
                                           (b"access-control-request-headers", b"If-None-Match, Accept")]),
    "preflight with an API key": ("OPTIONS", [(b"origin", b"https://a.example"),
                                              (b"access-control-request-method", b"GET"),
                                              (b"access-control-request-headers", b"authorization")]),
    "preflight for a write": ("OPTIONS", [(b"origin", b"https://a.example"),
                                          (b"access-control-request-method", b"DELETE")]),
    "preflight with a foreign header": ("OPTIONS", [(b"origin", b"https://a.example"),
                                                    (b"access-control-request-method", b"GET"),
                                                    (b"access-control-request-headers", b"X-Secret")]),
    "options without a method asked": ("OPTIONS", [(b"origin", b"https://a.example")]),
    "a method asked without origin": ("OPTIONS", [(b"access-control-request-method", b"GET")]),
}
RESPONSES = {
    "plain": [JSON],
    "with vary": [(b"vary", b"Accept-Encoding"), JSON],
    "two vary headers": [(b"vary", b"Accept-Encoding"), JSON, (b"vary", b"Accept-Language")],
    "own allow-origin": [(b"access-control-allow-origin", b"https://x.example"), JSON],
}


def _run(middleware: Any, method: str, headers: list[tuple[bytes, bytes]], response: list[Any]) -> list[Message]:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": list(response)})
        await send({"type": "http.response.body", "body": b"{}"})

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(copy.deepcopy(message))

    scope = {"type": "http", "method": method, "path": "/api/v1/places", "headers": list(headers),
             "query_string": b"", "root_path": "", "scheme": "http", "server": ("t", 80)}
    asyncio.run(middleware(app)(scope, receive, send))
    return sent


@pytest.mark.parametrize("request_case", REQUESTS)
@pytest.mark.parametrize("response_case", RESPONSES)
def test_the_same_messages_as_starlette(request_case: str, response_case: str) -> None:
    method, headers = REQUESTS[request_case]
    response = RESPONSES[response_case]
    ours = _run(lambda app: ReadCORSMiddleware(app, **OPTIONS), method, headers, response)
    theirs = _run(lambda app: CORSMiddleware(app, **OPTIONS), method, headers, response)
    assert ours == theirs


def test_only_the_open_policy() -> None:
    with pytest.raises(ValueError, match="every origin"):
        ReadCORSMiddleware(lambda *a: None, allow_origins=["https://a.example"])  # type: ignore[arg-type]
