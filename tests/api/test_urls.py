"""api.urls gives the very text Starlette's URL objects give."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from datenhub.api.urls import base_url, with_param


def request(query: bytes, host: bytes | None = b"example.org:8000", root_path: str = "",
            scheme: str = "http") -> Request:
    headers = [(b"host", host)] if host is not None else []
    return Request({"type": "http", "method": "GET", "scheme": scheme, "path": "/api/v1/places",
                    "root_path": root_path, "query_string": query, "headers": headers,
                    "server": ["10.0.0.1", 443 if scheme == "https" else 8000]})  # a list, as some servers give


@pytest.mark.parametrize("query", [b"", b"q=zeche", b"cursor=abc&q=zeche&limit=5", b"category=A&category=B",
                                   b"q=Stra%C3%9Fe+am+Hafen&empty=&cursor=x", b"q=%E2%9C%93&bbox=1%2C2%2C3%2C4"])
@pytest.mark.parametrize(("host", "root_path", "scheme"), [(b"example.org:8000", "", "http"),
                                                           (None, "/hub", "https"), (b"[::1]:9000", "", "http")])
def test_same_text_as_starlette(query: bytes, host: bytes | None, root_path: str, scheme: str) -> None:
    r = request(query, host, root_path, scheme)
    assert base_url(r) == str(r.base_url).rstrip("/")
    assert base_url(r) == str(request(query, host, root_path, scheme).base_url).rstrip("/")  # remembered
    assert with_param(r, "cursor", "eyJrIjoxfQ==") == str(r.url.include_query_params(cursor="eyJrIjoxfQ=="))
