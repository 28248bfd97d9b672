"""The open-data routes: the DCAT-AP.de catalogue and its datasets, the exports they list, robots.txt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from datenhub import hub
from datenhub.auth import create_key
from datenhub.store import Store, open_store
from tests.api.demo_app import client
from tests.store.helpers import ROWS, write_csv

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
    (anonymous,) = api.get("/api/v1/sources").json()["items"]
    assert "last_import" not in anonymous["stats"] and "last_status" not in anonymous["stats"]
    assert datetime.fromisoformat(anonymous["stats"]["open_changed_at"]) == IMPORTED
    key = {"Authorization": f"Bearer {create_key(mixed, 'intern', ['closed:read'])}"}
    (privileged,) = api.get("/api/v1/sources", headers=key).json()["items"]
    assert datetime.fromisoformat(privileged["stats"]["last_import"]) == AGAIN
