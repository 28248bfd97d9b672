"""Shared fixtures: a fixed clock (Europe/Berlin), the shared data folder, store backends."""

from __future__ import annotations

import faulthandler
import os
import signal
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from datenhub.clock import BERLIN, fixed
from datenhub.store import Store, open_store

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO.parent / "shared" / "data").resolve()
FIXED_NOW = datetime(2026, 6, 4, 12, 0, tzinfo=BERLIN)  # Fronleichnam 2026, a Thursday

# When .ci/run stops a hung run (`timeout` sends SIGTERM to each of its processes), every thread's stack is written
# to a file there that .ci/run prints: a file, because pytest has fd 2 captured while a test runs.
if os.environ.get("DATENHUB_STACKS_DIR"):
    _stacks = open(Path(os.environ["DATENHUB_STACKS_DIR"]) / f"stacks-{os.getpid()}.txt", "w")  # noqa: SIM115
    faulthandler.register(signal.SIGTERM, file=_stacks, all_threads=True, chain=True)


def shared_data(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared/data/{'/'.join(parts)} (present in the project workspace and CI, "
                    "not in a plain clone)")
    return path


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    return fixed(FIXED_NOW)


def _backends() -> list[str]:
    backends = ["sqlite"]
    if os.environ.get("DATENHUB_TEST_POSTGRES_URL"):
        backends.append("postgresql")
    return backends


@pytest.fixture(params=_backends())
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Every backend the contract suite runs against (PostgreSQL when DATENHUB_TEST_POSTGRES_URL is set)."""
    yield from backend_store(request, tmp_path)


def backend_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The body of a fixture parametrized with _backends(): an empty store on `request.param`'s backend (for a
    module whose own `store` fixture is something else)."""
    sqlite_url = f"sqlite:///{tmp_path / 'hub.db'}"
    url = sqlite_url if request.param == "sqlite" else os.environ["DATENHUB_TEST_POSTGRES_URL"]
    if request.param == "postgresql":
        from datenhub.store.postgres.testing import drop_url, fresh_url

        url = fresh_url(url)  # a schema of its own per test, dropped afterwards
        request.addfinalizer(lambda: drop_url(url))
    s = open_store(url)
    yield s
    s.close()
