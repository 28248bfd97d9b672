"""Store.iter_page_dates: what a sitemap lists, from columns, exactly as the open documents say it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from datenhub import hub
from datenhub.store import Store
from datenhub.store.base import Store as BaseStore
from tests.store.helpers import CLOSED_ZOLLVEREIN, ROWS, closed_founder_then_open, write_csv


def _from_documents(store: Store) -> list[tuple[str, str, datetime]]:
    return list(BaseStore.iter_page_dates(store))  # the contract's default: every open document read


def test_page_dates_are_the_open_views_ids_kinds_and_dates(store: Store, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    hub_id, opened = closed_founder_then_open(store, tmp_path, clock)
    # the closed record changes alone a week later: the open view keeps its date, the full one moves
    week = opened + timedelta(days=7)
    changed = [*CLOSED_ZOLLVEREIN[:1], "Zeche Zollverein (Depot)", *CLOSED_ZOLLVEREIN[2:]]
    hub.import_file(store, write_csv(tmp_path / "intern2.csv", [changed]), "intern", clock=lambda: week)
    # a withdrawn place has no page; a closed-only place has none for open readers either
    hub.import_file(store, write_csv(tmp_path / "smaller.csv", [r for r in ROWS if r[0] != "c1"]), "test",
                    clock=lambda: week)
    pages = list(store.iter_page_dates())
    assert pages == _from_documents(store) != []
    dates = {entity_id: at for entity_id, _, at in pages}
    assert dates[hub_id] == opened  # not the week-later change of closed data
    assert [p[0] for p in pages] == sorted(p[0] for p in pages)
    assert {kind for _, kind, _ in pages} == {"place"}
    assert len(pages) == len(list(store.iter_entities(None)))
