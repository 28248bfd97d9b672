"""The ``datenhub hours`` sub-app, driven through typer's CliRunner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from datenhub.cli.hours import app

runner = CliRunner()


def test_eval_jsonl_valid_and_invalid_lines_one_answer_each() -> None:
    lines = [
        {"value": "Mo-Su 10:00-18:00; PH off", "at": "2026-06-04T12:00:00+02:00"},
        {"value": "Mo-Fr 10:00-18:00", "at": "2026-06-05T12:00:00+02:00", "state": "NW"},
        {"value": "Mo-Tr 10:00", "at": "2026-06-05T12:00:00+02:00"},
        {"value": "sunrise-sunset", "at": "2026-06-05T12:00:00+02:00", "lat": 51.45, "lon": 7.01},
    ]
    stdin = "\n".join(json.dumps(line) for line in lines) + "\n"
    result = runner.invoke(app, ["eval", "--jsonl"], input=stdin)
    assert result.exit_code == 0
    answers = [json.loads(line) for line in result.output.splitlines()]
    assert answers[0] == {"state": "closed", "comment": "Fronleichnam", "next_change": "2026-06-05T00:00:00+02:00"}
    assert answers[1] == {"state": "open", "comment": None, "next_change": "2026-06-05T18:00:00+02:00"}
    assert set(answers[2]) == {"error"}
    assert answers[3]["state"] == "open"


def test_eval_jsonl_naive_time_reports_error() -> None:
    result = runner.invoke(app, ["eval", "--jsonl"], input='{"value": "24/7", "at": "2026-06-04T12:00:00"}\n')
    assert "error" in json.loads(result.output)


def test_explain_value_shows_week_and_state() -> None:
    result = runner.invoke(app, ["explain", "Mo-Fr 10:00-18:00; PH off", "--at", "2026-06-03T12:00:00+02:00"])
    assert result.exit_code == 0
    assert "2026-06-04" in result.output
    assert "schließt in 6 Std." in result.output


def test_eval_and_explain_round_the_clock_with_holiday_rule_no_change() -> None:
    value = "Mo-Su 00:00-24:00; PH 00:00-24:00"
    for moment in ("2026-11-23T19:56:00+01:00", "2026-12-25T12:00:00+01:00"):
        result = runner.invoke(app, ["eval", "--jsonl"], input=json.dumps({"value": value, "at": moment}) + "\n")
        assert json.loads(result.output)["next_change"] is None
    result = runner.invoke(app, ["explain", value, "--at", "2026-11-23T19:56:00+01:00"])
    assert result.exit_code == 0
    assert "Durchgehend geöffnet" in result.output
    assert "next change" not in result.output
    assert "schließt" not in result.output


def test_explain_holiday_that_closes_shows_the_change() -> None:
    result = runner.invoke(app, ["explain", "Mo-Su 00:00-24:00; PH off", "--at", "2026-11-23T19:56:00+01:00"])
    assert result.exit_code == 0
    assert "schließt in 748 Std. 4 Min." in result.output
    assert "next change: 2026-12-25T00:00:00+01:00" in result.output


def test_explain_invalid_value_exits_nonzero() -> None:
    result = runner.invoke(app, ["explain", "Mo-Tr 10:00"])
    assert result.exit_code == 1
