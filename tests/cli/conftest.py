"""Shared fixtures for CLI tests: one demo database per module, read-only for the tests that use it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from datenhub.cli import app


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = "sqlite:///" + str(tmp_path_factory.mktemp("demo") / "demo.db")
    result = CliRunner().invoke(app, ["demo", "--db", url])
    assert result.exit_code == 0, result.output
    return url


@pytest.fixture()
def db(tmp_path: Path) -> str:
    return "sqlite:///" + str(tmp_path / "hub.db")
