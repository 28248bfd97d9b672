from __future__ import annotations

import json

from typer.testing import CliRunner

from datenhub.cli.planner import app
from datenhub.planner import parse_optw, violations
from tests.planner.conftest import SMALL_OPTW

runner = CliRunner()


def test_solve_optw_prints_score_routes_and_seconds(tmp_path) -> None:
    path = tmp_path / "small.txt"
    path.write_text(SMALL_OPTW)
    result = runner.invoke(app, ["solve-optw", str(path), "--tours", "2", "--time-limit", "0.2", "--seed", "1"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"score", "routes", "seconds"}
    assert out["score"] == 50
    assert len(out["routes"]) == 2
    assert violations(parse_optw(SMALL_OPTW).problem, out["routes"]) == []


def test_solve_optw_malformed_file_exits_2_naming_the_line(tmp_path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(SMALL_OPTW.replace("1 1 1 10 60", "1 1 1 10 sixty"))
    result = runner.invoke(app, ["solve-optw", str(path)])
    assert result.exit_code == 2
    assert "line 5" in result.output
    assert "'sixty' is not a number" in result.output
    assert "Traceback" not in result.output


def test_solve_optw_missing_file_exits_2(tmp_path) -> None:
    result = runner.invoke(app, ["solve-optw", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert "cannot read file" in result.output


def test_solve_optw_shared_instance(optw_data) -> None:
    path = optw_data / "instances" / "c_r_rc_100_100" / "r101.txt"
    result = runner.invoke(app, ["solve-optw", str(path), "--tours", "3", "--time-limit", "0.5"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert len(out["routes"]) == 3
    assert out["score"] > 0
