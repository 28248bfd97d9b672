"""One batch of an import, from identified drafts to records and entities ready to write.

Pure: it reads nothing from the store (what it needs is in the `ImportPlan`), so batches can run in
worker processes while the importer writes earlier ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from datenhub.checks import CHECKS, CheckContext, build_identified
from datenhub.enrich import ENRICHERS, enrich_all
from datenhub.ingest.base import Draft
from datenhub.model import AnyEntity, hub_id_for
from datenhub.model.licence import OPEN_LICENCES
from datenhub.notices import Location, Notice, Severity
from datenhub.pipeline.drafts import draft_checksum, pack_notices, replay_notices
from datenhub.pipeline.merge import CandidateIndex, build_hub
from datenhub.store.base import HubEntity, RecordState, StoredRecord, pass_through

_VOLATILE = {"provenance", "first_seen", "last_changed", "withdrawn_at"}


def record_checksum(entity: AnyEntity) -> str:
    # pydantic serialises fields in declaration order, so the bytes are stable for equal records
    return hashlib.sha1(entity.model_dump_json(exclude=_VOLATILE).encode()).hexdigest()


@dataclass(slots=True)
class ImportPlan:
    """What every batch of one import needs, fixed when the import starts."""

    source: str
    defaults: dict[str, Any]
    states: dict[str, RecordState]  # by local id: what the store holds of this source
    overrides: dict[str, tuple[str, str | None]]  # manual split/join decisions by record id
    priority: dict[str, int]  # source priorities for merging
    now: datetime
    keep_if: Callable[[AnyEntity], bool] | None = None
    prepare_writes: Callable[[list[StoredRecord], list[HubEntity]], Any] | None = None  # store.write_preparer()
    load_candidates: Callable[[], CandidateIndex] | None = None
    candidates: CandidateIndex | None = None
    draft_basis: bytes | None = None  # see pipeline.drafts; None: no draft checksums at all
    recheck: bool = False  # check every draft, even one the store has seen (import --force)
    closed_salt: str = ""  # Store.hub_id_salt: the ids of hubs that closed records found

    def candidate_index(self) -> CandidateIndex:
        """Only other sources' entities as they were before this import: an import never merges with itself."""
        if self.candidates is None:
            self.candidates = self.load_candidates() if self.load_candidates else CandidateIndex([])
        return self.candidates


@dataclass(slots=True)
class Batch:
    """Drafts that passed the identity check, with the notices and rejections that came before them."""

    drafts: list[Draft] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    rejected: int = 0


@dataclass(slots=True)
class Prepared:
    notices: list[Notice] = field(default_factory=list)
    rejected: int = 0
    seen: list[str] = field(default_factory=list)  # local ids of every valid record delivered
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    merged: int = 0
    outside: int = 0  # valid records left out by keep_if (import --within)
    restored: int = 0  # withdrawn records delivered again
    writes: Any = None  # new and changed records, and hubs founded by one new record, as the store's
    # write_preparer() made them ready for store.write_prepared(); None when there is nothing to write
    touched: list[str] = field(default_factory=list)  # hubs to rebuild from the store's records
    founded: list[tuple[str, str, str, float, float]] = field(default_factory=list)  # new places that matched no
    # hub, when the source has records a full import may withdraw: (record id, name, type, lat, lon) for _rejoin
    drafts: list[tuple[str, str, str | None]] = field(default_factory=list)  # unchanged records checked afresh:
    # (local id, draft checksum, packed notices) for store.set_record_drafts
    open_written: int = 0  # new and changed records with an open licence: whom the import's webhooks may tell


def outside_notice(where: Location) -> Notice:
    return Notice("outside_within", Severity.INFO, "outside the region --within names: left out", where)


def located(notices: list[Notice], where: dict[str, Location]) -> list[Notice]:
    """Enrichers see entities, not files: their notices get the file, row and local id of the record they are
    about, as the checks' notices have them."""
    out = []
    for notice in notices:
        at = notice.location
        draft = where.get(at.entity_id or "")
        if draft is not None and at.file is None:
            local_id = (at.entity_id or "").split(":", 1)[-1]
            notice = Notice(notice.code, notice.severity, notice.message,
                            Location(at.source, draft.file, draft.row, draft.pointer, at.field, local_id),
                            notice.value)
        out.append(notice)
    return out


def warm() -> None:
    """Every check and enricher loads what it needs for its first record (see Check.warm)."""
    for check in CHECKS:
        check.warm()
    for enricher in ENRICHERS:
        enricher.warm()


def prepare_batch(batch: Batch, plan: ImportPlan) -> Prepared:
    ctx = CheckContext(source=plan.source, defaults=plan.defaults)
    out = Prepared(notices=list(batch.notices), rejected=batch.rejected)
    fresh: list[tuple[AnyEntity, str, str, str | None, str | None]] = []  # entity, local id, checksum, draft
    kept: list[tuple[AnyEntity, str, RecordState, str | None]] = []  # checked afresh, content as stored
    checked: dict[str, tuple[list[Notice], Location]] = {}  # by entity id: the checks' notices, the draft's place
    for draft in batch.drafts:
        state = plan.states.get(str(draft.local_id))
        drafted = draft_checksum(draft, plan.draft_basis) if plan.draft_basis is not None else None
        if not plan.recheck and drafted is not None and state is not None and state.draft == drafted \
                and not state.withdrawn:
            out.notices.extend(replay_notices(state.draft_notices, draft.location))
            out.seen.append(str(draft.local_id))
            out.unchanged += 1
            continue
        entity, notices = build_identified(draft, ctx)
        out.notices.extend(notices)
        if entity is None:
            out.rejected += 1
            if state is not None and not state.withdrawn:
                # Delivered, but not usable this time (a blank name, a broken coordinate): the version imported
                # before stays published until the row is fixed, rather than the place vanishing.
                out.seen.append(str(draft.local_id))
                out.notices.append(Notice("previous_version_kept", Severity.INFO, "rejected this time: the "
                                          "version imported before stays published until it is fixed",
                                          draft.location))
            continue
        if plan.keep_if is not None and not plan.keep_if(entity):
            out.outside += 1
            out.notices.append(outside_notice(draft.location))
            continue
        local_id = entity.id.split(":", 1)[1]
        out.seen.append(local_id)
        checksum = record_checksum(entity)
        checked[entity.id] = (notices, draft.location)
        if state is not None and state.checksum == checksum and not state.withdrawn:
            out.unchanged += 1
            kept.append((entity, local_id, state, drafted))
        else:
            fresh.append((entity, local_id, checksum, drafted, None))
    if not checked:
        return out
    # Enrichment's notices (outside_rvr …) belong to what is wrong with a record now: they are packed with the
    # checks' notices, so an import that meets the same draft again replays them too
    enriched = located(enrich_all([e for e, _, _, _, _ in fresh])
                       + enrich_all([e for e, _, _, _ in kept], notices_only=True),
                       {eid: where for eid, (_, where) in checked.items()})
    out.notices.extend(enriched)
    found: dict[str, list[Notice]] = {}
    for notice in enriched:
        found.setdefault(notice.location.entity_id or "", []).append(notice)

    def pack_for(entity: AnyEntity, local_id: str, drafted: str | None) -> str | None:
        notices, where = checked[entity.id]
        return pack_notices(notices + found.get(local_id, []), where) if drafted is not None else None

    for entity, local_id, state, drafted in kept:
        notices_now = pack_for(entity, local_id, drafted)
        if drafted is not None and (state.draft != drafted or state.draft_notices != notices_now):
            out.drafts.append((local_id, drafted, notices_now))
    fresh = [(entity, local_id, checksum, drafted, pack_for(entity, local_id, drafted))
             for entity, local_id, checksum, drafted, _ in fresh]
    if not fresh:
        return out
    touched: set[str] = set()
    records: list[StoredRecord] = []
    solo: list[HubEntity] = []
    for entity, local_id, checksum, drafted, packed in fresh:
        rid = entity.id
        state = plan.states.get(local_id)
        own_hub = hub_id_for(rid, "" if entity.licence in OPEN_LICENCES else plan.closed_salt)
        if state is None:
            out.new += 1
            hub = _assign_hub(rid, own_hub, entity, plan)
        else:
            if state.withdrawn:
                out.restored += 1  # back after a withdrawal: its content may be the same as before
            else:
                out.changed += 1
            hub = state.hub_id
        # the same dict as model_dump(mode="json", exclude_none=True), a fifth cheaper: pydantic writes JSON in
        # Rust and orjson reads it in C, where model_dump builds every value in Python
        data_json = entity.model_dump_json(exclude_none=True)
        record = StoredRecord(rid, plan.source, local_id, entity.kind, hub, checksum, orjson.loads(data_json), plan.now,
                              plan.now, None, drafted, packed, data_json)
        records.append(record)
        if entity.licence in OPEN_LICENCES:
            out.open_written += 1
        if state is None and hub == own_hub:
            founded = build_hub(hub, record.kind, [record], plan.priority, plan.now, None)
            if founded is not None:
                solo.append(founded)
            geo = getattr(entity, "geo", None)
            if plan.states and geo is not None and rid not in plan.overrides:
                out.founded.append((rid, entity.display_name(), entity.type, geo.lat, geo.lon))
        else:
            if hub != own_hub and state is None:
                out.merged += 1
            touched.add(hub)
    out.touched = sorted(touched)
    out.writes = (plan.prepare_writes or pass_through)(records, solo)
    return out


def _assign_hub(rid: str, own_hub: str, entity: AnyEntity, plan: ImportPlan) -> str:
    pinned = plan.overrides.get(rid)
    if pinned is not None:
        action, target = pinned
        if action == "join" and target:
            return target
        return own_hub
    geo = getattr(entity, "geo", None)
    if entity.kind == "place" and geo is not None:
        match = plan.candidate_index().best_match(plan.source, entity.display_name(), entity.type, geo.lat, geo.lon)
        if match is not None:
            return match
    return own_hub
