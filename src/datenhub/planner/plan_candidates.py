"""Which places a day plan may visit, for how long, and when each is open (from its OSM opening hours)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from datenhub.clock import BERLIN
from datenhub.hours import OpeningHours, OpeningHoursError
from datenhub.hours.filter import state_for_ags
from datenhub.hours.solar import sun_times
from datenhub.store import Query, QueryError, Store

# Minutes a visit takes when the request does not say (by category; first matching category wins).
DEFAULT_VISIT_MINUTES: dict[str, int] = {
    "Museum": 90, "Industriekultur": 75, "Panorama": 40, "Siedlung": 30, "Park": 60, "Natur": 60, "Zoo": 150,
    "Kultur": 60, "Architektur": 30, "Religion": 30, "Freizeit": 90, "Sport": 60, "Gastronomie": 60,
    "Verkehr": 0, "Unterkunft": 0,
}
FALLBACK_VISIT_MINUTES = 45
# Places of these categories without opening hours are outdoors and taken as always accessible.
OUTDOOR = frozenset({"Panorama", "Natur", "Park", "Siedlung"})
ASSUMED_HOURS = (10 * 60, 18 * 60)  # for other places without (readable) opening hours
# Categories a visitor without stated interests is shown (transport and lodging are not sights).
SIGHTS = ("Industriekultur", "Museum", "Panorama", "Siedlung", "Natur", "Park", "Kultur", "Zoo", "Freizeit",
          "Architektur", "Religion", "Sport")
SEARCH_PAGE = 1000


class CrowdForecast(Protocol):
    """Expected crowding of a place, 0 (empty) .. 1 (packed), over a stretch of one day; None: no forecast."""

    def crowding(self, place_id: str, day: date, start_minute: int, end_minute: int) -> float | None: ...


class NoForecast:
    """The default until occupancy forecasts exist: knows nothing, so penalises nothing."""

    def crowding(self, place_id: str, day: date, start_minute: int, end_minute: int) -> float | None:
        return None


@dataclass
class Window:
    """When a place can be visited on one day: the open stretch in minutes after midnight, and how we know."""

    status: str  # "open" | "closed" | "too_short"
    hours: str  # "known" | "always" | "outdoor" | "assumed" | "unreadable"
    opens: int = 0
    closes: int = 0


@dataclass
class Candidate:
    entity: dict[str, Any]
    id: str
    lat: float
    lon: float
    category: str | None
    weight: float
    must_see: bool
    visit: int
    hours: OpeningHours | None = None
    hours_note: str = "known"  # "none" | "unreadable" | "known"
    windows: dict[date, Window] = field(default_factory=dict)

    def name(self, lang: str) -> str:
        names = self.entity.get("name") or {}
        return str(names.get(lang) or names.get("de") or next(iter(names.values()), self.id))


def visit_minutes(entity: dict[str, Any], overrides: dict[str, int]) -> int:
    if entity["id"] in overrides:
        return max(0, overrides[entity["id"]])
    categories = entity.get("categories") or []
    for category in categories:
        if category in overrides:
            return max(0, overrides[category])
    for category in categories:
        if category in DEFAULT_VISIT_MINUTES:
            return DEFAULT_VISIT_MINUTES[category]
    return FALLBACK_VISIT_MINUTES


def primary_category(entity: dict[str, Any], interests: dict[str, float]) -> tuple[str | None, float]:
    """The place's category the visitor cares most about, and that weight."""
    categories = entity.get("categories") or []
    if not categories:
        return None, 0.0
    best = max(categories, key=lambda c: interests.get(c, 0.0))
    return best, interests.get(best, 0.0)


def compile_hours(entity: dict[str, Any]) -> tuple[OpeningHours | None, str]:
    value = entity.get("opening_hours")
    if not value:
        return None, "none"
    geo, muni = entity.get("geo") or {}, entity.get("municipality") or {}
    try:
        return OpeningHours.parse(value, lat=geo.get("lat"), lon=geo.get("lon"),
                                  state=state_for_ags(muni.get("ags"))), "known"
    except OpeningHoursError:
        return None, "unreadable"


def local_dt(day: date, minute: int) -> datetime:
    return datetime.combine(day, time(), tzinfo=BERLIN) + timedelta(minutes=minute)


def window_for(cand: Candidate, day: date, start: int, end: int) -> Window:
    """The longest open stretch within [start, end] on ``day`` in which a whole visit fits."""
    outside = bool(OUTDOOR & set(cand.entity.get("categories") or []))
    if outside and (cand.hours is None or cand.entity.get("opening_hours") == "24/7"):
        # open ground is worth a visit in daylight (dawn to dusk there that day): a November plan put a Halde
        # at 07:44, before sunrise, and another at 19:00, after dark
        sun = sun_times(day, cand.lat, cand.lon)
        start, end = max(start, sun["dawn"]), min(end, sun["dusk"])
    if cand.hours is None:
        outdoor = cand.hours_note == "none" and outside
        if outdoor:
            opens, closes, kind = start, end, "outdoor"
        else:
            opens, closes = max(start, ASSUMED_HOURS[0]), min(end, ASSUMED_HOURS[1])
            kind = "assumed" if cand.hours_note == "none" else "unreadable"
        if closes - opens < max(cand.visit, 1):
            return Window("too_short", kind)
        return Window("open", kind, opens, closes)
    day_start = local_dt(day, 0)
    stretches = [
        (int((a - day_start).total_seconds() // 60), int((b - day_start).total_seconds() // 60))
        for a, b, state, _ in cand.hours.intervals(local_dt(day, start), local_dt(day, end), include_closed=False)
        if state == "open"
    ]
    if not stretches:
        whole_day = cand.hours.intervals(local_dt(day, 0), local_dt(day, 24 * 60), include_closed=False)
        return Window("closed" if not any(s == "open" for _, _, s, _ in whole_day) else "too_short", "known")
    opens, closes = max(stretches, key=lambda s: s[1] - s[0])
    kind = "always" if (opens, closes) == (start, end) and cand.entity.get("opening_hours") == "24/7" else "known"
    if closes - opens < max(cand.visit, 1):
        return Window("too_short", kind, opens, closes)
    return Window("open", kind, opens, closes)


def make_candidate(entity: dict[str, Any], interests: dict[str, float], overrides: dict[str, int],
                   must_see: bool) -> Candidate | None:
    geo = entity.get("geo") or {}
    if geo.get("lat") is None or geo.get("lon") is None:
        return None
    category, weight = primary_category(entity, interests)
    hours, note = compile_hours(entity)
    return Candidate(entity=entity, id=entity["id"], lat=float(geo["lat"]), lon=float(geo["lon"]),
                     category=category, weight=weight, must_see=must_see,
                     visit=visit_minutes(entity, overrides), hours=hours, hours_note=note)


def search_places(store: Store, near: tuple[float, float], radius_m: float, categories: Iterable[str],
                  wheelchair: bool) -> list[dict[str, Any]]:
    """Every place within the radius in one of the categories (and wheelchair accessible if asked)."""
    query = Query(kind="place", near=near, radius=radius_m, categories=tuple(categories),
                  wheelchair=("yes", "limited") if wheelchair else (), limit=SEARCH_PAGE)
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = store.search(query.with_cursor(cursor))
        found.extend(page.items)
        cursor = page.next_cursor
        if not cursor or page.empty:
            return found


def best_place(store: Store, text: str) -> str | None:
    """The id of the place the site's search ranks first for `text` (misspellings corrected) among those whose
    name holds its words, or None: how the web form and the CLI take a place typed as words ("Essen Hbf"). A
    search alone matched "foo" to the Fußballmuseum (its description's "Football") and put it on the wish list."""
    from datenhub.store.ranking import name_has_words

    try:
        page = store.search_spelled(Query(q=text, kind="place", limit=BEST_PLACE_TRIES))
    except QueryError:
        return None
    words = page.corrected_q or text
    for item in page.items:
        name = item.get("name") or {}
        if any(name_has_words(words, str(value), item.get("type")) for value in name.values()):
            return str(item["id"])
    return None


BEST_PLACE_TRIES = 10  # search results whose names best_place looks at
