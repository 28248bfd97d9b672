"""`open_at` filtering for the store: evaluate each distinct opening_hours value once, not each place.

Real data has far fewer distinct values than places (100k places, a few thousand values), and the engine
checks ~500k states/s, so the filter costs milliseconds. Values using sunrise/sunset are evaluated for the
centre of the Ruhr; across the region that shifts them by at most a few minutes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache

import orjson

from datenhub.hours.core import OpeningHours
from datenhub.hours.errors import OpeningHoursError

RUHR_CENTRE = (51.5, 7.25)
_SUN_WORDS = ("sunrise", "sunset", "dawn", "dusk")


@lru_cache(maxsize=8192)  # asked for every place on every page; places share a few thousand values
def needs_position(value: str) -> bool:
    """Only sun-based rules depend on where a place is; all others share one compiled object per value."""
    lowered = value.lower()
    return any(word in lowered for word in _SUN_WORDS)


# AGS state prefix -> the subdivision code the `holidays` package uses
STATES = {
    "01": "SH",
    "02": "HH",
    "03": "NI",
    "04": "HB",
    "05": "NW",
    "06": "HE",
    "07": "RP",
    "08": "BW",
    "09": "BY",
    "10": "SL",
    "11": "BE",
    "12": "BB",
    "13": "MV",
    "14": "SN",
    "15": "ST",
    "16": "TH",
}


def state_for_ags(ags: str | None) -> str:
    return STATES.get((ags or "05")[:2], "NW")


def open_values(pairs: Iterable[tuple[str, str | None]], at: datetime) -> list[tuple[str, str]]:
    """(value, AGS state prefix) pairs that are open at `at`; unparsable values count as not open. A value is
    worked out once per state: prefixes of one state (and none, which means NRW) share it."""
    out: list[tuple[str, str]] = []
    seen: dict[tuple[str, str], bool] = {}
    for value, prefix in pairs:
        state = state_for_ags(prefix)
        is_open = seen.get((value, state))
        if is_open is None:
            lat, lon = RUHR_CENTRE if needs_position(value) else (None, None)
            try:
                is_open = OpeningHours.parse(value, lat=lat, lon=lon, state=state).state_at(at).state == "open"
            except OpeningHoursError:
                is_open = False
            seen[(value, state)] = is_open
        if is_open:
            out.append((value, prefix or ""))
    return out


StateKey = tuple[str, datetime, float | None, float | None, str]


# (instant, its minute): a page asks for all its items at one instant, so the minute is worked out (and
# hashed, as part of the key) once
_NEVER = datetime.min.replace(tzinfo=UTC)
_last_minute: tuple[datetime, datetime] = (_NEVER, _NEVER)


def _minute(at: datetime) -> datetime:
    global _last_minute
    last = _last_minute
    if last[0] is at:
        return last[1]
    minute = at.replace(second=0, microsecond=0)
    _last_minute = (at, minute)
    return minute


def _state_key(value: str, at: datetime, lat: float | None, lon: float | None, ags: str | None) -> StateKey:
    # The answer changes at most once a minute and many places share their hours: cache per minute, with
    # coordinates rounded to ~1 km (they only matter for sunrise/sunset rules).
    if not needs_position(value):
        return value, _minute(at), None, None, state_for_ags(ags)
    return (value, _minute(at), None if lat is None else round(lat, 2), None if lon is None else round(lon, 2),
            state_for_ags(ags))


def live_state(
    value: str | None, at: datetime, lat: float | None, lon: float | None, ags: str | None
) -> dict[str, object] | None:
    """What a place page shows: open/closed/unknown now, the next change, and a sentence in de and en."""
    if not value:
        return None
    cached = _live_state(*_state_key(value, at, lat, lon, ags))
    return dict(cached) if cached is not None else None  # a copy: the cached answer is shared


def live_state_json(
    value: str | None, at: datetime, lat: float | None, lon: float | None, ags: str | None
) -> bytes | None:
    """live_state as JSON, for pages written from bytes: every item of a page would otherwise copy and
    serialise the same few answers again."""
    if not value:
        return None
    return _live_state_json(*_state_key(value, at, lat, lon, ags))


@lru_cache(maxsize=8192)
def _live_state_json(value: str, at: datetime, lat: float | None, lon: float | None, state_code: str) -> bytes | None:
    state = _live_state(value, at, lat, lon, state_code)
    return orjson.dumps(state) if state is not None else None


@lru_cache(maxsize=8192)
def _live_state(
    value: str, at: datetime, lat: float | None, lon: float | None, state_code: str
) -> dict[str, object] | None:
    from datenhub.hours.humanize import describe_with_change, next_switch

    try:
        oh = OpeningHours.parse(value, lat=lat, lon=lon, state=state_code)
    except OpeningHoursError:
        return None
    state = oh.state_at(at)
    change = oh.next_change(at)  # the engine's horizon, as the sentence and `datenhub hours` use
    # when it next opens or closes: a change of the comment alone (a holiday's name) is not one
    switch = next_switch(oh, at, state.state, change)
    return {
        "state": state.state,
        "comment": state.comment,
        "next_change": change.isoformat() if change else None,
        "next_switch": switch.isoformat() if switch else None,
        "text": {"de": describe_with_change(oh, at, change, "de"), "en": describe_with_change(oh, at, change, "en")},
    }
