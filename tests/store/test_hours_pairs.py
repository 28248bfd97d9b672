"""PostgreSQL's opening-hours pairs for the open_at filter: read by skipping through two indexes, a superset of
the distinct pairs its entities hold (a pair no entity has matches nothing), with the exact pairs beyond a cap."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from datenhub.store import Query
from datenhub.store.base import HubEntity
from datenhub.store.hooks import HOURS_PAIRS_SQL
from datenhub.store.postgres import store as postgres_store
from datenhub.store.postgres.store import PostgresStore

AT = datetime(2026, 11, 23, 12, tzinfo=UTC)  # a Monday, 13:00 in Essen


def _place(n: int, hours: str, ags: str | None, withdrawn: bool = False) -> HubEntity:
    data: dict[str, Any] = {"id": f"o{n}", "kind": "place", "type": "Place", "name": {"de": f"Ort {n}"},
                            "licence": "CC0-1.0", "geo": {"lat": 51.45, "lon": 7.0 + n / 100}, "opening_hours": hours}
    if ags:
        data["municipality"] = {"name": "Ort", "ags": ags}
    return HubEntity(f"o{n}", "place", data, data, f"c{n}", AT, withdrawn_at=AT if withdrawn else None)


def _hub(pg: PostgresStore) -> None:
    pg.upsert_entities([_place(1, "Mo-Fr 10:00-18:00", "05113000"), _place(2, "Sa-Su 10:00-18:00", "05913000"),
                        _place(3, "Mo 09:00-15:00", None), _place(4, "Mo 08:00-20:00", "09162000"),
                        _place(5, "Mo-Su 00:00-24:00", "05113000", withdrawn=True)])


def test_the_pairs_hold_every_pair_of_the_active_entities(pg: PostgresStore) -> None:
    _hub(pg)
    with pg._conns.connection() as conn:
        exact = set(conn.execute(HOURS_PAIRS_SQL).fetchall())
        skipped = set(postgres_store._hours_pairs(conn))
    assert exact == {("Mo-Fr 10:00-18:00", "05"), ("Sa-Su 10:00-18:00", "05"), ("Mo 09:00-15:00", None),
                     ("Mo 08:00-20:00", "09")}
    assert exact < skipped and len(skipped) == 5 * 3  # five values (one withdrawn) × NRW, Bavaria, none
    ids = [i["id"] for i in pg.search(Query(kind="place", open_at=AT, sort="name")).items]
    assert ids == ["o1", "o3", "o4"]


def test_beyond_the_cap_the_exact_pairs_are_read(pg: PostgresStore, monkeypatch: pytest.MonkeyPatch) -> None:
    _hub(pg)
    monkeypatch.setattr(postgres_store, "HOURS_PAIRS_CAP", 14)
    with pg._conns.connection() as conn:
        assert set(postgres_store._hours_pairs(conn)) == set(conn.execute(HOURS_PAIRS_SQL).fetchall())
