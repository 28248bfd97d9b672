"""A place in spoken sentences: open or closed and until when, nearest station, access; words, not symbols."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from datenhub.clock import BERLIN
from datenhub.publish.speech import place_speech
from datenhub.store import Store, open_store

TUESDAY_NOON = datetime(2026, 11, 24, 12, 0, tzinfo=BERLIN)
MUSEUM = {"id": "dh-museum", "kind": "place", "type": "Museum", "name": {"de": "Ruhr Museum", "en": "Ruhr Museum"},
          "geo": {"lat": 51.486, "lon": 7.046}, "municipality": {"name": "Essen", "ags": "05113000"},
          "opening_hours": "Tu-Su 10:00-18:00", "wheelchair": "limited", "licence": "CC-BY-4.0",
          "attribution": "Stiftung Ruhr Museum",
          "nearest_stations": [{"id": "db-stations:1", "name": "Essen Hbf", "distance_m": 1234}]}


@pytest.fixture
def empty(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'e.db'}")


def spoken(store: Store, entity: dict[str, Any], at: datetime, lang: str) -> list[str]:
    return list(place_speech(store, entity, at, lang)["sentences"])


def test_an_open_museum_says_until_when_how_to_get_there_and_access(empty: Store) -> None:
    assert spoken(empty, MUSEUM, TUESDAY_NOON, "de") == [
        "Ruhr Museum in Essen.", "Jetzt geöffnet, bis 18:00 Uhr.",
        "Nächster Bahnhof: Essen Hauptbahnhof, 1,2 Kilometer entfernt.", "Eingeschränkt rollstuhlgerecht."]
    assert spoken(empty, MUSEUM, TUESDAY_NOON, "en") == [
        "Ruhr Museum in Essen.", "Open now, until 18:00.", "Nearest station: Essen Central Station, 1.2 kilometres "
        "away.", "Partly wheelchair accessible."]


@pytest.mark.parametrize(("at", "de", "en"), [
    (datetime(2026, 11, 24, 20, 0, tzinfo=BERLIN), "Jetzt geschlossen; öffnet morgen um 10:00 Uhr.",
     "Closed now; opens tomorrow at 10:00."),
    (datetime(2026, 11, 23, 12, 0, tzinfo=BERLIN), "Jetzt geschlossen; öffnet morgen um 10:00 Uhr.",
     "Closed now; opens tomorrow at 10:00."),  # Monday: closed all day
    (datetime(2026, 11, 22, 19, 0, tzinfo=BERLIN), "Jetzt geschlossen; öffnet am Dienstag um 10:00 Uhr.",
     "Closed now; opens on Tuesday at 10:00."),  # Sunday evening: Monday is closed
    (datetime(2026, 11, 24, 8, 0, tzinfo=BERLIN), "Jetzt geschlossen; öffnet heute um 10:00 Uhr.",
     "Closed now; opens today at 10:00."),
])
def test_a_closed_place_says_when_it_opens_in_words(empty: Store, at: datetime, de: str, en: str) -> None:
    assert spoken(empty, MUSEUM, at, "de")[1] == de and spoken(empty, MUSEUM, at, "en")[1] == en


def test_a_bar_open_past_midnight_names_the_day_it_closes(empty: Store) -> None:
    bar = {**MUSEUM, "opening_hours": "Mo-Su 18:00-02:00"}
    assert spoken(empty, bar, datetime(2026, 11, 24, 22, 0, tzinfo=BERLIN), "de")[1] == \
        "Jetzt geöffnet, bis morgen 02:00 Uhr."


def test_without_hours_station_or_town_it_says_what_it_knows(empty: Store) -> None:
    bare = {"id": "dh-x", "kind": "place", "name": {"de": "Halde"}, "licence": "CC0-1.0"}
    speech = place_speech(empty, bare, TUESDAY_NOON, "de")
    assert speech["sentences"] == ["Halde.", "Öffnungszeiten sind nicht hinterlegt."]
    assert speech["ssml"] == '<speak xml:lang="de-DE"><s>Halde.</s><s>Öffnungszeiten sind nicht hinterlegt.</s></speak>'
    assert (speech["licence"], speech["attribution"]) == ("CC0-1.0", None)


def test_ssml_escapes_names(empty: Store) -> None:
    odd = {**MUSEUM, "name": {"de": "Kunst&Kohle <1>"}}
    assert "<s>Kunst&amp;Kohle &lt;1&gt; in Essen.</s>" in place_speech(empty, odd, TUESDAY_NOON, "de")["ssml"]


def test_a_station_is_not_told_its_nearest_station(empty: Store) -> None:
    station = {**MUSEUM, "type": "TrainStation", "name": {"de": "Essen Hbf"}, "opening_hours": None}
    assert spoken(empty, station, TUESDAY_NOON, "de")[0] == "Essen Hauptbahnhof."  # the town is in its name
    assert not any("Bahnhof:" in s for s in spoken(empty, station, TUESDAY_NOON, "de"))


@pytest.mark.parametrize(("hours", "at", "de", "en"), [
    ("24/7; PH off", datetime(2026, 11, 25, 11, 0, tzinfo=BERLIN),  # closes at Christmas, a month away
     "Jetzt geöffnet, bis zum 24. Dezember, Mitternacht.", "Open now, until 24 December, midnight."),
    ("Mo-Su 10:00-24:00", datetime(2026, 11, 24, 21, 0, tzinfo=BERLIN),
     "Jetzt geöffnet, bis Mitternacht.", "Open now, until midnight."),
    ("Mo-Fr 00:00-24:00", datetime(2026, 11, 25, 11, 0, tzinfo=BERLIN),  # Wednesday: open through Friday
     "Jetzt geöffnet, bis Freitag Mitternacht.", "Open now, until Friday midnight."),
    ("Apr-Oct Tu-Su 10:00-18:00", datetime(2026, 11, 25, 11, 0, tzinfo=BERLIN),  # the season ended
     "Jetzt geschlossen; öffnet am 1. April 2027 um 10:00 Uhr.", "Closed now; opens on 1 April 2027 at 10:00."),
    ("Mo-Su 18:00-02:00", datetime(2026, 11, 24, 22, 0, tzinfo=BERLIN),
     "Jetzt geöffnet, bis morgen 02:00 Uhr.", "Open now, until tomorrow 02:00."),
])
def test_a_switch_far_off_or_at_midnight_is_said_as_people_say_it(empty: Store, hours: str, at: datetime, de: str,
                                                                 en: str) -> None:
    place = {**MUSEUM, "opening_hours": hours}
    assert (spoken(empty, place, at, "de")[1], spoken(empty, place, at, "en")[1]) == (de, en)


def test_hours_written_in_words_are_said_as_written(empty: Store) -> None:
    place = {**MUSEUM, "opening_hours": "nach telefonischer Absprache"}
    assert spoken(empty, place, TUESDAY_NOON, "de")[1] == "Öffnungszeiten laut Anbieter: nach telefonischer Absprache."


@pytest.mark.parametrize(("name", "de", "en"), [
    ("Hamm (Westf) Hbf", "Bahnhof Hamm Westfalen Hauptbahnhof", "Hamm Westphalia Central Station"),
    ("Werne (a d Lippe)", "Bahnhof Werne an der Lippe", "Werne an der Lippe station"),
    ("Tierpark + Fossilium", "Bahnhof Tierpark und Fossilium", "Tierpark and Fossilium station"),
])
def test_names_are_said_without_abbreviations_or_symbols(empty: Store, name: str, de: str, en: str) -> None:
    station = {**MUSEUM, "type": "TrainStation", "name": {"de": name}, "municipality": {"name": "Hamm"}}
    said = spoken(empty, station, TUESDAY_NOON, "de")[0], spoken(empty, station, TUESDAY_NOON, "en")[0]
    assert said[0].startswith(de.replace("Bahnhof Hamm Westfalen Hauptbahnhof", "Hamm Westfalen Hauptbahnhof"))
    assert said[1].startswith(en.replace("Hamm Westphalia Central Station", "Hamm Westphalia Central Station"))


@pytest.mark.parametrize(("metres", "de"), [(120, "100 Meter"), (940, "950 Meter"), (975, "1 Kilometer"),
                                            (1000, "1 Kilometer"), (2000, "2 Kilometer"), (2449, "2,4 Kilometer")])
def test_distances_are_said_in_round_figures(empty: Store, metres: int, de: str) -> None:
    place = {**MUSEUM, "nearest_stations": [{"id": "x", "name": "Essen Süd", "distance_m": metres}]}
    assert spoken(empty, place, TUESDAY_NOON, "de")[2] == f"Nächster Bahnhof: Essen Süd, {de} entfernt."
