"""Imports: raw input kept → adapter → checks → enrich → records → merged hub entities, in one transaction.

Idempotent: a record whose checksum did not change is not touched ("0 new, 0 changed, N unchanged").
Transactional: everything after the raw input is written in one transaction; a failure or kill leaves
the previous state. A full import withdraws records the source no longer delivers (kept, with history).
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from datenhub.checks import CheckContext, build, identify
from datenhub.clock import Clock, utc_now
from datenhub.ingest.base import Adapter, AdapterOptions, Draft, RawInput
from datenhub.model import AnyEntity
from datenhub.model.ids import valid_source_name
from datenhub.model.licence import OPEN_LICENCES, parse_licence
from datenhub.notices import Location, Notice, Report, Severity
from datenhub.notify.webhooks import notify_import
from datenhub.pipeline.drafts import draft_basis
from datenhub.pipeline.merge import CandidateIndex, build_hub
from datenhub.pipeline.prepare import Batch, ImportPlan
from datenhub.pipeline.workers import prepared_batches, worker_count
from datenhub.store.base import OWN_NOTICES, SourceInfo, Store, StoredRecord

MAX_STORED_NOTICES_PER_CODE = 10_000
Progress = Callable[[int], None]


class ImportError_(RuntimeError):
    """The import could not run at all (bad source name, unreadable mapping); nothing was changed."""


@dataclass(slots=True)
class ImportResult:
    source: str
    adapter: str
    import_id: int | None = None
    fingerprint: str | None = None
    skipped: bool = False
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    rejected: int = 0
    merged: int = 0
    outside: int = 0  # valid records left out by import --within
    restored: int = 0  # withdrawn records delivered again (not counted as changed)
    report: Report = field(default_factory=Report)
    open_changes: bool = False  # an open-licence record was written or withdrawn (not in the summary)

    def summary(self) -> dict[str, Any]:
        return {"source": self.source, "adapter": self.adapter, "import_id": self.import_id, "new": self.new,
                "changed": self.changed, "unchanged": self.unchanged, "withdrawn": self.withdrawn,
                "rejected": self.rejected, "merged": self.merged, "outside": self.outside, "restored": self.restored,
                "notices": self.report.by_code(),
                "errors": self.report.count(Severity.ERROR), "warnings": self.report.count(Severity.WARNING),
                "fingerprint": self.fingerprint, "skipped": self.skipped}


class NoticeSink:
    """Counts every notice in the report; keeps a bounded number per code for storage."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.kept: list[Notice] = []
        self.per_code: Counter[str] = Counter()
        self.rejected = 0
        self.file_error = False  # the adapter could not read the file to its end

    def add(self, notice: Notice) -> None:
        self.report.add(notice)
        self.per_code[notice.code] += 1
        if self.per_code[notice.code] <= MAX_STORED_NOTICES_PER_CODE:
            self.kept.append(notice)


def held_back(notice: Notice, sink: NoticeSink) -> int:
    """1 when an adapter's notice held a record back (an ERROR with the record's id). An ERROR without one means a
    part of the file is lost, which the sink notes (no withdrawals then)."""
    if notice.severity is not Severity.ERROR:
        return 0
    if notice.location.entity_id is None:
        sink.file_error = True
        return 0
    return 1


def iter_valid(items: Iterable[Draft | Notice], ctx: CheckContext, sink: NoticeSink,
               progress: Progress | None = None, where: dict[str, Location] | None = None) -> Iterator[AnyEntity]:
    """Run checks over an adapter's output, streaming valid entities; notices go to the sink, and each valid
    entity's place in the file to ``where`` if given."""
    for count, item in enumerate(items, start=1):
        if isinstance(item, Notice):
            sink.add(item)
            sink.rejected += held_back(item, sink)
            continue
        entity, notices = build(item, ctx)
        for notice in notices:
            sink.add(notice)
        if entity is None:
            sink.rejected += 1
        else:
            if where is not None:
                where[entity.id] = item.location
            yield entity
        if progress and count % 1000 == 0:
            progress(count)


def validate_stream(items: Iterable[Draft | Notice], ctx: CheckContext, report: Report,
                    progress: Progress | None = None, where: dict[str, Location] | None = None,
                    ) -> tuple[list[AnyEntity], int, list[Notice]]:
    """Run checks over an adapter's output: (valid entities, rejected count, notices to store)."""
    sink = NoticeSink(report)
    entities = list(iter_valid(items, ctx, sink, progress, where))
    return entities, sink.rejected, sink.kept


# meta key + source -> the id of the source's last import when one of its records was withdrawn outside an import
# (the write API's DELETE): that import's input no longer says what the source holds, so the same input again is run
WITHDRAWN_AFTER = "withdrawn_after_import:"


def mark_withdrawn_outside_import(store: Store, source: str) -> None:
    """Note that a record of `source` was withdrawn since its last import: its fingerprint may not skip the next."""
    last = store.list_imports(source, limit=1)
    if last:
        store.put_meta(WITHDRAWN_AFTER + source, str(last[0]["id"]))


def fingerprint(raw: RawInput, adapter: Adapter, options: AdapterOptions, full: bool, filter_key: str | None,
                allow_empty: bool = False) -> str:
    """What decides an import's outcome: the bytes, the adapter, its options and the pipeline version."""
    from datenhub import __version__

    basis = {"raw": raw.sha256, "adapter": adapter.name, "mapping": options.mapping, "defaults": options.defaults,
             "full": full, "filter": filter_key, "version": __version__, "pipeline": PIPELINE_VERSION,
             **({"allow_empty": True} if allow_empty else {})}  # only when set: earlier fingerprints stay valid
    return hashlib.sha1(json.dumps(basis, sort_keys=True, default=str).encode()).hexdigest()


def run_import(store: Store, raw: RawInput, adapter: Adapter, options: AdapterOptions, *,
               clock: Clock = utc_now, full: bool = True, priority: int | None = None,
               progress: Progress | None = None, keep_if: Callable[[AnyEntity], bool] | None = None,
               filter_key: str | None = None, force: bool = False, workers: int | None = None,
               allow_empty: bool = False, carry_notices: bool = True) -> ImportResult:
    """`allow_empty`: a full import that delivers no usable record may withdraw the whole source (otherwise it
    keeps it: an export that failed half-way, or a file of rejected rows, often looks like that).
    `carry_notices`: a partial import keeps the current notices of the records it did not deliver (see
    _notices_of_others); off for single-record writes, which would copy them on every request."""
    source = options.source
    if not valid_source_name(source):
        raise ImportError_(f"invalid source name {source!r}: use 1 to 63 lower-case letters, digits, '-' and '_', "
                           "starting with a letter or digit")
    now = clock()
    result = ImportResult(source, adapter.name)
    with store.transaction():
        known = store.get_source(source)
        info = _source_info(known, source, options.defaults, priority)
        # a source known before keeps what it says of itself until this import delivers records (below): a file
        # that could not be read must not change the licence the catalogue gives for the records it has. Its
        # priority counts at once: this import merges by it.
        store.upsert_source(info if known is None else replace(known, priority=info.priority))
        raw_id = store.save_raw(raw)  # kept even if the import below fails
    print_ = fingerprint(raw, adapter, options, full, filter_key, allow_empty)
    previous = store.list_imports(source, limit=1)
    if (not force and previous and previous[0]["status"] == "ok" and previous[0]["stats"].get("fingerprint") == print_
            and store.get_meta(WITHDRAWN_AFTER + source) != str(previous[0]["id"])):
        return _unchanged_input(store, source, adapter, raw_id, previous[0]["stats"], print_, result, now, clock)
    workers = worker_count(workers, len(raw.payload))
    import_id = store.start_import(source, adapter.name, raw_id, now)
    result.import_id = import_id
    result.fingerprint = print_
    ctx = CheckContext(source=source, defaults=options.defaults)
    sink = NoticeSink(result.report)
    # A batch job allocates millions of acyclic objects; the cyclic GC would rescan them over and over.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with store.bulk(), store.transaction():  # bulk's work at its end commits with the import
            batches = _batches(adapter.read(raw, options), ctx, sink, progress)
            basis = draft_basis(options.defaults, filter_key, PIPELINE_VERSION)
            seen = _apply(store, source, batches, sink, result, now, full, options.defaults, keep_if, workers, basis,
                          force, allow_empty)
            result.rejected = sink.rejected
            if known is not None and (result.new or result.changed or result.unchanged or result.restored):
                store.upsert_source(info)
            carried = _notices_of_others(store, source, seen) if not full and carry_notices else []
            own = not full and not carry_notices  # a single-record write: its notices are about its records alone
            if own:
                store.supersede_notices(source, sorted(seen), import_id)
            store.save_notices(import_id, sink.kept + carried)
            # the settings go with the import, so `reprocess` can run the kept input again as it ran
            settings = {"mapping": options.mapping, "defaults": options.defaults, "within": filter_key,
                        "full": full, "allow_empty": allow_empty}
            store.finish_import(import_id, "ok", {**result.summary(), "settings": settings,
                                                  **({OWN_NOTICES: True} if own else {})}, clock())
            notify_import(store, result.summary(), now, clock(), open_change=result.open_changes)
    except BaseException as exc:
        store.finish_import(import_id, "failed", {"error": f"{type(exc).__name__}: {exc}"}, clock())
        raise
    finally:
        if gc_was_enabled:
            gc.enable()
    return result


PIPELINE_VERSION = "8"  # bump when adapters, checks, enrichers or merging change what an import produces
# (3: addresses trimmed; 4: an event's place_id and a CSV images column read, a bare number is no date, control
# characters out of every text, notice values as JSON; 5: JSON-LD amenityFeature read as wheelchair, an HTML page
# is html_page, iCalendar TZID notices and X-DATENHUB-STATUS; 6: JSON-LD additionalProperty categories, route role
# and raw hours read, event times in UTC kept in Berlin local time, iCal organizer and vocabulary CATEGORIES read,
# "immer geöffnet" read as 24/7, nameless rows without ids told apart; 7: an event's categories read from the
# DefinedTerms of a hub's vocabulary it is `about`; 8: those terms also where `about` names them by @id)
BATCH = 2000  # records per prepare+write step: bounds peak memory on big imports
FIRST_BATCH = 250  # the first batches grow to BATCH from here, so writing starts while workers prepare the rest


def _batches(items: Iterable[Draft | Notice], ctx: CheckContext, sink: NoticeSink,
             progress: Progress | None) -> Iterator[Batch]:
    """The adapter's output cut into batches; identity (duplicate ids) is checked here, in input order."""
    batch = Batch()
    size = min(FIRST_BATCH, BATCH)
    for count, item in enumerate(items, start=1):
        if isinstance(item, Notice):
            batch.notices.append(item)
            batch.rejected += held_back(item, sink)
            continue
        usable, notices = identify(item, ctx)
        batch.notices.extend(notices)
        if usable:
            batch.drafts.append(item)
        else:
            batch.rejected += 1
        if len(batch.drafts) >= size:
            yield batch
            batch = Batch()
            size = min(2 * size, BATCH)
        if progress and count % 1000 == 0:
            progress(count)
    yield batch


def _apply(store: Store, source: str, batches: Iterable[Batch], sink: NoticeSink, result: ImportResult,
           now: datetime, full: bool, defaults: dict[str, Any], keep_if: Callable[[AnyEntity], bool] | None,
           workers: int, basis: bytes | None = None, recheck: bool = False, allow_empty: bool = False) -> set[str]:
    """Writes the batches; returns the local ids of the records delivered."""
    states = store.record_states(source)
    plan = ImportPlan(source, defaults, states, store.overrides(), source_priorities(store), now, keep_if,
                      prepare_writes=store.write_preparer(),
                      load_candidates=lambda: CandidateIndex(store.merge_candidates("place", exclude_source=source)),
                      draft_basis=basis, recheck=recheck, closed_salt=store.hub_id_salt())
    if workers > 1:
        plan.candidate_index()  # workers cannot read the store: load what they may need before they fork
    seen: set[str] = set()
    founded: list[tuple[str, str, str, float, float]] = []
    with closing(prepared_batches(batches, plan, workers)) as stream:
        for prepared in stream:
            for notice in prepared.notices:
                sink.add(notice)
            sink.rejected += prepared.rejected
            seen.update(prepared.seen)
            result.new += prepared.new
            result.changed += prepared.changed
            result.unchanged += prepared.unchanged
            result.merged += prepared.merged
            result.outside += prepared.outside
            result.restored += prepared.restored
            result.open_changes = result.open_changes or prepared.open_written > 0
            founded += prepared.founded
            if prepared.writes is not None:
                store.write_prepared(prepared.writes)  # the store keeps first_seen of known records
            if prepared.drafts:
                store.set_record_drafts(source, prepared.drafts)
            _rebuild_hubs(store, prepared.touched, now, plan.priority)
    if full:
        gone = [f"{source}:{lid}" for lid, st in states.items() if lid not in seen and not st.withdrawn]
        if gone and sink.file_error:
            # An unreadable file says nothing about which records disappeared: withdraw nothing.
            sink.add(Notice("withdrawal_skipped", Severity.WARNING,
                            f"the adapter reported an error no record can be told from (a part of the file it "
                            f"could not read; see its ERROR notices), so {len(gone)} records not delivered this "
                            "time were kept, not withdrawn", Location(source=source)))
        elif gone and not seen and not allow_empty:
            # A header and no rows, or only rejected rows: a failed export far more often than an empty source.
            sink.add(Notice("withdrawal_skipped", Severity.WARNING,
                            f"the file holds no usable record; the source's {len(gone)} records were kept, not "
                            "withdrawn (to empty the source on purpose, import with --allow-empty)",
                            Location(source=source)))
        elif gone:
            left = sorted({states[rid.split(":", 1)[1]].hub_id for rid in gone})
            if not result.open_changes:
                withdrawing = set(gone)
                result.open_changes = any(r.record_id in withdrawing and r.data.get("licence") in OPEN_LICENCES
                                          for members in store.records_of_hubs(left).values() for r in members)
            store.withdraw_records(gone, now)
            result.withdrawn = len(gone)
            _rebuild_hubs(store, left, now, plan.priority)
            result.merged += _rejoin(store, source, set(left), founded, now, plan.priority)
    return seen


def _notices_of_others(store: Store, source: str, delivered: set[str]) -> list[Notice]:
    """The current notices of the source's records a partial import did not deliver: stored with it, so that
    `notices` (each source's latest import) still says what is wrong with them."""
    earlier = store.list_notices(source=source, current=True, limit=MAX_STORED_NOTICES_PER_CODE * 4)
    return [n for n in reversed(earlier) if n.location.entity_id is not None and n.location.entity_id not in delivered]


def _rejoin(store: Store, source: str, left: set[str], founded: list[tuple[str, str, str, float, float]],
            now: datetime, priority: dict[str, int]) -> int:
    """New places that matched nothing, matched again against the hubs this import's withdrawals left: a record
    given a new id ("f1" now "f2") or an id derived from a changed name joins the place its old one was part of,
    instead of standing beside it. (While the import ran, those hubs still held the old record, and an import
    never merges with itself.) Returns how many joined."""
    if not left or not founded:
        return 0
    index = CandidateIndex([c for c in store.merge_candidates("place", exclude_source=source) if c.hub_id in left])
    joined: set[str] = set()  # hubs a record of this source joined: one each, as the import merges
    for record_id, name, typ, lat, lon in founded:
        match = index.best_match(source, name, typ, lat, lon)
        record = store.get_record(record_id) if match is not None and match not in joined else None
        if match is None or record is None:
            continue
        store.reassign_records({record_id: match})
        store.add_alias(record.hub_id, match)
        _rebuild_hubs(store, [match], now, priority)
        retire_hub(store, record.hub_id, record, now)
        joined.add(match)
    return len(joined)


def _unchanged_input(store: Store, source: str, adapter: Adapter, raw_id: int, stats: dict[str, Any],
                     print_: str, result: ImportResult, now: datetime, clock: Clock) -> ImportResult:
    """The same bytes with the same settings as the source's last import: nothing can have changed."""
    result.unchanged = sum(int(stats.get(count, 0)) for count in ("new", "changed", "unchanged", "restored"))
    result.rejected = int(stats.get("rejected", 0))
    result.outside = int(stats.get("outside", 0))
    result.fingerprint, result.skipped = print_, True
    if int(stats.get("errors", 0)):
        # the data still has them: a gate such as `import --strict` must not pass because nothing changed
        result.report.extend(store.list_notices(source=source, current=True, severity=Severity.ERROR,
                                                limit=MAX_STORED_NOTICES_PER_CODE))
    result.report.add(Notice("input_unchanged", Severity.INFO,
                             "this exact input was imported last time with the same settings; nothing to do "
                             "(--force re-runs every check)", Location(source=source)))
    with store.transaction():
        result.import_id = store.start_import(source, adapter.name, raw_id, now)
        settings = {"settings": stats["settings"]} if "settings" in stats else {}
        store.finish_import(result.import_id, "ok", {**result.summary(), **settings}, clock())
    return result


def _source_info(known: SourceInfo | None, source: str, defaults: dict[str, Any], priority: int | None) -> SourceInfo:
    """The source as this import describes it: its licence, attribution and title where given, else as known."""
    info = replace(known) if known is not None else SourceInfo(name=source)
    given = defaults.get("licence")
    # the source lists its licence as its records carry it ("CC BY 4.0" → CC-BY-4.0); unknown ones as given
    known_licence = parse_licence(given)
    info.licence = (known_licence.value if known_licence else given) if given else info.licence
    info.attribution = defaults.get("attribution") or info.attribution
    info.title = defaults.get("title") or info.title
    if priority is not None:
        info.priority = priority
    return info


def source_priorities(store: Store) -> dict[str, int]:
    return {s.name: s.priority for s in store.list_sources()}


def _rebuild_hubs(store: Store, hub_ids: list[str], now: datetime, priority: dict[str, int] | None = None) -> None:
    """Recompute these hub entities from their records in the store (merges, changes, withdrawals)."""
    if not hub_ids:
        return
    if priority is None:
        priority = source_priorities(store)
    members = store.records_of_hubs(hub_ids)
    old = store.entity_states(hub_ids)
    entities = []
    for hub_id in hub_ids:
        records = members.get(hub_id, [])
        if not records:
            continue
        entity = build_hub(hub_id, records[0].kind, records, priority, now, old.get(hub_id))
        if entity is not None:
            entities.append(entity)
    store.upsert_entities(entities)


def retire_hub(store: Store, hub_id: str, moved: StoredRecord, now: datetime) -> None:
    """A hub whose every record moved to another (a join): withdrawn, as a tombstone built from the record that
    left, so no list shows the place twice; its id stays an alias of the hub it joined."""
    if store.records_of_hubs([hub_id]).get(hub_id):
        return  # records are left: rebuilt from them as usual
    old = store.entity_states([hub_id]).get(hub_id)
    entity = build_hub(hub_id, moved.kind, [replace(moved, hub_id=hub_id, withdrawn_at=now)],
                       source_priorities(store), now, old)
    if entity is not None:
        store.upsert_entities([entity])


def rebuild(store: Store, hub_ids: list[str], clock: Clock = utc_now) -> None:
    """Recompute hub entities after an override (split/join) changed their membership."""
    with store.transaction():
        _rebuild_hubs(store, hub_ids, clock())


def describe_location(location: Location) -> str:
    return location.describe()
