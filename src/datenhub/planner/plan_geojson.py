"""A plan as a GeoJSON FeatureCollection: start and end points, numbered stops, and one LineString per leg."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datenhub.planner.plan_model import Plan


def _point(lat: float, lon: float, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": properties}


def plan_geojson(plan: Plan) -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    for day_no, day in enumerate(plan.days, start=1):
        coords = {day.start.id or "start": (day.start.lat, day.start.lon), day.end.id or "end": (day.end.lat,
                                                                                                day.end.lon)}
        features.append(_point(day.start.lat, day.start.lon, kind="start", day=day_no, date=day.date,
                               id=day.start.id, name=day.start.name, time=day.start.time))
        for order, stop in enumerate(day.stops, start=1):
            coords[stop.id] = (stop.lat, stop.lon)
            features.append(_point(stop.lat, stop.lon, kind="stop", day=day_no, date=day.date, order=order,
                                   id=stop.id, name=stop.name, category=stop.category, arrival=stop.arrival,
                                   start=stop.start, end=stop.end, departure=stop.departure, why=stop.why))
        features.append(_point(day.end.lat, day.end.lon, kind="end", day=day_no, date=day.date, id=day.end.id,
                               name=day.end.name, time=day.end.time))
        for leg in day.legs:
            a, b = coords[leg.from_], coords[leg.to]
            features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [
                [round(a[1], 6), round(a[0], 6)], [round(b[1], 6), round(b[0], 6)]]},
                "properties": {"kind": "leg", "day": day_no, "date": day.date, "from": leg.from_, "to": leg.to,
                               "minutes": leg.minutes, "mode": leg.mode, "km": leg.km}})
    return {"type": "FeatureCollection", "features": features}
