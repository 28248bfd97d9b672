"""Status thresholds, holidays as Sundays, the profile forecast vs naive, the simulated demo and web summary."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from datenhub.clock import BERLIN, fixed
from datenhub.live.demo import DEMO_SENSORS, SIMULATED_SOURCE, import_demo_occupancy
from datenhub.live.forecast import Profile, day_type, evaluate, naive, place_series
from datenhub.live.place import place_occupancy
from datenhub.live.status import Thresholds, combine
from datenhub.live.web import occupancy_summary
from datenhub.store import Store, open_store
from tests.conftest import FIXED_NOW


def test_thresholds_default_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    t = Thresholds()
    assert [t.status(x) for x in (0.0, 0.49, 0.5, 0.84, 0.85, 1.0, None)] == [
        "frei", "frei", "mäßig", "mäßig", "voll", "voll", None]
    monkeypatch.setenv("DATENHUB_OCCUPANCY_THRESHOLDS", "0.3,0.6")
    assert Thresholds.from_env().status(0.4) == "mäßig"
    with pytest.raises(ValueError):
        Thresholds(0.9, 0.5)


def test_combine_weights_by_capacity_else_mean() -> None:
    assert combine([(0.5, 200), (0.9, 100)]) == pytest.approx(190 / 300)
    assert combine([(0.2, None), (0.4, None)]) == pytest.approx(0.3)
    assert combine([(None, 10)]) is None


def test_day_type_maps_nrw_holidays_to_sunday() -> None:
    assert day_type(date(2026, 6, 4)) == 6  # Fronleichnam, a Thursday, a holiday in NRW
    assert day_type(date(2026, 6, 3)) == 2
    assert day_type(date(2026, 11, 1)) == 6  # Allerheiligen


def test_profile_beats_naive_on_noisy_weekly_pattern() -> None:
    import random

    rng = random.Random(1)
    start = datetime(2026, 3, 2, tzinfo=BERLIN).astimezone(BERLIN)
    series = {}
    for h in range(24 * 7 * 6):
        at = (start + timedelta(hours=h))
        local = at.astimezone(BERLIN)
        base = 0.6 if local.weekday() >= 5 else 0.3
        series[at] = max(0.0, base * (1 if 9 <= local.hour < 18 else 0.1) + rng.gauss(0, 0.08))
    result = evaluate(series, start + timedelta(weeks=5))
    assert result["hours"] == 24 * 7
    assert result["profile_mae"] < result["naive_mae"]  # type: ignore[operator]
    assert naive(series, start + timedelta(weeks=1)) == series[start]
    assert Profile.fit(series).predict(start + timedelta(hours=12)) == pytest.approx(0.3, abs=0.05)


@pytest.fixture
def demo(tmp_path: Path) -> Store:
    store = open_store(f"sqlite:///{tmp_path}/x.db")
    result = import_demo_occupancy(store, fixed(FIXED_NOW))
    assert result.rejected == 0 and result.accepted == len(DEMO_SENSORS) * (14 * 96 + 1)
    return store


def test_demo_is_marked_simulated_and_ends_now(demo: Store) -> None:
    assert demo.get_source(SIMULATED_SOURCE).title.startswith("Simulated")  # type: ignore[union-attr]
    for spec in DEMO_SENSORS:
        assert "simuliert" in (spec.sensor.name or "")
        latest = demo.latest_readings([spec.sensor.id])[0]
        assert latest.observed_at == FIXED_NOW
    again = import_demo_occupancy(demo, fixed(FIXED_NOW))
    assert again.accepted == 0 and again.rejected == 0


def test_demo_forecast_today_and_week_and_evaluation(demo: Store) -> None:
    body = place_occupancy(demo, "ruhr-demo:zeche-zollverein", FIXED_NOW)
    assert body is not None and body["status"] in ("frei", "mäßig", "voll")
    forecast = body["forecast"]
    assert [h["at"][11:16] for h in forecast["today"]][:2] == ["13:00", "14:00"]
    assert len(forecast["week"]) == 6 and len(forecast["week"][0]["hourly"]) == 24
    sensors = demo.list_sensors(["ruhr-demo:zeche-zollverein"])
    series = place_series(demo.hourly_readings([s.id for s in sensors], FIXED_NOW - timedelta(days=14),
                                               FIXED_NOW), sensors)
    result = evaluate(series, FIXED_NOW - timedelta(days=3))
    assert result["hours"] and result["profile_mae"] is not None and result["naive_mae"] is not None


def test_web_summary_for_place_and_none_without_sensors(demo: Store) -> None:
    summary = occupancy_summary(demo, "ruhr-demo:gasometer-oberhausen", FIXED_NOW)
    assert summary is not None and summary["simulated"] is True
    assert summary["status"] in ("frei", "mäßig", "voll") and summary["label"]["en"]
    assert 0 <= summary["percent"] <= 100 and summary["next_hours"][0]["time"] == "13:00"
    assert occupancy_summary(demo, "ruhr-demo:villa-huegel", FIXED_NOW) is None


def test_place_occupancy_by_hub_id_finds_sensors_registered_by_record_id(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from datenhub.api.app import create_app
    from datenhub.api.ratelimit import Limits
    from tests.api.demo_app import demo_store

    store = demo_store(tmp_path)
    import_demo_occupancy(store, fixed(FIXED_NOW))
    hub_id = store.get_entity("ruhr-demo:gasometer-oberhausen")["id"]  # type: ignore[index]
    assert hub_id.startswith("dh-")
    summary = occupancy_summary(store, hub_id, FIXED_NOW)
    assert summary is not None and [s["id"] for s in summary["sensors"]] == ["sim-gasometer-besucher"]
    api = TestClient(create_app(store=store, clock=fixed(FIXED_NOW), limits=Limits(10**6, 10**6)))
    body = api.get(f"/api/v1/places/{hub_id}/occupancy").json()
    assert body["place"] == hub_id and body["status"] in ("frei", "mäßig", "voll") and body["forecast"]["today"]
    assert api.get("/api/v1/places/ruhr-demo:villa-huegel/occupancy").json()["sensors"] == []
