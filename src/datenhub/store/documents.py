"""Entity documents as the stores keep them, and what a page can take from their bytes without parsing them.

Both backends store an entity's JSON exactly as `dump_document` wrote it (SQLite `TEXT`, PostgreSQL `json`),
with `id` first, `geo` right after it, and the bookkeeping members (`TAIL`: sources, stations, timestamps,
provenance) last. A listing that only adds members (`open_state`, `distance_m`) or moves `id` and `geo` out (a
GeoJSON feature) can then be written from the bytes: parsing 20 documents of ~1.6 KB and serialising them
again was the biggest single cost of a page. Documents of another layout (written before this one, or without
a point) are parsed as before, so the bytes path is an optimisation, never a requirement. A format that shows
less than everything parses less (`RawDocument.view`): provenance alone is half of a document's bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import orjson

K = TypeVar("K")  # a row's key: SQLite rowid, PostgreSQL id


# Members no format but the hub's own JSON, CSV and iCal shows, in this order at the end of a stored document:
# cutting the bytes before `sources` leaves what JSON-LD reads ("core"), before `provenance` what CSV and iCal
# read ("lean"). Stores keep `sources` on every entity.
TAIL = ("sources", "nearest_stations", "first_seen", "last_changed", "withdrawn_at", "provenance")
_TAIL_SET = frozenset(TAIL)

View = Literal["full", "lean", "core"]  # what a format reads of a document (publish.registry.Serializer.view)


def dump_document(data: dict[str, Any]) -> str:
    """The stored JSON of an entity: canonical key order, except that `geo` follows `id` (see split_point) and
    the TAIL members come last, in TAIL's order (see RawDocument.view)."""
    head: dict[str, Any] = {"id": data["id"], "geo": data["geo"]} if "geo" in data and "id" in data else {}
    laid = {**head, **{k: v for k, v in data.items() if k not in _TAIL_SET}}  # keys keep their first position
    laid.update((k, data[k]) for k in TAIL if k in data)
    return orjson.dumps(laid).decode("utf-8")


def relaid(stored: str | None) -> str | None:
    """A stored document in dump_document's layout, or None when it already is: what the document-layout
    migrations write back. The content stays; only the positions of `geo` and of the TAIL members change."""
    if not stored:
        return None
    data = orjson.loads(stored)
    if not isinstance(data, dict):
        return None
    again = dump_document(data)
    return None if again == stored else again


def relaid_rows(rows: Iterable[tuple[K, str, str | None]]) -> list[tuple[K, str, str | None]]:
    """(key, document, open view) of the rows where relaid changes either document, both as they are to be
    stored: one step of the document-layout migration, the same on both backends."""
    changed = []
    for key, data, data_open in rows:
        new, new_open = relaid(data), relaid(data_open)
        if new is not None or new_open is not None:
            changed.append((key, new or data, new_open or data_open))
    return changed


# The columns a page reads beside each document, in RawDocument's order (both backends name them alike). Hours
# and AGS columns describe the `data` document, the one read unless a privileged reader gets the full view of a
# partly closed entity; `known` says so.
DOCUMENT_META = "e.kind, (e.all_open OR NOT e.has_open), e.opening_hours, e.municipality_ags"


@dataclass(slots=True)
class RawDocument:
    """One page item as stored bytes, with the columns a page needs beside it. `hours` and `ags` come from the
    entity's columns and are only given when those columns describe this very document (see the stores)."""

    raw: bytes
    kind: str
    known: bool  # hours and ags below are the document's own
    hours: str | None
    ags: str | None
    _parts: tuple[bytes, bytes, bytes, int] | bool | None = field(default=False, repr=False)  # False: not split yet

    def view(self, view: View) -> bytes:
        """The document as a format reads it: "full"; "lean" without `provenance`; "core" without any TAIL member.

        dump_document writes provenance last, so it is the last `,"provenance":{` of the bytes (a string cannot
        hold that sequence: its quotes would be escaped), and such a document ends with `}}`, which no document
        of an older layout did. In that layout `sources` opens the tail, and it is its last `,"sources":[` (in
        provenance its value would be an object). Any other document is handed over whole."""
        raw = self.raw
        if view == "full":
            return raw
        at = raw.rfind(_PROVENANCE)
        if at <= 0 or not raw.endswith(b"}}"):
            return raw
        if view == "core":
            tail = raw.rfind(_SOURCES, 0, at)
            if tail > 0:
                at = tail
        return raw[:at] + b"}"

    def parts(self) -> tuple[bytes, bytes, bytes, int] | None:
        """split_point of the document, worked out once (a `near` page needs it for distances and for writing)."""
        if self._parts is False:
            self._parts = split_point(self.raw)
        return self._parts  # type: ignore[return-value]


_PROVENANCE = b',"provenance":{'
_SOURCES = b',"sources":['

# `{"id":"<id>","geo":{"lat":<lat>,"lon":<lon>},` and nothing else between: an id without escapes (so its
# JSON is its text in quotes) and a point of exactly two members, followed by more members. One match in C
# instead of a handful of finds and slices: it runs for every item of every page.
_POINT_HEAD = re.compile(rb'\{"id":("[^"\\]*"),"geo":\{"lat":([^,}]*),"lon":([^,}]*)\},')


def split_point(raw: bytes) -> tuple[bytes, bytes, bytes, int] | None:
    """(id JSON, lat, lon, where the members after the point start) of a document laid out by dump_document: the
    document without `id` and `geo` is `{` + raw[start:]. None for any other layout (an id with an escaped
    character, a point with more members, nothing after the point)."""
    found = _POINT_HEAD.match(raw)
    if found is None:
        return None
    id_json, lat, lon = found.groups()
    return id_json, lat, lon, found.end()
