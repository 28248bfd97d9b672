"""The stay planner through its three doors: POST /api/v1/plans, the /plan web page and `datenhub plan`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from datenhub import hub as hub_api
from datenhub.api.app import create_app
from datenhub.api.ratelimit import Limits
from datenhub.cli import app as cli_app
from datenhub.cli import common
from datenhub.clock import BERLIN, fixed
from datenhub.data import data_path
from datenhub.demo import import_demo
from datenhub.store import Store, open_store

NOW = datetime(2026, 6, 4, 12, 0, tzinfo=BERLIN)
XSS = "<script>alert(1)</script>"
HEADER = ("id,name_de,name_en,name_nl,description_de,description_en,category,schema_type,route_role,street,"
          "postal_code,city,lat,lon,website,opening_hours,wheelchair,sources,licence,attribution")
HOSTILE = HEADER + f"\nevil,{XSS},,,,,Industriekultur,Place,,,,Essen,51.4560,7.0120,,Mo-Su 09:00-20:00,yes,,,\n"
ISSUE = {"start": "db-stations:8000098", "date": "2026-06-06", "start_time": "10:00", "end_time": "18:00",
         "interests": {"Industriekultur": 1}, "wheelchair": True, "mode": "transit", "time_limit": 0.15}


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("planweb")
    url = f"sqlite:///{folder / 'd.db'}"
    store = open_store(url)
    import_demo(store, clock=fixed(NOW))
    (folder / "hostile.csv").write_text(HOSTILE, encoding="utf-8")
    hub_api.import_file(store, folder / "hostile.csv", "xss", adapter="csv",
                        mapping=data_path("demo", "ruhr_places.mapping.toml"), clock=fixed(NOW))
    store.close()
    yield url


@pytest.fixture(scope="module")
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    yield s
    s.close()


@pytest.fixture(scope="module")
def client(store: Store) -> TestClient:
    return TestClient(create_app(store=store, clock=fixed(NOW), limits=Limits(10**6, 10**6)))


@pytest.fixture()
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    for console in (common.console, common.err):
        monkeypatch.setattr(console, "_width", 250)


# -- API ------------------------------------------------------------------------------------------------------
def test_api_plans_issue_example_returns_feasible_plan(client: TestClient) -> None:
    response = client.post("/api/v1/plans", json=ISSUE)
    assert response.status_code == 200, response.text
    body = response.json()
    day = body["days"][0]
    assert len(day["stops"]) >= 3
    assert day["end"]["time"] <= "18:00"
    assert day["legs"][0]["from"] == day["start"]["id"]
    assert {"id", "name", "arrival", "start", "end", "departure", "category", "why"} <= set(day["stops"][0])
    assert {"from", "to", "minutes", "mode", "km"} == set(day["legs"][0])
    assert body["geojson"]["type"] == "FeatureCollection"
    assert isinstance(body["alternatives"], list) and "unplaced_must_see" in body


@pytest.mark.parametrize("how", ["query", "accept"])
def test_api_plans_geojson_by_query_or_accept(client: TestClient, how: str) -> None:
    if how == "query":
        response = client.post("/api/v1/plans?f=geojson", json=ISSUE)
    else:
        response = client.post("/api/v1/plans", json=ISSUE, headers={"Accept": "application/geo+json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    kinds = {f["properties"]["kind"] for f in body["features"]}
    assert kinds == {"start", "stop", "end", "leg"}


@pytest.mark.parametrize(("change", "reason"), [
    ({"start_time": "18:00", "end_time": "10:00"}, "end_before_start"),
    ({"must_see": ["gibts-nicht"]}, "unknown_place"),
    ({"date": "2026-02-30"}, "bad_date"),
    ({"date": "2026-06-03"}, "past_date"),  # NOW is 2026-06-04
    ({"days": 9}, "too_many_days"),
    ({"start": {"lat": 52.52, "lon": 13.40}, "radius_km": 5}, "no_places_in_radius"),
    ({"start_time": "19:00", "end_time": "23:30", "interests": {"Museum": 1}}, "nothing_open"),
    ({"end": {"lat": 51.7424, "lon": 7.1857}, "mode": "walk"}, "end_not_reachable"),  # Haltern, on foot
    ({"interests": {"Verkehr": 1}}, "not_a_sight"),  # 30 stations with visits of no minutes
])
def test_api_plans_impossible_request_is_422_problem_with_reason(client: TestClient, change: dict[str, Any],
                                                                 reason: str) -> None:
    response = client.post("/api/v1/plans", json={**ISSUE, **change})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["reason"] == reason
    assert body["status"] == 422 and body["detail"]
    if reason == "unknown_place":
        assert body["ids"] == ["gibts-nicht"] and "gibts-nicht" in body["detail"]


@pytest.mark.parametrize("change", [{"mode": "car"}, {"interests": {"Museum": 2}}, {"radius_km": -1},
                                    {"start": 5}, {"unexpected": 1}])
def test_api_plans_malformed_body_is_422_problem(client: TestClient, change: dict[str, Any]) -> None:
    response = client.post("/api/v1/plans", json={**ISSUE, **change})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_api_plans_names_what_is_wrong_in_a_union_value(client: TestClient) -> None:
    body = client.post("/api/v1/plans", json={**ISSUE, "start": {"lat": 91, "lon": 7}}).json()
    # a {lat, lon} start with a bad latitude: that, not "a place id must be a string"
    assert (body["status"], body["parameter"]) == (422, "start.lat") and "90" in body["detail"]


def test_api_plans_is_in_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/plans"]


# -- web page -------------------------------------------------------------------------------------------------
def test_web_plan_form_renders_in_german(client: TestClient) -> None:
    response = client.get("/plan")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="de">' in html and "Aufenthalt planen" in html
    assert 'id="plan-form"' in html and 'name="interest" value="Industriekultur"' in html
    assert 'value="2026-06-04"' in html  # today by the app's clock
    assert '<option value="Essen Hbf (Essen)">' in html  # the suggestions put names into the field, not ids
    assert 'action="/plan#plan-heading"' in html  # after submitting, the page opens at the result
    assert 'id="plan-map"' not in html  # no plan, no map


def test_web_plan_form_in_the_evening_proposes_tomorrow(store: Store) -> None:
    evening = TestClient(create_app(store=store, clock=fixed(datetime(2026, 6, 4, 20, 46, tzinfo=BERLIN)),
                                    limits=Limits(10**6, 10**6)))
    assert 'id="date" name="date" type="date" value="2026-06-05"' in evening.get("/plan").text


def test_web_plan_form_renders_in_english(client: TestClient) -> None:
    html = client.get("/plan?lang=en").text
    assert '<html lang="en">' in html and "Plan your stay" in html and "Industrial heritage" in html


def test_web_plan_submit_renders_stops_map_and_share_link(client: TestClient, store: Store) -> None:
    query = ("start=db-stations:8000098&date=2026-06-06&start_time=10:00&end_time=18:00&interest=Industriekultur"
             "&w_Industriekultur=1&mode=transit&wheelchair=1&avoid=xss:evil&submit=1")
    response = client.get(f"/plan?{query}")
    assert response.status_code == 200, response.text
    html = response.text
    assert html.count('class="stop"') >= 3
    assert re.search(r"\d+ min mit Bus und Bahn · \d+,\d km", html)  # German decimal comma
    assert "passt zu Ihrem Interesse Industriekultur" in html
    assert 'id="plan-map"' in html and 'id="plan-data"' in html and "/static/web/plan.js" in html
    assert "leaflet/leaflet.js" in html
    assert "submit=1" in html and "wheelchair=1" in html  # the share link keeps the form state
    assert 'name="wheelchair" value="1" checked' in html
    data = html.split('<script type="application/json" id="plan-data">')[1].split("</script>")[0]
    assert json.loads(data)["type"] == "FeatureCollection"
    assert client.get("/static/web/plan.js").status_code == 200
    assert client.get("/static/web/plan.css").status_code == 200


def test_web_plan_submit_in_english(client: TestClient) -> None:
    html = client.get("/plan?start=db-stations:8000098&date=2026-06-06&interest=Museum&submit=1&lang=en").text
    assert "matches your interest Museum" in html and "Your plan" in html


def test_web_plan_escapes_record_text_and_input(client: TestClient) -> None:
    html = client.get("/plan?start=db-stations:8000098&date=2026-06-06&interest=Industriekultur&must_see=xss:evil"
                      "&submit=1").text
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the hostile name, escaped in the list
    assert "\\u003cscript\\u003e" in html  # and inside the embedded GeoJSON
    hostile = client.get("/plan", params={"start": '"><script>alert(2)</script>', "submit": "1"})
    assert hostile.status_code == 422
    assert "<script>alert(2)" not in hostile.text
    assert "&#34;&gt;&lt;script&gt;" in hostile.text or "&quot;&gt;&lt;script&gt;" in hostile.text


def test_web_plan_impossible_request_shows_reason(client: TestClient) -> None:
    response = client.get("/plan?start=db-stations:8000098&date=2026-06-06&start_time=18:00&end_time=10:00"
                          "&submit=1")
    assert response.status_code == 422
    assert "Kein Plan möglich" in response.text and "end_before_start" in response.text
    assert "„Zurück bis“ muss nach „Von“ liegen." in response.text  # said in the page's language
    assert 'role="alert"' in response.text
    english = client.get("/plan?start=nowhere-at-all&date=2026-06-06&submit=1&lang=en").text
    assert "We do not know this place" in english


def test_web_plan_names_an_interest_it_does_not_know_instead_of_planning_everything(client: TestClient) -> None:
    response = client.get("/plan?start=db-stations:8000098&date=2026-06-06&interest=Schwimmen&w_Schwimmen=1"
                          "&submit=1")
    assert response.status_code == 422 and "Ein Interesse ist unbekannt." in response.text
    assert "Schwimmen" in response.text
    alias = client.get("/plan?start=db-stations:8000098&date=2026-06-06&interest=halde&submit=1")
    assert alias.status_code == 200  # a category's other name is known (Panorama/Halde)


def test_web_plan_refuses_a_day_gone_by_in_the_form_and_on_the_server(client: TestClient) -> None:
    assert 'type="date" value="2026-06-04" min="2026-06-04"' in client.get("/plan").text  # the browser checks
    response = client.get("/plan?start=db-stations:8000098&date=2025-06-06&interest=Museum&submit=1")
    assert response.status_code == 422 and "past_date" in response.text
    assert "Der 06.06.2025 liegt in der Vergangenheit. Bitte wählen Sie heute (04.06.2026) oder einen späteren " \
           "Tag." in response.text
    english = client.get("/plan?start=db-stations:8000098&date=2025-06-06&interest=Museum&submit=1&lang=en").text
    assert "2025-06-06 is in the past. Please choose today (2026-06-04) or a later day." in english


def test_web_plan_map_labels_the_end_in_the_page_language(client: TestClient) -> None:
    query = "start=db-stations:8000098&date=2026-06-06&interest=Museum&submit=1"
    assert 'data-start-label="S" data-end-label="Z"' in client.get(f"/plan?{query}").text  # Start, Ziel
    assert 'data-start-label="S" data-end-label="E"' in client.get(f"/plan?{query}&lang=en").text  # Start, End
    script = client.get("/static/web/plan.js").text
    assert "data-end-label" in script and ': "Z")' not in script  # the page names the letters, not the script


@pytest.mark.parametrize("typed", ["Essen Hbf", "essen hbf (essen)", "Essen Hbf (Essen)"])
def test_web_plan_takes_a_place_by_its_name(client: TestClient, typed: str) -> None:
    by_id = client.get("/plan", params={"start": "db-stations:8000098", "date": "2026-06-06", "interest": "Museum",
                                        "submit": "1"})
    by_name = client.get("/plan", params={"start": typed, "date": "2026-06-06", "interest": "Museum",
                                          "submit": "1"})
    assert by_name.status_code == by_id.status_code == 200, by_name.text
    stops = re.findall(r'class="stop"[^>]*>.*?</li>', by_id.text, re.S)
    assert stops and re.findall(r'class="stop"[^>]*>.*?</li>', by_name.text, re.S) == stops


@pytest.mark.parametrize("typed", ["Essen Hauptbahnhof", "Zollverein"])
def test_web_plan_takes_a_start_the_search_finds(client: TestClient, typed: str) -> None:
    response = client.get("/plan", params={"start": typed, "date": "2026-06-06", "interest": "Museum", "submit": "1"})
    assert response.status_code == 200 and re.findall(r'class="stop"', response.text), typed


def test_web_plan_does_not_take_a_place_for_words_its_name_does_not_hold(client: TestClient) -> None:
    # "foo" found the Fußballmuseum by its description's "Football", and put it on the wish list
    page = client.get("/plan", params={"start": "Essen Hauptbahnhof", "must_see": "foo", "date": "2026-06-06",
                                       "submit": "1"}).text
    assert "Nicht gefunden: foo" in page
    assert not any("Fußballmuseum" in stop for stop in re.findall(r'class="stop"[^>]*>.*?</li>', page, re.S))


def test_web_plan_says_what_it_did_not_find_in_the_pages_language(client: TestClient) -> None:
    page = client.get("/plan", params={"start": "Xqzvw", "date": "2026-06-06", "submit": "1"}).text
    assert "Diesen Ort kennen wir nicht" in page and "Nicht gefunden: Xqzvw" in page
    assert "unknown place ids" not in page  # the API's English sentence is not the visitor's


def test_web_plan_print_css_hides_form_and_map(client: TestClient) -> None:
    css = client.get("/static/web/plan.css").text
    assert "@media print" in css and ".plan-form-panel" in css.split("@media print")[1]


# -- CLI ------------------------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def cli_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """`datenhub plan` runs at NOW, as the app does: its dates are not in the past whenever the tests run."""
    monkeypatch.setattr("datenhub.cli.plan.utc_now", fixed(NOW))


def test_cli_plan_table(db_url: str, wide_console: None) -> None:
    result = CliRunner().invoke(cli_app, [
        "plan", "--start", "db-stations:8000098", "--date", "2026-06-06", "--from", "10:00", "--to", "18:00",
        "--interest", "Industriekultur=1", "--interest", "Museum=0.5", "--mode", "transit", "--wheelchair",
        "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "2026-06-06" in result.output and "Essen Hbf" in result.output
    assert "passt zu Ihrem Interesse" in result.output


def test_cli_plan_json_with_must_see_and_days(db_url: str, store: Store) -> None:
    result = CliRunner().invoke(cli_app, [
        "plan", "--start", "db-stations:8000098", "--date", "2026-06-06", "--interest", "Industriekultur",
        "--must-see", "ruhr-demo:deutsches-bergbau-museum", "--days", "2", "--format", "json", "--db", db_url])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    ids = [s["id"] for d in body["days"] for s in d["stops"]]
    museum = store.get_entity("ruhr-demo:deutsches-bergbau-museum")
    assert museum is not None and museum["id"] in ids and len(ids) == len(set(ids)) and len(body["days"]) == 2


@pytest.mark.parametrize(("args", "message"), [
    (["--interest", "Industriekultur=viel"], "--interest"),
    (["--format", "xml"], "--format"),
    (["--mode", "car"], "--mode"),
    (["--from", "18:00", "--to", "10:00"], "end_before_start"),
    (["--days", "8"], "too_many_days"),
    (["--date", "06.06.2026"], "bad_date"),
    (["--date", "2026-06-01"], "past_date"),  # NOW is 2026-06-04
])
def test_cli_plan_usage_errors_exit_2(db_url: str, wide_console: None, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli_app, ["plan", "--start", "db-stations:8000098", "--date", "2026-06-06",
                                          *args, "--db", db_url])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error:")
    assert message in result.stderr



def test_cli_plan_takes_places_by_name_as_the_web_form_does(db_url: str, store: Store) -> None:
    result = CliRunner().invoke(cli_app, ["plan", "--start", "Essen Hbf", "--date", "2026-06-06", "--interest",
                                          "Industriekultur", "--must-see", "Zollverein", "--format", "json",
                                          "--db", db_url])
    assert result.exit_code == 0, result.output
    day = json.loads(result.stdout)["days"][0]
    assert day["start"]["name"] == "Essen Hbf"
    zollverein = store.get_entity("ruhr-demo:zeche-zollverein")
    assert zollverein is not None and zollverein["id"] in [s["id"] for s in day["stops"]]


def test_cli_plan_unknown_place_exits_1(db_url: str, wide_console: None) -> None:
    result = CliRunner().invoke(cli_app, ["plan", "--start", "db-stations:8000098", "--date", "2026-06-06",
                                          "--must-see", "gibts-nicht", "--db", db_url])
    assert result.exit_code == 1, result.output  # an unknown id, as everywhere (docs/cli.md)
    assert "gibts-nicht" in result.stderr


def test_web_plan_offers_no_stations_or_hotels_as_interests(client: TestClient) -> None:
    form = client.get("/plan").text
    assert 'value="Museum"' in form and 'value="Verkehr"' not in form and 'value="Unterkunft"' not in form


def test_web_plan_an_end_too_far_for_the_day_is_said_in_words(client: TestClient) -> None:
    page = client.get("/plan", params={"start": "Essen Hbf", "end": "LWL-Römermuseum Haltern", "mode": "walk",
                                       "submit": "1"})
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "Schon der Weg vom Start zum Ziel" in page.text


@pytest.mark.parametrize(("given", "category"), [("halde", "Panorama"), ("museum", "Museum"),
                                                 ("Industrial heritage", "Industriekultur")])
def test_web_plan_form_keeps_an_interest_given_by_another_name_as_its_category(client: TestClient, given: str,
                                                                              category: str) -> None:
    # the plan was made for the alias, but no box was ticked: "Make a plan" again planned every category
    page = client.get("/plan", params={"start": "db-stations:8000098", "date": "2026-06-06", "interest": given,
                                       "submit": "1", "lang": "en"})
    assert page.status_code == 200, page.text
    assert f'name="interest" value="{category}" checked' in page.text
    share = re.search(r'<a href="(/plan\?[^"]+)" rel="nofollow">', page.text)
    assert share is not None and f"interest={category}&amp;w_{category}=1" in share.group(1)


def test_web_plan_names_a_category_that_is_no_sight_in_the_pages_language(client: TestClient) -> None:
    query = {"start": "db-stations:8000098", "date": "2026-06-06", "interest": "Transport", "submit": "1"}
    english = client.get("/plan", params={**query, "lang": "en"})
    assert english.status_code == 422 and "not_a_sight" in english.text
    assert "Transport" in english.text.split('role="alert"')[1] and "Verkehr" not in english.text
    german = client.get("/plan", params=query).text
    assert "Verkehr" in german.split('role="alert"')[1]


def test_web_plan_a_weight_outside_0_to_1_is_bad_weight_naming_the_interest(client: TestClient) -> None:
    query = {"start": "db-stations:8000098", "date": "2026-06-06", "interest": "Museum", "w_Museum": "2",
             "submit": "1"}
    german = client.get("/plan", params=query)
    assert german.status_code == 422 and "bad_weight" in german.text and "invalid_request" not in german.text
    assert "Das Gewicht für „Museum“ ist ungültig" in german.text
    english = client.get("/plan", params={**query, "interest": "Industriekultur", "w_Industriekultur": "-1",
                                          "lang": "en"}).text
    assert "The weight for “Industrial heritage” is not valid" in english


def test_api_plans_an_empty_date_is_a_bad_date_not_today(client: TestClient) -> None:
    response = client.post("/api/v1/plans", json={**ISSUE, "date": ""})
    assert response.status_code == 422
    body = response.json()
    assert (body["reason"], body["parameter"]) == ("bad_date", "date")
    # the web form's empty date field still means the day the form proposes
    page = client.get("/plan", params={"start": "db-stations:8000098", "date": "", "interest": "Museum",
                                       "submit": "1"})
    assert page.status_code == 200, page.text
