"""What the web slots (#occupancy on place pages, the occupancy panel on /screen) show, already worded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from datenhub.clock import BERLIN
from datenhub.live.demo import SIMULATED_SOURCE
from datenhub.live.forecast import forecast
from datenhub.live.status import LABELS, Thresholds, place_sensors, place_status
from datenhub.store import Store

NEXT_HOURS = 4


def _percent(fraction: Any) -> int | None:
    return None if fraction is None else round(float(fraction) * 100)


def occupancy_summary(store: Store, place_id: str, at: datetime, include_closed: bool = False,
                      ) -> dict[str, Any] | None:
    """None when the place has no occupancy sensors the reader may see; else status, per-sensor lines and the
    next hours."""
    _, sensors = place_sensors(store, place_id, include_closed)
    if not sensors:
        return None
    thresholds = Thresholds.from_env()
    latest = store.latest_readings([s.id for s in sensors])
    status = place_status(latest, sensors, at, thresholds)
    by_id = {r.sensor_id: r for r in latest}
    lines = []
    for s in sensors:
        r = by_id.get(s.id)
        lines.append({"id": s.id, "name": s.name or s.id, "kind": s.kind.value,
                      "percent": _percent(r.fraction) if r else None, "count": r.count if r else None,
                      "free": r.free if r else None, "capacity": (r.capacity if r else None) or s.capacity,
                      "status": thresholds.status(r.fraction) if r else None})
    predicted: dict[str, Any] = forecast(store, sensors, at, thresholds) or {}
    next_hours = [{"time": datetime.fromisoformat(h["at"]).strftime("%H:%M"), "percent": _percent(h["fraction"]),
                   "status": h["status"]} for h in (predicted.get("today") or [])[:NEXT_HOURS]]
    updated = status["updated_at"]
    code = status["status"]
    return {
        "place": place_id, "status": code, "label": LABELS.get(code) if isinstance(code, str) else None,
        "percent": _percent(status["fraction"]), "stale": status["stale"],
        "updated": datetime.fromisoformat(updated).astimezone(BERLIN).strftime("%H:%M") if isinstance(
            updated, str) else None,
        "simulated": any(s.source == SIMULATED_SOURCE for s in sensors),
        "sensors": lines, "next_hours": next_hours,
        "sources": sorted({f"{s.source} ({s.licence})" if s.licence else s.source for s in sensors}),
        "api": f"/api/v1/places/{place_id}/occupancy",
    }
