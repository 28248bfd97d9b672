"""gzip and Vary: the lean sender for clients without gzip shapes every answer as Starlette's IdentityResponder."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, IdentityResponder

from datenhub.api.compression import VaryOnEncoding

Message = dict[str, Any]


def _start(*headers: tuple[bytes, bytes], status: int = 200) -> Message:
    return {"type": "http.response.start", "status": status, "headers": list(headers)}


def _body(size: int, more: bool = False) -> Message:
    return {"type": "http.response.body", "body": b"x" * size, "more_body": more}


JSON = (b"content-type", b"application/json")
CASES = {
    "large body": [_start(JSON), _body(2000)],
    "small body": [_start(JSON), _body(100)],
    "a vary header there": [_start((b"vary", b"Origin"), JSON), _body(2000)],
    "two vary headers": [_start((b"vary", b"Origin"), JSON, (b"vary", b"Accept-Language")), _body(2000)],
    "already encoded": [_start(JSON, (b"content-encoding", b"br")), _body(2000)],
    "partial content": [_start(JSON, status=206), _body(2000)],
    "excluded type": [_start((b"content-type", b"application/zip")), _body(2000)],
    "type with parameters": [_start((b"content-type", b"text/html; charset=utf-8")), _body(5000)],
    "server-sent events": [_start((b"content-type", b"text/event-stream")), _body(10, more=True), _body(10)],
    "streamed": [_start(JSON), _body(10, more=True), _body(3000, more=True), _body(0)],
    "no headers at all": [{"type": "http.response.start", "status": 200}, _body(2000)],
    "path send": [_start(JSON), {"type": "http.response.pathsend", "path": "/tmp/x"}],
    "trailers": [_start(JSON, (b"trailer", b"x-checksum")), _body(2000), {"type": "http.response.trailers"}],
}


async def _through(make_send: Any, messages: list[Message]) -> list[Message]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(copy.deepcopy(message))

    wrapped = make_send(send)
    for message in copy.deepcopy(messages):
        await wrapped(message)
    return sent


@pytest.mark.parametrize("case", CASES)
def test_vary_on_encoding_sends_what_identity_responder_sends(case: str) -> None:
    excluded = tuple(DEFAULT_EXCLUDED_CONTENT_TYPES)

    def starlette(send: Any) -> Any:
        responder = IdentityResponder(None, 1024, exclude_content_types=excluded)  # type: ignore[arg-type]
        responder.send = send
        return responder.send_with_compression

    ours = asyncio.run(_through(lambda send: VaryOnEncoding(send, 1024, excluded), CASES[case]))
    theirs = asyncio.run(_through(starlette, CASES[case]))
    assert ours == theirs
    if case == "a vary header there":  # the check compares real work, not two empty lists
        assert ours[0]["headers"] == [(b"vary", b"Origin, Accept-Encoding"), JSON]
