"""/api/v1/sources and health."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends

from datenhub.api.deps import get_store
from datenhub.store import Store

router = APIRouter(tags=["meta"])


@router.get("/api/v1/sources", summary="Sources with licence and counts")
def list_sources(store: Store = Depends(get_store)) -> dict[str, Any]:
    return {"items": [asdict(s) for s in store.list_sources()]}


@router.get("/health", summary="Liveness and counts")
def health(store: Store = Depends(get_store)) -> dict[str, Any]:
    return {"status": "ok", "counts": store.counts()}
