"""Deutsche Bahn station data (npm `db-stations` format): stations as places, staffed-desk hours as OSM syntax."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datenhub.ingest.base import Adapter, AdapterOptions, Draft, RawInput
from datenhub.ingest.jsonload import load_json
from datenhub.ingest.registry import register
from datenhub.notices import Location, Notice, Severity

DB_ATTRIBUTION = "Deutsche Bahn AG (DB Station&Service), CC BY 4.0"
_DAYS = (("monday", "Mo"), ("tuesday", "Tu"), ("wednesday", "We"), ("thursday", "Th"),
         ("friday", "Fr"), ("saturday", "Sa"), ("sunday", "Su"))
_STEPLESS = {"yes": "yes", "partial": "limited", "no": "no"}


def weekly_to_osm(availability: dict[str, Any]) -> str | None:
    """{'monday': {'fromTime': '08:15', 'toTime': '17:45'}, …, 'holiday': …} → 'Mo-Su 08:15-17:45; PH …'."""
    def span(day: str) -> str | None:
        slot = availability.get(day)
        if not isinstance(slot, dict) or not slot.get("fromTime") or not slot.get("toTime"):
            return None
        return f"{slot['fromTime']}-{slot['toTime']}"

    rules: list[str] = []
    run_start = 0
    spans = [span(day) for day, _ in _DAYS]
    for i in range(1, len(_DAYS) + 1):
        if i == len(_DAYS) or spans[i] != spans[run_start]:
            if spans[run_start]:
                first, last = _DAYS[run_start][1], _DAYS[i - 1][1]
                days = first if first == last else f"{first}-{last}"
                rules.append(f"{days} {spans[run_start]}")
            run_start = i
    if not rules:
        return None
    holiday = span("holiday")
    rules.append(f"PH {holiday}" if holiday else "PH off")
    return "; ".join(rules)


@register
class DbStationsAdapter(Adapter):
    name = "db-stations"
    description = "Deutsche Bahn stations JSON (npm db-stations), CC BY 4.0"

    @classmethod
    def sniff(cls, raw: RawInput) -> bool:
        head = raw.payload[:2000]
        return raw.name.lower().endswith(".json") and (b'"type": "station"' in head or b'"type":"station"' in head)

    def read(self, raw: RawInput, options: AdapterOptions) -> Iterator[Draft | Notice]:
        doc, notices = load_json(raw)
        yield from notices
        if doc is None:
            return
        if not isinstance(doc, list):
            yield Notice("not_db_stations", Severity.ERROR, "expected a JSON array of DB station objects",
                         Location(source=raw.source, file=raw.name))
            return
        for index, station in enumerate(doc):
            pointer = f"/{index}"
            if not isinstance(station, dict):
                yield Notice("invalid_station", Severity.ERROR, "a station must be a JSON object",
                             Location(source=raw.source, file=raw.name, pointer=pointer))
                continue
            local_id = str(station.get("id") or "") or None
            location = station.get("location") or {}
            address = station.get("address") or {}
            data: dict[str, Any] = {
                "type": "TrainStation",
                "category": "Verkehr",
                "name": {"de": station.get("name")} if station.get("name") else {},
                "lat": location.get("latitude"),
                "lon": location.get("longitude"),
                "address": {k: v for k, v in {
                    "street": address.get("street"),
                    "postal_code": address.get("zipcode"),
                    "locality": address.get("city"),
                }.items() if v},
                "licence": "CC-BY-4.0",
                "attribution": DB_ATTRIBUTION,
            }
            stepless = _STEPLESS.get(str(station.get("hasSteplessAccess")))
            if stepless:
                data["wheelchair"] = stepless
            staff = (station.get("localServiceStaff") or {}).get("availability")
            if isinstance(staff, dict):
                hours = weekly_to_osm(staff)
                if hours:
                    # when staff is at the station, not when it opens: as opening hours, every station "closed"
                    # at night and fell out of "open now", though its platforms stay open
                    data["description"] = {"de": f"Servicepersonal vor Ort: {hours}",
                                           "en": f"Station staff on site: {hours}"}
            keywords = [k for k, flag in (("Parkplatz", "hasParking"), ("Fahrradstellplatz", "hasBicycleParking"),
                                          ("WLAN", "hasWiFi"), ("Reisezentrum", "hasTravelCenter"),
                                          ("Schließfächer", "hasLockerSystem"), ("Taxi", "hasTaxiRank"))
                        if station.get(flag)]
            if keywords:
                data["keywords"] = keywords
            yield Draft("place", local_id, data,
                        Location(source=raw.source, file=raw.name, pointer=pointer, entity_id=local_id))
