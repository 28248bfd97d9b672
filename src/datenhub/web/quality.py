"""Completeness of records for data stewards: which of the fields visitors rely on are filled, per record and source."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from datenhub.publish.jsonld import entity_url

# (key, German label, English label); each criterion weighs the same
CRITERIA: tuple[tuple[str, str, str], ...] = (
    ("name", "Name", "Name"),
    ("geo", "Koordinaten", "Coordinates"),
    ("hours", "Öffnungszeiten", "Opening hours"),
    ("image", "Bild", "Image"),
    ("licence", "Lizenz", "Licence"),
    ("description_de", "Beschreibung (de)", "Description (de)"),
    ("description_en", "Beschreibung (en)", "Description (en)"),
)


def checks(entity: dict[str, Any]) -> dict[str, bool]:
    description = entity.get("description") or {}
    geo = entity.get("geo") or {}
    # events have a start instead of opening hours
    timed = bool(entity.get("start")) if entity.get("kind") == "event" else bool(entity.get("opening_hours"))
    return {
        "name": any(str(v).strip() for v in (entity.get("name") or {}).values()),
        "geo": geo.get("lat") is not None and geo.get("lon") is not None,
        "hours": timed,
        "image": bool(entity.get("images")),
        "licence": bool(entity.get("licence")),
        "description_de": bool((description.get("de") or "").strip()),
        "description_en": bool((description.get("en") or "").strip()),
    }


def score(entity: dict[str, Any]) -> float:
    """0–100: the share of criteria met."""
    result = checks(entity)
    return round(100 * sum(result.values()) / len(result), 1)


@dataclass(slots=True)
class SourceQuality:
    source: str
    records: int = 0
    total: float = 0.0
    missing: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    worst: list[tuple[float, str, str, str]] = field(default_factory=list)  # (score, id, name, page path)

    @property
    def average(self) -> float:
        return round(self.total / self.records, 1) if self.records else 0.0


def by_source(entities: Iterable[dict[str, Any]], worst: int = 5) -> list[SourceQuality]:
    """Average score and missing fields per source (an entity counts for each source that fed it)."""
    sources: dict[str, SourceQuality] = {}
    for entity in entities:
        result = checks(entity)
        value = round(100 * sum(result.values()) / len(result), 1)
        name = (entity.get("name") or {}).get("de") or next(iter((entity.get("name") or {}).values()), entity["id"])
        for source in {s.split(":", 1)[0] for s in entity.get("sources") or []} or {"?"}:
            quality = sources.setdefault(source, SourceQuality(source))
            quality.records += 1
            quality.total += value
            for key, ok in result.items():
                if not ok:
                    quality.missing[key] += 1
            quality.worst.append((value, entity["id"], name, entity_url(entity, "")))
            quality.worst.sort()
            del quality.worst[worst:]
    return sorted(sources.values(), key=lambda q: q.source)
