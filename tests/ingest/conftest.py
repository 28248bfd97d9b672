"""Shared fixtures for ingest tests."""

from __future__ import annotations

import pytest
from ingest_corpus import CASES, Case


@pytest.fixture(params=CASES, ids=[c.id for c in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]
