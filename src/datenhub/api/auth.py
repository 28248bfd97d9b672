"""Who is calling: anonymous, or the holder of an API key (Authorization: Bearer … or X-API-Key)."""

from __future__ import annotations

from typing import cast

from fastapi import HTTPException, Request

from datenhub.auth import Principal, authenticate


def principal(request: Request) -> Principal | None:
    cached = getattr(request.state, "principal", False)
    if cached is not False:
        return cast("Principal | None", cached)  # remembered for this request below
    header = request.headers.get("authorization", "")
    presented = header[7:].strip() if header.lower().startswith("bearer ") else request.headers.get("x-api-key")
    found = None
    if presented:
        found = authenticate(request.app.state.store, presented)
        if found is None:
            raise HTTPException(401, "the API key is unknown or revoked", headers={"WWW-Authenticate": "Bearer"})
    request.state.principal = found
    return found


def reads_closed(request: Request) -> bool:
    """Whether the caller may read closed-licence data (a key with closed:read or admin); anyone else reads the
    open view alone."""
    who = principal(request)
    return who is not None and who.can_read_closed


def require_key(request: Request, what: str = "writing") -> Principal:
    """The caller's key, or 401: asked first, so a caller without one learns that before anything about the
    request itself (its body, its scope)."""
    who = principal(request)
    if who is None:
        raise HTTPException(401, f"{what} needs an API key (Authorization: Bearer dh_…)",
                            headers={"WWW-Authenticate": "Bearer"})
    return who


def require_writer(request: Request, source: str) -> Principal:
    who = require_key(request)
    if not who.can_write(source):
        raise HTTPException(403, f"this key may not write to source {source!r} (needs scope source:{source}:write)")
    return who
