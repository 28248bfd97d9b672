"""The Store contract. Every backend (SQLite default, PostgreSQL for scale) implements exactly this,
and one parametrised test suite (tests/store/test_contract.py) runs against each.

Rules every implementation keeps:
- Writes happen inside `transaction()`; a failure or a killed process leaves the previous state.
- Reads for anonymous callers never return closed-licence data: `Query.include_closed` is the only way in,
  and it is applied in the query itself, not by filtering results afterwards.
- Entities are returned as canonical JSON dicts (the hub's own JSON, as `Entity.model_dump(mode="json")`).
"""

from __future__ import annotations

import secrets
from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from datenhub.ingest.base import RawInput
from datenhub.model.licence import is_open, parse_licence
from datenhub.notices import Notice, Severity
from datenhub.store import spelling
from datenhub.store.access import ApiKey, Delivery, Webhook
from datenhub.store.documents import RawDocument, View
from datenhub.store.occupancy_contract import OccupancyStore
from datenhub.store.query import Query, QueryError
from datenhub.store.tallies import OpenTally


def pass_through(records: list[StoredRecord], entities: list[HubEntity]) -> Any:
    """The default write preparer: the objects themselves, with their index columns computed ahead."""
    from datenhub.store.rows import entity_columns  # rows builds on this module

    for entity in entities:
        entity.columns = entity_columns(entity)
    return records, entities


@dataclass(slots=True)
class SourceInfo:
    name: str
    title: str | None = None
    licence: str | None = None
    attribution: str | None = None
    priority: int = 100  # lower wins when merging fields from several sources
    url: str | None = None
    description: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class RecordState:
    checksum: str
    hub_id: str
    withdrawn: bool
    draft: str | None = None  # checksum of the draft the record was built from (see pipeline.drafts)
    draft_notices: str | None = None  # what the checks said about that draft, for replay (JSON)


@dataclass(slots=True)
class StoredRecord:
    """One source record as it came in (validated and enriched), never lost, even when merged or withdrawn."""

    record_id: str
    source: str
    local_id: str
    kind: str
    hub_id: str
    checksum: str
    data: dict[str, Any]
    first_seen: datetime
    last_changed: datetime
    withdrawn_at: datetime | None = None
    draft: str | None = None  # as in RecordState: lets an unchanged draft skip the checks next time
    draft_notices: str | None = None
    data_json: str | None = None  # `data` as JSON where the import has it already (pydantic's): stored as it is


HUB_ID_SALT = "hub_id_salt"  # the meta key of Store.hub_id_salt
OPEN_GONE = "gone"  # a hub checksum's open part once its open view went (not hex: never a real view's checksum)


@dataclass(slots=True)
class HubEntity:
    """A published entity: the merge of its records. `data_open` is the view built from open records only."""

    id: str
    kind: str
    data: dict[str, Any]
    data_open: dict[str, Any] | None
    checksum: str
    changed_at: datetime
    withdrawn_at: datetime | None = None
    columns: Any = None  # its EntityColumns (store/rows.py) when computed ahead, e.g. in an import worker
    # the hub lives on, but the open view it had is gone (its last open record withdrawn or moved away): stored
    # as a stub, so the delta feed tells readers of open data to drop the place (rows.open_document)
    open_gone: bool = False
    # when the open view last changed, where that was before changed_at: a change of closed data alone leaves the
    # open view, its date and its place in the open delta feed as they were
    open_changed_at: datetime | None = None
    open_seq: int | None = None  # the open view's place in the order of changes (`seq`) then, likewise


@dataclass(frozen=True, slots=True)
class EntityState:
    """What rebuilding a stored hub compares with: its checksum and when its open view (or full one) last changed."""

    checksum: str
    open_changed_at: datetime
    open_seq: int


@dataclass(slots=True)
class Candidate:
    """An active place another record might merge into."""

    hub_id: str
    lat: float
    lon: float
    name: str
    type: str
    sources: tuple[str, ...]


class Page:
    """One page of a listing. A store may hand its items over as stored bytes (`raw`, see store.documents):
    `items` parses them on first use, and publishers that can write from bytes never do."""

    __slots__ = ("_items", "corrected_q", "distances", "next_cursor", "raw")

    def __init__(self, items: list[dict[str, Any]] | None, next_cursor: str | None,
                 distances: dict[str, float] | None = None, *, raw: list[RawDocument | dict[str, Any]] | None = None
                 ) -> None:
        self._items = items
        self.raw = raw  # stored bytes per item, or a dict where there are none (tombstones)
        self.next_cursor = next_cursor
        self.distances = distances if distances is not None else {}  # metres per item id when the query had `near`
        self.corrected_q: str | None = None  # the words searched instead of a query that found nothing (spelling)

    @property
    def items(self) -> list[dict[str, Any]]:
        if self._items is None:
            self._items = [orjson.loads(d.raw) if isinstance(d, RawDocument) else d for d in self.raw or []]
        return self._items

    @property
    def empty(self) -> bool:
        """No items: known without parsing stored bytes (`not page.items` parsed every item of a full page)."""
        return not (self._items if self._items is not None else self.raw)

    def items_as(self, view: View) -> list[dict[str, Any]]:
        """The items as a format reads them (store.documents.View): a format that shows less parses less."""
        if view == "full" or self._items is not None:
            return self.items
        return [orjson.loads(d.view(view)) if isinstance(d, RawDocument) else d for d in self.raw or []]

    def __repr__(self) -> str:
        return f"Page({len(self.items)} items, next_cursor={self.next_cursor!r})"


class StoreError(RuntimeError):
    """The database cannot be used (unreachable, wrong schema, locked); the message says what to do."""


# An import's stats flag: it stored notices about the records it delivered only (a single-record write through the
# API). The current notices of a source (list_notices(current=True)) are those of its latest import without it
# and of every such import since.
OWN_NOTICES = "own_notices"

COUNTS = ("places", "events", "withdrawn", "records", "sources", "raw_inputs", "notices", "open_places",
          "open_events")

class Store(OccupancyStore):
    url: str
    # the vocabulary may keep terms no entity holds any more (PostgreSQL's lexemes table only grows): spelling then
    # asks the reader's view about each word for key holders too, as it does for readers of open data
    keeps_gone_terms: bool = False

    # lifecycle ---------------------------------------------------------------------------------------------
    @abstractmethod
    def migrate(self) -> list[str]:
        """Bring the schema up to date; return the names of the migrations applied."""

    def holds_hub(self) -> bool:
        """Whether the database holds a hub's schema (for a store opened with migrate=False): `db copy` must not
        make an empty hub in the database it copies from and report the empty copy verified."""
        return True

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """All writes inside commit together or not at all."""

    def lock_record(self, record_id: str) -> None:
        """Inside a transaction: another writer of `record_id` waits here until this transaction ends, so a write
        can read the record's version, check it and write in one step (the API's If-Match, PATCH's merge). The
        default does nothing: a backend whose write transactions run one at a time (SQLite) needs no more."""
        del record_id

    def serve(self, lock_wait_s: float) -> None:
        """The store answers requests from here on: a statement that waits longer than `lock_wait_s` for a lock
        another session holds (a first import into an empty PostgreSQL hub holds its tables until it commits) fails
        with a database error, which the API answers with 503 and Retry-After instead of hanging. Nothing to do
        where waits are bounded already (SQLite's busy timeout)."""
        del lock_wait_s

    def bulk(self) -> AbstractContextManager[None]:
        """Around an import, which streams through tables once: a backend may trade read caching for a smaller
        resident set here. The default changes nothing."""
        return nullcontext()

    # sources and raw input ---------------------------------------------------------------------------------
    @abstractmethod
    def upsert_source(self, source: SourceInfo) -> None: ...

    @abstractmethod
    def get_source(self, name: str) -> SourceInfo | None: ...

    @abstractmethod
    def list_sources(self) -> list[SourceInfo]:
        """Every source with stats: records, active, withdrawn, last_import."""

    def check_sources(self, wanted: tuple[str, ...], open_only: bool = False) -> None:
        """A source filter naming a source nothing is imported under is a QueryError naming the known ones, as an
        unknown category is: a typo answered an empty list. `open_only`: known as a reader of open data knows
        them (sources_with_licences): a source of closed records alone is unknown to them, by name too."""
        listed = self.sources_with_licences(open_only=True) if open_only else self.list_sources()
        known = sorted(info.name for info in listed)
        unknown = [name for name in wanted if name not in known]
        if unknown:
            raise QueryError("source", f"unknown source(s) {', '.join(map(repr, unknown))}; known: "
                                       f"{', '.join(known)}")

    def sources_with_licences(self, open_only: bool = False) -> list[SourceInfo]:
        """`list_sources`, each with stats["licences"]: how many of its records carry which licence (a source may
        set it row by row, whatever its imports declared; record_licences). `open_only`: as a reader of open data
        may see them: a source whose active records are all closed is left out, the others' closed records are
        not counted, and of the times only `open_changed_at` is shown (open_record_changes), not the imports'."""
        carried, credited, changes = self.record_licences(), self.record_attributions(), self.open_record_changes()
        sources = self.list_sources()
        for source in sources:
            source.stats["licences"] = carried.get(source.name, {})
            source.stats["attributions"] = credited.get(source.name, [])
            source.stats["open_changed_at"] = changes[source.name].changed_at if source.name in changes else None
        if not open_only:
            return sources
        shown = []
        for source in sources:
            licences = source.stats["licences"]
            opened = {name: n for name, n in licences.items() if (lid := parse_licence(name)) and is_open(lid)}
            if licences and not opened:
                continue  # only closed records: its name and attribution would tell of them
            if not licences and not (source.licence and (lid := parse_licence(source.licence)) and is_open(lid)):
                continue  # nothing active, and not declared open either
            closed = sum(licences.values()) - sum(opened.values())
            source.stats["licences"] = opened
            withdrawn = changes[source.name].withdrawn if source.name in changes else 0
            if isinstance(active := source.stats.get("active"), int):
                source.stats.update(active=max(0, active - closed), withdrawn=withdrawn)
                source.stats["records"] = source.stats["active"] + withdrawn
            for when in ("last_import", "last_status"):  # an import that changed closed records alone is news
                source.stats.pop(when, None)
            shown.append(source)
        return shown

    @abstractmethod
    def record_attributions(self) -> dict[str, list[str]]:
        """Per source, the attributions its active open-licence records carry, most common first (at most
        store.tallies.MAX_ATTRIBUTIONS): what a download of its open data must credit, kept per data version."""

    @abstractmethod
    def open_record_changes(self) -> dict[str, OpenTally]:
        """Per source with open records (kept per data version): its open data's last change (the hubs' open change
        times, HubEntity.open_changed_at, withdrawals included) and its withdrawn open records."""

    @abstractmethod
    def record_licences(self) -> dict[str, dict[str, int]]:
        """Per source, its active records by the licence each carries (kept per data version): a source that mixes
        licences row by row is catalogued by what its records say, not by the licence its imports declared."""

    @abstractmethod
    def save_raw(self, raw: RawInput) -> int:
        """Keep the raw bytes (deduplicated by source + checksum); return its id."""

    @abstractmethod
    def get_raw(self, raw_id: int) -> RawInput | None: ...

    # imports and notices -----------------------------------------------------------------------------------
    @abstractmethod
    def start_import(self, source: str, adapter: str, raw_id: int | None, at: datetime) -> int: ...

    @abstractmethod
    def finish_import(self, import_id: int, status: str, stats: dict[str, Any], at: datetime) -> None: ...

    @abstractmethod
    def list_imports(self, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]: ...

    @abstractmethod
    def save_notices(self, import_id: int, notices: list[Notice]) -> None: ...

    @abstractmethod
    def supersede_notices(self, source: str, local_ids: list[str], import_id: int | None) -> None:
        """Notices imports before `import_id` stored about these records are no longer what is wrong with them:
        a single-record write (OWN_NOTICES) says that now, with its own notices. `None`: every import's (a record
        deleted through the API has nothing wrong with it any more)."""

    @abstractmethod
    def list_notices(self, *, source: str | None = None, code: str | None = None, entity_id: str | None = None,
                     import_id: int | None = None, current: bool = False, limit: int = 100,
                     severity: Severity | None = None) -> list[Notice]:
        """Newest first. ``current``: only those of each source's latest import that ran (not one skipped as
        unchanged input), which says everything the source's data has now: unchanged records replay theirs.
        ``severity``: only those of it."""

    # records -----------------------------------------------------------------------------------------------
    @abstractmethod
    def record_states(self, source: str) -> dict[str, RecordState]:
        """local id -> state, for every record the source ever delivered."""

    @abstractmethod
    def upsert_records(self, records: list[StoredRecord]) -> None:
        """Insert or replace; the previous version of a changed record goes to its history."""

    @abstractmethod
    def set_record_drafts(self, source: str, drafts: list[tuple[str, str, str | None]]) -> None:
        """(local id, draft checksum, draft notices) for records whose data did not change: remembered so the
        next import of the same draft can skip its checks. Neither history nor last_changed moves."""

    @abstractmethod
    def withdraw_records(self, record_ids: list[str], at: datetime) -> None: ...

    @abstractmethod
    def get_record(self, record_id: str) -> StoredRecord | None: ...

    @abstractmethod
    def records_of_hubs(self, hub_ids: list[str]) -> dict[str, list[StoredRecord]]:
        """Active and withdrawn records grouped by hub id."""

    @abstractmethod
    def record_history(self, record_id: str) -> list[dict[str, Any]]:
        """Earlier versions, oldest first: [{'changed_at', 'checksum', 'data'}]."""

    @abstractmethod
    def reassign_records(self, assignments: dict[str, str]) -> None:
        """record id -> new hub id (merges and splits)."""

    # hub entities ------------------------------------------------------------------------------------------
    @abstractmethod
    def merge_candidates(self, kind: str, exclude_source: str | None = None) -> list[Candidate]:
        """Every active entity of a kind with a position, for dedupe; with `exclude_source`, none that already
        holds a record of that source (an import never merges with itself, so it needs only the others)."""

    @abstractmethod
    def entity_checksums(self, hub_ids: list[str]) -> dict[str, str]: ...

    def hub_id_salt(self) -> str:
        """The store's secret for the ids of hubs closed records found (model.ids.hub_id_for), made on first use
        (inside a write transaction)."""
        self.put_meta(HUB_ID_SALT, secrets.token_hex(16), replace=False)
        return self.get_meta(HUB_ID_SALT) or ""

    @abstractmethod
    def get_meta(self, key: str) -> str | None:
        """A value of the store's own settings (table `meta`), None if not set."""

    @abstractmethod
    def put_meta(self, key: str, value: str, *, replace: bool = True) -> None:
        """Set a value of the store's own settings; with replace=False only where it is not set yet."""

    @abstractmethod
    def entity_states(self, hub_ids: list[str]) -> dict[str, EntityState]:
        """The stored state of these hubs, for build_hub (those not stored are left out)."""

    @abstractmethod
    def upsert_entities(self, entities: list[HubEntity]) -> None:
        """Write entities and their search indexes; withdrawn ones become tombstones out of the indexes."""

    def write_preparer(self) -> Callable[[list[StoredRecord], list[HubEntity]], Any]:
        """A pure function (no connection, so an import worker process can run it) turning records and
        entities into what `write_prepared` takes. Backends override both to move their costly
        serialisation out of the writing process; the default hands the objects through."""
        return pass_through

    def write_prepared(self, prepared: Any) -> None:
        """Write what `write_preparer()` returned: upsert_records, then upsert_entities."""
        records, entities = prepared
        if records:
            self.upsert_records(records)
        self.upsert_entities(entities)

    @abstractmethod
    def add_alias(self, alias: str, hub_id: str) -> None: ...

    @abstractmethod
    def remove_alias(self, alias: str) -> None:
        """The id is a hub of its own again (a split undoing a join)."""

    @abstractmethod
    def set_override(self, record_id: str, action: str, hub_id: str | None, at: datetime) -> None:
        """Pin a record: action 'split' (own entity) or 'join' (into hub_id); 'clear' removes the pin."""

    @abstractmethod
    def overrides(self) -> dict[str, tuple[str, str | None]]: ...

    # reading -----------------------------------------------------------------------------------------------
    @abstractmethod
    def get_entity(self, entity_id: str, *, include_closed: bool = False,
                   include_withdrawn: bool = False, exact: bool = False) -> dict[str, Any] | None:
        """By hub id, alias, or source record id (`source:local`); `exact`: the entity stored under this very hub
        id, even one whose id became an alias of another (a tombstone a join left)."""

    def get_entity_sensing(self, entity_id: str, *, include_closed: bool = False) -> tuple[dict[str, Any] | None, bool]:
        """`get_entity`, and whether an occupancy sensor is registered under the entity's hub id or one of its
        record ids: what a place's detail view needs. A server backend answers both in one round trip."""
        entity = self.get_entity(entity_id, include_closed=include_closed)
        if entity is None:
            return None, False
        return entity, bool(self.list_sensors(sensor_place_ids(entity)))

    def search(self, query: Query) -> Page:
        """One page of `query`; a delta feed with filters also lists its changed records outside them, as
        tombstones (store.delta)."""
        from datenhub.store import delta

        if delta.filtered(query):
            return delta.filtered_page(self.search_rows, query)
        return self.search_rows(query)

    @abstractmethod
    def search_rows(self, query: Query) -> Page:
        """One page of the records `query` finds: the backend's search (`search` adds the delta feed's tombstones
        of records outside its filters)."""

    @abstractmethod
    def vocabulary(self, prefix: str, limit: int) -> list[str]:
        """Up to `limit` terms of the full-text index that start with `prefix` (non-empty; stems, as store.text
        makes them), in order. Terms may come from any record, closed or withdrawn ones too: callers check what
        they find."""

    def search_spelled(self, query: Query) -> Page:
        """`search`, and when a text query finds nothing, the same query with its misspelled words corrected
        (store.spelling); the page then names the words it searched (`corrected_q`)."""
        try:
            page = self.search(query)
        except QueryError as exc:
            # The next page of a corrected search: its cursor was made for the corrected words, and the request
            # carries the words as typed. The corrected query takes it (or raises the same error).
            fixed = spelling.spelled(query, self.vocabulary, self._usable(query)) if exc.param == "cursor" and \
                query.q else None
            if fixed is None or fixed.q == query.q:
                raise
            page = self.search(fixed)
            page.corrected_q = spelling.shown(fixed.q or "", page.items)
            return page
        if not page.empty or not query.q:
            return page
        fixed = spelling.spelled(query, self.vocabulary, self._usable(query))
        if fixed is None:
            return page
        retried = self.search(fixed)
        if not (retried.raw or retried.items):
            return page  # nothing under this view holds the correction either: it is not shown
        retried.corrected_q = spelling.shown(fixed.q or "", retried.items)
        return retried

    def _usable(self, query: Query) -> spelling.Usable | None:
        """For a reader of open data: whether an open entity holds a word (the vocabulary holds every record's);
        where the vocabulary keeps gone terms, for every reader: whether the reader's view holds it. Each word is
        searched once, and at most USABLE_SEARCHES of them per query: beyond that a word counts as held (a
        correction is still shown only when the corrected search finds something in that view)."""
        if query.include_closed and not self.keeps_gone_terms:
            return None
        held: dict[str, bool] = {}

        def usable(word: str) -> bool:
            if word not in held:
                if len(held) >= spelling.USABLE_SEARCHES:
                    return True
                held[word] = bool(self.search(Query(kind=query.kind, q=word, limit=1,
                                                    include_closed=query.include_closed)).items)
            return held[word]

        return usable

    @abstractmethod
    def iter_entities(self, kind: str | None = None, *, include_closed: bool = False) -> Iterator[dict[str, Any]]:
        """Every active entity, in id order (exports and dumps)."""

    def iter_page_dates(self) -> Iterator[tuple[str, str, datetime]]:
        """(id, kind, when its open view last changed) of every active entity readers of open data see, in id
        order, as iter_entities(None) has them: what a sitemap lists. A backend answers it from its columns; this
        default reads every document (at 1M places on PostgreSQL, 39 s)."""
        for entity in self.iter_entities(None):
            yield entity["id"], entity["kind"], datetime.fromisoformat(entity["last_changed"])

    # access control -----------------------------------------------------------------------------------------
    @abstractmethod
    def save_key(self, key: ApiKey) -> None: ...

    @abstractmethod
    def get_key(self, key_id: str) -> ApiKey | None: ...

    @abstractmethod
    def list_keys(self) -> list[ApiKey]: ...

    @abstractmethod
    def revoke_key(self, key_id: str, at: datetime) -> bool: ...

    @abstractmethod
    def append_audit(self, at: datetime, key_id: str | None, method: str, path: str, status: int,
                     record_ids: list[str], detail: str | None = None) -> None: ...

    @abstractmethod
    def list_audit(self, limit: int = 100) -> list[dict[str, Any]]: ...

    # webhooks (an outbox: imports only add rows, a worker delivers) -------------------------------------------
    @abstractmethod
    def save_webhook(self, hook: Webhook) -> None: ...

    @abstractmethod
    def list_webhooks(self, key_id: str | None = None) -> list[Webhook]: ...

    @abstractmethod
    def delete_webhook(self, hook_id: str, key_id: str | None = None) -> bool: ...

    @abstractmethod
    def changed_kinds(self, since: datetime) -> dict[str, bool]:
        """The kinds of the entities written at or after `since` (this transaction's too), each with whether one of
        them has an open view: what an import's notification says, and to whom (notify.webhooks)."""

    @abstractmethod
    def enqueue_notification(self, payload: str, at: datetime, webhook_ids: list[str] | None = None) -> int:
        """One outbox row per active webhook (of these ids, when given); returns how many were queued."""

    @abstractmethod
    def due_deliveries(self, at: datetime, limit: int = 50) -> list[Delivery]: ...

    @abstractmethod
    def finish_delivery(self, delivery_id: int, *, delivered_at: datetime | None, next_at: datetime | None,
                        error: str | None) -> None: ...


    @abstractmethod
    def counts(self) -> dict[str, int]:
        """The COUNTS, kept per data version. places and events count every published entity; open_places and
        open_events those with open data (what an anonymous reader can find)."""

    @abstractmethod
    def data_version(self) -> tuple[int, int]:
        """Moves with every import and entity write: the key of every cache of derived figures and responses
        (store.derived, api.cache); asking it is cheap and proves the database answers (/ready)."""

    # moving a hub (db copy): the tables no import can rebuild (store.kept) ----------------------------------
    @abstractmethod
    def kept_rows(self, table: str) -> Iterator[tuple[Any, ...]]:
        """Every row of a kept table (store.kept.KEPT) as neutral values, in the order written."""

    @abstractmethod
    def add_kept_rows(self, table: str, rows: Iterable[tuple[Any, ...]]) -> None:
        """Append rows as `kept_rows` gives them (inside the caller's transaction)."""


def sensor_place_ids(entity: dict[str, Any], *also: str) -> list[str]:
    """The ids a sensor of this place may be registered under: its hub id and its records' ids."""
    return sorted({*also, entity["id"], *(s for s in entity.get("sources") or [] if isinstance(s, str))})
