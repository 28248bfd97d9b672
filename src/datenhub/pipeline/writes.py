"""Single-record writes (the write API): the same adapters, checks and merge as a file import."""

from __future__ import annotations

from datenhub.clock import Clock, utc_now
from datenhub.ingest.base import AdapterOptions, RawInput
from datenhub.ingest.registry import get_adapter
from datenhub.model.licence import OPEN_LICENCES
from datenhub.notify.webhooks import notify_import
from datenhub.pipeline.importer import ImportResult, _rebuild_hubs, mark_withdrawn_outside_import, run_import
from datenhub.store.base import Store


def write_records(store: Store, source: str, payload: bytes, *, jsonld: bool = False, kind: str | None = None,
                  clock: Clock = utc_now) -> ImportResult:
    """Upsert the records in a request body into `source` (never withdraws others). Raw body is kept."""
    raw = RawInput(source=source, name="api.jsonld" if jsonld else "api.json", payload=payload,
                   fetched_at=clock(), media_type="application/ld+json" if jsonld else "application/json")
    info = store.get_source(source)
    defaults = {k: v for k, v in (("licence", info.licence if info else None),
                                  ("attribution", info.attribution if info else None)) if v}
    adapter = get_adapter("jsonld" if jsonld else "hub-json")
    options = AdapterOptions(source, {"kind": kind} if kind and not jsonld else None, defaults)
    # workers=1: a request body is small, and a server process must not fork per write
    return run_import(store, raw, adapter, options, clock=clock, full=False, workers=1, carry_notices=False)


def withdraw_record(store: Store, record_id: str, clock: Clock = utc_now) -> bool:
    record = store.get_record(record_id)
    if record is None or record.withdrawn_at is not None:
        return False
    now = clock()
    with store.transaction():
        store.withdraw_records([record_id], now)
        mark_withdrawn_outside_import(store, record.source)  # the same input written again brings it back
        store.supersede_notices(record.source, [record.local_id], None)  # nothing is wrong with a deleted record
        _rebuild_hubs(store, [record.hub_id], now)
        notify_import(store, {"source": record.source, "withdrawn": 1}, now, now,
                      open_change=record.data.get("licence") in OPEN_LICENCES)
    return True
