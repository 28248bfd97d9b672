"""Validation rules. Each check is a small class; CHECKS is the registry and its order matters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from datenhub.checks.base import Check, CheckContext
from datenhub.checks.coordinates import CoordinatesCheck
from datenhub.checks.dates import DatesCheck
from datenhub.checks.hours import OpeningHoursCheck
from datenhub.checks.identity import IdentityCheck
from datenhub.checks.licence import LicenceCheck
from datenhub.checks.shape import ShapeCheck
from datenhub.checks.text import TextCheck
from datenhub.checks.values import ValuesCheck
from datenhub.ingest.base import Draft
from datenhub.model import AnyEntity, entity_class, record_id
from datenhub.notices import Notice, Severity
from datenhub.notices.notice import shorten

IDENTITY = IdentityCheck()
CHECKS: list[Check] = [IDENTITY, ShapeCheck(), TextCheck(), CoordinatesCheck(), LicenceCheck(), ValuesCheck(),
                       DatesCheck(), OpeningHoursCheck()]

_MODEL_KEYS = frozenset({"type", "categories", "name", "description", "geo", "address", "contact", "images",
                         "keywords", "licence", "attribution", "opening_hours", "wheelchair", "route_role",
                         "start", "end", "all_day", "location_name", "place_id", "organizer", "url", "status"})


def register_check(check: Check) -> None:
    CHECKS.append(check)


def notice_catalog() -> dict[str, tuple[Severity, str]]:
    catalog: dict[str, tuple[Severity, str]] = {}
    for check in CHECKS:
        catalog.update(check.codes)
    catalog["invalid_record"] = (Severity.ERROR, "the record does not fit the canonical model")
    return catalog


def identify(draft: Draft, ctx: CheckContext) -> tuple[bool, list[Notice]]:
    """The identity check alone: (usable, notices). It needs every earlier id of the import, so a parallel
    import runs it in order, in one process, and the rest of `build` wherever it likes."""
    notices = list(IDENTITY.check(draft, ctx))
    return not any(n.severity is Severity.ERROR for n in notices), notices


def build(draft: Draft, ctx: CheckContext) -> tuple[AnyEntity | None, list[Notice]]:
    """Run every check, then build the canonical entity. None when an ERROR holds the record back."""
    usable, notices = identify(draft, ctx)
    if not usable:
        return None, notices  # without a usable id nothing else can be attributed
    entity, more = build_identified(draft, ctx)
    return entity, notices + more


def build_identified(draft: Draft, ctx: CheckContext) -> tuple[AnyEntity | None, list[Notice]]:
    """Every check but identity (already passed), then the canonical entity."""
    notices: list[Notice] = []
    failed = False
    for check in CHECKS:
        if check is IDENTITY:
            continue
        try:
            for notice in check.check(draft, ctx):
                notices.append(notice)
                if notice.severity is Severity.ERROR:
                    failed = True
        except Exception as exc:  # a value no check foresaw: this record is rejected, not the file
            notices.append(Notice("invalid_record", Severity.ERROR, f"{type(check).__name__} could not read the "
                                  f"record ({type(exc).__name__}: {exc})", draft.location))
            return None, notices
    if failed:
        return None, notices
    data: dict[str, Any] = {k: v for k, v in draft.data.items() if k in _MODEL_KEYS and v not in (None, "", [], {})}
    if isinstance(data.get("address"), dict):
        # blanks at either end are a source's slip ("Hattingen " in DB's station data), never part of an address
        data["address"] = {k: str(v).strip() for k, v in data["address"].items() if v and str(v).strip()}
        if not data["address"]:
            del data["address"]
    rid = record_id(ctx.source, str(draft.local_id))
    try:
        entity = entity_class(draft.kind).model_validate({**data, "id": rid, "sources": [rid]})
    except ValidationError as exc:
        for error in exc.errors()[:5]:
            where = ".".join(str(p) for p in error["loc"])
            notices.append(Notice("invalid_record", Severity.ERROR, f"{where}: {_worded(error, draft.kind)}",
                                  draft.location, shorten(error.get("input"))))
        return None, notices
    return entity, notices


_EVENT_ONLY = frozenset({"start", "end"})  # the rest of an event's fields a place row loses (checks.dates)


def _worded(error: Any, kind: str) -> str:
    """pydantic's message, or for a field this kind has not ("Extra inputs are not permitted") what to do."""
    if error.get("type") != "extra_forbidden":
        return str(error["msg"])
    field = str(error["loc"][0]) if error.get("loc") else ""
    if kind == "place" and field in _EVENT_ONLY:
        # a column named Beginn or Ende is read as an event's start or end: say what to do when it is not one
        return "places have no such field, events do: give the row the kind event (a kind column, or kind in the " \
               f"mapping); if the column is not when an event {'starts' if field == 'start' else 'ends'}, map it " \
               "to another field or leave it out with a mapping file (--mapping)"
    return f"{kind}s have no such field"


def iter_codes() -> Iterator[str]:
    yield from notice_catalog()
