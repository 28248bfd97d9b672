"""/api/v1/places and /api/v1/events: filters, cursor paging, formats, languages, errors, HTTP hygiene."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from datenhub import hub
from datenhub.publish.dcat import OTHER_OPEN
from datenhub.store import Store, open_store
from tests.api.demo_app import client, demo_store
from tests.store.helpers import write_csv


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return demo_store(tmp_path_factory.mktemp("api"))


@pytest.fixture(scope="module")
def api(store: Store) -> TestClient:
    return client(store)


def test_places_paging_with_cursor_covers_all_once(api: TestClient, store: Store) -> None:
    ids, url = [], "/api/v1/places?limit=50"
    while url:
        body = api.get(url).json()
        ids += [i["id"] for i in body["items"]]
        url = body["links"].get("next")
    assert len(ids) == len(set(ids)) == store.counts()["places"] >= 150


def test_places_filters_combine(api: TestClient) -> None:
    items = api.get("/api/v1/places", params={"category": "Museum", "municipality": "Bochum",
                                              "limit": 100}).json()["items"]
    assert items and all(i["municipality"]["ags"] == "05911000" and "Museum" in i["categories"] for i in items)


def test_places_near_sorted_with_distance(api: TestClient) -> None:
    items = api.get("/api/v1/places", params={"near": "51.4513,7.0138", "radius": 2000}).json()["items"]
    distances = [i["distance_m"] for i in items]
    assert distances == sorted(distances) and distances[-1] <= 2000
    assert items[0]["name"]["de"] == "Essen Hauptbahnhof" or "Essen" in items[0]["name"]["de"]


@pytest.mark.parametrize("near", ["51.45361,6.82822", "51.65429,6.63633"])
def test_a_radius_and_the_order_by_distance_agree_with_the_distance_shown(api: TestClient, near: str) -> None:
    every: list[dict] = []
    url: str | None = f"/api/v1/places?near={near}&limit=1000"
    while url:
        body = api.get(url).json()
        every += body["items"]
        url = body["links"].get("next")
    distances = [item["distance_m"] for item in every]
    assert distances == sorted(distances)
    within = api.get(f"/api/v1/places?near={near}&radius=60000&limit=1000").json()["items"]
    assert [i["id"] for i in within] == [i["id"] for i in every if i["distance_m"] <= 60000]


def test_places_open_now_hook_filters(api: TestClient) -> None:
    open_now = api.get("/api/v1/places", params={"open_now": "true", "limit": 1000}).json()["items"]
    assert open_now and all(i["open_state"]["state"] == "open" for i in open_now)


def test_an_unknown_parameter_is_a_400_naming_the_one_meant(api: TestClient) -> None:
    typo = api.get("/api/v1/places", params={"mucipality": "Essen"})
    assert typo.status_code == 400 and typo.json()["parameter"] == "mucipality"
    assert "did you mean 'municipality'" in typo.json()["detail"]
    assert api.get("/api/v1/events", params={"form": "2026-01-01"}).json()["detail"].count("'from'") == 1
    place_id = api.get("/api/v1/places", params={"limit": 1}).json()["items"][0]["id"]
    assert api.get(f"/api/v1/places/{place_id}", params={"language": "en"}).status_code == 400
    # a cache buster, and every parameter the list documents, still answer
    assert api.get("/api/v1/places", params={"_": "1700000000", "open_now": "true", "lang": "en"}).status_code == 200
    assert api.get(f"/api/v1/places/{place_id}", params={"_": "1", "fields": "name"}).status_code == 200


@pytest.mark.parametrize("param", [{"open_at": "2026-12-05T20:00"}, {"open_now": "true"}, {"wheelchair": "no"}])
def test_a_filter_of_places_on_events_is_a_400(api: TestClient, param: dict[str, str]) -> None:
    response = api.get("/api/v1/events", params=param)
    assert response.status_code == 400 and response.json()["parameter"] == next(iter(param))
    assert "from and to" in response.json()["detail"]


def test_every_api_resource_names_a_parameter_it_does_not_take(api: TestClient) -> None:
    place_id = api.get("/api/v1/places", params={"limit": 1}).json()["items"][0]["id"]
    for url, wrong in ((f"/api/v1/places/{place_id}/hours", "wek"), ("/api/v1/municipalities", "foo"),
                       ("/api/v1/sources", "f")):
        response = api.get(url, params={wrong: "1"})
        assert response.status_code == 400 and response.json()["parameter"] == wrong, url
    assert "did you mean 'week'" in api.get(f"/api/v1/places/{place_id}/hours", params={"wek": "1"}).json()["detail"]
    assert api.get(f"/api/v1/places/{place_id}/hours", params={"week": "2026-06-01"}).status_code == 200


def test_an_unknown_source_is_a_400_naming_the_known_ones(api: TestClient) -> None:
    response = api.get("/api/v1/places", params={"source": "nope"})
    assert response.status_code == 400 and response.json()["parameter"] == "source"
    assert "'nope'" in response.json()["detail"] and "known:" in response.json()["detail"]
    name = api.get("/api/v1/sources").json()["items"][0]["name"]
    assert api.get("/api/v1/places", params={"source": name}).status_code == 200


def test_a_source_of_closed_records_alone_is_unknown_to_anonymous_readers(tmp_path: Path) -> None:
    from datenhub.auth import create_key
    from tests.store.helpers import CLOSED_ZOLLVEREIN

    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    hub.import_file(store, write_csv(tmp_path / "open.csv"), "test")
    hub.import_file(store, write_csv(tmp_path / "intern.csv", [CLOSED_ZOLLVEREIN]), "intern")
    api = client(store)
    for name in ("intern", "nope"):  # the same answer as for a name nothing is imported under
        response = api.get("/api/v1/places", params={"source": name})
        assert response.status_code == 400 and "intern" not in response.json()["detail"].replace(f"'{name}'", "")
    key = {"Authorization": f"Bearer {create_key(store, 'partner', ['closed:read'])}"}
    assert api.get("/api/v1/places", params={"source": "intern"}, headers=key).json()["items"]
    # a place of closed records alone: its hours as its page shows them, to key holders only
    assert api.get("/api/v1/places/intern:z1/hours").status_code == 404
    assert api.get("/api/v1/places/intern:z1/hours", headers=key).json()["id"] == \
        api.get("/api/v1/places/intern:z1", headers=key).json()["id"]
    assert "intern" in api.get("/api/v1/places", params={"source": "nope"}, headers=key).json()["detail"]
    # and spoken to key holders only
    assert api.get("/api/v1/places/intern:z1/speech").status_code == 404
    assert api.get("/api/v1/places/intern:z1/speech", headers=key).json()["licence"] == "closed"


def test_a_place_is_spoken_for_voice_assistants_with_its_licence_and_credit(api: TestClient) -> None:
    spoken = api.get("/api/v1/places/db-stations:8000098/speech", params={"lang": "en"}).json()
    assert spoken["text"].startswith("Essen Central Station.") and spoken["lang"] == "en"
    assert spoken["ssml"].startswith('<speak xml:lang="en-GB"><s>') and len(spoken["sentences"]) >= 2
    assert spoken["licence"] == "CC-BY-4.0" and "Deutsche Bahn" in spoken["attribution"]
    assert api.get("/api/v1/places/db-stations:8000098/speech").json()["text"].startswith("Essen Hauptbahnhof")
    by_header = api.get("/api/v1/places/db-stations:8000098/speech", headers={"Accept-Language": "en-GB,de;q=0.5"})
    assert by_header.json()["lang"] == "en"
    wrong = api.get("/api/v1/places/db-stations:8000098/speech", params={"lang": "fr"})
    assert wrong.status_code == 400 and wrong.json()["parameter"] == "lang"
    assert api.get("/api/v1/places/nowhere:1/speech").status_code == 404
    # occupancy is the sensors' data: their source and licence come beside the place's, a car park as a car park
    zollverein = api.get("/api/v1/places/ruhr-demo:zeche-zollverein/speech").json()
    assert any("Prozent der Kapazität. Die Werte sind simuliert." in s for s in zollverein["sentences"])
    assert zollverein["occupancy_sources"] == ["ruhr-demo-simulated (CC0-1.0)"]
    park = api.get("/api/v1/places?q=landschaftspark&limit=1").json()["items"][0]["id"]
    assert any(s.startswith("Parkplatz gerade zu etwa") for s in api.get(f"/api/v1/places/{park}/speech").json()[
        "sentences"])
    assert api.get("/api/v1/places/db-stations:8000098/speech", headers={"Accept": "text/csv"}).status_code == 406


@pytest.mark.parametrize("repeated", ["fields=name&fields=geo", "f=json&f=csv", "open_now=true&open_now=false",
                                      "lang=en&lang=nl", "municipality=Essen&municipality=Bochum"])
def test_a_parameter_given_twice_with_different_values_is_a_400(api: TestClient, repeated: str) -> None:
    name = repeated.split("=")[0]
    response = api.get(f"/api/v1/places?{repeated}")
    assert response.status_code == 400 and response.json()["parameter"] == name, response.text
    if name in ("fields", "lang", "f"):
        place_id = api.get("/api/v1/places?limit=1").json()["items"][0]["id"]
        assert api.get(f"/api/v1/places/{place_id}?{repeated}").status_code == 400
    assert api.get(f"/api/v1/places?{repeated.split('&')[0]}&{repeated.split('&')[0]}").status_code == 200
    assert api.get("/api/v1/places?category=Museum&category=Park").status_code == 200  # any of them


@pytest.mark.parametrize("path", ["/api/v1/sources", "/ogc/collections/places/items", "/ogc/collections",
                                  "/api/v1/places/ruhr-demo:villa-huegel/hours"])
def test_a_json_only_resource_answers_406_to_an_accept_without_json(api: TestClient, path: str) -> None:
    for accept in ("application/xml", "image/*", "application/json;q=0", "application/json;q=0, */*"):
        assert api.get(path, headers={"Accept": accept}).status_code == 406, accept
    for accept in ("application/json", "*/*", "text/html,application/xhtml+xml,*/*;q=0.8", "application/geo+json"):
        assert api.get(path, headers={"Accept": accept}).status_code == 200, accept


def test_one_place_as_geojson_is_a_feature(api: TestClient) -> None:
    place_id = api.get("/api/v1/places", params={"q": "zollverein", "limit": 1}).json()["items"][0]["id"]
    for response in (api.get(f"/api/v1/places/{place_id}", params={"f": "geojson"}),
                     api.get(f"/api/v1/places/{place_id}", headers={"Accept": "application/geo+json"})):
        assert response.headers["content-type"].startswith("application/geo+json")
        feature = response.json()
        assert feature["type"] == "Feature" and feature["id"] == place_id
        assert feature["geometry"]["type"] == "Point" and "name" in feature["properties"]
    same = api.get(f"/ogc/collections/places/items/{place_id}").json()
    assert {k: same[k] for k in ("type", "id", "geometry")} == {k: feature[k] for k in ("type", "id", "geometry")}


def test_places_formats_geojson_csv_by_f_and_accept(api: TestClient) -> None:
    geo = api.get("/api/v1/places", params={"q": "zeche", "f": "geojson"})
    assert geo.headers["content-type"].startswith("application/geo+json")
    assert geo.json()["type"] == "FeatureCollection" and geo.json()["features"]
    by_accept = api.get("/api/v1/places", params={"q": "zeche"}, headers={"Accept": "text/csv"})
    rows = list(csv.DictReader(io.StringIO(by_accept.text)))
    assert rows and all(r["licence"] for r in rows)


def test_places_lang_and_fields(api: TestClient) -> None:
    items = api.get("/api/v1/places", params={"q": "zollverein", "lang": "en", "fields": "name"}).json()["items"]
    # what an entity is and its licence travel with any projection
    assert all(set(i) <= {"id", "name", "open_state", "distance_m", "kind", "type", "licence", "attribution"}
               for i in items)
    assert "Zollverein UNESCO World Heritage Site" in [i["name"] for i in items]
    for spelled in ("EN", "en-GB"):  # as Accept-Language spells languages
        again = api.get("/api/v1/places", params={"q": "zollverein", "lang": spelled, "fields": "name"}).json()
        assert again["items"] == items, spelled
    assert api.get("/api/v1/places", params={"lang": "fr"}).status_code == 400


def test_place_detail_by_record_and_hub_id(api: TestClient) -> None:
    by_record = api.get("/api/v1/places/ruhr-demo:zeche-zollverein").json()
    assert api.get(f"/api/v1/places/{by_record['id']}").json()["id"] == by_record["id"]
    assert by_record["municipality"]["name"] == "Essen" and by_record["licence"] == "CC0-1.0"


def test_place_hours_weekly_table(api: TestClient) -> None:
    body = api.get("/api/v1/places/ruhr-demo:villa-huegel/hours", params={"week": "2026-06-01"}).json()
    assert body["week"][0]["date"] == "2026-06-01" and len(body["week"]) == 7
    assert body["week"][0]["ranges"] == [] and body["week"][1]["ranges"][0]["from"] == "10:00"


@pytest.mark.parametrize(("params", "parameter"), [
    ({"bbox": "1,2"}, "bbox"), ({"near": "x"}, "near"), ({"radius": "5"}, "radius"), ({"limit": "0"}, "limit"),
    ({"sort": "distance"}, "sort"), ({"f": "xml"}, "f"), ({"lang": "fr"}, "lang"), ({"cursor": "???"}, "cursor"),
    ({"municipality": "Paris"}, "municipality"), ({"changed_since": "gestern"}, "changed_since"),
    ({"limit": "1001"}, "limit"), ({"open_now": "perhaps"}, "open_now"),
    ({"radius": "abc", "near": "51.5,7"}, "radius"),
    # dates outside the years the hub answers for once overflowed Python's datetime (500)
    ({"changed_since": "0001-01-01"}, "changed_since"), ({"open_at": "9999-12-31T23:00:00"}, "open_at"),
    ({"sort": "start"}, "sort"), ({"from": "2026-01-01"}, "from"), ({"category": "Nope"}, "category"),
])
def test_places_bad_parameter_problem_json_names_it(api: TestClient, params: dict[str, str], parameter: str) -> None:
    response = api.get("/api/v1/places", params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["parameter"] == parameter


@pytest.mark.parametrize(("path", "params", "parameter"), [
    ("/api/v1/events", {"from": "0001-01-01"}, "from"), ("/api/v1/events", {"to": "9999-12-31"}, "to"),
    ("/api/v1/events", {"from": "2026-06-02", "to": "2026-06-01"}, "to"),
    ("/ogc/collections/events/items", {"datetime": "../0001-01-01"}, "datetime"),
    ("/ogc/collections/places/items", {"datetime": "9999-12-31"}, "datetime"),
    ("/api/v1/places/dh-ws4xh6l6bf3d/hours", {"week": "9999-12-27"}, "week"),
])
def test_dates_out_of_range_are_400_not_500(api: TestClient, path: str, params: dict[str, str],
                                             parameter: str) -> None:
    if path.endswith("/hours"):
        path = path.replace("dh-ws4xh6l6bf3d", api.get("/api/v1/places?limit=1").json()["items"][0]["id"])
    response = api.get(path, params=params)
    assert response.status_code == 400, response.text
    assert response.json()["parameter"] == parameter


def test_jsonld_lists_and_exports_link_to_this_server(api: TestClient) -> None:
    listed = api.get("/api/v1/places?f=jsonld&limit=5").json()["@graph"]
    exported = api.get("/api/v1/exports/datenhub-ruhr.jsonld").json()["@graph"]
    single = api.get(f"/api/v1/places/{listed[0]['@id'].rsplit('/', 1)[1]}?f=jsonld").json()
    assert single["@id"] == listed[0]["@id"]
    assert all(n["@id"].startswith("http://testserver/") for n in listed + exported)


def test_a_category_matches_in_any_case_or_by_alias(api: TestClient) -> None:
    def ids(category: str) -> list[str]:
        found = api.get("/api/v1/places", params={"category": category, "limit": 1000}).json()["items"]
        return [i["id"] for i in found]

    museums = ids("Museum")
    assert museums and ids("museum") == museums == ids("MUSEUM")


def test_a_type_matches_in_any_case_and_an_unknown_one_is_a_400(api: TestClient) -> None:
    def ids(value: str) -> list[str]:
        found = api.get("/api/v1/places", params={"type": value, "limit": 1000}).json()["items"]
        return [i["id"] for i in found]

    stations = ids("TrainStation")
    assert stations and ids("trainstation") == ids("schema:TrainStation") == stations
    wrong = api.get("/api/v1/places", params={"type": "Musem"})
    assert wrong.status_code == 400 and wrong.json()["parameter"] == "type"
    assert "did you mean Museum" in wrong.json()["detail"]
    other = api.get("/api/v1/places", params={"type": "Festival"})  # schema.org, but an event's type
    assert other.status_code == 400 and "not a schema.org type of place" in other.json()["detail"]
    assert api.get("/api/v1/events", params={"type": "festival"}).status_code == 200


def test_a_municipality_by_the_first_words_of_its_name_and_never_two_silently(api: TestClient) -> None:
    def count(**params: str) -> int:
        return len(api.get("/api/v1/places", params={**params, "limit": 1000}).json()["items"])

    assert count(municipality="Mülheim") == count(municipality="Mülheim an der Ruhr") > 0
    # umlauts written out in ASCII (ue, oe, ae, ss), as on keyboards without them
    assert count(municipality="Muelheim") == count(municipality="Mülheim an der Ruhr")
    assert count(municipality="Muelheim an der Ruhr") == count(municipality="muelheim an der ruhr") > 0
    assert count(municipality="Boenen") == count(municipality="Bönen")
    # words, whatever stands between them: Castrop-Rauxel, Wetter (Ruhr), Fröndenberg/Ruhr
    for short, official in (("Castrop", "Castrop-Rauxel"), ("Wetter Ruhr", "Wetter (Ruhr)"),
                            ("Fröndenberg", "Fröndenberg/Ruhr")):
        answer = api.get("/api/v1/places", params={"municipality": short})
        assert answer.status_code == 200 and count(municipality=short) == count(municipality=official), short
    twice = api.get("/api/v1/places?municipality=Essen&municipality=Bochum")
    assert twice.status_code == 400 and twice.json()["parameter"] == "municipality"
    assert api.get("/api/v1/places?municipality=Essen&municipality=Essen").status_code == 200  # the same twice
    assert count(category="Museum") < len(api.get("/api/v1/places?category=Museum&category=Zoo&limit=1000")
                                          .json()["items"])  # several categories: any of them


def test_a_cursor_belongs_to_its_listing(api: TestClient) -> None:
    by_name = api.get("/api/v1/places?limit=2").json()["next_cursor"]
    assert api.get(f"/api/v1/places?limit=2&cursor={by_name}").status_code == 200
    for other in ("sort=changed", "q=zeche", "near=51.45,7.01", "sort=distance&near=51.45,7.01"):
        response = api.get(f"/api/v1/places?limit=2&{other}&cursor={by_name}")
        assert response.status_code == 400 and response.json()["parameter"] == "cursor", other
    assert api.get(f"/api/v1/events?cursor={by_name}").status_code == 400
    near = api.get("/api/v1/places?limit=2&near=51.45,7.01").json()["next_cursor"]
    assert api.get(f"/api/v1/places?limit=2&near=51.46,7.01&cursor={near}").status_code == 400  # another point
    museum = api.get("/api/v1/places?limit=2&q=museum").json()["next_cursor"]
    assert api.get(f"/api/v1/places?limit=2&q=MUSEUM&cursor={museum}").status_code == 200  # the same words
    assert api.get(f"/api/v1/places?limit=2&q=ruhr&cursor={museum}").status_code == 400  # ranks of other words
    forged = "WzEsMl0"  # [1, 2]
    assert api.get(f"/api/v1/places?cursor={forged}").status_code == 400


def test_head_answers_every_read_like_get_without_a_body(api: TestClient) -> None:
    for url in ("/api/v1/places?limit=3", "/api/v1/sources", "/api/v1/categories", "/ready", "/health",
                "/ogc/collections/places/items?limit=2"):
        got, head = api.get(url), api.head(url)
        assert head.status_code == got.status_code == 200, url
        assert head.content == b"" and head.headers["etag"] == got.headers["etag"], url
        assert head.headers["content-type"] == got.headers["content-type"], url
    # a streamed answer (an export; server-sent events never end) stops once the headers are out
    export = api.head("/api/v1/exports/datenhub-ruhr.jsonl")
    assert export.status_code == 200 and export.content == b"" and "jsonl" in export.headers["content-disposition"]
    stream = api.head("/api/v1/occupancy/stream?heartbeat=0.05")
    assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
    wrong = api.delete("/api/v1/categories")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "GET, HEAD"
    patched = api.patch("/api/v1/places")  # a path of a GET and a POST route: both are allowed
    assert patched.status_code == 405 and patched.headers["allow"] == "GET, HEAD, POST"


def test_conditional_get_weak_comparison_star_and_vary(api: TestClient) -> None:
    first = api.get("/api/v1/places?limit=5", headers={"Accept-Encoding": "identity"})
    etag = first.headers["etag"]  # a strong one: these bytes as they are
    assert {"Accept", "Accept-Language"} <= {v.strip() for v in first.headers["vary"].split(",")}
    for condition in (etag, f'W/{etag}', f'"nope", W/{etag}', "*"):
        again = api.get("/api/v1/places?limit=5", headers={"If-None-Match": condition})
        assert again.status_code == 304, condition
        assert {"Accept", "Accept-Language", "Accept-Encoding"} <= {
            v.strip() for v in again.headers["vary"].split(",")}
    assert api.get("/api/v1/places?limit=5", headers={"If-None-Match": '"nope"'}).status_code == 200
    # the gzip form is other bytes: its ETag is the weak form of the plain one, and either gets a 304
    zipped = api.get("/api/v1/places?limit=100", headers={"Accept-Encoding": "gzip"})
    plain = api.get("/api/v1/places?limit=100", headers={"Accept-Encoding": "identity"})
    assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert zipped.headers["etag"] == "W/" + plain.headers["etag"]
    for tag in (zipped.headers["etag"], plain.headers["etag"]):
        assert api.get("/api/v1/places?limit=100", headers={"If-None-Match": tag}).status_code == 304


@pytest.mark.parametrize(("accept", "expected"), [
    ("application/geo+json;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
    ("application/json;q=0, text/csv", "text/csv"),
    ("text/csv;q=0.1, application/geo+json", "application/geo+json"),
])
def test_accept_quality_values_decide_the_format(api: TestClient, accept: str, expected: str) -> None:
    response = api.get("/api/v1/places?limit=2", headers={"Accept": accept})
    assert response.headers["content-type"].startswith(expected)


def test_accept_language_quality_values(api: TestClient) -> None:
    item = api.get("/api/v1/places?limit=1", headers={"Accept-Language": "en;q=0, de"}).json()["items"][0]
    assert isinstance(item["name"], str)
    german = api.get("/api/v1/places?limit=1&lang=de").json()["items"][0]
    assert item["name"] == german["name"]


def test_an_unexpected_error_is_a_logged_problem_500(store: Store, monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    api = client(store)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(type(store), "list_sources", broken)
    with caplog.at_level("ERROR", logger="datenhub.api"):
        response = api.get("/api/v1/sources")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    request_id = response.headers["x-request-id"]
    assert request_id in response.json()["detail"]
    assert any(request_id in r.getMessage() and r.exc_info for r in caplog.records)


def test_unknown_place_404_problem(api: TestClient) -> None:
    response = api.get("/api/v1/places/dh-aaaaaaaaaaaa")
    assert response.status_code == 404 and response.json()["status"] == 404


def test_etag_304_gzip_cors_request_id(api: TestClient) -> None:
    first = api.get("/api/v1/places?limit=100", headers={"Origin": "https://partner.example"})
    assert first.headers["content-encoding"] == "gzip" and first.headers["access-control-allow-origin"] == "*"
    assert first.headers["x-request-id"]
    again = api.get("/api/v1/places?limit=100", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_a_browser_app_may_read_with_its_api_key(api: TestClient) -> None:
    for header in ("Authorization", "X-API-Key"):
        preflight = api.options("/api/v1/places", headers={
            "Origin": "https://partner.example", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": header.lower()})
        assert preflight.status_code == 200, preflight.text
        assert header.lower() in preflight.headers["access-control-allow-headers"].lower()
    write = api.options("/api/v1/places", headers={"Origin": "https://partner.example",
                                                   "Access-Control-Request-Method": "DELETE"})
    assert write.status_code == 400  # reads only: writes come from servers, not from other sites' pages


def test_a_browser_app_may_send_its_request_id_and_trace_context(api: TestClient) -> None:
    """The server takes an incoming X-Request-ID (and, with OpenTelemetry on, traceparent): a preflight naming them
    was refused, and with it the browser's whole request."""
    preflight = api.options("/api/v1/places", headers={
        "Origin": "https://partner.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-request-id, traceparent, tracestate"})
    assert preflight.status_code == 200, preflight.text
    read = api.get("/api/v1/places?limit=1", headers={"Origin": "https://partner.example",
                                                      "X-Request-ID": "app-1234"})
    assert read.headers["x-request-id"] == "app-1234"


def test_delta_feed_changed_since_uses_cursor(api: TestClient) -> None:
    page = api.get("/api/v1/places", params={"changed_since": "2020-01-01T00:00:00Z", "limit": 100}).json()
    assert len(page["items"]) == 100 and page["next_cursor"]


def test_categories_and_municipalities(api: TestClient) -> None:
    assert len(api.get("/api/v1/municipalities").json()["items"]) == 53
    assert "Industriekultur" in [c["id"] for c in api.get("/api/v1/categories").json()["items"]]


def test_sources_list_licences(api: TestClient) -> None:
    sources = {s["name"]: s for s in api.get("/api/v1/sources").json()["items"]}
    assert sources["ruhr-demo"]["licence"] == "CC0-1.0" and sources["db-stations"]["licence"] == "CC-BY-4.0"
    # what the records carry, beside what the imports declared
    carried = sources["ruhr-demo"]["stats"]["licences"]
    assert sum(carried.values()) == sources["ruhr-demo"]["stats"]["active"] > 0  # every active record, once
    assert max(carried, key=carried.get) == "CC0-1.0" and len(carried) > 1  # some demo rows carry CC BY


def test_events_empty_ical_ok(api: TestClient, tmp_path: Path) -> None:
    response = api.get("/api/v1/events", params={"from": "2026-01-01"})
    assert response.status_code == 200 and response.json()["items"] == []


def test_place_detail_carries_occupancy_when_sensors_exist(api: TestClient) -> None:
    with_sensor = api.get("/api/v1/places/ruhr-demo:zeche-zollverein").json()
    assert with_sensor["occupancy"]["status"] in ("frei", "mäßig", "voll")
    assert with_sensor["occupancy"]["simulated"] is True
    assert "occupancy" not in api.get("/api/v1/places/ruhr-demo:villa-huegel").json()


def test_ready_and_database_loss_gives_503_then_recovers(tmp_path: Path) -> None:
    import shutil

    from tests.api.demo_app import client, demo_store

    store = demo_store(tmp_path)
    api = client(store)
    assert api.get("/ready").json() == {"status": "ready"}  # the data version moves with closed data too
    from datenhub.auth import create_key

    key = create_key(store, "ops", ["closed:read"])
    assert api.get("/ready", headers={"Authorization": f"Bearer {key}"}).json()["data_version"]
    db_file = tmp_path / "demo.db"
    moved = tmp_path / "elsewhere.db"
    store.close()
    shutil.move(db_file, moved)  # the database disappears under a running server
    (tmp_path / "demo.db").mkdir()  # and something unusable takes its place
    lost = api.get("/api/v1/places")
    assert lost.status_code == 503 and lost.headers["retry-after"] == "5"
    assert api.get("/ready").status_code == 503
    (tmp_path / "demo.db").rmdir()
    shutil.move(moved, db_file)
    assert api.get("/api/v1/places").status_code == 200  # recovered without a restart


def test_a_misspelled_search_answers_for_the_corrected_words_and_says_so(api: TestClient) -> None:
    for params in ({"q": "Zolverein"}, {"q": "Zolverein", "fields": "name"}):  # the fast path and the general one
        body = api.get("/api/v1/places", params=params).json()
        assert body["corrected_q"] == "Zollverein"
        assert any("Zollverein" in str(item["name"]) for item in body["items"])
    assert "corrected_q" not in api.get("/api/v1/places", params={"q": "Zollverein"}).json()
    page = api.get("/", params={"q": "Zolverein"}).text
    assert "Ergebnisse für „Zollverein“" in page and "Zollverein" in page
    swapped = api.get("/api/v1/places", params={"q": "Dusiburg"}).json()  # two letters swapped: one slip
    assert swapped["corrected_q"] == "Duisburg" and swapped["items"]


@pytest.mark.parametrize("url", ["/api/v1/places?f=csv&limit=3&lang=en", "/api/v1/events?f=csv&lang=en",
                                 "/api/v1/places/ruhr-demo:zeche-zollverein?f=csv&lang=en"])
def test_csv_keeps_every_language_whatever_language_is_asked(api: TestClient, url: str) -> None:
    response = api.get(url, headers={"Accept-Language": "de-DE,de;q=0.9"})  # what every browser sends
    assert response.status_code == 200, response.text
    header, *rows = list(csv.reader(io.StringIO(response.text)))
    assert {"name_de", "name_en", "name_nl"} <= set(header)
    if "zollverein" in url:
        assert dict(zip(header, rows[0], strict=True))["name_de"].startswith("UNESCO-Welterbe Zollverein")


def test_fields_keep_what_an_entity_is_and_its_licence(api: TestClient) -> None:
    item = api.get("/api/v1/places/db-stations:8000098", params={"fields": "name"}).json()
    assert set(item) == {"id", "kind", "type", "licence", "attribution", "name"} and item["licence"] == "CC-BY-4.0"
    linked = api.get("/api/v1/places/db-stations:8000098", params={"fields": "name", "f": "jsonld"}).json()
    assert (linked["@type"], linked["license"].endswith("by/4.0/"), bool(linked["creditText"])) == (
        "TrainStation", True, True)
    # GeoJSON's geometry is no property: fields= leaves it on the map
    features = api.get("/api/v1/places", params={"q": "zollverein", "f": "geojson", "fields": "name"}).json()
    assert features["features"] and all(f["geometry"] for f in features["features"])
    assert all("geo" not in f["properties"] for f in features["features"])


@pytest.mark.parametrize("url", ["/api/v1/places?fields=nonsense", "/api/v1/places?fields=name,nonsense&q=xyzxyz",
                                 "/api/v1/places/ruhr-demo:zeche-zollverein?fields=nonsense"])
def test_an_unknown_field_is_a_400_naming_it(api: TestClient, url: str) -> None:
    response = api.get(url)
    assert response.status_code == 400 and response.json()["parameter"] == "fields"
    assert "nonsense" in response.json()["detail"]


def test_an_overlong_target_is_a_414_with_a_request_id(api: TestClient) -> None:
    response = api.get("/api/v1/places?q=" + "a" * 9000, headers={"X-Request-ID": "probe-414"})
    assert (response.status_code, response.headers["x-request-id"]) == (414, "probe-414")
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("accept", ["application/xml", "application/json;q=0", "text/html", "image/*"])
def test_a_list_in_no_accepted_format_is_a_406(api: TestClient, accept: str) -> None:
    response = api.get("/api/v1/places?limit=1", headers={"Accept": accept})
    assert response.status_code == 406 and response.headers["content-type"] == "application/problem+json"
    assert "application/geo+json" in response.json()["detail"]


def test_a_range_of_media_types_gets_a_format_within_it(api: TestClient) -> None:
    assert api.get("/api/v1/places?limit=1", headers={"Accept": "text/*"}).headers["content-type"].startswith(
        "text/csv")
    assert api.get("/api/v1/events?limit=1", headers={"Accept": "text/calendar, text/*;q=0.5"}).headers[
        "content-type"].startswith("text/calendar")


@pytest.mark.parametrize("accept", ["", "*/*", "text/html,application/xhtml+xml,*/*;q=0.8", "application/*"])
def test_a_list_for_any_client_is_json(api: TestClient, accept: str) -> None:
    response = api.get("/api/v1/places?limit=1", headers={"Accept": accept})
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")


def test_every_dataset_of_the_catalogue_resolves(api: TestClient) -> None:
    catalogue = api.get("/catalog").json()
    datasets = catalogue["@graph"][0]["dcat:dataset"]
    assert datasets
    for listed in datasets:
        path = "/" + listed["@id"].split("/", 3)[3]  # the IRI on this server
        response = api.get(path)
        assert response.status_code == 200 and response.headers["content-type"] == "application/ld+json", path
        node = response.json()
        assert node["@id"] == listed["@id"] and node["dcat:distribution"] == listed["dcat:distribution"]
        assert node["@context"] == catalogue["@context"]
    assert api.get("/datasets/nope").status_code == 404


def test_the_catalogue_lists_a_source_by_the_licences_of_its_rows(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    hub.import_file(store, write_csv(tmp_path / "rows.csv"), "stadt-test")  # each row its licence, none declared
    datasets = {d["dct:identifier"]: d for d in client(store).get("/catalog").json()["@graph"][0]["dcat:dataset"]}
    assert datasets["stadt-test"]["dcat:distribution"][0]["dct:license"] == {"@id": OTHER_OPEN}
    assert "each record carrying its own" in datasets["stadt-test"]["dct:description"]


def test_a_parameter_on_a_resource_that_takes_none_says_so(api: TestClient) -> None:
    answer = api.get("/api/v1/sources", params={"limit": 2})
    assert answer.status_code == 400 and "this resource takes no parameters" in answer.json()["detail"]


def test_a_record_id_with_a_slash_reaches_every_route_of_its_place(tmp_path: Path) -> None:
    # OSM's record ids are "osm:node/1": the routes take the rest of the path, sub-routes first
    from datenhub.auth import create_key

    store = open_store(f"sqlite:///{tmp_path / 'osm.db'}")
    (tmp_path / "ruhr.osm").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6"><node id="1" lat="51.4862" lon="7.0406" '
        'version="1"><tag k="tourism" v="museum"/><tag k="name" v="Ruhr Museum"/>'
        '<tag k="opening_hours" v="Mo-Su 10:00-18:00"/></node></osm>\n', encoding="utf-8")
    hub.import_file(store, tmp_path / "ruhr.osm", "osm")
    entity = store.get_entity("osm:node/1")
    assert entity is not None
    api = client(store)
    for url in ("/api/v1/places/osm:node/1", "/api/v1/places/osm%3Anode%2F1", "/api/v1/places/osm:node/1/hours",
                "/places/osm:node/1", "/embed/place/osm:node/1", "/ogc/collections/places/items/osm:node/1"):
        assert api.get(url).status_code == 200, url
    assert api.get("/api/v1/places/osm:node/1").json()["id"] == entity["id"]
    occupancy = api.get("/api/v1/places/osm:node/1/occupancy").json()  # the occupancy route, not the place's
    assert occupancy["place"] == entity["id"] and occupancy["sensors"] == []
    assert api.get("/api/v1/places/osm:node/99").status_code == 404
    for listing, query in (("/api/v1/places/", "?lang=en"), ("/api/v1/events/", "?lang=en"), ("/events/", "")):
        moved = api.get(listing + query, follow_redirects=False)  # a trailing slash: the list, as before
        assert moved.status_code == 307 and moved.headers["location"].endswith(listing.rstrip("/") + query)
    key = create_key(store, "osm", ["source:osm:write"])
    assert api.delete("/api/v1/places/osm:node/1", headers={"Authorization": f"Bearer {key}"}).status_code == 204
    assert store.get_entity("osm:node/1") is None
