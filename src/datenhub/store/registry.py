"""Store backends by URL scheme. Built-ins register here the way a third-party backend would."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from importlib import import_module

from datenhub.store.base import Store, StoreError

DEFAULT_URL = "sqlite:///./datenhub.db"
BACKENDS: dict[str, str] = {
    "sqlite": "datenhub.store.sqlite:SqliteStore",
    "postgresql": "datenhub.store.postgres:PostgresStore",
    "postgres": "datenhub.store.postgres:PostgresStore",
}


def register_backend(scheme: str, target: str) -> None:
    BACKENDS[scheme] = target


def redact_url(url: str) -> str:
    """`url` fit for a message or a log: a password in it (user:SECRET@host or ?password=SECRET) becomes ***."""
    url = re.sub(r"^([^:/?#]+://[^:@/?#]*):[^@/?#]*@", r"\1:***@", url)
    return re.sub(r"([?&]password=)[^&#]*", r"\1***", url)


def resolve_url(url: str | None) -> str:
    return url or os.environ.get("DATENHUB_DATABASE_URL") or DEFAULT_URL


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    url = resolve_url(url)
    scheme = url.split(":", 1)[0].split("+", 1)[0]
    target = BACKENDS.get(scheme)
    if target is None:
        raise StoreError(f"unknown database URL scheme {scheme!r} in {redact_url(url)!r}; "
                         f"use one of: {', '.join(sorted(BACKENDS))}")
    module_name, _, cls_name = target.partition(":")
    try:
        cls: Callable[[str], Store] = getattr(import_module(module_name), cls_name)
    except ImportError as exc:
        raise StoreError(f"the {scheme} backend is not available: {exc}") from None
    store = cls(url)
    if migrate:
        store.migrate()
    return store
