"""The open-data routes: the DCAT-AP.de catalogue and its datasets, the exports they list, robots.txt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from datenhub import hub
from datenhub.auth import create_key
from datenhub.store import Store, open_store
from tests.api.demo_app import client
from tests.store.helpers import GOLDEN_ICS, ROWS, write_csv

IMPORTED = datetime(2026, 5, 1, 10, tzinfo=UTC)
AGAIN = IMPORTED + timedelta(days=1)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A source of two open records and a closed one, imported, then imported again a day later with only its
    closed record changed."""
    folder = tmp_path_factory.mktemp("catalog")
    store = open_store(f"sqlite:///{folder / 'hub.db'}")
    rows = [list(ROWS[0]), list(ROWS[4]), list(ROWS[6])]
    hub.import_file(store, write_csv(folder / "a.csv", rows), "gemischt", clock=lambda: IMPORTED)
    hub.import_file(store, GOLDEN_ICS, "termine", clock=lambda: IMPORTED)  # three events
    rows[2][6] = "interne Notiz, neu"
    hub.import_file(store, write_csv(folder / "b.csv", rows), "gemischt", clock=lambda: AGAIN)
    return store


def _datasets(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["dct:identifier"]: d for d in body["@graph"][0]["dcat:dataset"]}


def test_the_catalogue_dates_a_dataset_by_its_open_data_not_by_an_import_that_changed_closed_data(
        mixed: Store) -> None:
    datasets = _datasets(client(mixed).get("/catalog").json())
    for name in ("gemischt", "datenhub-ruhr"):
        assert datasets[name]["dct:modified"]["@value"] == "2026-05-01T10:00:00Z"
        assert {d["dct:modified"]["@value"] for d in datasets[name]["dcat:distribution"]} == {"2026-05-01T10:00:00Z"}


def test_the_sources_show_readers_of_open_data_its_change_time_and_key_holders_the_imports(mixed: Store) -> None:
    api = client(mixed)
    anonymous = {s["name"]: s for s in api.get("/api/v1/sources").json()["items"]}["gemischt"]
    assert "last_import" not in anonymous["stats"] and "last_status" not in anonymous["stats"]
    assert datetime.fromisoformat(anonymous["stats"]["open_changed_at"]) == IMPORTED
    key = {"Authorization": f"Bearer {create_key(mixed, 'intern', ['closed:read'])}"}
    privileged = {s["name"]: s for s in api.get("/api/v1/sources", headers=key).json()["items"]}["gemischt"]
    assert datetime.fromisoformat(privileged["stats"]["last_import"]) == AGAIN


RDF = {"application/ld+json": "json-ld", "text/turtle": "turtle", "application/rdf+xml": "xml"}


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib's
@pytest.mark.parametrize("path", ["/catalog", "/datasets/gemischt"])
@pytest.mark.parametrize(("accept", "f", "media"), [
    ("application/rdf+xml", None, "application/rdf+xml"),
    ("application/xml", None, "application/rdf+xml"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None, "application/rdf+xml"),
    ("text/turtle", None, "text/turtle"),
    ("application/ld+json", None, "application/ld+json"),
    ("application/json", None, "application/ld+json"),
    ("*/*", None, "application/ld+json"),
    ("", None, "application/ld+json"),
    (None, "ttl", "text/turtle"),
    (None, "rdf", "application/rdf+xml"),
    ("text/turtle", "jsonld", "application/ld+json"),  # f= wins, as on the lists
])
def test_the_catalogue_and_its_datasets_come_as_json_ld_turtle_or_rdf_xml(
        mixed: Store, path: str, accept: str | None, f: str | None, media: str) -> None:
    rdflib = pytest.importorskip("rdflib")
    from rdflib.compare import isomorphic

    api = client(mixed)
    answer = api.get(path, params={"f": f} if f else {}, headers={"Accept": accept} if accept is not None else {})
    assert answer.status_code == 200 and answer.headers["content-type"].split(";")[0] == media
    graph = rdflib.Graph().parse(data=answer.content, format=RDF[media])
    reference = rdflib.Graph().parse(data=api.get(path).content, format="json-ld")
    assert len(graph) > 10 and isomorphic(graph, reference)


def test_the_catalogue_says_which_formats_it_offers(mixed: Store) -> None:
    api = client(mixed)
    refused = api.get("/catalog", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert all(m in refused.json()["detail"] for m in ("application/ld+json", "text/turtle", "application/rdf+xml"))
    unknown = api.get("/catalog", params={"f": "xls"})
    assert unknown.status_code == 400 and "jsonld, ttl, rdf" in unknown.json()["detail"]
    misnamed = api.get("/catalog", params={"format": "ttl"})  # not silently the default format
    assert misnamed.status_code == 400 and "takes f" in misnamed.json()["detail"]
    assert api.get("/datasets/gemischt", params={"f": "xls"}).status_code == 400


@pytest.mark.parametrize(("accept", "media"), [
    ("application/ld+json;q=0, */*", "text/turtle"),
    ("application/ld+json;q=0, application/json;q=0, text/turtle;q=0, */*", "application/rdf+xml"),
    ("text/turtle;q=0, text/*", "application/rdf+xml"),
])
def test_a_format_refused_with_q0_is_not_chosen_by_a_range(mixed: Store, accept: str, media: str) -> None:
    assert client(mixed).get("/catalog", headers={"Accept": accept}).headers["content-type"].startswith(media)


@pytest.mark.parametrize(("accept", "media"), [("application/json;q=0, */*", "application/geo+json"),
                                               ("application/json;q=0, application/*", "application/geo+json")])
def test_a_list_does_not_answer_a_type_refused_with_q0(mixed: Store, accept: str, media: str) -> None:
    response = client(mixed).get("/api/v1/places?limit=1", headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)


def test_the_catalogue_names_the_contributor_id_set_for_the_hub(mixed: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "dcatde:contributorID" not in client(mixed).get("/datasets/gemischt").json()  # none invented
    monkeypatch.setenv("DATENHUB_DCAT_CONTRIBUTOR_ID", "http://dcat-ap.de/def/contributors/datenhubRuhrTest")
    dataset = client(mixed).get("/datasets/gemischt").json()
    assert dataset["dcatde:contributorID"] == {"@id": "http://dcat-ap.de/def/contributors/datenhubRuhrTest"}


def test_a_dataset_of_events_downloads_as_icalendar_and_the_catalogue_lists_it(mixed: Store) -> None:
    api = client(mixed)
    for name, events in (("termine", 3), ("datenhub-ruhr", 3)):
        answer = api.get(f"/api/v1/exports/{name}.ics")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
        assert answer.text.count("BEGIN:VEVENT") == events and f'filename="{name}.ics"' in answer.headers[
            "content-disposition"]
    places_only = api.get("/api/v1/exports/gemischt.ics")
    assert places_only.status_code == 404 and "holds no events" in places_only.json()["detail"]
    assert api.get("/api/v1/exports/nope.ics").status_code == 404
    datasets = _datasets(api.get("/catalog").json())
    calendars = {name: [d for d in dataset["dcat:distribution"] if d["@id"].endswith(".ics")]
                 for name, dataset in datasets.items()}
    assert not calendars["gemischt"] and len(calendars["termine"]) == len(calendars["datenhub-ruhr"]) == 1
    calendar = {"@id": "https://www.iana.org/assignments/media-types/text/calendar"}
    assert calendars["termine"][0]["dcat:mediaType"] == calendar


def test_the_sitemap_is_written_from_ids_and_dates_without_reading_documents(
        mixed: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same sitemap as the documents give (places and events, open views' dates), from Store.iter_page_dates:
    read from every document, a 1M-place hub's sitemap took 39 s, and as long again for each of its parts."""
    from datenhub.publish.sitemap import sitemap_files

    api = client(mixed)
    expected = sitemap_files(mixed.iter_entities(None), "http://testserver")["sitemap.xml"]
    monkeypatch.setattr(mixed, "iter_entities", lambda *a, **k: pytest.fail("documents were read"))
    got = api.get("/sitemap.xml")
    assert got.status_code == 200 and got.content == expected
    assert b"/events/" in got.content and got.content.count(b"<url>") == 5  # two open places, three events
    assert api.get("/sitemaps/1.xml").status_code == 404  # one file: no parts
