"""The stay planner on the demo hub: feasible, explained plans, and a clear error for every impossible request."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from datenhub.clock import BERLIN, fixed
from datenhub.demo import import_demo
from datenhub.hours import OpeningHours
from datenhub.hours.solar import sun_times
from datenhub.planner import plan as plan_module
from datenhub.planner.plan import InfeasiblePlanError, PlanError, PlanSettings, make_plan
from datenhub.planner.plan_candidates import OUTDOOR
from datenhub.planner.plan_model import Plan, PlanRequest
from datenhub.planner.problem import Solution
from datenhub.planner.travel import TRANSIT, WALK, straight_km
from datenhub.store import Store, open_store

NOW = datetime(2026, 6, 4, 12, 0, tzinfo=BERLIN)
SATURDAY = "2026-06-06"
ESSEN_HBF = "db-stations:8000098"
FAST = {"time_limit": 0.15}


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder: Path = tmp_path_factory.mktemp("plan")
    store = open_store(f"sqlite:///{folder / 'd.db'}")
    import_demo(store, clock=fixed(NOW))
    yield store
    store.close()


def plan_for(store: Store, **fields: Any) -> Plan:
    values: dict[str, Any] = {"start": ESSEN_HBF, **({} if "dates" in fields else {"date": SATURDAY}), **FAST, **fields}
    return make_plan(store, PlanRequest.model_validate(values), clock=fixed(NOW))


def hub_id(store: Store, ref: str) -> str:
    entity = store.get_entity(ref)
    assert entity is not None, ref
    return str(entity["id"])


def minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def at(day: str, hhmm: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(), tzinfo=BERLIN) + timedelta(minutes=minutes(hhmm))


def assert_open_during_visits(store: Store, plan: Plan) -> None:
    """Check each visit against the hours engine directly, not through the planner's windows."""
    for day in plan.days:
        for stop in day.stops:
            entity = store.get_entity(stop.id)
            assert entity is not None
            value = entity.get("opening_hours")
            if value:
                oh = OpeningHours.parse(value, lat=stop.lat, lon=stop.lon, state="NW")
                stretches = oh.intervals(at(day.date, stop.start), at(day.date, stop.end))
                assert all(state == "open" for _, _, state, _ in stretches), (stop.id, stretches)
            elif not OUTDOOR & set(entity.get("categories") or []):
                assert any("Öffnungszeiten unbekannt" in why for why in stop.why)
                assert minutes(stop.start) >= 600 and minutes(stop.end) <= 1080


def assert_times_consistent(plan: Plan) -> None:
    for day in plan.days:
        clock = minutes(day.start.time)
        for leg, stop in zip(day.legs, day.stops, strict=False):
            clock += leg.minutes
            assert minutes(stop.arrival) == clock
            assert minutes(stop.start) >= clock
            assert minutes(stop.end) - minutes(stop.start) == stop.visit_minutes
            clock = minutes(stop.departure)
        assert minutes(day.end.time) == clock + day.legs[-1].minutes
        assert len(day.legs) == len(day.stops) + 1


def test_plan_issue_example_saturday_industrial_heritage_wheelchair_transit_is_feasible(hub: Store) -> None:
    plan = plan_for(hub, start_time="10:00", end_time="18:00", interests={"Industriekultur": 1},
                    wheelchair=True, mode="transit")
    day = plan.days[0]
    assert day.date == SATURDAY
    assert len(day.stops) >= 3
    for stop in day.stops:
        entity = hub.get_entity(stop.id)
        assert entity is not None and entity["wheelchair"] in ("yes", "limited")
        assert "Industriekultur" in entity["categories"]
        assert "passt zu Ihrem Interesse Industriekultur" in stop.why
        assert any(w in stop.why for w in ("rollstuhlgerecht", "eingeschränkt rollstuhlgerecht"))
    assert minutes(day.start.time) >= 600
    assert minutes(day.end.time) <= 1080
    assert day.start.id == day.end.id and day.start.name.startswith("Essen")
    assert_open_during_visits(hub, plan)
    assert_times_consistent(plan)
    assert {leg.mode for leg in day.legs} <= {"transit", "walk"}
    assert any("geschätzt" in note for note in plan.notes)


def test_plan_must_see_is_placed_and_explained(hub: Store) -> None:
    museum = "ruhr-demo:deutsches-bergbau-museum"
    plan = plan_for(hub, interests={"Industriekultur": 1}, must_see=[museum], wheelchair=True)
    stops = {s.id: s for s in plan.days[0].stops}
    assert hub_id(hub, museum) in stops
    assert "auf Ihrer Wunschliste" in stops[hub_id(hub, museum)].why
    assert plan.unplaced_must_see == []
    assert_open_during_visits(hub, plan)


def test_plan_must_see_closed_that_day_is_explained(hub: Store) -> None:
    # The railway museum opens Tu-Fr and Su: closed on a Saturday.
    railway = "ruhr-demo:eisenbahnmuseum-bochum"
    plan = plan_for(hub, interests={"Industriekultur": 1}, must_see=[railway])
    assert hub_id(hub, railway) not in plan.place_ids()
    [missing] = plan.unplaced_must_see
    assert missing.id == railway
    assert "am 06.06.2026 geschlossen" in missing.reason
    assert plan.days[0].stops  # the rest of the day is still planned


def test_plan_must_see_not_wheelchair_accessible_is_explained(hub: Store) -> None:
    no_access = next(e["id"] for e in hub.iter_entities("place") if e.get("wheelchair") == "no" and e.get("geo"))
    plan = plan_for(hub, interests={"Industriekultur": 1}, must_see=[no_access], wheelchair=True)
    assert [(u.id, u.reason) for u in plan.unplaced_must_see] == [(no_access, "nicht als rollstuhlgerecht erfasst")]


def test_plan_avoided_places_are_left_out(hub: Store) -> None:
    first = plan_for(hub, interests={"Industriekultur": 1})
    avoided = first.days[0].stops[0].id
    second = plan_for(hub, interests={"Industriekultur": 1}, avoid=[avoided])
    assert avoided not in second.place_ids()


def test_plan_several_days_never_repeat_a_place(hub: Store) -> None:
    plan = plan_for(hub, interests={"Industriekultur": 1, "Museum": 0.5}, days=3)
    assert [d.date for d in plan.days] == ["2026-06-06", "2026-06-07", "2026-06-08"]
    ids = plan.place_ids()
    assert len(ids) == len(set(ids))
    assert all(d.stops for d in plan.days)
    assert_open_during_visits(hub, plan)
    assert_times_consistent(plan)


def test_plan_explicit_dates_are_planned_in_order(hub: Store) -> None:
    plan = plan_for(hub, date=None, dates=["2026-06-09", "2026-06-06"], interests={"Museum": 1})
    assert [d.date for d in plan.days] == ["2026-06-06", "2026-06-09"]
    ids = plan.place_ids()
    assert len(ids) == len(set(ids))


def test_plan_alternatives_differ_from_the_plan_and_each_other(hub: Store) -> None:
    plan = plan_for(hub, interests={"Industriekultur": 1, "Museum": 0.5})
    assert 1 <= len(plan.alternatives) <= 2
    routes = [tuple(plan.place_ids())] + [tuple(a.place_ids()) for a in plan.alternatives]
    assert len(set(routes)) == len(routes)
    for alt in plan.alternatives:
        assert alt.label and alt.alternatives == []
        assert_open_during_visits(hub, alt)
        assert_times_consistent(alt)


def test_plan_geojson_has_stops_and_legs(hub: Store) -> None:
    plan = plan_for(hub, interests={"Industriekultur": 1})
    features = plan.geojson["features"]
    assert plan.geojson["type"] == "FeatureCollection"
    stops = [f for f in features if f["properties"]["kind"] == "stop"]
    legs = [f for f in features if f["geometry"]["type"] == "LineString"]
    assert [f["properties"]["id"] for f in stops] == plan.place_ids()
    assert len(legs) == len(plan.days[0].legs)
    assert stops[0]["geometry"]["coordinates"] == [round(plan.days[0].stops[0].lon, 6),
                                                   round(plan.days[0].stops[0].lat, 6)]


def test_plan_english_explanations(hub: Store) -> None:
    plan = plan_for(hub, interests={"Industriekultur": 1}, language="en", wheelchair=True)
    why = [w for s in plan.days[0].stops for w in s.why]
    assert "matches your interest Industrial heritage" in why
    assert any(w.startswith("open until") or w == "freely accessible" or "unknown" in w for w in why)


def test_plan_an_end_too_far_for_the_day_is_an_error_naming_it(hub: Store) -> None:
    # Essen Hbf to Haltern on foot: the way alone is longer than the day (it was a 500: InfeasiblePlanError)
    with pytest.raises(PlanError) as caught:
        plan_for(hub, start="db-stations:8000098", end={"lat": 51.7424, "lon": 7.1857}, mode="walk",
                 interests={"Museum": 1})
    assert (caught.value.reason, caught.value.param) == ("end_not_reachable", "end")
    assert "minutes" in caught.value.detail


def test_plan_start_from_coordinates_and_other_end(hub: Store) -> None:
    plan = plan_for(hub, start={"lat": 51.4513, "lon": 7.0138}, end="db-stations:8000041",
                    interests={"Industriekultur": 1})
    day = plan.days[0]
    assert day.start.id is None and day.start.name == "Ihr Startpunkt"
    assert day.end.id != day.start.id
    assert day.legs[-1].to == day.end.id
    assert_times_consistent(plan)


def test_plan_visit_minutes_override_by_category_and_id(hub: Store) -> None:
    plan = plan_for(hub, interests={"Industriekultur": 1}, visit_minutes={"Industriekultur": 20})
    assert all(s.visit_minutes == 20 for s in plan.days[0].stops)
    first = plan.days[0].stops[0].id
    plan = plan_for(hub, interests={"Industriekultur": 1}, visit_minutes={"Industriekultur": 20, first: 35},
                    must_see=[first])
    assert {s.id: s.visit_minutes for s in plan.days[0].stops}[first] == 35


def test_plan_walk_and_bike_differ_from_transit(hub: Store) -> None:
    walk = plan_for(hub, interests={"Industriekultur": 1}, mode="walk", radius_km=10)
    assert {leg.mode for leg in walk.days[0].legs} == {"walk"}
    assert_times_consistent(walk)
    bike = plan_for(hub, interests={"Industriekultur": 1}, mode="bike")
    assert {leg.mode for leg in bike.days[0].legs} == {"bike"}


def test_plan_avoid_crowds_without_forecast_says_so(hub: Store) -> None:
    plan = plan_for(hub, interests={"Industriekultur": 1}, avoid_crowds=True)
    assert any("Keine Besucherprognose" in note for note in plan.notes)


def test_plan_crowd_forecast_is_pluggable(hub: Store) -> None:
    base = plan_for(hub, interests={"Industriekultur": 1})
    busy = base.days[0].stops[0].id

    class Forecast:
        def crowding(self, place_id: str, day: date, start_minute: int, end_minute: int) -> float | None:
            return 1.0 if place_id == busy else 0.0

    request = PlanRequest(start=ESSEN_HBF, date=SATURDAY, interests={"Industriekultur": 1}, avoid_crowds=True,
                          time_limit=0.15)
    plan = make_plan(hub, request, clock=fixed(NOW), crowds=Forecast())
    assert not any("Besucherprognose" in note for note in plan.notes)
    quiet = [s for s in plan.days[0].stops if s.id != busy]
    assert quiet and all("zu dieser Zeit wenig Andrang erwartet" in s.why for s in quiet)


def test_plan_with_forecasts_for_some_places_says_they_counted_there(hub: Store) -> None:
    class SomeForecast:
        def crowding(self, place_id: str, day: date, start_minute: int, end_minute: int) -> float | None:
            return 0.2 if place_id.endswith(("a", "e", "i")) else None

    request = PlanRequest(start=ESSEN_HBF, date=SATURDAY, interests={"Industriekultur": 1}, avoid_crowds=True,
                          time_limit=0.15)
    notes = make_plan(hub, request, clock=fixed(NOW), crowds=SomeForecast()).notes
    assert any("nur für einige Orte" in note for note in notes)
    assert not any("nicht berücksichtigt" in note for note in notes)  # they were, for those places


def test_plan_travel_source_is_pluggable(hub: Store) -> None:
    class TenMinutes:
        mode = "transit"

        def matrix(self, points: Sequence[tuple[float, float]]) -> np.ndarray:
            m = np.full((len(points), len(points)), 10.0)
            np.fill_diagonal(m, 0.0)
            return m

    request = PlanRequest(start=ESSEN_HBF, date=SATURDAY, interests={"Industriekultur": 1}, time_limit=0.15)
    plan = make_plan(hub, request, clock=fixed(NOW), travel=TenMinutes())
    assert {leg.minutes for leg in plan.days[0].legs} == {10}


def test_plan_never_returns_an_infeasible_day(hub: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def bad_solve(problem: Any, *args: Any, **kwargs: Any) -> Solution:
        nodes = [i for i in range(problem.size) if i != problem.start]
        return Solution((tuple(nodes),), 0.0)  # every node: the day cannot hold them all

    monkeypatch.setattr(plan_module, "solve", bad_solve)
    with pytest.raises(InfeasiblePlanError):
        plan_for(hub, interests={"Industriekultur": 1})


@pytest.mark.parametrize(("fields", "reason"), [
    ({"start_time": "18:00", "end_time": "10:00"}, "end_before_start"),
    ({"start_time": "12:00", "end_time": "12:00"}, "end_before_start"),
    ({"start_time": "25:00"}, "bad_time"),
    ({"date": "2026-13-45"}, "bad_date"),
    ({"date": "morgen"}, "bad_date"),
    ({"days": 8}, "too_many_days"),
    ({"dates": [f"2026-06-{d:02d}" for d in range(1, 10)]}, "too_many_days"),
    ({"start": {"lat": 52.52, "lon": 13.40}, "radius_km": 5}, "no_places_in_radius"),
    ({"interests": {"Museum": 1}, "start_time": "19:00", "end_time": "23:00"}, "nothing_open"),
    ({"interests": {"Industriekultur": 1}, "start_time": "10:00", "end_time": "10:20"}, "nothing_open"),
    ({"interests": {"Kochen": 1}}, "unknown_category"),
])
def test_plan_impossible_request_raises_reason(hub: Store, fields: dict[str, Any], reason: str) -> None:
    with pytest.raises(PlanError) as caught:
        plan_for(hub, **fields)
    assert caught.value.reason == reason
    assert caught.value.detail


def test_plan_unknown_ids_are_named(hub: Store) -> None:
    with pytest.raises(PlanError) as caught:
        plan_for(hub, start="nirgendwo", must_see=["ruhr-demo:zeche-zollverein", "gibts-nicht"])
    assert caught.value.reason == "unknown_place"
    assert caught.value.ids == ["nirgendwo", "gibts-nicht"]
    assert "nirgendwo" in caught.value.detail and "gibts-nicht" in caught.value.detail


def test_plan_nothing_reachable_in_time_is_an_error_not_an_empty_plan(hub: Store) -> None:
    # Zollverein is open, but 30 minutes on foot from the far end of Essen cannot hold a visit and the way back.
    with pytest.raises(PlanError) as caught:
        plan_for(hub, start={"lat": 51.40, "lon": 7.10}, interests={"Industriekultur": 1}, mode="walk",
                 start_time="10:00", end_time="11:40", radius_km=8)
    assert caught.value.reason in ("nothing_fits", "nothing_open")


def test_plan_default_date_is_today_in_berlin(hub: Store) -> None:
    plan = plan_for(hub, date=None, interests={"Industriekultur": 1})
    assert plan.days[0].date == "2026-06-04"


def test_plan_caps_candidates_and_keeps_must_sees(hub: Store) -> None:
    request = PlanRequest(start=ESSEN_HBF, date=SATURDAY, radius_km=100, must_see=["ruhr-demo:zeche-zollern"],
                          time_limit=0.15)
    plan = make_plan(hub, request, clock=fixed(NOW), settings=PlanSettings(max_candidates=5, alternatives=0))
    assert hub_id(hub, "ruhr-demo:zeche-zollern") in plan.place_ids()
    assert len(plan.place_ids()) <= 5
    assert plan.alternatives == []


def test_travel_estimates_follow_the_brief() -> None:
    essen, bochum = (51.4513, 7.0138), (51.4787, 7.2233)
    km = float(straight_km([essen, bochum])[0, 1])
    transit = float(TRANSIT.own_matrix([essen, bochum])[0, 1])
    assert transit == pytest.approx(km * 1.4 / 25 * 60 + 8)
    assert float(WALK.matrix([essen, bochum])[0, 1]) == pytest.approx(km * 1.3 / 4.5 * 60)
    near = (51.4520, 7.0140)
    assert float(TRANSIT.matrix([essen, near])[0, 1]) < 8  # a short hop is walked


def test_avoid_crowds_uses_occupancy_forecast(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import date, datetime

    from datenhub.clock import BERLIN, fixed
    from datenhub.demo import import_demo
    from datenhub.live.crowds import OccupancyCrowds
    from datenhub.store import open_store

    clock = fixed(datetime(2026, 6, 4, 12, 0, tzinfo=BERLIN))
    store = open_store(f"sqlite:///{tmp_path / 'crowds.db'}")
    import_demo(store, clock=clock)
    crowds = OccupancyCrowds(store, clock)
    busy = crowds.crowding("ruhr-demo:zeche-zollverein", date(2026, 6, 6), 13 * 60, 15 * 60)
    early = crowds.crowding("ruhr-demo:zeche-zollverein", date(2026, 6, 6), 7 * 60, 8 * 60)
    assert busy is not None and early is not None and 0 <= early < busy <= 1
    assert crowds.crowding("ruhr-demo:villa-huegel", date(2026, 6, 6), 600, 700) is None  # no sensors there


def test_plan_on_foot_stays_within_walking_reach(hub: Store) -> None:
    # without a radius the way of travelling sets one: 30 km on foot made days of 50 km and more of walking
    plan = plan_for(hub, start="db-stations:8000098", mode="walk", interests={"Industriekultur": 1},
                    start_time="08:00", end_time="22:00")
    assert sum(leg.km for leg in plan.days[0].legs) < 15
    assert PlanRequest(start="x", mode="bike").search_radius_km == 15
    assert PlanRequest(start="x", mode="walk", radius_km=9).search_radius_km == 9


def test_plan_open_ground_is_visited_in_daylight(hub: Store) -> None:
    plan = plan_for(hub, start=ESSEN_HBF, date="2026-11-28", start_time="06:00", end_time="23:00",
                    interests={"Panorama": 1, "Natur": 1})
    stops = [stop for day in plan.days for stop in day.stops]
    assert stops
    for stop in stops:
        sun = sun_times(date(2026, 11, 28), stop.lat, stop.lon)
        assert sun["dawn"] <= minutes(stop.start) and minutes(stop.end) <= sun["dusk"], (stop.name, stop.start)


@pytest.mark.parametrize("fields", [{"date": "2026-06-03"}, {"date": "2025-06-06", "days": 3},
                                    {"dates": ["2026-06-06", "2026-06-01"]}])
def test_plan_for_a_day_gone_by_is_refused_naming_today(hub: Store, fields: dict[str, Any]) -> None:
    with pytest.raises(PlanError) as caught:  # NOW is 2026-06-04: a stay that began before cannot be planned
        plan_for(hub, start=ESSEN_HBF, interests={"Museum": 1}, **fields)
    assert caught.value.reason == "past_date" and caught.value.param in ("date", "dates")
    assert "2026-06-04" in str(caught.value)


def test_plan_for_today_is_planned(hub: Store) -> None:
    assert plan_for(hub, start=ESSEN_HBF, date="2026-06-04", interests={"Museum": 1}).days


@pytest.mark.parametrize(("hours", "begin", "says"), [
    ("Mo-Su 18:00-02:00", "19:00", 26 * 60),  # a bar: open past midnight
    ("Mo-Su 10:00-18:00", "11:00", 18 * 60),
    ("24/7", "11:00", 24 * 60),  # open all night: "until 24:00", not the next morning's horizon
    ("Mo-Su 10:00-14:00,15:00-18:00", "11:00", 14 * 60),  # a lunch break ends the stretch
    ("Sa 20:00-06:00", "21:00", 30 * 60),  # a night that ends at 06:00 says so (SATURDAY is a Saturday)
])
def test_plan_says_when_a_place_closes_past_midnight_too(hours: str, begin: str, says: int) -> None:
    from types import SimpleNamespace

    cand = SimpleNamespace(hours=OpeningHours.parse(hours, lat=51.45, lon=7.01, state="NW"))
    window = SimpleNamespace(closes=-1)
    closes = plan_module.Planner._closes(cand, date.fromisoformat(SATURDAY), minutes(begin), window)  # type: ignore[arg-type]
    assert closes == says


@pytest.mark.parametrize(("fields", "says"), [
    ({"dates": []}, "dates is empty"),
    ({"dates": ["2026-06-06", "2026-06-06"]}, "2026-06-06 more than once"),
    ({"dates": ["2026-06-06"], "date": "2026-06-07"}, "not both"),
    ({"dates": ["2026-06-06"], "days": 2}, "not both"),
])
def test_plan_refuses_dates_it_could_only_read_one_way_silently(hub: Store, fields: dict[str, Any],
                                                                 says: str) -> None:
    with pytest.raises(PlanError) as caught:
        make_plan(hub, PlanRequest.model_validate({"start": ESSEN_HBF, **FAST, "interests": {"Museum": 1}, **fields}),
                  clock=fixed(NOW))
    assert caught.value.reason == "bad_date" and caught.value.param == "dates" and says in str(caught.value)


def test_plan_takes_dates_in_any_order_and_plans_them_in_calendar_order(hub: Store) -> None:
    plan = plan_for(hub, dates=["2026-06-07", "2026-06-06"], interests={"Museum": 1})
    assert [day.date for day in plan.days] == ["2026-06-06", "2026-06-07"]


@pytest.mark.parametrize(("lang", "says"), [("de", "Fronleichnam ist ein Feiertag in NRW"),
                                            ("en", "Corpus Christi is a public holiday in NRW")])
def test_plan_on_a_public_holiday_says_so_for_that_day(hub: Store, lang: str, says: str) -> None:
    plan = plan_for(hub, dates=["2026-06-04", "2026-06-06"], language=lang, interests={"Museum": 1})
    notes = {day.date: day.notes for day in plan.days}  # Thursday 4 June 2026 is Corpus Christi; Saturday is not
    assert any(says in note for note in notes["2026-06-04"])
    assert not any("NRW" in note for note in notes["2026-06-06"])


def test_a_plan_for_today_leaves_from_now_not_from_a_start_time_gone_by(hub: Store) -> None:
    evening = datetime(2026, 6, 6, 15, 2, tzinfo=BERLIN)  # Saturday afternoon
    plan = make_plan(hub, PlanRequest.model_validate({"start": ESSEN_HBF, "date": SATURDAY, **FAST,
                                                      "interests": {"Museum": 1}}), clock=fixed(evening))
    assert plan.days[0].stops and all(minutes(s.arrival) >= 15 * 60 + 5 for s in plan.days[0].stops)
    tomorrow = make_plan(hub, PlanRequest.model_validate({"start": ESSEN_HBF, "dates": [SATURDAY, "2026-06-07"],
                                                          **FAST, "interests": {"Museum": 1}}), clock=fixed(evening))
    assert min(minutes(s.arrival) for s in tomorrow.days[1].stops) < 15 * 60  # the next day starts in the morning
    late = datetime(2026, 6, 6, 17, 30, tzinfo=BERLIN)
    with pytest.raises(PlanError) as caught:
        make_plan(hub, PlanRequest.model_validate({"start": ESSEN_HBF, "date": SATURDAY, **FAST,
                                                   "interests": {"Museum": 1}}), clock=fixed(late))
    assert caught.value.reason == "day_over" and "17:30" in str(caught.value)
