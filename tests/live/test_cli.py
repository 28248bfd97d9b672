"""`datenhub occupancy`: sensor add/list, replay into the store, history as JSON lines, compact, dead letters."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from datenhub.cli import app, common
from datenhub.store import open_store


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    for console in (common.console, common.err):
        monkeypatch.setattr(console, "_width", 250)


def run(*args: str) -> str:
    result = CliRunner().invoke(app, ["occupancy", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_sensor_replay_history_compact(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/x.db"
    run("sensor", "add", "halle-1", "--place", "test:halle", "--kind", "people", "--capacity", "100", "--db", db)
    run("sensor", "add", "p-1", "--place", "test:halle", "--kind", "parking", "--capacity", "50", "--db", db)
    csv = tmp_path / "series.csv"
    csv.write_text("# simulated\nsensor,observed_at,count,free\n"
                   "halle-1,2026-06-04T10:15:00+02:00,20,\n"
                   "halle-1,2026-06-04T10:00:00+02:00,10,\n"
                   "p-1,2026-06-04T10:00:00+02:00,,5\n"
                   "halle-1,2026-06-04T10:00:00+02:00,10,\n"
                   "halle-1,2026-06-04T10:30:00+02:00,-3,\n"
                   "ghost,2026-06-04T10:30:00+02:00,3,\n", encoding="utf-8")
    out = run("replay", str(csv), "--speed", "0", "--db", db)
    assert "stored 3, duplicates 1, dead letters 2" in out
    lines = [orjson.loads(x) for x in run("history", "halle-1", "--format", "jsonl", "--db", db).splitlines()]
    assert [(x["observed_at"], x["count"], x["fraction"]) for x in lines] == [
        ("2026-06-04T08:00:00+00:00", 10, 0.1), ("2026-06-04T08:15:00+00:00", 20, 0.2)]
    assert "halle-1" in run("sensor", "list", "--db", db)
    letters = [orjson.loads(x)["code"] for x in run("dead-letters", "--db", db).splitlines()]
    assert sorted(letters) == ["negative_value", "unknown_sensor"]
    assert "compacted 3 raw readings" in run("compact", "--raw-days", "0", "--db", db)
    store = open_store(db)
    assert store.readings("halle-1") == [] and len(store.hourly_readings(["halle-1"], *_day())) == 1
    # the raw history is gone; the hours stay, and the command says where to find them
    result = CliRunner().invoke(app, ["occupancy", "history", "halle-1", "--db", db])
    assert result.exit_code == 0 and "--interval hour shows them" in result.output
    hours = run("history", "halle-1", "--interval", "hour", "--from", "2026-06-04T00:00+02:00", "--to",
                "2026-06-05T00:00+02:00", "--format", "csv", "--db", db).splitlines()
    assert hours == ["sensor,from,n,avg_count,min_count,max_count,avg_fraction,min_fraction,max_fraction",
                     "halle-1,2026-06-04T08:00:00+00:00,2,15.0,10,20,0.15,0.1,0.2"]
    # without an offset, times are the Ruhr's (as the API reads them), and a date alone is its midnight
    assert run("history", "halle-1", "--interval", "hour", "--from", "2026-06-04T10:30", "--to", "2026-06-05",
               "--format", "csv", "--db", db).splitlines() == hours


def _day() -> tuple:  # type: ignore[type-arg]
    from datetime import datetime

    from datenhub.clock import BERLIN

    return datetime(2026, 6, 4, tzinfo=BERLIN), datetime(2026, 6, 5, tzinfo=BERLIN)


def test_cli_sensor_add_rejects_bad_id(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["occupancy", "sensor", "add", "a/b", "--place", "x", "--kind", "people",
                                      "--db", f"sqlite:///{tmp_path}/x.db"])
    assert result.exit_code == 2
