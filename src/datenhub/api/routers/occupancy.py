"""/api/v1/occupancy and /api/v1/places/{id}/occupancy: sensors, batch ingest, history, status, live stream."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import orjson
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from datenhub.api.auth import principal, reads_closed, require_key, require_writer
from datenhub.api.deps import get_clock, get_store, known_parameters
from datenhub.api.formats import FastJSONResponse
from datenhub.api.problems import problem
from datenhub.live.ingest import OccupancyIngestor
from datenhub.live.model import SENSOR_ID_RE, Sensor, SensorKind, sensor_licence
from datenhub.live.payload import decode
from datenhub.live.place import INTERVALS, place_occupancy
from datenhub.live.status import place_sensors, readable
from datenhub.live.stream import ReadingStream, sse_events
from datenhub.notices import Notice
from datenhub.store import QueryError, Store
from datenhub.store.query import parse_datetime

router = APIRouter(prefix="/api/v1", tags=["occupancy"], dependencies=[Depends(known_parameters)])
MAX_BODY = 8 * 1024 * 1024
MAX_ITEMS = 10_000


class SensorIn(BaseModel):
    id: str = Field(pattern=SENSOR_ID_RE.pattern, description="Sensor id (also its MQTT topic level)")
    place: str = Field(min_length=1, max_length=200, description="Place id: hub id or source record id")
    kind: Literal["people", "parking", "ticketing", "manual"]
    source: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$", description="Source whose write key feeds it")
    capacity: int | None = Field(None, ge=0, le=10_000_000)
    licence: str | None = Field(None, max_length=100)
    name: str | None = Field(None, max_length=200)


class ReadingIn(BaseModel):
    """One reading as sent (documentation only: the batch is validated item by item, bad items dead-lettered)."""

    sensor: str = Field(description="Registered sensor id")
    observed_at: str | None = Field(None, description="ISO 8601 with UTC offset")
    count: int | None = Field(None, ge=0, description="Persons (or occupied spaces) counted")
    free: int | None = Field(None, ge=0, description="Free spaces (car parks)")
    capacity: int | None = Field(None, ge=0, description="Capacity at that time (default: the sensor's)")
    fraction: float | None = Field(None, ge=0, le=1, description="A reported level 0–1")


READINGS_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "oneOf": [{"type": "array", "items": ReadingIn.model_json_schema()}, ReadingIn.model_json_schema()]}}}}}


def ingestor(request: Request) -> OccupancyIngestor:
    state = request.app.state
    if getattr(state, "occupancy_ingestor", None) is None:
        state.occupancy_ingestor = OccupancyIngestor(state.store, get_clock(request))
    return state.occupancy_ingestor  # type: ignore[no-any-return]


def reading_stream(request: Request) -> ReadingStream:
    state = request.app.state
    if getattr(state, "occupancy_stream", None) is None:
        state.occupancy_stream = ReadingStream(state.store)
    return state.occupancy_stream  # type: ignore[no-any-return]


def _instant(value: str | None, name: str) -> datetime | None:
    """As every other time parameter of the API: a date or date-time, Europe/Berlin unless it has an offset."""
    return None if value is None else parse_datetime(name, value)


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise HTTPException(413, f"bodies are limited to {MAX_BODY // 1024 // 1024} MiB")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise HTTPException(413, f"bodies are limited to {MAX_BODY // 1024 // 1024} MiB")
    return bytes(body)


def _sources(ingest: OccupancyIngestor, items: list[Any]) -> list[str]:
    """The sources of the registered sensors a batch names: the key must be allowed to write to each."""
    sources = set()
    for item in items:
        sensor_id = item.get("sensor") if isinstance(item, dict) else None
        sensor = ingest.sensors(sensor_id) if isinstance(sensor_id, str) else None
        if sensor is not None:
            sources.add(sensor.source)
    return sorted(sources)


async def _sensor_in(request: Request) -> SensorIn:
    """The body, read after the key check (FastAPI parses a declared body before any dependency runs, so a caller
    without a key would learn what is wrong with its body first); errors as FastAPI's, answered by api.problems."""
    require_key(request)
    raw = await _body(request)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error",
                                       "input": {}, "ctx": {"error": exc.msg}}]) from None
    try:
        return SensorIn.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None


SENSOR_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": SensorIn.model_json_schema()}}}}


@router.post("/occupancy/sensors", status_code=201, summary="Register or update an occupancy sensor (API key)",
             openapi_extra=SENSOR_BODY)
async def add_sensor(request: Request, store: Store = Depends(get_store)) -> dict[str, Any]:
    body = await _sensor_in(request)
    return await run_in_threadpool(_add_sensor, request, store, body)


def _add_sensor(request: Request, store: Store, body: SensorIn) -> dict[str, Any]:
    require_writer(request, body.source)
    existing = store.get_sensor(body.id)
    if existing is not None and existing.source != body.source:
        require_writer(request, existing.source)  # moving a sensor needs the right to its current source too
    try:
        licence = sensor_licence(body.licence)
    except ValueError as exc:
        raise HTTPException(422, f"licence: {exc}") from None
    sensor = Sensor(body.id, body.place, SensorKind(body.kind), body.source, body.capacity, licence, body.name)
    with store.transaction():
        store.upsert_sensor(sensor)
    ingestor(request).sensors.forget(sensor.id)
    return sensor.to_dict()


@router.get("/occupancy/sensors", summary="Occupancy sensors, all or of one place")
def list_sensors(request: Request, store: Store = Depends(get_store),
                 place: str | None = Query(None, description="place id (hub id or record id)")) -> dict[str, Any]:
    closed = reads_closed(request)
    sensors = place_sensors(store, place, closed)[1] if place else readable(store, store.list_sensors(), closed)
    return {"items": [s.to_dict() for s in sensors]}


@router.post("/occupancy/readings", summary="Ingest a batch of readings (API key with source:<name>:write)",
             openapi_extra=READINGS_BODY)
async def post_readings(request: Request) -> Response:
    """A JSON list (or one object) of {"sensor", "observed_at", "count" | "free" | "fraction", "capacity"?}.
    Bad items go to the dead-letter table and come back as notices; the rest is stored (idempotent)."""
    if principal(request) is None:
        raise HTTPException(401, "sending readings needs an API key (Authorization: Bearer dh_…)",
                            headers={"WWW-Authenticate": "Bearer"})
    body = await _body(request)
    ingest = ingestor(request)
    items = decode(body)
    if isinstance(items, Notice):
        await run_in_threadpool(ingest.dead_letter, items, body, "http")
        return problem(400, "Malformed payload", items.message, notices=[items.to_dict()])
    if len(items) > MAX_ITEMS:
        raise HTTPException(413, f"at most {MAX_ITEMS} readings per request")
    for source in await run_in_threadpool(_sources, ingest, items):
        require_writer(request, source)
    result = await run_in_threadpool(ingest.ingest_items, items, "http")
    status = 200 if result.accepted or result.duplicates or not items else 422
    return FastJSONResponse({"summary": result.summary(), "notices": [n.to_dict() for n in result.notices[:200]]},
                            status_code=status)


@router.get("/occupancy/sensors/{sensor_id}/readings", summary="Raw readings of one sensor, oldest first")
def sensor_readings(request: Request, sensor_id: str, store: Store = Depends(get_store),
                    from_: str | None = Query(None, alias="from"), to: str | None = Query(None),
                    limit: int = Query(1000, ge=1, le=10_000)) -> dict[str, Any]:
    sensor = store.get_sensor(sensor_id)
    if sensor is None or not readable(store, [sensor], reads_closed(request)):
        raise HTTPException(404, f"no sensor {sensor_id!r}")
    rows = store.readings(sensor_id, _instant(from_, "from"), _instant(to, "to"), limit=limit)
    return {"sensor": sensor_id, "items": [r.to_dict() for r in rows]}


@router.get("/places/{place_id:path}/occupancy", summary="Occupancy of a place: latest per sensor, status, history, "
                                                    "forecast")
def get_place_occupancy(request: Request, place_id: str, store: Store = Depends(get_store),
                        from_: str | None = Query(None, alias="from", description="history start (ISO 8601)"),
                        to: str | None = Query(None, description="history end (ISO 8601, default now)"),
                        interval: str = Query("hour", description="raw, hour or day"),
                        forecast: bool = Query(True, description="include the forecast")) -> Response:
    if interval not in INTERVALS:
        raise QueryError("interval", "expected raw, hour or day")
    start, end = _instant(from_, "from"), _instant(to, "to")
    if start and end and end <= start:
        raise QueryError("to", "must be after from")
    body = place_occupancy(store, place_id, get_clock(request)(), start=start, end=end, interval=interval,
                           with_forecast=forecast, include_closed=reads_closed(request))
    if body is None:
        raise HTTPException(404, f"no place or occupancy sensors for {place_id!r}")
    return FastJSONResponse(body)


@router.get("/occupancy/stream", include_in_schema=False)
async def stream(request: Request, place: str | None = Query(None), sensor: list[str] | None = Query(None),
                 heartbeat: float = Query(15.0, ge=0.05, le=60), max_events: int | None = Query(None, ge=1)
                 ) -> StreamingResponse:
    """Server-Sent Events: each new reading as `event: reading` with a JSON `data:` line; `: heartbeat` every
    15 s. Filter with ?place= or ?sensor= (repeatable). Not in the OpenAPI document: it never ends."""
    store: Store = request.app.state.store
    closed = reads_closed(request)
    sensors = await run_in_threadpool(
        lambda: place_sensors(store, place, closed)[1] if place else readable(store, store.list_sensors(), closed))
    places = {s.id: s.place_id for s in sensors}
    wanted: set[str] | None
    if closed:
        wanted = set(sensor) if sensor else (set(places) if place else None)
    else:  # a reader of open data gets the open sensors it may see now, whatever it asks for
        wanted = set(places) & set(sensor) if sensor else set(places)
    live = reading_stream(request)
    sub = await live.subscribe(wanted)
    return StreamingResponse(sse_events(live, sub, places, heartbeat=heartbeat, max_events=max_events),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/occupancy/dead-letters", summary="Rejected payloads with their notices (admin key)")
def dead_letters(request: Request, store: Store = Depends(get_store), code: str | None = Query(None),
                 limit: int = Query(100, ge=1, le=1000)) -> dict[str, Any]:
    if "admin" not in require_key(request, "reading dead letters").scopes:
        raise HTTPException(403, "dead letters need an admin key")
    return {"items": [d.to_dict() for d in store.list_dead_letters(code, limit)]}
