"""The planner's crowd forecast from occupancy history: the weekday×hour profile, averaged over a visit."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from datenhub.clock import BERLIN, Clock, utc_now
from datenhub.live.forecast import HISTORY, Profile, place_series
from datenhub.live.status import place_sensors
from datenhub.store.base import Store


class OccupancyCrowds:
    """Implements the planner's CrowdForecast: None where a place has no sensors or no history."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self.store = store
        self.now = clock()
        self._profiles: dict[str, Profile | None] = {}

    def _profile(self, place_id: str) -> Profile | None:
        if place_id not in self._profiles:
            _, sensors = place_sensors(self.store, place_id)
            profile = None
            if sensors:
                buckets = self.store.hourly_readings([s.id for s in sensors], self.now - HISTORY, self.now)
                series = place_series(buckets, sensors)
                profile = Profile.fit(series) if series else None
            self._profiles[place_id] = profile
        return self._profiles[place_id]

    def crowding(self, place_id: str, day: date, start_minute: int, end_minute: int) -> float | None:
        profile = self._profile(place_id)
        if profile is None:
            return None
        midnight = datetime(day.year, day.month, day.day, tzinfo=BERLIN)
        values = []
        for hour in range(start_minute // 60, max(start_minute // 60 + 1, (end_minute + 59) // 60)):
            value = profile.predict(midnight + timedelta(hours=min(hour, 23)))
            if value is not None:
                values.append(value)
        return sum(values) / len(values) if values else None
