"""Sunrise, sunset, dawn and dusk from the NOAA solar calculator equations (no network, no tables).

Accuracy is about a minute for latitudes between ±60°. Results are local minutes of the day in Europe/Berlin.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
ZENITH_SUN = 90.833  # upper limb incl. refraction
ZENITH_CIVIL = 96.0  # civil twilight


def _julian_day(d: date) -> float:
    return d.toordinal() + 1721424.5


def _sun(t: float) -> tuple[float, float]:
    """Declination (degrees) and equation of time (minutes) at Julian century ``t``."""
    l0 = (280.46646 + t * (36000.76983 + t * 0.0003032)) % 360
    m = 357.52911 + t * (35999.05029 - 0.0001537 * t)
    e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t)
    mr = math.radians(m)
    c = (
        math.sin(mr) * (1.914602 - t * (0.004817 + 0.000014 * t))
        + math.sin(2 * mr) * (0.019993 - 0.000101 * t)
        + math.sin(3 * mr) * 0.000289
    )
    omega = math.radians(125.04 - 1934.136 * t)
    lam = math.radians(l0 + c - 0.00569 - 0.00478 * math.sin(omega))
    eps0 = 23 + (26 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60) / 60
    eps = math.radians(eps0 + 0.00256 * math.cos(omega))
    decl = math.degrees(math.asin(math.sin(eps) * math.sin(lam)))
    y = math.tan(eps / 2) ** 2
    l0r = math.radians(l0)
    eqt = 4 * math.degrees(
        y * math.sin(2 * l0r)
        - 2 * e * math.sin(mr)
        + 4 * e * y * math.sin(mr) * math.cos(2 * l0r)
        - 0.5 * y * y * math.sin(4 * l0r)
        - 1.25 * e * e * math.sin(2 * mr)
    )
    return decl, eqt


def _event_utc(d: date, lat: float, lon: float, zenith: float, rising: bool) -> float | None:
    """Minutes after 00:00 UTC of ``d`` of the event, or None when the sun does not reach that zenith.

    The sun's position is re-evaluated at the event time (three iterations, NOAA equations).
    """
    jd = _julian_day(d)
    minutes = 720 - 4 * lon
    for _ in range(3):
        t = (jd + minutes / 1440 - 2451545.0) / 36525
        decl, eqt = _sun(t)
        latr, declr = math.radians(lat), math.radians(decl)
        cos_ha = math.cos(math.radians(zenith)) / (math.cos(latr) * math.cos(declr)) - math.tan(latr) * math.tan(declr)
        if not -1 <= cos_ha <= 1:
            return None
        ha = math.degrees(math.acos(cos_ha))
        noon = 720 - 4 * lon - eqt
        minutes = noon - 4 * ha if rising else noon + 4 * ha
    return minutes


def _local_minutes(d: date, utc_minutes: float) -> int:
    moment = datetime(d.year, d.month, d.day, tzinfo=UTC) + timedelta(minutes=utc_minutes)
    local = moment.astimezone(BERLIN)
    day_shift = (local.date() - d).days
    return day_shift * 1440 + local.hour * 60 + local.minute


@lru_cache(maxsize=8192)
def sun_times(d: date, lat: float, lon: float) -> dict[str, int]:
    """Local (Europe/Berlin) minutes of the day of sunrise, sunset, dawn and dusk at a place.

    Where the sun does not rise or set (polar day or night) the reference engine's constants are used.
    """
    out = {"sunrise": 360, "sunset": 1080, "dawn": 330, "dusk": 1110}
    for name, zenith, rising in (
        ("sunrise", ZENITH_SUN, True),
        ("sunset", ZENITH_SUN, False),
        ("dawn", ZENITH_CIVIL, True),
        ("dusk", ZENITH_CIVIL, False),
    ):
        utc = _event_utc(d, lat, lon, zenith, rising)
        if utc is not None:
            out[name] = _local_minutes(d, utc)
    return out
