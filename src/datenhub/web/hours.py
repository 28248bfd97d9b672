"""Opening hours as a place page and the info screen show them: state now, next change, this week's table."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from datenhub.clock import BERLIN
from datenhub.hours import OpeningHours, OpeningHoursError
from datenhub.hours.filter import live_state, state_for_ags
from datenhub.hours.names import DAY_NAMES


def hours_view(entity: dict[str, Any], now: datetime, lang: str) -> dict[str, Any] | None:
    """None when the place has no opening hours; `week` is empty when the value cannot be read."""
    value = entity.get("opening_hours")
    if not value:
        return None
    geo, municipality = entity.get("geo") or {}, entity.get("municipality") or {}
    view: dict[str, Any] = {"value": value, "state": None, "week": [], "text": None, "next_change": None}
    try:
        oh = OpeningHours.parse(value, lat=geo.get("lat"), lon=geo.get("lon"),
                                state=state_for_ags(municipality.get("ags")))
    except OpeningHoursError:
        return view
    live = live_state(value, now, geo.get("lat"), geo.get("lon"), municipality.get("ags"))
    if live:
        view["state"] = live["state"]
        view["text"] = live["text"][lang]  # type: ignore[index]
        view["next_change"] = live["next_switch"]  # the badge says when it opens or closes
        view["comment"] = live["comment"]
    today = now.astimezone(BERLIN).date()
    monday = today - timedelta(days=today.weekday())
    for day, ranges in oh.weekly_table(monday):
        shown = [f"{start}–{end}" + (f" ({comment})" if comment else "")
                 for start, end, state, comment in ranges if state == "open"]
        view["week"].append({"date": day, "name": DAY_NAMES[lang][day.weekday()], "today": day == today,
                             "ranges": shown})
    return view


def closes_at(entity: dict[str, Any], now: datetime) -> tuple[str | None, str | None]:
    """(state, when it next opens or closes, ISO) for list rows and the screen; (None, None) without readable
    hours."""
    geo, municipality = entity.get("geo") or {}, entity.get("municipality") or {}
    live = live_state(entity.get("opening_hours"), now, geo.get("lat"), geo.get("lon"), municipality.get("ags"))
    if not live:
        return None, None
    return str(live["state"]), live["next_switch"]  # type: ignore[return-value]
