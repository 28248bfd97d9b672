"""Merging: records of several sources become one hub entity, field by field, by source priority.

The same real place from two sources (a station from DB data and from our demo set) is matched by
name similarity + distance + type. Merges are reversible (overrides), and source records are never lost.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import numpy as np
import orjson
from rapidfuzz import fuzz
from scipy.spatial import cKDTree

from datenhub.model.entity import MERGE_FIELDS
from datenhub.model.licence import LICENCES, LicenceId, without_closed_images
from datenhub.store.base import OPEN_GONE, Candidate, EntityState, HubEntity, StoredRecord
from datenhub.store.text import fold

MATCH_RADIUS_M = 300.0
NAME_THRESHOLD = 85.0
CLOSE_NAME_THRESHOLD = 70.0  # within CLOSE_RADIUS_M a weaker name match suffices
CLOSE_RADIUS_M = 60.0

# Restrictiveness: the merged entity carries the most restrictive licence of what it uses.
_RANK = {LicenceId.CC0_1_0: 0, LicenceId.DL_DE_ZERO_2_0: 0, LicenceId.CC_BY_4_0: 1, LicenceId.DL_DE_BY_2_0: 1,
         LicenceId.CC_BY_SA_4_0: 2, LicenceId.ODBL_1_0: 2, LicenceId.CLOSED: 9}
_DERIVED = ("municipality", "nearest_stations")
_EMPTY: tuple[Any, ...] = (None, "", [], {})


@lru_cache(maxsize=4096)  # an import stamps every record with the same few instants
def _utc(at: datetime) -> str:
    """Timestamps in published JSON are UTC, whatever clock or backend produced them."""
    return at.astimezone(UTC).isoformat()


def content_checksum(data: dict[str, Any]) -> str:
    stable = {k: v for k, v in data.items() if k not in ("first_seen", "last_changed", "withdrawn_at", "provenance")}
    return hashlib.sha1(orjson.dumps(stable, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _type_family(typ: str) -> str:
    return "station" if typ == "TrainStation" else "poi"


def _name_key(name: str) -> str:
    return fold(name).replace("hauptbahnhof", "hbf")


def names_match(a: str, b: str, distance_m: float) -> float:
    score = fuzz.token_set_ratio(_name_key(a), _name_key(b))
    needed = CLOSE_NAME_THRESHOLD if distance_m <= CLOSE_RADIUS_M else NAME_THRESHOLD
    return score if score >= needed else 0.0


class CandidateIndex:
    """Active entities of other sources in a KD-tree for fast radius lookups."""

    def __init__(self, candidates: Sequence[Candidate]) -> None:
        self.candidates = list(candidates)
        if self.candidates:
            lat0 = np.radians(51.5)
            xy = np.array([[np.radians(c.lon) * np.cos(lat0), np.radians(c.lat)] for c in self.candidates])
            self.tree: cKDTree | None = cKDTree(xy * 6_371_008.8)
        else:
            self.tree = None

    def best_match(self, source: str, name: str, typ: str, lat: float, lon: float) -> str | None:
        if self.tree is None:
            return None
        point = np.array([np.radians(lon) * np.cos(np.radians(51.5)), np.radians(lat)]) * 6_371_008.8
        best, best_score = None, 0.0
        for index in self.tree.query_ball_point(point, MATCH_RADIUS_M):
            cand = self.candidates[index]
            if source in cand.sources or _type_family(cand.type) != _type_family(typ):
                continue
            distance = float(np.hypot(*(self.tree.data[index] - point)))
            score = names_match(name, cand.name, distance) - distance / 100.0
            if score > best_score:
                best, best_score = cand.hub_id, score
        return best


def _licence_of(record: StoredRecord) -> LicenceId:
    return _LICENCE_IDS[record.data.get("licence", "closed")]


_LICENCE_IDS = {lid.value: lid for lid in LicenceId}  # a dict lookup: merging asks several times per record


def merge_view(hub_id: str, records: list[StoredRecord], priority: dict[str, int],
               first_seen: datetime) -> dict[str, Any] | None:
    """The entity built from these (active) records, best source first; None if there are none."""
    active = sorted((r for r in records if r.withdrawn_at is None),
                    key=lambda r: (priority.get(r.source, 100), r.source, r.record_id))
    if not active:
        return None
    if len(active) == 1:
        return single_view(hub_id, active[0], first_seen)
    return contested_view(hub_id, active, first_seen)


def contested_view(hub_id: str, active: list[StoredRecord], first_seen: datetime) -> dict[str, Any]:
    """Field by field, the first of the (priority-ordered) records that has a value wins."""
    base = dict(active[0].data)
    provenance: dict[str, Any] = {}
    used: list[StoredRecord] = []
    stamps = {r.record_id: _utc(r.last_changed) for r in active}
    for field in MERGE_FIELDS:
        for record in active:
            value = record.data.get(field)
            if value not in _EMPTY:
                base[field] = value
                provenance[field] = {"source": record.source, "record_id": record.record_id,
                                     "at": stamps[record.record_id]}
                if record not in used:
                    used.append(record)
                break
        else:
            base.pop(field, None)
    for field in _DERIVED:
        base[field] = active[0].data.get(field)
        for record in active:
            if record.data.get(field) not in _EMPTY:
                base[field] = record.data[field]
                break
    licences = sorted({_licence_of(r) for r in used}, key=lambda lid: _RANK[lid])
    base["licence"] = licences[-1].value if licences else active[0].data.get("licence")
    attributions = []
    for record in used:
        text = record.data.get("attribution")
        if text and text not in attributions:
            attributions.append(text)
    base["attribution"] = "; ".join(attributions) or None
    base["id"] = hub_id
    base["sources"] = [r.record_id for r in active]
    base["provenance"] = provenance
    base["first_seen"] = _utc(first_seen)
    base["withdrawn_at"] = None
    return {k: v for k, v in base.items() if v is not None or k in ("withdrawn_at",)}


def single_view(hub_id: str, record: StoredRecord, first_seen: datetime) -> dict[str, Any]:
    """merge_view of one record (most hubs): every field from it, so no per-field contest."""
    base = dict(record.data)
    origin = {"source": record.source, "record_id": record.record_id, "at": _utc(record.last_changed)}
    provenance: dict[str, Any] = {}
    for field in MERGE_FIELDS:
        if base.get(field) in _EMPTY:
            base.pop(field, None)
        else:
            provenance[field] = origin  # every field has the same origin here; the dict is only ever serialised
    if provenance:
        base["licence"] = _licence_of(record).value
        base["attribution"] = record.data.get("attribution") or None
    else:
        base["attribution"] = None
    base["id"] = hub_id
    base["sources"] = [record.record_id]
    base["provenance"] = provenance
    base["first_seen"] = _utc(first_seen)
    base["withdrawn_at"] = None
    return {k: v for k, v in base.items() if v is not None or k == "withdrawn_at"}


TOMBSTONE = "withdrawn"  # the checksum of every withdrawn hub


def tombstone(hub_id: str, kind: str, data: dict[str, Any], at: datetime, was_open: bool) -> HubEntity:
    """A withdrawn hub: stewards keep its last data; delta-feed readers who saw the open entity must learn that it
    is gone, and they get only the id."""
    public = {"id": hub_id, "kind": kind, "withdrawn_at": _utc(at)} if was_open else None
    return HubEntity(hub_id, kind, {**data, "id": hub_id, "withdrawn_at": _utc(at)}, public, TOMBSTONE, at, at)


def build_hub(hub_id: str, kind: str, records: list[StoredRecord], priority: dict[str, int],
              now: datetime, old: EntityState | None) -> HubEntity | None:
    """Recompute a hub entity; None when nothing changed (so the change feed stays quiet)."""
    old_checksum = old.checksum if old is not None else None
    first_seen = min((r.first_seen for r in records), default=now)
    full = merge_view(hub_id, records, priority, first_seen)
    open_records = [r for r in records if LICENCES[_licence_of(r)].open]
    if len(open_records) == len(records):
        data_open = full  # the common case: every record is open, both views are the same
    else:  # first seen as the open records were: a closed founder's date would tell of it
        data_open = merge_view(hub_id, open_records, priority, min(r.first_seen for r in open_records)) \
            if open_records else None
    if data_open is not None:
        data_open = without_closed_images(data_open)  # a copy, no longer `full`, when an open record has some
    stored = _open_part(old_checksum)  # None: no stored view to go by (a new hub, a copy, a withdrawn one)
    if full is None:
        if old_checksum == TOMBSTONE:
            return None
        # a place readers of open data saw keeps its tombstone for them; one whose open view went before stays
        # dated as it went (below): the withdrawal of its closed records is closed data's news
        was_open = any(LICENCES[_licence_of(r)].open for r in records) if stored is None else stored != ""
        last = max(records, key=lambda r: r.last_changed)
        withdrawn = tombstone(hub_id, kind, last.data, now, was_open)
        if stored == OPEN_GONE and old is not None:
            # when it went for them, kept should the place return
            withdrawn.open_changed_at, withdrawn.open_seq = old.open_changed_at, old.open_seq
        return withdrawn
    # an open view that went while closed records keep the hub: readers of open data must learn it is gone
    gone = data_open is None and (bool(open_records) if stored is None else stored != "")
    full_sum = content_checksum(full)
    open_sum = full_sum if data_open is full else (OPEN_GONE if gone else "" if data_open is None
                                                   else content_checksum(data_open))
    checksum = full_sum + open_sum[:8]
    if checksum == old_checksum:
        return None
    # a change of closed data alone (or a withdrawn place coming back in its closed records alone): the open view
    # keeps its date, else its readers would learn of the change
    open_since, open_seq = None, None
    if old is not None and (data_open is not None or gone) and (
            stored == open_sum[:8] or (old_checksum == TOMBSTONE and gone)):
        open_since, open_seq = old.open_changed_at, old.open_seq
    full["last_changed"] = _utc(now)
    if data_open is not None:
        if data_open is full and open_since is not None:
            data_open = dict(full)  # the same content, dated apart: readers of closed data saw the change
        data_open["last_changed"] = _utc(open_since or now)
    return HubEntity(hub_id, kind, full, data_open, checksum, now, None, open_gone=gone, open_changed_at=open_since,
                     open_seq=open_seq)


_FULL_SUM = 40  # hex digits of content_checksum


def open_view_gone(checksum: str | None) -> bool:
    """Whether a stored hub's checksum says its open view went while the hub lives on (HubEntity.open_gone)."""
    return _open_part(checksum) == OPEN_GONE


def _open_part(old_checksum: str | None) -> str | None:
    """The open part of a stored hub's checksum: a view's checksum prefix, OPEN_GONE, or "" for a hub without an
    open view; None where there is nothing stored to go by (a new hub) or the hub is withdrawn."""
    if old_checksum is None or old_checksum == TOMBSTONE:
        return None
    return old_checksum[_FULL_SUM:]
