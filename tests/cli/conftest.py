"""Shared fixtures for CLI tests: one demo database per module, read-only for the tests that use it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from datenhub.cli import app, common


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = "sqlite:///" + str(tmp_path_factory.mktemp("demo") / "demo.db")
    result = CliRunner().invoke(app, ["demo", "--db", url])
    assert result.exit_code == 0, result.output
    return url


@pytest.fixture()
def db(tmp_path: Path) -> str:
    """An empty hub: commands other than import and demo refuse a SQLite file that is not there."""
    from datenhub.store import open_store

    url = "sqlite:///" + str(tmp_path / "hub.db")
    open_store(url).close()
    return url


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich folds and cuts table cells at the width it detected at import (80 under xdist); tests read whole cells."""
    for console in (common.console, common.err):
        monkeypatch.setattr(console, "_width", 250)
