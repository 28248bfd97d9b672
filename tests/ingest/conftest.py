"""Shared fixtures for ingest tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from ingest_corpus import CASES, Case, fixed_clock


@pytest.fixture(params=CASES, ids=[c.id for c in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture()
def clock() -> Callable[[], datetime]:
    return fixed_clock
