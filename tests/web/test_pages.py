"""Server-side tests of the visitor web: status codes, escaping, 404, JSON-LD, hreflang/OG, language switch."""

from __future__ import annotations

import json
import re
from datetime import datetime
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from datenhub import hub
from datenhub.api.app import create_app
from datenhub.auth import create_key
from datenhub.store import Store, open_store
from datenhub.store.text import fold
from tests.web.conftest import XSS, zollverein_id


def _evil_id(store: Store) -> str:
    entity = store.get_entity("xss:evil")
    assert entity is not None
    return str(entity["id"])


def _jsonld(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD script in the page"
    return json.loads(match.group(1))  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", ["/", "/?lang=en", "/?q=zeche", "/?category=Museum&municipality=Essen",
                                  "/?open_now=true&wheelchair=yes", "/events", "/events?lang=en",
                                  "/screen?lat=51.4862&lon=7.0406", "/screen/data.json?lat=51.4862&lon=7.0406",
                                  "/widget.js", "/widget/data.json?category=Museum", "/embed/list?municipality=Essen",
                                  "/embed/map?category=Museum", "/map/boundaries.geojson", "/static/web/site.css",
                                  "/static/web/vendor/leaflet/leaflet.js", "/static/web/vendor/leaflet/LICENSE"])
def test_route_known_path_answers_200(web_client: TestClient, path: str) -> None:
    assert web_client.get(path).status_code == 200


def test_place_page_hostile_record_is_escaped_everywhere(web_client: TestClient, web_store: Store) -> None:
    evil = _evil_id(web_store)
    for path in (f"/places/{evil}", "/?q=alert", f"/embed/place/{evil}", "/embed/list?category=Museum&limit=20"):
        html = web_client.get(path).text
        assert XSS not in html, path
        assert "<img src=x" not in html, path
    page = web_client.get(f"/places/{evil}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "javascript:alert(3)" not in page  # not an http(s) link: never an href
    # inside the JSON-LD script the record text cannot close the element, and still parses back to the name
    assert _jsonld(page)["name"] == XSS


@pytest.mark.parametrize("path", ["/palces/dh-x", "/places/", "/event", "/embed/nope"])
def test_a_mistyped_address_shows_the_sites_404_page_to_browsers(web_client: TestClient, path: str) -> None:
    page = web_client.get(path + "?lang=en", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert (page.status_code, page.headers["content-type"].split(";")[0]) == (404, "text/html")
    assert '<html lang="en"' in page.text and 'name="q"' in page.text  # in the visitor's language, with search
    api = web_client.get(path)  # a client that asks for no page still gets problem+json
    assert (api.status_code, api.headers["content-type"]) == (404, "application/problem+json")
    assert web_client.get("/api/v1/nope", headers={"Accept": "text/html"}).headers["content-type"] == (
        "application/problem+json")


def test_place_page_unknown_id_shows_friendly_404(web_client: TestClient) -> None:
    response = web_client.get("/places/does-not-exist")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Seite nicht gefunden" in response.text and 'role="search"' in response.text
    english = web_client.get("/places/does-not-exist?lang=en")
    assert english.status_code == 404 and "Page not found" in english.text


def test_place_page_has_jsonld_hours_stations_and_occupancy_slot(web_client: TestClient, web_store: Store) -> None:
    place = zollverein_id(web_store)
    html = web_client.get(f"/places/{place}").text
    node = _jsonld(html)
    assert node["@context"] == "https://schema.org/" and node["identifier"] == place
    assert node["@id"] == f"http://testserver/places/{place}"
    assert "jetzt geöffnet" in html and '<table class="hours">' in html and "Mittwoch (heute)" in html
    assert "Essen-Zollverein Nord" in html and "927 m" in html
    assert 'data-slot="occupancy"' in html
    assert "CC0-1.0" in html
    # a place without sensors has no occupancy box at all (it said "data coming soon" on every station)
    station = web_client.get("/places/db-stations:8000098").text
    assert 'id="occupancy"' not in station and "Auslastungsdaten folgen" not in station


def test_place_page_has_canonical_hreflang_and_open_graph(web_client: TestClient, web_store: Store) -> None:
    place = zollverein_id(web_store)
    html = web_client.get(f"/places/{place}?lang=en").text
    assert '<html lang="en">' in html
    assert f'<link rel="canonical" href="http://testserver/places/{place}?lang=en">' in html
    assert f'hreflang="de" href="http://testserver/places/{place}"' in html
    assert f'hreflang="en" href="http://testserver/places/{place}?lang=en"' in html
    assert 'hreflang="x-default"' in html
    assert '<meta property="og:title" content="Zollverein UNESCO World Heritage Site">' in html
    assert '<meta property="og:type" content="place">' in html
    assert '<meta property="og:locale" content="en_GB">' in html
    assert "Opening hours" in html and "open now" in html


def test_home_bad_query_shows_readable_message(web_client: TestClient) -> None:
    response = web_client.get("/?municipality=Atlantis")
    assert response.status_code == 400
    assert 'role="alert"' in response.text and "„Atlantis“ kennen wir nicht" in response.text
    assert web_client.get("/?open_now=vielleicht").status_code == 400
    assert web_client.get("/events?from=gestern").status_code == 400
    # a search term given twice is said to be given twice, not to be too long
    twice = unescape(web_client.get("/?q=a&q=b").text)
    assert "„Suchbegriff“ ist mehrfach" in twice and "zu lang" not in twice
    assert "höchstens 500 Zeichen" in unescape(web_client.get("/?q=" + "x" * 600).text)


def test_home_filters_narrow_the_list(web_client: TestClient) -> None:
    html = web_client.get("/?category=Museum&municipality=Essen").text
    names = re.findall(r'class="place-link" href="[^"]+">([^<]+)</a>', html)
    assert "Ruhr Museum" in names and "Aalto-Theater" not in names


def test_events_list_and_page(web_client: TestClient, web_store: Store) -> None:
    html = web_client.get("/events").text
    assert "Fuehrung Uebertage" in html and "ExtraSchicht &lt;i&gt;Nacht&lt;/i&gt;" in html
    event = web_store.search(__import__("datenhub.store", fromlist=["Query"]).Query(kind="event", q="ExtraSchicht"))
    page = web_client.get(f"/events/{event.items[0]['id']}")
    assert page.status_code == 200 and "<i>Nacht" not in page.text
    assert _jsonld(page.text)["@type"]
    assert web_client.get("/events/nope").status_code == 404


def test_an_all_day_event_shows_its_last_day_and_a_cancelled_one_says_so(web_client: TestClient,
                                                                         web_store: Store) -> None:
    from datenhub.store import Query

    market = web_store.search(Query(kind="event", q="Weihnachtsmarkt")).items[0]
    assert (market["end"][:10], market["status"]) == ("2026-12-14", "EventCancelled")  # exclusive, as iCalendar's
    page = web_client.get(f"/events/{market['id']}").text
    assert 'datetime="2026-12-13"' in page and 'datetime="2026-12-14"' not in page
    assert "abgesagt" in page and "cancelled" in web_client.get(f"/events/{market['id']}?lang=en").text
    assert "46047 Oberhausen</dd>" in page  # the town once: the place's own text names it already
    listing = web_client.get("/events?from=2026-12-01").text
    assert re.search(r"Weihnachtsmarkt am Gasometer</a>.*?abgesagt", listing, re.S)
    # the list names its last day too, not the first alone
    assert re.search(r'Weihnachtsmarkt am Gasometer</a>.*?</time> – <time datetime="2026-12-13">.*?, ganztägig',
                     listing, re.S)
    summer = web_client.get("/events?from=2026-06-20&to=2026-06-30").text
    item = re.search(r"ExtraSchicht.*?</li>", summer, re.S)
    assert item and ", ganztägig" in item.group(0) and " – <time" not in item.group(0)  # one day: no range
    one_day = web_store.search(Query(kind="event", q="ExtraSchicht")).items[0]
    assert "</time> – <time" not in web_client.get(f"/events/{one_day['id']}").text  # no end: one day


def test_a_timed_events_end_is_named_with_its_day_when_that_is_another_one(tmp_path: Path) -> None:
    import json

    events = [{"id": "wochenende", "name": "Wochenende", "start": "2026-12-05T10:00:00+01:00",
               "end": "2026-12-07T18:00:00+01:00"},
              {"id": "nacht", "name": "Nacht", "start": "2026-12-05T23:00:00+01:00",
               "end": "2026-12-06T03:00:00+01:00"},
              {"id": "abend", "name": "Abend", "start": "2026-12-05T19:00:00+01:00",
               "end": "2026-12-05T22:00:00+01:00"},
              {"id": "mitternacht", "name": "Mitternacht", "start": "2026-12-05T19:00:00+01:00",
               "end": "2026-12-06T00:00:00+01:00"},
              {"id": "konzert", "name": "Konzert", "start": "2026-12-05T20:00:00+01:00",
               "end": "2026-12-06T01:00:00+01:00"},
              {"id": "rave", "name": "Rave", "start": "2026-12-05T22:00:00+01:00",
               "end": "2026-12-06T09:00:00+01:00"}]
    path = tmp_path / "termine.json"
    path.write_text(json.dumps([{**e, "kind": "event", "licence": "CC0-1.0"} for e in events]), encoding="utf-8")
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    hub.import_file(store, path, "t", adapter="hub-json")
    api = TestClient(create_app(store=store))

    def shown(local_id: str, lang: str = "de") -> str:
        page = api.get(f"/events/t:{local_id}?lang={lang}").text
        dates = re.search(r"<dd><time.*?</dd>", page, re.S)
        assert dates
        return re.sub(r"<[^>]+>", "", dates.group(0)).strip()

    assert shown("wochenende") == "Sa 05.12.2026 10:00 – Mo 07.12.2026 18:00"
    # an evening that runs past midnight is one evening, not two days; a night into the morning is two
    assert shown("nacht") == "Sa 05.12.2026 23:00 – 03:00"
    assert shown("konzert") == "Sa 05.12.2026 20:00 – 01:00"
    assert shown("konzert", "en") == "Sat 2026-12-05 20:00 – 01:00"
    assert shown("rave") == "Sa 05.12.2026 22:00 – So 06.12.2026 09:00"
    assert shown("abend") == "Sa 05.12.2026 19:00 – 22:00"
    assert shown("mitternacht") == "Sa 05.12.2026 19:00 – 24:00"  # not "– 00:00", read as before it began
    assert shown("mitternacht", "en") == "Sat 2026-12-05 19:00 – 24:00"
    listing = api.get("/events?from=2026-12-05&to=2026-12-08").text
    rows = {name: re.sub(r"<[^>]+>", "", row) for name, row in
            re.findall(r'<a href="/events/[^"]+">(\w+)</a>(.*?)</li>', listing, re.S)}
    assert " – " not in rows["Konzert"] and " – " not in rows["Nacht"]  # one evening: its start says it
    assert "Sonntag, 06.12.2026" in rows["Rave"] and "Montag, 07.12.2026" in rows["Wochenende"]
    store.close()


def test_screen_data_lists_open_places_and_todays_events(web_client: TestClient, web_store: Store) -> None:
    data = web_client.get(f"/screen/data.json?place={zollverein_id(web_store)}&radius=1500").json()
    names = [p["name"] for p in data["open"]]
    assert "Ruhr Museum" in names
    assert {"name": "Ruhr Museum", "closes": "bis 18:00"}.items() <= next(
        p for p in data["open"] if p["name"] == "Ruhr Museum").items()
    assert [e["name"] for e in data["events"]] == ["Fuehrung Uebertage"]
    # the demo's simulated counter at Zollverein fills the occupancy slot; departures come with transit
    assert data["occupancy"]["status"] in ("frei", "mäßig", "voll") and data["occupancy"]["simulated"] is True
    assert 0 <= data["occupancy"]["percent"] <= 100 and data["departures"] is None


def test_screen_bad_parameters_are_explained(web_client: TestClient) -> None:
    assert web_client.get("/screen").status_code == 400
    assert "radius" in web_client.get("/screen?lat=51.5&lon=7.2&radius=nah").text
    assert web_client.get("/screen/data.json?lat=999&lon=7").status_code == 400
    assert web_client.get("/screen?place=nope").status_code == 404


def test_widget_data_single_place_and_cors(web_client: TestClient, web_store: Store) -> None:
    response = web_client.get(f"/widget/data.json?place={zollverein_id(web_store)}&lang=en",
                              headers={"Origin": "https://partner.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    item = response.json()["items"][0]
    assert item["name"] == "Zollverein UNESCO World Heritage Site" and item["state"] == "open"
    assert web_client.get("/widget/data.json?limit=500").status_code == 400


def test_static_files_stay_inside_the_static_folder(web_client: TestClient) -> None:
    assert web_client.get("/static/web/%2e%2e/site.py").status_code == 404
    assert web_client.get("/static/web/nothing.js").status_code == 404


def test_home_counts_one_place_in_the_singular(web_client: TestClient) -> None:
    html = web_client.get("/?q=Welterbe").text  # one demo place has the word
    assert "1 Ort gefunden" in html and "1 Orte" not in html
    assert "1 place found" in web_client.get("/?q=Welterbe&lang=en").text


def test_english_pages_write_distances_with_a_decimal_point(web_client: TestClient, web_store: Store) -> None:
    place = zollverein_id(web_store)
    german, english = (web_client.get(f"/places/{place}{suffix}").text for suffix in ("", "?lang=en"))
    assert re.search(r"\d,\d km", german) and not re.search(r"\d,\d km", english)
    assert re.search(r"\d\.\d km", english)


def test_a_search_page_is_titled_with_what_was_asked(web_client: TestClient) -> None:
    assert "<title>zeche · Museum – " in web_client.get("/?q=zeche&category=Museum").text
    assert "<title>DatenHub Ruhr</title>" in web_client.get("/").text  # the start page: the site's name alone

    # two categories list both, and the title names both, not the last one alone
    both = web_client.get("/?category=Museum&category=Park").text
    assert "<title>Museum, Park – " in both
    assert "<title>Museum, Park – " in web_client.get("/?category=Museum,Park").text
    # a misspelt search shows what it was corrected to: the title says so too
    corrected = web_client.get("/?q=Dusiburg").text
    assert "Duisburg" in corrected.split('class="corrected"')[1][:200]
    assert "<title>Duisburg – " in corrected


def test_an_english_search_page_title_names_the_category_in_english(web_client: TestClient) -> None:
    english = web_client.get("/?lang=en&category=Industriekultur&municipality=Essen").text
    assert "<title>Industrial heritage · Essen – DatenHub Ruhr</title>" in english
    assert '<meta property="og:title" content="Industrial heritage · Essen">' in english
    assert "<title>Panorama / slag heap – " in web_client.get("/?lang=en&category=halde").text  # an alias, named
    assert "<title>Industriekultur · Essen – " in web_client.get("/?category=Industriekultur&municipality=Essen").text


def _names(html: str) -> list[str]:
    return [unescape(n) for n in re.findall(r'class="place-link" href="[^"]+">([^<]+)</a>', html)]


@pytest.mark.parametrize("query", ["", "&municipality=Bochum", "&category=Museum"])
def test_home_english_list_is_ordered_by_the_shown_names(web_client: TestClient, query: str) -> None:
    names = _names(web_client.get(f"/?lang=en{query}").text)
    assert len(names) > 5
    assert names == sorted(names, key=fold)  # "German Mining Museum Bochum" under G, not under D(eutsches)
    german = _names(web_client.get(f"/?{query.lstrip('&')}").text)
    assert german == sorted(german, key=fold)


def test_home_relevance_order_is_the_same_in_every_language(web_client: TestClient) -> None:
    ids = [re.findall(r'class="place-item" data-id="([^"]+)"', web_client.get(f"/?q=museum{lang}").text)
           for lang in ("", "&lang=en")]
    assert ids[0] and ids[0] == ids[1]  # a search ranks by relevance; only name-sorted lists follow the language


# the store's English details for API clients; none of them may reach a page
API_WORDS = ("unknown municipality", "unknown category", "expected", "must be", "not a cursor", "ISO 8601")


@pytest.mark.parametrize("path", ["/?municipality=Atlantis", "/?category=nope", "/?open_now=vielleicht",
                                  "/?wheelchair=maybe", "/?cursor=xyz", "/?limit=5000", "/?limit=abc",
                                  "/events?from=gestern", "/events?to=bald"])
def test_bad_query_message_is_in_the_page_language(web_client: TestClient, path: str) -> None:
    joiner = "&" if "?" in path else "?"
    for lang, path_lang, lead in (("de", path, "Die Suche konnte nicht ausgeführt werden:"),
                                  ("en", f"{path}{joiner}lang=en", "The search could not be run:")):
        response = web_client.get(path_lang)
        assert response.status_code == 400, path_lang
        alert = re.search(r'<div class="error" role="alert">(.*?)</div>', response.text, re.S)
        assert alert, path_lang
        message = re.sub(r"<[^>]+>", "", unescape(alert.group(1))).strip()
        assert message.startswith(lead) and len(message) > len(lead) + 10, (lang, message)
        assert not any(w in message for w in API_WORDS), (lang, message)


def test_footer_data_link_leads_to_the_human_data_page(web_client: TestClient) -> None:
    for lang, suffix in (("de", ""), ("en", "?lang=en")):
        footer = re.search(r'<footer class="bottom">(.*?)</footer>', web_client.get(f"/{suffix}").text, re.S)
        assert footer
        href = re.search(r'<a href="([^"]+)">(Daten|Data)</a>', footer.group(1))
        assert href, footer.group(1)
        page = web_client.get(unescape(href.group(1)))
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), href.group(1)
        assert f'<html lang="{lang}">' in page.text
        # every source with its licence and attribution, the base map's credit, and the JSON kept as such
        assert "CC-BY-4.0" in page.text and "Deutsche Bahn AG" in page.text and "GeoBasis-DE" in page.text
        assert 'href="/api/v1/sources"' in page.text and 'href="/docs"' in page.text and 'href="/catalog' in page.text
    assert "Daten, Quellen und Lizenzen" in web_client.get("/data").text
    assert "Data, sources and licences" in web_client.get("/data?lang=en").text
    assert '<a href="/admin?lang=en">Data stewards</a>' in web_client.get("/?lang=en").text  # stays in English


def test_every_download_on_the_data_page_is_what_its_link_says(web_client: TestClient, tmp_path: Path) -> None:
    from tests.store.helpers import write_csv

    page = web_client.get("/data").text
    links = re.findall(r'<a href="(/(?:api/v1/exports|catalog)[^"]*)" type="([^"]+)"', unescape(page))
    assert {href for href, _ in links} >= {"/catalog?f=jsonld", "/catalog.ttl", "/catalog.rdf"}
    for href, media_type in links:  # a browser follows the link with its own Accept header
        response = web_client.get(href, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media_type), href
    store = open_store(f"sqlite:///{tmp_path / 'events.db'}")
    hub.import_file(store, write_csv(tmp_path / "orte.csv"), "orte")
    assert ".ics" not in TestClient(create_app(store=store)).get("/data").text  # places alone: no calendar
    (tmp_path / "fest.csv").write_text("id,kind,name,start,lat,lon,licence\n"
                                       "f1,event,Hafenfest,2027-06-05T18:00,51.45,7.01,CC0-1.0\n", encoding="utf-8")
    hub.import_file(store, tmp_path / "fest.csv", "feste")
    with_events = TestClient(create_app(store=store)).get("/data").text
    assert 'href="/api/v1/exports/datenhub-ruhr.ics" type="text/calendar"' in with_events
    store.close()


def test_the_data_page_counts_the_licences_a_source_s_records_carry(tmp_path: Path) -> None:
    from tests.store.helpers import write_csv

    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    hub.import_file(store, write_csv(tmp_path / "gemischt.csv"), "gemischt", licence="CC0-1.0")
    page = TestClient(create_app(store=store)).get("/data").text
    row = re.search(r"gemischt.*?</tr>", page, re.S)
    # a page for everyone: its closed record is not counted, nor is a source of closed records alone listed
    assert row and "CC0-1.0 (5), CC-BY-4.0 (1), DL-DE-BY-2.0 (1)</td>" in row.group(0) and "<td>7</td>" in row.group(0)
    hub.import_file(store, write_csv(tmp_path / "intern.csv", [
        ["x1", "Lager", "Museum", "51.40", "7.20", "closed", "intern", "yes"]]), "intern", attribution="Intern GmbH")
    api = TestClient(create_app(store=store))
    assert "Intern GmbH" not in api.get("/data").text
    assert [s["name"] for s in api.get("/api/v1/sources").json()["items"]] == ["gemischt"]
    assert api.get("/api/v1/exports/intern.csv").status_code == 404
    key = {"Authorization": f"Bearer {create_key(store, 'intern', ['closed:read'])}"}
    listed = {s["name"]: s for s in api.get("/api/v1/sources", headers=key).json()["items"]}
    assert set(listed) == {"gemischt", "intern"} and listed["gemischt"]["stats"]["licences"]["closed"] == 1
    store.close()


def test_a_source_of_occupancy_readings_shows_its_sensors_not_zero_records(web_client: TestClient,
                                                                           web_store: Store) -> None:
    sensors = sum(1 for sensor in web_store.list_sensors() if sensor.source == "ruhr-demo-simulated")
    row = re.search(r"Simulated occupancy.*?</tr>", web_client.get("/data").text, re.S)
    assert sensors and row and f"<td>{sensors} Belegungssensoren</td>" in row.group(0)


def test_a_later_page_of_results_says_how_many_follow_not_how_many_were_found(web_client: TestClient) -> None:
    first = web_client.get("/?category=Verkehr&limit=20").text
    assert "Die ersten 20 Orte" in first
    more = re.search(r'<a href="([^"]+)">Weitere Ergebnisse</a>', first)
    assert more
    second = web_client.get(unescape(more.group(1))).text
    count = re.search(r'<p class="count" role="status">([^<]+)</p>', second)
    # never "N Orte gefunden" for the N rows of one later page
    assert count and re.fullmatch(r"\d+ weitere Orte|1 weiterer Ort", count.group(1)), count


def test_the_municipality_choice_is_in_german_alphabetical_order(web_client: TestClient) -> None:
    html = web_client.get("/").text
    assert html.index(">Bönen<") < html.index(">Bottrop<") < html.index(">Breckerfeld<")


def _place_with_a_station_outside(store: Store) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A demo place and those of its nearest stations the hub does not hold (DB stations are imported --within
    rvr: a place at the edge may have its nearest station outside)."""
    for entity in store.iter_entities("place"):
        gone = [s for s in entity.get("nearest_stations") or [] if store.get_entity(s["id"]) is None]
        if gone:
            return entity, gone
    pytest.fail("the demo has no place whose nearest station lies outside the hub")


def test_a_nearest_station_outside_the_hub_is_named_but_not_linked(web_client: TestClient, web_store: Store) -> None:
    entity, gone = _place_with_a_station_outside(web_store)
    page = web_client.get(f"/places/{entity['id']}").text
    assert unescape(gone[0]["name"]) in unescape(page) and f'/places/{gone[0]["id"]}"' not in page
    kept = [s for s in entity["nearest_stations"] if web_store.get_entity(s["id"]) is not None]
    assert all(f'/places/{s["id"]}"' in page for s in kept)



def _place_map(html: str) -> dict[str, Any]:
    found = re.search(r'<div id="place-map"[^>]*data-map="([^"]*)"', html)
    assert found, "no place map"
    return json.loads(unescape(found.group(1)))  # type: ignore[no-any-return]


def test_a_place_page_maps_the_place_and_its_nearest_stations(web_client: TestClient, web_store: Store) -> None:
    place = web_store.get_entity(zollverein_id(web_store))
    assert place is not None
    html = web_client.get(f"/places/{place['id']}?lang=en").text
    shown = _place_map(html)
    title = re.search(r'<h1 id="title">([^<]*)</h1>', html)
    assert title and shown["place"] == {"lat": place["geo"]["lat"], "lon": place["geo"]["lon"],
                                        "name": unescape(title.group(1))}
    near = place["nearest_stations"]
    assert [s["name"] for s in shown["stations"]] == [s["name"] for s in near]
    for on_map, listed in zip(shown["stations"], near, strict=True):
        station = web_store.get_entity(listed["id"])
        assert station is not None and (on_map["lat"], on_map["lon"]) == (station["geo"]["lat"], station["geo"]["lon"])
        assert on_map["url"] == f"/places/{listed['id']}?lang=en"
    assert f'href="geo:{place["geo"]["lat"]:.5f},{place["geo"]["lon"]:.5f}"' in html
    assert '<script src="/static/web/place.js"></script>' in html


def test_a_station_outside_the_hub_is_placed_on_the_map_from_the_shipped_station_data(
        web_client: TestClient, web_store: Store) -> None:
    entity, gone = _place_with_a_station_outside(web_store)
    shown = {s["name"]: s for s in _place_map(web_client.get(f"/places/{entity['id']}").text)["stations"]}
    outside = shown[gone[0]["name"]]
    assert outside["url"] is None  # named and placed, not linked: the hub has no page for it
    assert 51.0 < outside["lat"] < 52.2 and 6.0 < outside["lon"] < 8.5  # in or near the RVR, not (0, 0)


def _empty_text(html: str) -> str:
    found = re.search(r'<p class="empty"[^>]*>(.*?)</p>', html, re.S)
    assert found, "no empty-result message"
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def test_no_results_advises_only_what_applies(web_client: TestClient, tmp_path: Path) -> None:
    only_words = _empty_text(web_client.get("/", params={"q": "qqxyzzy"}).text)
    assert "Filter" not in only_words and "„qqxyzzy“" in only_words and "Schreibweise" in only_words
    filtered = _empty_text(web_client.get("/", params={"category": "Zoo", "municipality": "Bönen",
                                                       "open_now": "true", "lang": "en"}).text)
    assert filtered == "No places found. Try without one of these filters: Zoo, Bönen, Open now."
    assert "spelling" not in filtered
    # words that find nothing even without the filter: dropping the filter would not help
    nowhere = _empty_text(web_client.get("/", params={"q": "xyzzyq", "category": "Museum", "lang": "en"}).text)
    assert "filters" not in nowhere and "“xyzzyq”" in nowhere and "spelling" in nowhere
    empty_hub = TestClient(create_app(store=open_store(f"sqlite:///{tmp_path / 'empty.db'}")))
    nothing = _empty_text(empty_hub.get("/").text)
    assert "Filter" not in nothing and "Schreibweise" not in nothing


def test_the_data_page_dates_a_source_by_its_open_data_not_by_its_last_import(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.store.helpers import ROWS, write_csv

    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    rows = [list(ROWS[0]), list(ROWS[6])]
    first = datetime(2026, 5, 1, 10, tzinfo=UTC)
    hub.import_file(store, write_csv(tmp_path / "a.csv", rows), "gemischt", clock=lambda: first)
    rows[1][6] = "interne Notiz, neu"  # the closed record alone changes
    hub.import_file(store, write_csv(tmp_path / "b.csv", rows), "gemischt", clock=lambda: first + timedelta(days=1))
    row = re.search(r"gemischt.*?</tr>", TestClient(create_app(store=store)).get("/data").text, re.S)
    assert row and "01.05.2026" in row.group(0) and "02.05.2026" not in row.group(0)
    store.close()


def test_a_place_page_says_when_it_opens_in_one_format_per_language(tmp_path: Path) -> None:
    from datenhub.clock import BERLIN, fixed
    from datenhub.data import data_path
    from tests.web.conftest import HEADER

    # on a Monday evening the badge said "opens Thu 2026-11-26 11:00" beside the hours' "opens Thu 26.11. at
    # 11:00", and "Thu" beside the table's "Thursday"
    (tmp_path / "p.csv").write_text(HEADER + "\nhalle,Halle,,,,,Museum,Museum,,,,Essen,51.45,7.01,,"
                                    "\"Mo,Th-Su 11:00-18:00\",,,,\n", encoding="utf-8")
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    hub.import_file(store, tmp_path / "p.csv", "t", adapter="csv",
                    mapping=data_path("demo", "ruhr_places.mapping.toml"))
    entity = store.get_entity("t:halle")
    assert entity is not None
    api = TestClient(create_app(store=store, clock=fixed(datetime(2026, 11, 23, 20, 30, tzinfo=BERLIN))))
    english = unescape(re.sub(r"<[^>]+>", " ", api.get(f"/places/{entity['id']}?lang=en").text))
    assert english.count("opens Thursday 26 November at 11:00") == 2, english
    assert not re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b", english) and "2026-11-26" not in english
    german = unescape(re.sub(r"<[^>]+>", " ", api.get(f"/places/{entity['id']}").text))
    assert german.count("öffnet Do 26.11. um 11:00") == 2, german
    store.close()


def test_the_events_page_tells_a_search_that_found_nothing_from_a_hub_without_events(
        web_client: TestClient, tmp_path: Path) -> None:
    html = web_client.get("/events", params={"q": f"qqxyzzy{XSS}"}).text
    assert _empty_text(html) == f"Keine kommenden Termine zu „qqxyzzy{XSS}“ gefunden." and XSS not in html
    store = open_store(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        empty = TestClient(create_app(store=store))
        assert _empty_text(empty.get("/events").text) == "Zurzeit sind keine kommenden Termine eingetragen."
        assert _empty_text(empty.get("/events?lang=en").text) == "No upcoming events are listed at the moment."
    finally:
        store.close()
