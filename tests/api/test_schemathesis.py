"""Property-based run of every operation in the OpenAPI document: no input may cause a server error."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from datenhub.api.app import create_app
from datenhub.api.ratelimit import Limits
from datenhub.clock import fixed
from datenhub.demo import import_demo
from datenhub.store import open_store
from tests.conftest import FIXED_NOW

# at import: schemathesis reads the schema when the module is collected, before any fixture could run
_folder = Path(tempfile.mkdtemp(prefix="datenhub-schemathesis-"))
_store = open_store(f"sqlite:///{_folder / 'demo.db'}")
atexit.register(shutil.rmtree, _folder, ignore_errors=True)  # each run left a 4 MB hub in /tmp
atexit.register(_store.close)  # last registered, first run: closed before its folder goes
import_demo(_store, clock=fixed(FIXED_NOW))
app = create_app(store=_store, clock=fixed(FIXED_NOW), limits=Limits(10**9, 10**9))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_operation_never_server_error(case) -> None:  # type: ignore[no-untyped-def]
    response = case.call()
    detail = f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
    assert response.status_code < 500, detail
