"""GeoJSON FeatureCollection (RFC 7946): geometry from `geo`, the canonical record as properties."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datenhub.publish.jsonbytes import dumps
from datenhub.publish.registry import Entities, Serializer, register_serializer


def to_feature(entity: dict[str, Any]) -> dict[str, Any]:
    geo = entity.get("geo")
    geometry = {"type": "Point", "coordinates": [geo["lon"], geo["lat"]]} if geo else None
    properties = {k: v for k, v in entity.items() if k not in ("id", "geo")}
    return {"type": "Feature", "id": entity["id"], "geometry": geometry, "properties": properties}


def feature_bytes(id_json: bytes, lat: bytes, lon: bytes, rest: bytes | memoryview, extra: bytes = b"") -> bytes:
    """`to_feature` written from JSON parts (store.documents.split_point): `rest` is the document's members after
    its point with the closing brace, `extra` more members (`,"name":value…`). The same bytes, without a parse."""
    return b"".join((b'{"type":"Feature","id":', id_json, b',"geometry":{"type":"Point","coordinates":[', lon, b",",
                     lat, b']},"properties":{', rest[:-1], extra, b"}}"))


COLLECTION_HEAD = b'{"type":"FeatureCollection","features":['


def write_geojson(entities: Entities) -> Iterator[bytes]:
    yield COLLECTION_HEAD
    for index, entity in enumerate(entities):
        prefix = b"," if index else b""
        yield prefix + dumps(to_feature(entity))
    yield b"]}\n"


register_serializer(Serializer("geojson", "application/geo+json", "geojson", write_geojson, live_state=True))
