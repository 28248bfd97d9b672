"""The feature collections the OGC endpoint offers: places, events, and places by category; and their extents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from datenhub.model.categories import CATEGORIES
from datenhub.store import Query, Store

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
# The sort each kind's REST listing uses too, so a store cursor means the same in both APIs.
SORT = {"place": "name", "event": "start"}


@dataclass(frozen=True, slots=True)
class FeatureCollection:
    id: str
    kind: str  # "place" or "event"
    title: str
    description: str
    category: str | None = None

    @property
    def temporal(self) -> bool:
        """Events have a temporal geometry (start–end); places have none."""
        return self.kind == "event"

    def query(self, **filters: Any) -> Query:
        categories = (self.category,) if self.category else ()
        return Query(kind=self.kind, categories=categories, sort=SORT[self.kind], **filters)

    def contains(self, entity: dict[str, Any]) -> bool:
        if entity.get("kind") != self.kind:
            return False
        return self.category is None or self.category in (entity.get("categories") or [])


def _build() -> dict[str, FeatureCollection]:
    found = [
        FeatureCollection("places", "place", "Places",
                          "Attractions, venues, industrial heritage and stations of the Metropole Ruhr "
                          "(openly licensed data only)."),
        FeatureCollection("events", "event", "Events",
                          "Events in the Metropole Ruhr with start and end as temporal geometry "
                          "(openly licensed data only)."),
    ]
    for name, labels in CATEGORIES.items():
        found.append(FeatureCollection(f"places-{name.lower()}", "place", f"Places: {name} ({labels['en']})",
                                       f"Places of the category {name} ({labels['en']}).", category=name))
    return {c.id: c for c in found}


COLLECTIONS: dict[str, FeatureCollection] = _build()


@dataclass(slots=True)
class Extent:
    """Running envelope of positions and times; empty until the first entity is added."""

    bbox: list[float] | None = None
    start: datetime | None = None
    end: datetime | None = None

    def add(self, entity: dict[str, Any]) -> None:
        geo = entity.get("geo")
        if geo:
            lon, lat = geo["lon"], geo["lat"]
            if self.bbox is None:
                self.bbox = [lon, lat, lon, lat]
            else:
                b = self.bbox
                self.bbox = [min(b[0], lon), min(b[1], lat), max(b[2], lon), max(b[3], lat)]
        if entity.get("start"):
            start = datetime.fromisoformat(entity["start"])
            end = datetime.fromisoformat(entity["end"]) if entity.get("end") else start
            self.start = start if self.start is None else min(self.start, start)
            self.end = end if self.end is None else max(self.end, end)


def compute_extents(store: Store, kind: str) -> dict[str, Extent]:
    """One pass over the kind's open entities, filling the extent of every collection of that kind.

    Computed per request, not cached: /req/core/fc-md-extent wants envelopes that include every geometry,
    and a stale cache after an import would break that.
    """
    wanted = [c for c in COLLECTIONS.values() if c.kind == kind]
    extents = {c.id: Extent() for c in wanted}
    for entity in store.iter_entities(kind):
        for collection in wanted:
            if collection.contains(entity):
                extents[collection.id].add(entity)
    return extents


def rvr_bbox() -> list[float]:
    """The RVR's bounding box: the extent an empty collection reports."""
    from datenhub.enrich.municipality import boundaries

    return [round(v, 6) for v in boundaries().rvr_outline.bounds]


def _rfc3339(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def extent_body(collection: FeatureCollection, extent: Extent) -> dict[str, Any]:
    body: dict[str, Any] = {"spatial": {"bbox": [extent.bbox or rvr_bbox()], "crs": CRS84}}
    if collection.temporal:
        body["temporal"] = {"interval": [[_rfc3339(extent.start), _rfc3339(extent.end)]], "trs": GREGORIAN}
    return body
