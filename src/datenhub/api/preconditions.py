"""Conditional writes (RFC 9110 §13): a record's version as its entity tag, If-Match and If-None-Match on the
writes of one record, so two clients that change the same record cannot overwrite each other unseen.

The tag names the stored record as GET /api/v1/records/{id} shows it: its content (checksum), the place it is
part of and whether it is withdrawn. Writes check it inside their transaction, after Store.lock_record, so no
other write of the record can come between the check and the write.
"""

from __future__ import annotations

import hashlib

from fastapi import HTTPException
from starlette.datastructures import Headers

from datenhub.store.base import StoredRecord


def record_tag(record: StoredRecord) -> str:
    withdrawn = record.withdrawn_at.isoformat() if record.withdrawn_at else ""
    version = hashlib.sha1(f"{record.checksum} {record.hub_id} {withdrawn}".encode()).hexdigest()[:20]
    return f'"{version}"'


def _tags(header: str) -> list[str]:
    # W/ is dropped: the API's gzip layer marks the tags of the bodies it compresses weak (a content coding is
    # another representation), while the tag names the record's version, which no coding changes
    return [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]


def _field(headers: Headers, name: str) -> str | None:
    # all of the field's lines, as one list (RFC 9110 5.3): a client or proxy may send a list on several lines, and
    # the first line alone let `If-None-Match: "x"` before `If-None-Match: *` overwrite an existing record
    lines = headers.getlist(name)
    return ", ".join(lines) if lines else None


def check(headers: Headers, current: StoredRecord | None, record_id: str) -> None:
    """Raise 412 when the request's If-Match / If-None-Match do not hold for `current` (None: no such record).
    A withdrawn record exists for a tag (its own) but not for `*`, as it does not for GET's listing or PATCH."""
    active = current is not None and current.withdrawn_at is None
    tag = record_tag(current) if current is not None else None
    if_match = _field(headers, "if-match")
    if if_match is not None:
        tags = _tags(if_match)
        if not (active if "*" in tags else tag in tags):
            _fail(record_id, tag, "If-Match", "the record is not the version you name: it was changed or withdrawn "
                                              "since you read it (or does not exist). Read it again (GET "
                                              f"/api/v1/records/{record_id}), apply your change to it and send "
                                              "it with its new ETag")
    if_none_match = _field(headers, "if-none-match")
    if if_none_match is not None:
        tags = _tags(if_none_match)
        if (active if "*" in tags else tag in tags):
            _fail(record_id, tag, "If-None-Match", "the record exists already (If-None-Match: * creates only a "
                                                   "record that does not)" if "*" in tags else
                  "the record is still the version you name")


def _fail(record_id: str, tag: str | None, header: str, why: str) -> None:
    headers = {"ETag": tag} if tag is not None else None
    raise HTTPException(412, f"{header} does not hold for {record_id}: {why}", headers=headers)
