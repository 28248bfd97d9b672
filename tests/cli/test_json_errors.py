"""`--format json` errors of reprocess and of opening the hub: the JSON error object on stdout, as validate's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli.test_cli import PLACES_CSV, run, write


@pytest.mark.parametrize(("args", "code", "exit_code"), [
    (["nowhere", "--db", "sqlite:///{missing}"], "no_hub", 2),
    (["nowhere", "--db", "{hub}"], "no_raw_input", 1),  # a source the hub does not know
    (["nowhere", "--db", "{hub}", "--bogus"], "usage_error", 2),  # what Click finds before the command runs
])
def test_reprocess_json_errors_are_a_json_object_on_stdout(tmp_path: Path, args: list[str], code: str,
                                                            exit_code: int) -> None:
    hub = f"sqlite:///{tmp_path / 'hub.db'}"
    assert run("import", str(write(tmp_path, "places.csv", PLACES_CSV)), "--source", "s", "--db", hub).exit_code == 0
    given = {"missing": str(tmp_path / "missing.db"), "hub": hub}
    result = run("reprocess", *(a.format(**given) for a in args), "--format", "json")
    assert (result.exit_code, result.stderr) == (exit_code, "")
    error = json.loads(result.stdout)["error"]
    assert (error["code"], error["exit_code"]) == (code, exit_code)


def test_import_json_error_of_a_database_url_it_cannot_open(tmp_path: Path) -> None:
    result = run("import", str(write(tmp_path, "places.csv", PLACES_CSV)), "--source", "s", "--format", "json",
                 "--db", "mysql://localhost/hub")
    assert (result.exit_code, result.stderr) == (2, "")
    assert json.loads(result.stdout)["error"]["code"] == "database_error"
