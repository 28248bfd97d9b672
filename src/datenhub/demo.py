"""The shipped demo: real Ruhr attractions (our CC0 compilation) and the DB stations inside the RVR."""

from __future__ import annotations

from datenhub import hub
from datenhub.clock import Clock, utc_now
from datenhub.data import data_path
from datenhub.pipeline import ImportResult
from datenhub.store import Store

DEMO_SOURCE = "ruhr-demo"
STATIONS_SOURCE = "db-stations"


def import_demo(store: Store, clock: Clock = utc_now) -> list[ImportResult]:
    places = hub.import_file(
        store, data_path("demo", "ruhr_places.csv"), DEMO_SOURCE, adapter="csv",
        mapping=data_path("demo", "ruhr_places.mapping.toml"), priority=10, clock=clock,
        title="DatenHub Ruhr demo: Route der Industriekultur and major attractions")
    stations = hub.import_file(
        store, data_path("stations", "db_stations_nrw_full.json"), STATIONS_SOURCE, adapter="db-stations",
        priority=50, within="rvr", clock=clock, title="Deutsche Bahn stations in the RVR",
        licence="CC-BY-4.0", attribution="Deutsche Bahn AG (DB Station&Service), CC BY 4.0")
    # Simulated occupancy for a few places (clearly marked as simulated) so pages and screens show the slot.
    from datenhub.live.demo import import_demo_occupancy

    import_demo_occupancy(store, clock)
    return [places, stations]
