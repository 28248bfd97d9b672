"""Content negotiation: one query, every format, by `f=` or the Accept header."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import orjson
from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, Response

from datenhub.api.urls import base_url
from datenhub.model import Event, Place
from datenhub.publish import get_serializer
from datenhub.store import QueryError

# f= value -> serializer name; Accept media types map onto the same names.
FORMATS = {"json": "json", "geojson": "geojson", "jsonld": "jsonld", "csv": "csv", "ical": "ical", "ics": "ical"}
MEDIA = {
    "application/geo+json": "geojson",
    "application/ld+json": "jsonld",
    "text/csv": "csv",
    "text/calendar": "ical",
    "application/json": "json",
}
LANGS = ("de", "en", "nl")
LANG_PATTERN = r"^(?:[dD][eE]|[eE][nN]|[nN][lL])(?:[-_][A-Za-z0-9]+)*$"  # "de", "EN", "en-GB": as Accept-Language
_LANG = re.compile(LANG_PATTERN)


class FastJSONResponse(JSONResponse):
    """JSON rendered by orjson: the hub's lists are large and this is the hottest serializer."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def negotiate(request: Request, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    explicit = request.query_params.get("f")
    if explicit is not None:
        name = FORMATS.get(explicit)
        if name is None or name not in allowed:
            raise QueryError("f", f"unsupported format {explicit!r}; use one of {', '.join(allowed)}")
        return name
    header = request.headers.get("accept", "")
    chosen = from_accept(header, MEDIA, allowed, "json")
    if chosen is not None:
        return chosen
    if header.strip():
        # only types this resource cannot give (application/xml, image/*), or JSON refused with q=0: RFC 9110's 406
        offered = ", ".join(sorted({m for m, name in MEDIA.items() if name in allowed}))
        raise HTTPException(406, f"none of the accepted media types is offered here; accept one of {offered}, "
                                 "or choose with f=")
    return "json"


def from_accept(header: str, media_types: dict[str, str], allowed: Iterable[str], first: str) -> str | None:
    """The format an Accept header asks for, of `allowed` (`media_types` maps a media type to its format's name):
    the types by their q, a range (*/*, application/*) by `first` where it holds it, else the first it holds; a
    format refused with q=0 by any of its types never. None when it asks for none of them (a 406 for the caller)."""
    allowed = tuple(allowed)
    no = {media_types[m] for m in refused(header) if m in media_types}
    for media in preferred(header):
        if media_types.get(media) in allowed and media_types[media] not in no:
            return media_types[media]
        if media.endswith("/*"):
            start = "" if media == "*/*" else media[:-1]
            within = [name for m, name in media_types.items() if name in allowed and m.startswith(start)
                      and name not in no]
            if within:
                return first if first in within else within[0]
    return None


async def accepts_json(request: Request) -> None:
    """A dependency of resources that answer JSON (GeoJSON) alone: an Accept header that admits neither is a 406,
    as on the lists (negotiate). Their own `f`, where they take one, is theirs to check."""
    header = request.headers.get("accept")
    if "f" in request.query_params or not header:
        return
    # */* with JSON refused (q=0) picks GeoJSON; only a client that names GeoJSON takes JSON for it
    if negotiate(request, ("json", "geojson")) == "geojson" and "application/json" in refused(header) \
            and "application/geo+json" not in preferred(header):
        raise HTTPException(406, "this resource answers JSON alone, which the Accept header refuses (q=0); "
                                 "accept application/json")


def preferred(header: str) -> list[str]:
    """The values of an Accept or Accept-Language header, most wanted first by their q (ties in the order
    given); those with q=0 are refused, so they are left out."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        value, *params = (p.strip() for p in part.split(";"))
        weight = 1.0
        for param in params:
            name, _, number = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(number)
                except ValueError:
                    weight = 0.0
        if value and weight > 0:
            ranked.append((-weight, index, value.lower()))
    return [value for _, _, value in sorted(ranked)]


def refused(header: str) -> set[str]:
    """The values an Accept header refuses with q=0: a range (*/*) the client also sends must not pick them."""
    out = set()
    for part in header.split(","):
        value, *params = (p.strip() for p in part.split(";"))
        for param in params:
            name, _, number = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    zero = float(number) == 0
                except ValueError:
                    zero = True
                if zero and value:
                    out.add(value.lower())
    return out


def format_language(request: Request, fmt: str) -> str | None:
    """The language to reduce texts to for this format: none where the format has a column per language."""
    return None if fmt != "json" and get_serializer(fmt).languages else language(request)


def language(request: Request) -> str | None:
    """`lang=` wins; otherwise the first supported language of Accept-Language; None means all languages."""
    given = request.query_params.get("lang")
    if given is not None:
        lang = given.lower().replace("_", "-").split("-", 1)[0]  # "EN", "en-GB": as Accept-Language has them
        if lang not in LANGS or not _LANG.match(given):
            raise QueryError("lang", f"supported languages: {', '.join(LANGS)}")
        return lang
    for tag in preferred(request.headers.get("accept-language", "")):
        if tag[:2] in LANGS:
            return tag[:2]
    return None


def localise(entity: dict[str, Any], lang: str | None) -> dict[str, Any]:
    """Reduce multilingual fields to one language with German fallback."""
    if lang is None or entity.get("tombstone"):
        return entity
    out = dict(entity)
    for key in ("name", "description"):
        texts = entity.get(key)
        if isinstance(texts, dict) and texts:
            out[key] = texts.get(lang) or texts.get("de") or next(iter(texts.values()))
    return out


# What `fields=` may name: the members of places and events, and what the API adds to them.
FIELDS = frozenset(Place.model_fields) | frozenset(Event.model_fields) | {"open_state", "distance_m", "occupancy"}
# Kept whatever `fields=` says: what an entity is, and the licence and credit that must travel with any part of it.
ALWAYS = frozenset({"id", "kind", "type", "licence", "attribution"})


def wanted_fields(fields: str | None) -> frozenset[str] | None:
    """The members `fields=` asks for, with ALWAYS; None for all. Unknown names are a 400 naming them."""
    if not fields:
        return None
    asked = {f.strip() for f in fields.split(",") if f.strip()}
    if unknown := sorted(asked - FIELDS):
        raise QueryError("fields", f"unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(FIELDS))}")
    return frozenset(asked) | ALWAYS


def project(entity: dict[str, Any], fields: str | None, fmt: str = "json") -> dict[str, Any]:
    """`entity` with only the members `fields=` asks for (and ALWAYS); GeoJSON keeps `geo` too, which is its
    geometry, not a property."""
    wanted = wanted_fields(fields)
    if wanted is None or entity.get("tombstone"):
        return entity
    if fmt == "geojson":
        wanted |= {"geo"}
    return {k: v for k, v in entity.items() if k in wanted}


def serialized(name: str, entities: list[dict[str, Any]], request: Request) -> Response:
    serializer = get_serializer(name)
    body = b"".join(serializer.stream(entities, base_url(request)))
    return Response(body, media_type=serializer.media_type)
