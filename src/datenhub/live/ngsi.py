"""FIWARE NGSI-LD entities → our reading payloads (normalized and keyValues forms).

OffStreetParking: availableSpotNumber → free, totalSpotNumber → capacity.
CrowdFlowObserved: peopleCount → count, occupancy (0–1) → fraction, dateObservedFrom/To → window.
The sensor id is the last part of the entity id (urn:ngsi-ld:OffStreetParking:<sensor id>); device
references (refDevice) are dropped on purpose: we keep aggregates, not device identities.
"""

from __future__ import annotations

from typing import Any

NGSI_TYPES = ("OffStreetParking", "CrowdFlowObserved")


def is_ngsi(doc: dict[str, Any]) -> bool:
    return doc.get("type") in NGSI_TYPES and isinstance(doc.get("id"), str) and doc["id"].startswith("urn:ngsi-ld:")


def _value(doc: dict[str, Any], name: str) -> tuple[Any, Any]:
    """(value, observedAt) of a property in either form."""
    prop = doc.get(name)
    if isinstance(prop, dict) and "value" in prop:
        return prop["value"], prop.get("observedAt")
    if isinstance(prop, dict) and "@value" in prop:
        return prop["@value"], None
    return prop, None


def _sensor_id(entity_id: str) -> str:
    return entity_id.rsplit(":", 1)[-1]


def ngsi_to_payloads(doc: dict[str, Any]) -> list[dict[str, Any]]:
    payload: dict[str, Any] = {"sensor": _sensor_id(doc["id"])}
    observed = doc.get("observedAt") or _value(doc, "dateObserved")[0]
    if doc["type"] == "OffStreetParking":
        free, free_at = _value(doc, "availableSpotNumber")
        total, _ = _value(doc, "totalSpotNumber")
        payload.update(free=free, capacity=total)
        observed = free_at or observed
    else:
        count, count_at = _value(doc, "peopleCount")
        level, level_at = _value(doc, "occupancy")
        if count is not None:
            payload["count"] = count
        if level is not None:
            payload["fraction"] = level
        observed = count_at or level_at or observed
        start, end = _value(doc, "dateObservedFrom")[0], _value(doc, "dateObservedTo")[0]
        if observed is None and start and end:
            payload["window"] = {"start": start, "end": end}
    if observed is not None:
        payload["observed_at"] = observed
    return [{k: v for k, v in payload.items() if v is not None}]
