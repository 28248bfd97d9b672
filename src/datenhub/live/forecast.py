"""Forecast from history: a typical weekday × hour profile (public holidays in NRW count as Sundays),
and its evaluation on held-out days against a naive forecast (the same hour one week earlier)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import holidays

from datenhub.clock import BERLIN
from datenhub.live.model import HourBucket, Sensor
from datenhub.live.status import Thresholds, combine
from datenhub.store import Store

HISTORY = timedelta(days=56)
SUNDAY = 6
Series = dict[datetime, float]  # hour start (UTC) → place fraction


@lru_cache(maxsize=16)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.Germany(subdiv="NW", years=year)


def day_type(day: date) -> int:
    """Monday 0 … Sunday 6; a public holiday in North Rhine-Westphalia behaves like a Sunday."""
    return SUNDAY if day in _holidays(day.year) else day.weekday()


def slot(hour: datetime) -> tuple[int, int]:
    local = hour.astimezone(BERLIN)
    return day_type(local.date()), local.hour


def place_series(buckets: list[HourBucket], sensors: list[Sensor]) -> Series:
    """Hour buckets of several sensors → one fraction per hour (capacity-weighted like the live status)."""
    capacity = {s.id: s.capacity for s in sensors}
    by_hour: dict[datetime, list[tuple[float | None, int | None]]] = defaultdict(list)
    for b in buckets:
        by_hour[b.hour].append((b.avg_fraction, capacity.get(b.sensor_id)))
    out = {hour: combine(pairs) for hour, pairs in by_hour.items()}
    return {hour: value for hour, value in sorted(out.items()) if value is not None}


@dataclass(frozen=True, slots=True)
class Profile:
    """Mean fraction per (day type, local hour); falls back to the hour's mean over all days."""

    slots: dict[tuple[int, int], float]
    hours: dict[int, float]

    @classmethod
    def fit(cls, series: Series) -> Profile:
        sums: dict[tuple[int, int], list[float]] = defaultdict(list)
        for hour, value in series.items():
            sums[slot(hour)].append(value)
        by_hour: dict[int, list[float]] = defaultdict(list)
        for (_, h), values in sums.items():
            by_hour[h].extend(values)
        return cls({k: sum(v) / len(v) for k, v in sums.items()}, {h: sum(v) / len(v) for h, v in by_hour.items()})

    def predict(self, hour: datetime) -> float | None:
        key = slot(hour)
        return self.slots.get(key, self.hours.get(key[1]))


def naive(series: Series, hour: datetime) -> float | None:
    """Last week, same hour (in UTC steps of 168 h: the clock change week is off by one hour, as naive is)."""
    return series.get(hour - timedelta(days=7))


def evaluate(series: Series, split: datetime) -> dict[str, float | int | None]:
    """Fit on hours before `split`, score both forecasts on the held-out hours where both can answer (MAE)."""
    profile = Profile.fit({h: v for h, v in series.items() if h < split})
    errors_profile, errors_naive = [], []
    for hour, actual in series.items():
        if hour < split:
            continue
        p, n = profile.predict(hour), naive(series, hour)
        if p is None or n is None:
            continue
        errors_profile.append(abs(p - actual))
        errors_naive.append(abs(n - actual))
    count = len(errors_profile)
    return {"hours": count, "profile_mae": sum(errors_profile) / count if count else None,
            "naive_mae": sum(errors_naive) / count if count else None}


def _hour_floor(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def forecast(store: Store, sensors: list[Sensor], now: datetime, thresholds: Thresholds,
             history: timedelta = HISTORY) -> dict[str, object] | None:
    """Rest of today hour by hour, and each of the next six days (hourly values, peak and its status)."""
    if not sensors:
        return None
    start = _hour_floor(now - history)
    series = place_series(store.hourly_readings([s.id for s in sensors], start, now), sensors)
    if not series:
        return None
    profile = Profile.fit(series)
    local_now = now.astimezone(BERLIN)
    today = []
    hour = _hour_floor(now) + timedelta(hours=1)
    while hour.astimezone(BERLIN).date() == local_now.date():
        value = profile.predict(hour)
        today.append({"at": hour.astimezone(BERLIN).isoformat(), "fraction": _r(value),
                      "status": thresholds.status(value)})
        hour += timedelta(hours=1)
    week = []
    for offset in range(1, 7):
        day = local_now.date() + timedelta(days=offset)
        hourly = [profile.predict(datetime(day.year, day.month, day.day, h, tzinfo=BERLIN)) for h in range(24)]
        known = [(v, h) for h, v in enumerate(hourly) if v is not None]
        peak, peak_hour = max(known) if known else (None, None)
        week.append({"date": day.isoformat(), "holiday": day_type(day) == SUNDAY and day.weekday() != SUNDAY,
                     "peak": _r(peak), "peak_hour": peak_hour, "status": thresholds.status(peak),
                     "hourly": [_r(v) for v in hourly]})
    return {"method": "weekday×hour profile (holidays as Sunday)", "history_from": min(series).isoformat(),
            "history_hours": len(series), "today": today, "week": week}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
