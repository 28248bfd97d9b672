"""/api/v1/webhooks: consumers with an API key register URLs for signed change notifications."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Request

from datenhub.api.auth import principal
from datenhub.api.deps import get_clock, get_store
from datenhub.notify.webhooks import ALLOW_PRIVATE_ENV, SIGNATURE_HEADER, public_url_problem, register
from datenhub.store import Store

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])


def _key_id(request: Request) -> str:
    who = principal(request)
    if who is None:
        raise HTTPException(401, "registering webhooks needs an API key", headers={"WWW-Authenticate": "Bearer"})
    return who.key_id


WEBHOOK_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["url"], "properties": {
        "url": {"type": "string", "format": "uri", "description": "the consumer, reachable on the internet"},
        "secret": {"type": "string", "description": "the HMAC secret for the signatures (made for you if left out)"}},
    "example": {"url": "https://app.example.org/datenhub-hook"}}}}}}


@router.post("", status_code=201, summary="Register a URL for change notifications (API key)",
             openapi_extra=WEBHOOK_BODY)
async def create_webhook(request: Request, store: Store = Depends(get_store)) -> dict[str, Any]:
    key_id = _key_id(request)
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise HTTPException(400, "the body must be JSON: {\"url\": \"https://…\"}") from None
    if not isinstance(body, dict) or not isinstance(body.get("url"), str):
        raise HTTPException(422, "give the consumer URL as {\"url\": \"https://…\"}")
    secret = body.get("secret")
    if secret is not None and (not isinstance(secret, str) or not 16 <= len(secret) <= 200):
        raise HTTPException(422, "a secret of your own is a text of 16 to 200 characters (leave it out and the hub "
                                 "makes one)")
    inside = public_url_problem(body["url"])
    if inside is not None:
        raise HTTPException(422, f"the consumer must be reachable on the internet: {inside} (an operator can "
                                 f"allow inside consumers with {ALLOW_PRIVATE_ENV}=1)")
    try:
        hook = register(store, body["url"], key_id, get_clock(request), secret)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return {"id": hook.id, "url": hook.url, "secret": hook.secret, "signature_header": SIGNATURE_HEADER,
            "signature": "sha256=HMAC-SHA256(secret, body) in hex"}


@router.get("", summary="Your registered webhooks (API key)")
def list_webhooks(request: Request, store: Store = Depends(get_store)) -> dict[str, Any]:
    key_id = _key_id(request)
    return {"items": [{"id": h.id, "url": h.url, "created_at": h.created_at.isoformat()}
                      for h in store.list_webhooks(key_id)]}


@router.delete("/{hook_id}", status_code=204, summary="Remove a webhook (API key)")
def delete_webhook(request: Request, hook_id: str, store: Store = Depends(get_store)) -> None:
    key_id = _key_id(request)
    with store.transaction():
        if not store.delete_webhook(hook_id, key_id):
            raise HTTPException(404, f"no webhook {hook_id!r} for this key")
