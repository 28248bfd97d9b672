"""A module-scoped demo hub and app for API tests (the demo import takes about two seconds)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from datenhub.api.app import create_app
from datenhub.api.ratelimit import Limits
from datenhub.clock import fixed
from datenhub.demo import import_demo
from datenhub.store import Store, open_store
from tests.conftest import FIXED_NOW


def demo_store(folder: Path) -> Store:
    store = open_store(f"sqlite:///{folder / 'demo.db'}")
    import_demo(store, clock=fixed(FIXED_NOW))
    return store


def client(store: Store, **limits: int) -> TestClient:
    app = create_app(store=store, clock=fixed(FIXED_NOW), limits=Limits(**limits) if limits else Limits(10**6, 10**6))
    return TestClient(app)
