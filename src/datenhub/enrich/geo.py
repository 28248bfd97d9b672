"""Geodesy helpers shared by enrichers, dedupe and the store."""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


M_PER_DEG = 111_195.0  # metres per degree of latitude (and of longitude at the equator), EARTH_RADIUS_M's


def plane_m(lat0: float, lon0: float, lat: float, lon: float) -> float:
    """Metres from (lat0, lon0) on the plane that touches the earth there: what the stores filter a radius and sort
    by distance with (in SQL, squared), so the distance a page shows agrees with both. Within 0.1 % of the great
    circle across the Ruhr."""
    dx = (lon - lon0) * math.cos(math.radians(lat0)) * M_PER_DEG
    dy = (lat - lat0) * M_PER_DEG
    return math.sqrt(dx * dx + dy * dy)


def haversine_matrix(lats: np.ndarray, lons: np.ndarray, lats2: np.ndarray, lons2: np.ndarray) -> np.ndarray:
    """Distances in metres between every point of the first set and every point of the second."""
    p1, p2 = np.radians(lats)[:, None], np.radians(lats2)[None, :]
    dl = np.radians(lons2)[None, :] - np.radians(lons)[:, None]
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def bbox_around(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon) enclosing a circle; used to prefilter radius queries."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 1e-6)))
    return lat - dlat, lon - dlon, lat + dlat, lon + dlon


def haversine_pairs(lats: np.ndarray, lons: np.ndarray, lats2: np.ndarray, lons2: np.ndarray) -> np.ndarray:
    """Element-wise (broadcasting) distances in metres."""
    p1, p2 = np.radians(lats), np.radians(lats2)
    dl = np.radians(lons2) - np.radians(lons)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
