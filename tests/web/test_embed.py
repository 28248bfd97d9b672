"""Widget, embeds and info screen: titles that name what they show, and clear localized messages."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from datenhub.store import Store
from datenhub.store.text import fold
from datenhub.web.common import attribution_lines
from tests.web.conftest import zollverein_id


def _title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match, "no <title>"
    return unescape(match.group(1))


def test_widget_data_unknown_place_is_a_localized_404(web_client: TestClient) -> None:
    german = web_client.get("/widget/data.json?place=gibt-es-nicht")
    assert german.status_code == 404
    assert german.json()["message"] == "Ort nicht gefunden: Die Kennung „gibt-es-nicht“ gibt es bei DatenHub Ruhr " \
                                       "nicht (mehr)."
    english = web_client.get("/widget/data.json?place=gibt-es-nicht&lang=en",
                             headers={"Origin": "https://partner.example"})
    assert english.status_code == 404 and english.json()["message"].startswith("Place not found:")
    assert english.headers["access-control-allow-origin"] == "*"  # the partner's script can read the message


def test_embed_place_unknown_id_is_a_small_localized_404(web_client: TestClient) -> None:
    for suffix, words in (("", "Ort nicht gefunden"), ("?lang=en", "Place not found")):
        response = web_client.get(f"/embed/place/gibt-es-nicht{suffix}")
        assert response.status_code == 404
        assert words in response.text and 'role="alert"' in response.text
        assert 'class="top"' not in response.text  # not the site's page with its menu, inside a partner's iframe
    assert web_client.get("/embed/list?place=gibt-es-nicht&lang=en").status_code == 404


def test_embed_pages_are_titled_with_what_they_show(web_client: TestClient, web_store: Store) -> None:
    place = zollverein_id(web_store)
    assert _title(web_client.get(f"/embed/place/{place}").text) == "UNESCO-Welterbe Zollverein – DatenHub Ruhr"
    assert _title(web_client.get(f"/embed/place/{place}?lang=en").text) == \
        "Zollverein UNESCO World Heritage Site – DatenHub Ruhr"
    assert _title(web_client.get("/embed/list?category=Museum&municipality=Essen").text) == \
        "Museum · Essen – DatenHub Ruhr"
    assert _title(web_client.get("/embed/list?category=Industriekultur&lang=en").text) == \
        "Industrial heritage – DatenHub Ruhr"
    assert _title(web_client.get("/embed/list").text) == "Orte – DatenHub Ruhr"
    assert _title(web_client.get("/embed/map?category=Museum&municipality=Essen").text) == \
        "Karte: Museum · Essen – DatenHub Ruhr"
    assert _title(web_client.get("/embed/map?lang=en").text) == "Map – DatenHub Ruhr"
    assert web_client.get("/widget/data.json?category=Museum&municipality=Essen").json()["title"] == "Museum · Essen"


def test_widget_items_are_worded_in_the_page_language(web_client: TestClient) -> None:
    items = web_client.get("/widget/data.json?category=Industriekultur&limit=20&lang=en").json()["items"]
    assert items and all("Industriekultur" not in item["category"] for item in items)
    names = [item["name"] for item in items]
    assert names == sorted(names, key=fold)


def test_screen_by_coordinates_is_titled_with_the_town(web_client: TestClient) -> None:
    html = web_client.get("/screen?lat=51.4862&lon=7.0406").text
    assert _title(html) == "Essen – DatenHub Ruhr" and '<h1 id="screen-title">Essen</h1>' in html
    assert "51.4862" not in _title(html)
    assert web_client.get("/screen/data.json?lat=51.4862&lon=7.0406").json()["title"] == "Essen"
    canonical = re.search(r'<link rel="canonical" href="http://testserver([^"]+)"', html)
    assert canonical and web_client.get(canonical[1].replace("&amp;", "&")).status_code == 200  # the same screen
    # outside the boundaries we ship (Munich): a word, still no coordinates
    assert _title(web_client.get("/screen?lat=48.137&lon=11.575&lang=en").text) == "Nearby – DatenHub Ruhr"


def test_screen_bad_parameters_are_worded_in_the_page_language(web_client: TestClient) -> None:
    german = web_client.get("/screen?lat=51.5&lon=7.2&radius=nah")
    assert german.status_code == 400
    assert "„nah“ ist keine gültige Angabe für „Umkreis (radius)“" in unescape(german.text)
    assert "expected a number" not in german.text and _title(german.text) == "Infobildschirm – DatenHub Ruhr"
    english = web_client.get("/screen?lang=en")
    assert "Please give a place (place=ID) or coordinates" in english.text and "give place=ID" not in english.text
    assert web_client.get("/screen/data.json?place=nope&lang=en").json()["message"].startswith("Place not found")


def test_embed_map_with_a_bad_filter_says_so(web_client: TestClient) -> None:
    page = web_client.get("/embed/map?category=foo&lang=en")
    assert page.status_code == 400 and 'id="map"' not in page.text
    assert "foo" in page.text and "The search could not be run" in page.text
    assert web_client.get("/embed/map?category=Museum").status_code == 200


def test_embed_titles_name_filters_as_the_hub_does(web_client: TestClient) -> None:
    assert _title(web_client.get("/embed/list?municipality=05113000").text).startswith("Essen – ")
    assert _title(web_client.get("/embed/map?category=halde&lang=en").text).startswith("Map: Panorama")
    assert web_client.get("/widget/data.json?category=museum&municipality=mülheim an der ruhr").json()["title"] == (
        "Museum · Mülheim an der Ruhr")


def test_widget_embed_and_screen_name_the_sources_their_places_ask_for(web_client: TestClient,
                                                                       web_store: Store) -> None:
    from datenhub.store import Query

    station = web_store.search(Query(q="Essen Hauptbahnhof", limit=1)).items[0]
    assert station["licence"] == "CC-BY-4.0" and station["attribution"]
    line = f"{station['attribution']} (CC-BY-4.0)"
    data = web_client.get(f"/widget/data.json?place={station['id']}").json()
    assert data["credits"] == [line] and data["items"][0]["licence"] == "CC-BY-4.0"
    assert line in unescape(web_client.get(f"/embed/place/{station['id']}").text)
    # the screen lists what is open now (a station has no opening hours): its credits are those places'
    screen = unescape(web_client.get("/screen?lat=51.4513&lon=7.0138").text)
    footer = re.search(r'<footer id="screen-credits"[^>]*>(.*?)</footer>', screen, re.S)
    data = web_client.get("/screen/data.json?lat=51.4513&lon=7.0138").json()
    shown = [web_store.get_entity(p["id"]) for p in data["open"]]
    wanted = attribution_lines([e for e in shown if e])
    assert footer and footer.group(1) == data["credits"] and "BKG" in data["credits"]
    assert all(credit in data["credits"] for credit in wanted) and "(CC0-1.0)" not in data["credits"]


@pytest.mark.parametrize(("change", "says"), [
    ("2026-11-24T18:00:00+01:00", "18:00"),  # today
    ("2026-11-25T00:00:00+01:00", "24:00"),  # tonight's midnight
    ("2026-11-25T02:00:00+01:00", "morgen 02:00"),  # a night open past midnight
    ("2026-12-25T00:00:00+01:00", "Fr 25.12.2026 00:00"),  # "24/7; PH off": not tonight
])
def test_the_screen_says_the_day_a_place_closes_when_it_is_not_today(change: str, says: str) -> None:
    from datetime import datetime

    from datenhub.clock import BERLIN
    from datenhub.web.screen import _until

    assert _until(change, datetime(2026, 11, 24, 20, 0, tzinfo=BERLIN), "de") == says
