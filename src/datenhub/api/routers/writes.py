"""Writes: POST/PUT/PATCH/DELETE of places and events with an API key, validated like imports, audited."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from datenhub.api import preconditions
from datenhub.api.auth import require_key, require_writer
from datenhub.api.deps import get_clock, get_store
from datenhub.api.middleware import KNOWN_ETAG
from datenhub.api.problems import problem
from datenhub.model.ids import split_record_id, valid_source_name
from datenhub.pipeline.writes import withdraw_record, write_records
from datenhub.store import Store
from datenhub.store.base import StoredRecord
from datenhub.store.rows import iso

router = APIRouter(prefix="/api/v1", tags=["writes"])
MAX_BODY = 1024 * 1024

_TEXTS = {"type": "object", "additionalProperties": {"type": "string"}, "description": "text by language: de, en, nl",
          "example": {"de": "Kemnader See"}}
_COMMON: dict[str, Any] = {
    "id": {"type": "string", "description": "the record's id within its source (for PUT and PATCH the path's record "
                                            "id says it)"},
    "source": {"type": "string", "description": "the source to write to (POST; or ?source=); the key needs "
                                                "source:<name>:write"},
    "type": {"type": "string", "description": "schema.org type, e.g. Museum"},
    "name": _TEXTS, "description": _TEXTS,
    "geo": {"type": "object", "required": ["lat", "lon"],
            "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}}},
    "address": {"type": "object", "additionalProperties": {"type": "string"}},
    "contact": {"type": "object", "additionalProperties": {"type": "string"}},
    "images": {"type": "array", "items": {"type": "object"}},
    "keywords": {"type": "array", "items": {"type": "string"}},
    "licence": {"type": "string", "description": "CC0-1.0, CC-BY-4.0, CC-BY-SA-4.0, DL-DE-BY-2.0, DL-DE-ZERO-2.0 "
                                                 "or closed"},
    "attribution": {"type": "string"},
}
_KIND_FIELDS: dict[str, dict[str, Any]] = {
    "place": {"categories": {"type": "array", "items": {"type": "string"}},
              "opening_hours": {"type": "string", "description": "OSM opening_hours syntax"},
              "wheelchair": {"type": "string", "enum": ["yes", "limited", "no"]}},
    "event": {"start": {"type": "string"}, "end": {"type": "string"}, "all_day": {"type": "boolean"},
              "location_name": {"type": "string"}, "place_id": {"type": "string"},
              "organizer": {"type": "string"}, "url": {"type": "string"},
              "status": {"type": "string"}},
}
_EXAMPLES = {
    "place": {"source": "stadt-bochum", "id": "kemnade", "name": {"de": "Kemnader See"},
              "geo": {"lat": 51.425, "lon": 7.26}, "categories": ["Natur"], "licence": "DL-DE-BY-2.0",
              "attribution": "Stadt Bochum"},
    "event": {"source": "stadt-bochum", "id": "seefest-2027", "name": {"de": "Seefest am Kemnader See"},
              "start": "2027-07-03T14:00:00+02:00", "location_name": "Kemnader See", "licence": "CC0-1.0"},
}


def record_body(kind: str, *, jsonld: bool = True) -> dict[str, Any]:
    """The request body of a write, for the OpenAPI document: a record as the hub's JSON import reads it, or
    (POST, `jsonld`) schema.org JSON-LD with ?source=; for PUT and PATCH without id and source, which their path
    names. Checked like an import's rows; notices say what is wrong."""
    example = _EXAMPLES[kind] if jsonld else {k: v for k, v in _EXAMPLES[kind].items() if k not in ("id", "source")}
    schema = {"type": "object", "required": ["id"] if jsonld else [], "additionalProperties": True,
              "properties": {**_COMMON, **_KIND_FIELDS[kind]}, "example": example}
    content: dict[str, Any] = {"application/json": {"schema": schema}}
    if jsonld:
        content["application/ld+json"] = {"schema": {"type": "object", "description": "a schema.org node, an array "
                                                                                      "or an @graph; name the source "
                                                                                      "with ?source="}}
    return {"requestBody": {"required": True, "content": content}}


_PRECONDITION = {"description": "If-Match or If-None-Match does not hold: the record changed since it was read "
                                 "(its current ETag is in the answer's ETag header)"}
_OTHER_KIND = {"description": "The record is of the other kind (a place's record at /events/ or the reverse): "
                               "the answer names its URL"}
_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {409: _OTHER_KIND, 412: _PRECONDITION}
_PUT_RESPONSES: dict[int | str, dict[str, Any]] = {201: {"description": "The record is new: created"},
                                                    **_WRITE_RESPONSES}


def _conditions(*, create: bool) -> dict[str, Any]:
    """If-Match (and for PUT If-None-Match) in the OpenAPI document of a write of one record."""
    header = {"type": "string"}
    parameters = [{"name": "If-Match", "in": "header", "required": False, "schema": header,
                   "description": "write only if the record is still this version: its ETag from GET "
                                  "/api/v1/records/{record_id} or from the answer to the last write; * for any "
                                  "version of an active record"}]
    if create:
        parameters.append({"name": "If-None-Match", "in": "header", "required": False, "schema": header,
                           "description": "*: create the record only if it does not exist yet"})
    return {"parameters": parameters}


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise HTTPException(413, f"bodies are limited to {MAX_BODY // 1024} KiB")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise HTTPException(413, f"bodies are limited to {MAX_BODY // 1024} KiB")
    return body


def _parse(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise HTTPException(400, f"the body is not valid JSON: {exc}") from None


def _result_response(request: Request, store: Store, who_id: str, kind: str, source: str, body: bytes,
                     jsonld: bool, status_ok: int, status_new: int | None = None, record_id: str | None = None
                     ) -> Response:
    """The write's answer: `status_ok`, or `status_new` where given and the record is new (a PUT that creates);
    with the ETag of `record_id` as stored now, where one record was written by its URL."""
    result = write_records(store, source, body, jsonld=jsonld, kind=kind, clock=get_clock(request))
    if status_new is not None and result.new:
        status_ok = status_new
    notices = [n.to_dict() for n in result.report]
    touched = [n["location"].get("entity_id") for n in notices if n["location"].get("entity_id")]
    # a withdrawn record written again is restored: stored, though neither new nor changed
    if result.rejected or (result.new + result.changed + result.unchanged + result.restored) == 0:
        store.append_audit(get_clock(request)(), who_id, request.method, request.url.path, 422, touched, "rejected")
        return problem(422, "Record rejected", "the record has errors; nothing was stored", notices=notices)
    store.append_audit(get_clock(request)(), who_id, request.method, request.url.path, status_ok, touched,
                       orjson.dumps(result.summary()).decode())
    stored = store.get_record(record_id) if record_id is not None else None
    return JSONResponse({"summary": result.summary(), "notices": notices}, status_code=status_ok,
                        headers={"ETag": preconditions.record_tag(stored)} if stored is not None else None)


def _source_and_kind(request: Request, obj: dict[str, Any]) -> str:
    source = obj.get("source") or request.query_params.get("source")
    if not isinstance(source, str) or not valid_source_name(source):
        raise HTTPException(422, "name the target source: a 'source' field in the body or ?source=")
    return source


async def _create(request: Request, store: Store, kind: str) -> Response:
    require_key(request)  # 401 before the body is read; the source it names is checked below
    if "if-match" in request.headers or "if-none-match" in request.headers:
        # a POST may write many records, so it has no one version to check; writing it unchecked would overwrite
        # the very record the client meant to protect (If-None-Match: * on an existing one, a stale If-Match)
        raise HTTPException(400, "POST writes without conditions: send If-Match or If-None-Match with PUT, PATCH "
                                 "or DELETE of the record's URL (/api/v1/places/{source}:{id} or "
                                 "/api/v1/events/{source}:{id})")
    body = await _body(request)
    jsonld = "ld+json" in request.headers.get("content-type", "")
    doc = _parse(body)
    if jsonld:
        source = request.query_params.get("source") or ""
        if not valid_source_name(source):
            raise HTTPException(422, "JSON-LD bodies name their source with ?source=")
    else:
        if not isinstance(doc, dict):
            raise HTTPException(422, "the body must be one JSON object")
        source = _source_and_kind(request, doc)
        if not doc.get("id"):
            raise HTTPException(422, "the record needs an 'id' (its id within the source)")
        body = orjson.dumps({k: v for k, v in doc.items() if k != "source"})
    who = require_writer(request, source)
    return await run_in_threadpool(_result_response, request, store, who.key_id, kind, source, body, jsonld, 201)


async def _replace(request: Request, store: Store, kind: str, record_id: str, patch: bool) -> Response:
    source, local = split_record_id(record_id)
    if not local or not valid_source_name(source):
        raise HTTPException(404, f"{record_id!r} is not a record id (source:local id)")
    who = require_writer(request, source)
    if "ld+json" in request.headers.get("content-type", ""):
        # a JSON-LD node names its record by its own @id or identifier; merged or read as the hub's JSON it was
        # rejected for fields it does have ("no coordinates given")
        raise HTTPException(415, "PUT and PATCH take the record as the hub's JSON (application/json); write "
                                 "schema.org JSON-LD with POST and ?source=")
    doc = _parse(await _body(request))
    if not isinstance(doc, dict):
        raise HTTPException(422, "the body must be one JSON object")
    # the path names the record: a body naming another would otherwise be written to the path's, silently
    for name, value in (("id", local), ("source", source)):
        if doc.get(name) not in (None, value):
            raise HTTPException(422, f"the body's {name} {doc[name]!r} is not the path's {value!r} ({record_id}); "
                                     f"leave it out or make them agree")
    # the whole record id: the hub's JSON reads an id with a colon as another hub's record id and keeps what follows
    # its first colon, so a bare local id "a:b" would be written as "b"
    doc["id"] = record_id
    doc.pop("source", None)

    def write() -> Response:
        # one transaction from reading the record to writing it: the preconditions and PATCH's merge see the
        # version the write replaces, not one another request changes in between
        with store.transaction():
            current = _checked_record(request, store, record_id, kind)
            body = doc
            if patch:
                if current is None or current.withdrawn_at is not None:
                    raise HTTPException(404, f"no record {record_id!r}")
                body = {**current.data, **doc}
            return _result_response(request, store, who.key_id, kind, source, orjson.dumps(body), False, 200,
                                    None if patch else 201, record_id)

    return await run_in_threadpool(write)


def _checked_record(request: Request, store: Store, record_id: str, kind: str) -> StoredRecord | None:
    """Inside the write's transaction: the record (None if there is none), locked against other writers of it, of
    the URL's kind, and the request's If-Match / If-None-Match holding for it."""
    store.lock_record(record_id)
    current = store.get_record(record_id)
    _same_kind(current, kind)
    preconditions.check(request.headers, current, record_id)
    return current


def _same_kind(current: StoredRecord | None, kind: str) -> None:
    """A record is written and withdrawn at its own kind's URL: PUT /events/{a place's record} made the place an
    event under its hub id, and DELETE /events/{it} withdrew the place."""
    if current is not None and current.kind != kind:
        raise HTTPException(409, f"{current.record_id} is {'an' if current.kind == 'event' else 'a'} "
                                 f"{current.kind} record: write or withdraw it at /api/v1/{current.kind}s/"
                                 f"{current.record_id}")


async def _delete(request: Request, store: Store, record_id: str, kind: str) -> Response:
    source, _ = split_record_id(record_id)
    who = require_writer(request, source)

    def withdraw() -> bool:
        with store.transaction():
            _checked_record(request, store, record_id, kind)
            return withdraw_record(store, record_id, get_clock(request))

    if not await run_in_threadpool(withdraw):
        raise HTTPException(404, f"no active record {record_id!r}")
    store.append_audit(get_clock(request)(), who.key_id, "DELETE", request.url.path, 204, [record_id], None)
    return Response(status_code=204)


@router.get("/records/{record_id:path}", summary="A source record as stored, with its ETag for conditional "
                                                 "writes (API key that may write the source)",
            responses={404: {"description": "No such record"}})
def get_record(request: Request, record_id: str, store: Store = Depends(get_store)) -> JSONResponse:
    """The record as the hub keeps it (validated and enriched, before merging into a place or event), withdrawn
    ones too. Its ETag is the version PUT, PATCH and DELETE of the record take in If-Match."""
    source, local = split_record_id(record_id)
    if not local or not valid_source_name(source):
        raise HTTPException(404, f"{record_id!r} is not a record id (source:local id)")
    require_writer(request, source)  # records hold closed data too: for those who may write the source
    record = store.get_record(record_id)
    if record is None:
        raise HTTPException(404, f"no record {record_id!r}")
    # the ETag the hygiene middleware sends (and compares with If-None-Match): the record's version, not a hash
    setattr(request.state, KNOWN_ETAG, preconditions.record_tag(record).encode())
    return JSONResponse({"id": record.record_id, "source": record.source, "local_id": record.local_id,
                         "kind": record.kind, "hub_id": record.hub_id, "first_seen": iso(record.first_seen),
                         "last_changed": iso(record.last_changed), "withdrawn_at": iso(record.withdrawn_at),
                         "data": record.data})


@router.post("/places", status_code=201, summary="Create or update a place record (API key)",
             openapi_extra=record_body("place"))
async def create_place(request: Request, store: Store = Depends(get_store)) -> Response:
    return await _create(request, store, "place")


@router.put("/places/{record_id:path}", summary="Replace a place record (API key)",
             openapi_extra={**record_body("place", jsonld=False), **_conditions(create=True)},
            responses=_PUT_RESPONSES)
async def put_place(request: Request, record_id: str, store: Store = Depends(get_store)) -> Response:
    return await _replace(request, store, "place", record_id, False)


@router.patch("/places/{record_id:path}", summary="Change fields of a place record (API key)",
             openapi_extra={**record_body("place", jsonld=False), **_conditions(create=False)},
             responses=_WRITE_RESPONSES)
async def patch_place(request: Request, record_id: str, store: Store = Depends(get_store)) -> Response:
    return await _replace(request, store, "place", record_id, True)


@router.delete("/places/{record_id:path}", status_code=204, summary="Withdraw a place record (API key)",
                openapi_extra=_conditions(create=False), responses=_WRITE_RESPONSES)
async def delete_place(request: Request, record_id: str, store: Store = Depends(get_store)) -> Response:
    return await _delete(request, store, record_id, "place")


@router.post("/events", status_code=201, summary="Create or update an event record (API key)",
             openapi_extra=record_body("event"))
async def create_event(request: Request, store: Store = Depends(get_store)) -> Response:
    return await _create(request, store, "event")


@router.put("/events/{record_id:path}", summary="Replace an event record (API key)",
             openapi_extra={**record_body("event", jsonld=False), **_conditions(create=True)},
            responses=_PUT_RESPONSES)
async def put_event(request: Request, record_id: str, store: Store = Depends(get_store)) -> Response:
    return await _replace(request, store, "event", record_id, False)


@router.patch("/events/{record_id:path}", summary="Change fields of an event record (API key)",
             openapi_extra={**record_body("event", jsonld=False), **_conditions(create=False)},
             responses=_WRITE_RESPONSES)
async def patch_event(request: Request, record_id: str, store: Store = Depends(get_store)) -> Response:
    return await _replace(request, store, "event", record_id, True)


@router.delete("/events/{record_id:path}", status_code=204, summary="Withdraw an event record (API key)",
                openapi_extra=_conditions(create=False), responses=_WRITE_RESPONSES)
async def delete_event(request: Request, record_id: str, store: Store = Depends(get_store)) -> Response:
    return await _delete(request, store, record_id, "event")
