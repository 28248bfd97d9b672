"""CSV: one flat row per entity, German names first, licence and attribution on every row; a column per language
for names and descriptions. Lists (categories, keywords) are joined with "|", images are a JSON list."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from datenhub.model.licence import LicenceId
from datenhub.publish.registry import Entities, Serializer, register_serializer
from datenhub.spreadsheet import guard

COLUMNS = ("id", "kind", "type", "categories", "name_de", "name_en", "name_nl", "description_de", "lat", "lon",
           "street", "postal_code", "locality", "municipality", "ags", "kreis", "in_rvr", "website", "phone",
           "opening_hours", "wheelchair", "nearest_station", "nearest_station_m", "start", "end", "licence",
           "attribution", "sources", "last_changed",
           # after the first columns, so readers that take columns by position keep working
           "description_en", "description_nl", "email", "keywords", "route_role", "withdrawn_at",
           # an event's own: so the file imports back as the events it holds
           "status", "all_day", "location_name", "event_url", "organizer",
           "country",  # ISO 3166 code of the address (a Venlo place read back as German without it)
           "place_id",  # an event's venue by its hub id
           "images")  # a JSON list, each image with its own licence and attribution, as the CSV import reads it


def to_row(e: dict[str, Any]) -> list[Any]:
    name, desc = e.get("name") or {}, e.get("description") or {}
    geo, addr = e.get("geo") or {}, e.get("address") or {}
    muni, contact = e.get("municipality") or {}, e.get("contact") or {}
    station = (e.get("nearest_stations") or [{}])[0]
    return [e.get("id"), e.get("kind"), e.get("type"), "|".join(e.get("categories") or []), name.get("de"),
            name.get("en"), name.get("nl"), desc.get("de"), geo.get("lat"), geo.get("lon"), addr.get("street"),
            addr.get("postal_code"), addr.get("locality"), muni.get("name"), muni.get("ags"), muni.get("kreis"),
            _flag(muni.get("in_rvr")), contact.get("website"), contact.get("phone"), e.get("opening_hours"),
            e.get("wheelchair"), station.get("name"), station.get("distance_m"), e.get("start"), e.get("end"),
            e.get("licence"), e.get("attribution"), "|".join(e.get("sources") or []), e.get("last_changed"),
            desc.get("en"), desc.get("nl"), contact.get("email"), "|".join(e.get("keywords") or []),
            e.get("route_role"), e.get("withdrawn_at"),  # set on a delta feed's tombstones
            e.get("status"), _flag(e.get("all_day")), e.get("location_name"), e.get("url"), e.get("organizer"),
            addr.get("country"), e.get("place_id"), _images(e.get("images"))]


def _images(images: list[dict[str, Any]] | None) -> str | None:
    """The open images as JSON text: a spreadsheet cell holds one value, and an image is several (url, licence,
    attribution, caption by language). Closed images are never written, whoever asks (as in JSON-LD)."""
    shown = [image for image in images or [] if image.get("licence") != LicenceId.CLOSED]
    return json.dumps(shown, ensure_ascii=False) if shown else None


def _flag(value: Any) -> str | None:
    return None if value is None else "true" if value else "false"


def write_csv(entities: Entities) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for index, entity in enumerate(entities):
        writer.writerow([guard(v) for v in to_row(entity)])
        if index % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


register_serializer(Serializer("csv", "text/csv; charset=utf-8", "csv", write_csv, view="lean", languages=True))
