"""Coordinates: readable, in range, not swapped, roughly in the region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datenhub.checks.base import Check, CheckContext
from datenhub.ingest.base import Draft
from datenhub.notices import Notice, Severity

# North Rhine-Westphalia with a margin: the hub's region of interest for plausibility checks.
REGION = (50.2, 5.8, 52.6, 9.5)  # min_lat, min_lon, max_lat, max_lon


def parse_coordinate(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace("\u2212", "-")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # German decimal comma
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


_WRITE = "write decimal degrees with one decimal point or comma and no thousands separator (51.4862 or 51,4862)"


def coordinate_problem(name: str, value: Any) -> str | None:
    """Why one coordinate is not usable, in words a steward can act on; None when it is."""
    number = parse_coordinate(value)
    if number is not None:
        limit = 90 if name == "lat" else 180
        return None if abs(number) <= limit else f"{name} {number} lies beyond ±{limit}"
    if value is None or value == "":
        return f"{name} is missing"
    text = str(value).strip()
    if "," in text and "." in text:
        # "1.234,5" or "1,234.5": German and English thousands separators read differently, so neither is guessed
        why = "mixes '.' and ','"
    elif text.count(",") > 1 or text.count(".") > 1:
        why = "has more than one separator"
    elif any(mark in text for mark in "°'′″\""):
        why = "is in degrees and minutes"
    else:
        why = "is not a number"
    return f"{name} {text!r} {why}"


def in_region(lat: float, lon: float) -> bool:
    return REGION[0] <= lat <= REGION[2] and REGION[1] <= lon <= REGION[3]


class CoordinatesCheck(Check):
    codes = {
        "missing_coordinates": (Severity.WARNING, "no coordinates: the place will not appear on maps"),
        "invalid_coordinates": (Severity.ERROR, "coordinates are unreadable or out of range"),
        "swapped_coordinates": (Severity.WARNING, "latitude and longitude were swapped and have been corrected"),
        "outside_region": (Severity.WARNING, "the position is far outside North Rhine-Westphalia"),
    }

    def check(self, draft: Draft, ctx: CheckContext) -> Iterator[Notice]:
        data = draft.data
        raw_lat, raw_lon = data.pop("lat", None), data.pop("lon", None)
        if raw_lat in (None, "") and raw_lon in (None, ""):
            if draft.kind == "place":
                yield self.notice("missing_coordinates", "no coordinates given", draft, "geo")
            return
        lat, lon = parse_coordinate(raw_lat), parse_coordinate(raw_lon)
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            problems = [p for p in (coordinate_problem("lat", raw_lat), coordinate_problem("lon", raw_lon)) if p]
            hint = f": {_WRITE}" if any(not p.endswith(("±90", "±180")) for p in problems) else ""
            yield self.notice("invalid_coordinates", f"lat={raw_lat!r}, lon={raw_lon!r} is not a valid WGS84 point "
                              f"({'; '.join(problems)}){hint}", draft, "geo", f"{raw_lat},{raw_lon}")
            data["geo"] = "invalid"
            return
        if lat == 0 and lon == 0:
            yield self.notice("invalid_coordinates", "0,0 is a placeholder, not a position", draft, "geo", "0,0")
            data["geo"] = "invalid"
            return
        if not in_region(lat, lon) and in_region(lon, lat):
            yield self.notice("swapped_coordinates", f"lat/lon swapped ({lat}, {lon}); corrected", draft, "geo",
                              f"{lat},{lon}")
            lat, lon = lon, lat
        elif not in_region(lat, lon):
            yield self.notice("outside_region", f"({lat}, {lon}) is outside the hub's region", draft, "geo",
                              f"{lat},{lon}")
        data["geo"] = {"lat": round(lat, 7), "lon": round(lon, 7)}
