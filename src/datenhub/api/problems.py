"""One error body for every error: RFC 9457 problem+json."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from datenhub.store import QueryError

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str | None = None, headers: Mapping[str, str] | None = None,
            **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, **({"detail": detail} if detail else {}), **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


async def query_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QueryError)
    return problem(400, "Invalid parameter", exc.detail, parameter=exc.param, instance=str(request.url.path))


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    titles = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized", 403: "Forbidden"}
    # the exception's headers go out too: `Allow` on a 405, `WWW-Authenticate` on a 401
    return problem(exc.status_code, titles.get(exc.status_code, "Error"), str(exc.detail), exc.headers,
                   instance=str(request.url.path))


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    param = ".".join(str(p) for p in errors[0]["loc"][1:]) if errors else None
    if errors and errors[0]["loc"][0] in ("query", "path", "header"):
        # a parameter of the URL: 400 naming it, as the hub's own checks of parameters answer (QueryError)
        return problem(400, "Invalid parameter", errors[0]["msg"], parameter=param, instance=str(request.url.path))
    return problem(422, "Invalid request", errors[0]["msg"] if errors else None, parameter=param,
                   instance=str(request.url.path))
