"""GeoJSON FeatureCollections: Point features as places, other geometries by a representative point."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datenhub.ingest.base import Adapter, AdapterOptions, Draft, RawInput, named_kind, unknown_kind, unusable_id
from datenhub.ingest.csv_ import apply_mapping
from datenhub.ingest.jsonload import load_json
from datenhub.ingest.mapping import Mapping, auto_mapping
from datenhub.ingest.registry import register
from datenhub.notices import Location, Notice, Severity


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"  # {"wheelchair": true}
    if value is None or isinstance(value, dict | list):
        return None
    return value if isinstance(value, str) else str(value)


def flat_properties(props: dict[str, Any]) -> dict[str, str]:
    """A feature's properties as the columns a mapping reads: an object by its members ({"name": {"de": …}} →
    name.de, as the hub's own GeoJSON export writes languages, addresses and contacts), a list of words joined
    (categories, keywords), a list of images by its first one (image.url, image.licence …; without a mapping the
    adapter reads the whole list instead)."""
    flat: dict[str, str] = {}
    for key, value in props.items():
        key = str(key)
        if isinstance(value, dict):
            flat.update({f"{key}.{sub}": text for sub, inner in value.items() if (text := _scalar(inner))})
        elif isinstance(value, list):
            if key == "images" and value and isinstance(value[0], dict):
                flat.update({f"image.{sub}": text for sub, inner in value[0].items() if (text := _scalar(inner))})
            else:
                flat[key] = ", ".join(text for item in value if (text := _scalar(item)))
        else:
            flat[key] = _scalar(value) or ""
    return flat


_IMAGE_KEYS = ("url", "caption", "licence", "attribution", "author")


def _image(image: dict[str, Any]) -> dict[str, Any]:
    return {key: image[key] for key in _IMAGE_KEYS if image.get(key) not in (None, "", {})}


def representative_point(geometry: dict[str, Any]) -> tuple[float, float] | None:
    """(lon, lat) of a point inside the geometry, or None if it cannot be read."""
    if geometry.get("type") == "Point":
        coords = geometry.get("coordinates")
        if isinstance(coords, list) and len(coords) >= 2:
            return coords[0], coords[1]
        return None
    from shapely.geometry import shape

    try:
        point = shape(geometry).representative_point()
    except Exception:  # shapely raises many types for malformed input; all mean "unreadable"
        return None
    return point.x, point.y


@register
class GeoJsonAdapter(Adapter):
    name = "geojson"
    extensions = (".geojson",)
    description = "GeoJSON Feature or FeatureCollection; properties like name, opening_hours, wheelchair"

    def read(self, raw: RawInput, options: AdapterOptions) -> Iterator[Draft | Notice]:
        doc, notices = load_json(raw)
        yield from notices
        if doc is None:
            return
        if isinstance(doc, dict) and doc.get("type") == "Feature":
            features = [doc]
        elif isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
            features = doc.get("features") or []
        else:
            yield Notice("not_geojson", Severity.ERROR, "expected a GeoJSON Feature or FeatureCollection",
                         Location(source=raw.source, file=raw.name))
            return
        mapping = Mapping.from_dict(options.mapping) if options.mapping else None
        for index, feature in enumerate(features):
            pointer = f"/features/{index}"
            loc = Location(source=raw.source, file=raw.name, pointer=pointer)
            if not isinstance(feature, dict):
                yield Notice("invalid_feature", Severity.ERROR, "a feature must be a JSON object", loc)
                continue
            props = feature.get("properties") or {}
            flat = flat_properties(props) if isinstance(props, dict) else {}
            data = apply_mapping(flat, mapping or auto_mapping(list(flat)))
            if mapping is None and isinstance(props, dict):
                # lists as the lists they are (the hub's own export, or a file like it): every image with its
                # caption, and words that hold a comma
                if isinstance(props.get("images"), list):
                    data.pop("image", None)
                    data["images"] = [_image(image) for image in props["images"] if isinstance(image, dict)]
                for key in ("keywords", "categories"):
                    if isinstance(props.get(key), list):
                        data[key] = [str(word) for word in props[key] if isinstance(word, str | int | float)]
            local_id = feature.get("id") or data.pop("id", None)
            data.pop("id", None)
            bad_id = unusable_id(local_id, loc)
            if bad_id is not None:
                yield bad_id
                continue
            geometry = feature.get("geometry")
            local = None if local_id is None else str(local_id)
            if isinstance(geometry, dict):
                point = representative_point(geometry)
                if point is None:
                    yield Notice("invalid_geometry", Severity.WARNING, "geometry cannot be read",
                                 loc.of_entity(local))
                else:
                    data["lon"], data["lat"] = point
                    if geometry.get("type") != "Point":
                        yield Notice("geometry_reduced", Severity.INFO,
                                     f"the {geometry.get('type')} is kept as a point inside it ({point[1]:.5f}, "
                                     f"{point[0]:.5f}): the hub holds one point per place", loc.of_entity(local))
            where = Location(source=raw.source, file=raw.name, pointer=pointer, entity_id=local)
            given = data.pop("kind", None)
            kind = named_kind(given) if given not in (None, "") else "event" if data.get("start") else "place"
            yield Draft(kind, local, data, where) if kind else unknown_kind(given, where)
