"""The occupancy line on place pages and the info screen: no (simulated) figure while a place is closed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from datenhub import hub
from datenhub.api.app import create_app
from datenhub.api.ratelimit import Limits
from datenhub.clock import BERLIN, fixed
from datenhub.data import data_path
from datenhub.live.demo import import_demo_occupancy
from datenhub.store import Store, open_store

# A Monday noon: the Bergbau-Museum ("Mo off") is closed while its simulated counter has fresh readings;
# Zollverein (24/7) is open.
MONDAY_NOON = datetime(2026, 6, 1, 12, 0, tzinfo=BERLIN)


@pytest.fixture(scope="module")
def monday(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Store]]:
    folder = tmp_path_factory.mktemp("occupancy")
    store = open_store(f"sqlite:///{folder / 'web.db'}")
    clock = fixed(MONDAY_NOON)
    hub.import_file(store, data_path("demo", "ruhr_places.csv"), "ruhr-demo", adapter="csv",
                    mapping=data_path("demo", "ruhr_places.mapping.toml"), priority=10, clock=clock)
    import_demo_occupancy(store, clock)
    yield TestClient(create_app(store=store, clock=clock, limits=Limits(10**6, 10**6))), store
    store.close()


def _id(store: Store, record: str) -> str:
    entity = store.get_entity(record)
    assert entity is not None
    return str(entity["id"])


def _slot(html: str) -> str:
    match = re.search(r'<section id="occupancy".*?</section>', html, re.S)
    assert match, "no occupancy slot"
    return match.group(0)


def test_place_page_closed_place_shows_no_occupancy_figure(monday: tuple[TestClient, Store]) -> None:
    client, store = monday
    museum = _id(store, "ruhr-demo:deutsches-bergbau-museum")
    for suffix, closed in (("", "jetzt geschlossen"), ("?lang=en", "closed now")):
        slot = _slot(client.get(f"/places/{museum}{suffix}").text)
        assert closed in slot and "%" not in slot, slot
        assert not re.search(r"\b(frei|quiet|mäßig|moderate|voll|busy)\b", slot), slot


def test_place_page_open_place_keeps_its_occupancy_figure(monday: tuple[TestClient, Store]) -> None:
    client, store = monday
    slot = _slot(client.get(f"/places/{_id(store, 'ruhr-demo:zeche-zollverein')}?lang=en").text)
    assert re.search(r"\d+ %", slot) and "simulated" in slot, slot


def test_screen_closed_place_shows_no_occupancy_figure(monday: tuple[TestClient, Store]) -> None:
    client, store = monday
    museum = _id(store, "ruhr-demo:deutsches-bergbau-museum")
    occupancy = client.get(f"/screen/data.json?place={museum}&lang=en").json()["occupancy"]
    assert occupancy["closed"] is True and occupancy["percent"] is None and occupancy["status"] == "closed"
    assert occupancy["line"] == "closed now · No occupancy figure while closed."
    html = client.get(f"/screen?place={museum}").text
    panel = re.search(r'<section id="screen-occupancy".*?</section>', html, re.S)
    assert panel and "jetzt geschlossen" in panel.group(0) and "%" not in panel.group(0)
    open_place = client.get(f"/screen/data.json?place={_id(store, 'ruhr-demo:zeche-zollverein')}&lang=en").json()
    assert open_place["occupancy"]["percent"] is not None and "(simulated)" in open_place["occupancy"]["line"]
