"""A demo hub with hostile records and a few events, shared by the web tests of one module."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from datenhub import hub
from datenhub.api.app import create_app
from datenhub.api.ratelimit import Limits
from datenhub.clock import BERLIN, fixed
from datenhub.data import data_path
from datenhub.demo import import_demo
from datenhub.store import Store, open_store

# A Wednesday afternoon: most demo places are open, so "open now" lists are not empty.
WEB_NOW = datetime(2026, 6, 3, 14, 0, tzinfo=BERLIN)
XSS = "<script>alert(1)</script>"
HEADER = ("id,name_de,name_en,name_nl,description_de,description_en,category,schema_type,route_role,street,"
          "postal_code,city,lat,lon,website,opening_hours,wheelchair,sources,licence,attribution")
HOSTILE_CSV = (HEADER + "\n"
               f'evil,{XSS},,,"<img src=x onerror=alert(2)> Beschreibung",,Museum,Museum,,"<b>Straße</b> 1",45127,'
               'Essen,51.4556,7.0116,javascript:alert(3),Mo-Su 09:00-20:00,yes,,,\n'
               'kaputt,Ohne Ort,,,,,Museum,Museum,,,,Essen,123.5,7.01,,,,,,\n')  # rejected: not published
ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//web//DE\r
BEGIN:VEVENT\r
UID:fuehrung-heute\r
DTSTART;TZID=Europe/Berlin:20260603T160000\r
DTEND;TZID=Europe/Berlin:20260603T173000\r
SUMMARY:Fuehrung Uebertage\r
LOCATION:Zeche Zollverein\r
GEO:51.4862;7.0406\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:extraschicht-2026\r
DTSTART;VALUE=DATE:20260627\r
SUMMARY:ExtraSchicht <i>Nacht</i>\r
GEO:51.4966;6.8756\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:weihnachtsmarkt-2026\r
DTSTART;VALUE=DATE:20261212\r
DTEND;VALUE=DATE:20261214\r
SUMMARY:Weihnachtsmarkt am Gasometer\r
LOCATION:Gasometer\\, Arenastrasse 11\\, 46047 Oberhausen\r
STATUS:CANCELLED\r
GEO:51.4966;6.8756\r
END:VEVENT\r
END:VCALENDAR\r
"""


def zollverein_id(store: Store) -> str:
    """The hub id of the demo's Zeche Zollverein."""
    entity = store.get_entity("ruhr-demo:zeche-zollverein")
    assert entity is not None
    return str(entity["id"])


def build_store(folder: Path) -> Store:
    store = open_store(f"sqlite:///{folder / 'web.db'}")
    clock = fixed(WEB_NOW)
    import_demo(store, clock=clock)
    (folder / "hostile.csv").write_text(HOSTILE_CSV, encoding="utf-8")
    hub.import_file(store, folder / "hostile.csv", "xss", adapter="csv",
                    mapping=data_path("demo", "ruhr_places.mapping.toml"), clock=clock)
    # a source whose only place is withdrawn by the next full import: a tombstone for the admin page
    (folder / "gone.csv").write_text(HEADER + "\ngone-1,Abgerissene Halle,,,,,Industriekultur,Place,,,,Essen,"
                                     "51.45,7.01,,,,,,\n", encoding="utf-8")
    for text in (None, HEADER + "\n"):
        if text is not None:
            (folder / "gone.csv").write_text(text, encoding="utf-8")
        hub.import_file(store, folder / "gone.csv", "gone", adapter="csv",
                        mapping=data_path("demo", "ruhr_places.mapping.toml"), clock=clock)
    (folder / "termine.ics").write_bytes(ICS)
    hub.import_file(store, folder / "termine.ics", "termine", adapter="ical", licence="CC0-1.0", clock=clock)
    return store


@pytest.fixture(scope="package")
def web_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = build_store(tmp_path_factory.mktemp("web"))
    yield store
    store.close()


@pytest.fixture(scope="package")
def web_client(web_store: Store) -> TestClient:
    app = create_app(store=web_store, clock=fixed(WEB_NOW), limits=Limits(10**6, 10**6))
    return TestClient(app)
