"""Declarative mapping files (TOML) for tabular sources: column → field, constants, licence.

    [csv]              # optional: encoding and delimiter are detected otherwise
    encoding = "cp1252"
    delimiter = ";"
    ignore = ["Bearbeiter"]   # columns left out on purpose (others unmapped get an INFO notice)
    [fields]           # canonical field path = column header
    id = "Nr"
    "name.de" = "Bezeichnung"
    lat = "Breite"
    [constants]        # the same value for every record
    licence = "DL-DE-BY-2.0"
    attribution = "Stadt Bochum"
"""

from __future__ import annotations

import codecs
import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datenhub.ingest.setpath import TARGETS

# what a mapping often says for a target field, by the word before any dot ("latitude", "name" for "name.de")
_ALIASES = {"latitude": "lat", "lattitude": "lat", "breite": "lat", "longitude": "lon", "lng": "lon",
            "laenge": "lon", "länge": "lon", "name": "name.de", "title": "name.de", "description": "description.de",
            "website": "contact.website", "email": "contact.email", "phone": "contact.phone",
            "license": "licence", "lizenz": "licence", "image": "image.url", "hours": "opening_hours"}


class MappingError(ValueError):
    """The mapping file itself is wrong; the message says where."""


@dataclass(slots=True)
class Mapping:
    fields: dict[str, str] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    kind: str = "place"
    ignore: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any], origin: str = "mapping") -> Mapping:
        unknown_sections = set(data) - {"csv", "fields", "constants", "kind"}
        if unknown_sections:
            raise MappingError(f"{origin}: unknown section(s) {sorted(unknown_sections)}; "
                               "use [csv], [fields], [constants]")
        fields = {str(k): str(v) for k, v in data.get("fields", {}).items()}
        constants = dict(data.get("constants", {}))
        for target in [*fields, *constants]:
            if target not in TARGETS:
                close = _ALIASES.get(target.lower().split(".")[0]) or next(
                    iter(difflib.get_close_matches(target, TARGETS, n=1, cutoff=0.6)), None)
                hint = f" (did you mean {close!r}?)" if close else ""
                raise MappingError(f"{origin}: unknown target field {target!r}{hint}; known: "
                                   f"{', '.join(sorted(TARGETS))}")
        csv_opts = data.get("csv", {})
        if unknown_options := set(csv_opts) - {"encoding", "delimiter", "ignore"}:
            raise MappingError(f"{origin}: unknown [csv] option(s) {sorted(unknown_options)}; "
                               "use encoding, delimiter, ignore")
        delimiter = csv_opts.get("delimiter")
        if delimiter is not None and len(delimiter) != 1:
            raise MappingError(f"{origin}: [csv] delimiter must be one character, got {delimiter!r}")
        kind = data.get("kind", "place")
        if kind not in ("place", "event"):
            raise MappingError(f"{origin}: kind must be 'place' or 'event', got {kind!r}")
        ignore = csv_opts.get("ignore", [])
        if not isinstance(ignore, list) or not all(isinstance(column, str) for column in ignore):
            raise MappingError(f"{origin}: [csv] ignore must be a list of column names, got {ignore!r}")
        if both := sorted(set(ignore) & set(fields.values())):
            raise MappingError(f"{origin}: column(s) {', '.join(both)} both mapped under [fields] and ignored")
        encoding = csv_opts.get("encoding")
        if encoding is not None:
            try:
                codecs.lookup(str(encoding))
            except LookupError:
                raise MappingError(f"{origin}: [csv] encoding {encoding!r} is unknown; use e.g. utf-8, cp1252 "
                                   "(Windows), latin-1 or utf-16") from None
        return cls(fields, constants, encoding, delimiter, kind, tuple(ignore))

    @classmethod
    def load(cls, path: Path) -> Mapping:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise MappingError(f"mapping file {path} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise MappingError(f"{path}: not valid TOML: {exc}") from None
        return cls.from_dict(data, str(path))


# When no mapping is given, these headers (lower-cased) are understood.
AUTO_FIELDS: dict[str, str] = {
    "id": "id", "local_id": "id", "nr": "id",
    "name": "name.de", "name_de": "name.de", "bezeichnung": "name.de", "titel": "name.de",
    "name_en": "name.en", "name_nl": "name.nl",
    "description": "description.de", "beschreibung": "description.de", "description_de": "description.de",
    "description_en": "description.en", "description_nl": "description.nl",
    "category": "category", "categories": "category", "kategorie": "category", "type": "type",
    "schema_type": "type",
    "lat": "lat", "latitude": "lat", "breite": "lat", "breitengrad": "lat", "y": "lat",
    "lon": "lon", "lng": "lon", "long": "lon", "longitude": "lon", "länge": "lon", "laenge": "lon",
    "längengrad": "lon", "x": "lon",
    "street": "address.street", "strasse": "address.street", "straße": "address.street",
    "postal_code": "address.postal_code", "plz": "address.postal_code", "zip": "address.postal_code",
    "city": "address.locality", "ort": "address.locality", "stadt": "address.locality",
    "locality": "address.locality", "country": "address.country", "land": "address.country",
    "website": "contact.website", "url": "contact.website", "webseite": "contact.website",
    "phone": "contact.phone", "telefon": "contact.phone", "email": "contact.email",
    "opening_hours": "opening_hours", "öffnungszeiten": "opening_hours_text",
    "wheelchair": "wheelchair", "rollstuhl": "wheelchair",
    "licence": "licence", "license": "licence", "lizenz": "licence", "attribution": "attribution",
    "route_role": "route_role", "keywords": "keywords",
    "images": "images",  # a JSON list as the hub's CSV export writes it, or one image URL
    "start": "start", "end": "end", "beginn": "start", "ende": "end",
    "kind": "kind", "art": "kind",  # place or event, row by row (the hub's own CSV export writes it)
}
# an event's own columns, read only where the file has events (a start or kind column): a place list's "Status"
# or "Veranstalter" column says something else. An events file's "url" is an event's page (the hub's GeoJSON
# export writes it so); a place row's url becomes its website (checks.dates)
EVENT_FIELDS: dict[str, str] = {
    "status": "status", "all_day": "all_day", "location_name": "location_name", "event_url": "url", "url": "url",
    "organizer": "organizer", "veranstalter": "organizer", "place_id": "place_id",
}


def auto_mapping(headers: list[str]) -> Mapping:
    fields = {}
    known = dict(AUTO_FIELDS)
    if any(AUTO_FIELDS.get(h.strip().lower()) in ("start", "kind") for h in headers):
        known.update(EVENT_FIELDS)
    for header in headers:
        key = header.strip().lower()
        # a dotted target names itself ("name.en", "address.street": how GeoJSON objects are read)
        target = known.get(key) or (key if "." in key and key in TARGETS else None)
        if key == "url" and any(AUTO_FIELDS.get(other.strip().lower(), other.strip().lower()) == "contact.website"
                                for other in headers if other.strip().lower() != "url"):
            target = "url"  # a website of its own beside it (the hub's GeoJSON export): an event's page
        if target and target not in fields:
            fields[target] = header
    return Mapping(fields=fields)
