"""The stay planner: a visitor's wishes become day plans, each solved as an orienteering problem with time windows.

One day is one OPTW instance: node 0 is where the day starts, node 1 where it ends (if elsewhere), the other
nodes are the places open that day. Profit is 100 × the visitor's interest in the place's category (+1000 for a
must-see), a node's window is the longest stretch the place is open within the day in which a whole visit
fits, and travel times come from a pluggable :class:`~datenhub.planner.travel.TravelTimeSource`. Several days
are solved one after the other, each without the places already planned. Every returned day is checked with
the solver's independent feasibility checker (:func:`datenhub.planner.schedule.violations`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from datenhub.clock import BERLIN, Clock, utc_now
from datenhub.hours.holidays_ import holiday_name
from datenhub.model.categories import normalise_category
from datenhub.planner.ils import solve
from datenhub.planner.plan_candidates import (
    SIGHTS,
    Candidate,
    CrowdForecast,
    NoForecast,
    Window,
    local_dt,
    make_candidate,
    search_places,
    window_for,
)
from datenhub.planner.plan_geojson import plan_geojson
from datenhub.planner.plan_model import (
    MAX_DAYS,
    DayPlan,
    Endpoint,
    LatLon,
    Leg,
    Plan,
    PlanError,
    PlanRequest,
    Stop,
    Unplaced,
)
from datenhub.planner.plan_text import category_name, fmt_date, say
from datenhub.planner.problem import OrienteeringProblem
from datenhub.planner.schedule import schedule, violations
from datenhub.planner.travel import TravelTimeSource, legs_of, round_minutes, travel_source
from datenhub.store import Store

__all__ = ["InfeasiblePlanError", "PlanError", "PlanRequest", "PlanSettings", "make_plan"]

MUST_SEE_BONUS = 1000.0
INTEREST_PROFIT = 100.0
CROWD_PENALTY = 0.5  # share of a place's profit lost when it is expected to be packed
TIME_RE = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")


class InfeasiblePlanError(RuntimeError):
    """The checker found a broken window in a solved day: a bug, never shown to a visitor as a plan."""


@dataclass(frozen=True)
class PlanSettings:
    """Knobs of the planner (the request carries the per-day search time)."""

    max_candidates: int = 80  # per day, best by profit per minute of visit and travel from the start
    # The search stops once this many iterations ran, if the time limit did not stop it first. Day plans hold
    # few stops: on the demo hub the best score is found within ~200 iterations (benchmarks/bench_plan.py).
    max_iterations: int | None = 400
    alternatives: int = 2
    alternative_time_share: float = 0.5  # alternatives search this share of the request's time limit …
    alternative_iterations: int | None = 150  # … and at most this many iterations


@dataclass(frozen=True)
class Anchor:
    """Where a day starts or ends: a place (id) or a bare point."""

    id: str | None
    name: str
    lat: float
    lon: float


@dataclass
class Variant:
    label: str
    interests: dict[str, float]
    avoid: frozenset[str] = frozenset()
    seed_offset: int = 0


@dataclass
class DayOutcome:
    day: DayPlan
    placed: list[str]
    # per must-see id not placed that day: why (a text key of plan_text)
    misses: dict[str, str] = field(default_factory=dict)


MIN_DAY_MINUTES = 60  # a plan for today needs this much time left before its end_time
NIGHT_ENDS = 30 * 60  # 06:00 the next morning, in minutes after a day's midnight: a night's opening ends by then


def hhmm(minute: float) -> str:
    m = round(minute)
    return f"{m // 60:02d}:{m % 60:02d}"


def parse_time(value: str, param: str) -> int:
    match = TIME_RE.match(value.strip())
    if not match or (match.group(1) == "24" and match.group(2) != "00"):
        raise PlanError("bad_time", f"{param}: expected a time HH:MM, got {value!r}", param=param)
    return int(match.group(1)) * 60 + int(match.group(2))


def parse_date(value: str, param: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise PlanError("bad_date", f"{param}: expected a date YYYY-MM-DD, got {value!r}", param=param) from None


def resolve_dates(request: PlanRequest, today: date) -> list[date]:
    """The days to plan, in calendar order. `dates` names them one by one, `date` and `days` as a stretch: a request
    with both, no day at all or a day twice is ambiguous, and refused rather than read one way silently."""
    if request.dates is not None:
        if request.date is not None or request.days != 1:
            raise PlanError("bad_date", "give either dates (each day) or date with days (a stretch), not both",
                            param="dates")
        if not request.dates:
            raise PlanError("bad_date", "dates is empty: name at least one day, or leave dates out to plan today",
                            param="dates")
        if len(request.dates) > MAX_DAYS:
            raise PlanError("too_many_days", f"at most {MAX_DAYS} days per plan, got {len(request.dates)}",
                            param="dates")
        parsed = [parse_date(d, "dates") for d in request.dates]
        twice = sorted({d.isoformat() for d in parsed if parsed.count(d) > 1})
        if twice:
            raise PlanError("bad_date", f"dates names {', '.join(twice)} more than once", param="dates")
        days = sorted(parsed)
    else:
        if request.days > MAX_DAYS:
            raise PlanError("too_many_days", f"at most {MAX_DAYS} days per plan, got {request.days}", param="days")
        # an empty date is not a date: refused (bad_date) as an empty entry of dates is, not read as today
        first = parse_date(request.date, "date") if request.date is not None else today
        days = [first] if not 2000 <= first.year <= 2100 else [first + timedelta(days=k) for k in range(request.days)]
    if days[0].year < 2000 or days[-1].year > 2100:
        raise PlanError("bad_date", "dates must lie between 2000 and 2100", param="date")
    if days[0] < today:  # a stay cannot begin in the past; a plan of what was open then misled (a typo in the year)
        param = "dates" if request.dates else "date"
        raise PlanError("past_date", f"{param}: {days[0].isoformat()} is in the past (today is {today.isoformat()} "
                        "in Europe/Berlin); choose today or a later day", param=param)
    return days


NOT_VISITED = frozenset({"Verkehr", "Unterkunft"})  # categories that start or end a day, never a stop of it


def normalise_interests(interests: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    unknown = []
    for key, weight in interests.items():
        category = normalise_category(key)
        if category is None:
            unknown.append(key)
            continue
        if not 0.0 <= weight <= 1.0:
            raise PlanError("bad_weight", f"interest weight of {key!r} must be between 0 and 1", ids=[key],
                            param="interests")
        out[category] = max(out.get(category, 0.0), float(weight))
    if unknown:
        raise PlanError("unknown_category", f"unknown categories: {', '.join(unknown)}", ids=unknown,
                        param="interests")
    other = [category for category, weight in out.items() if weight > 0 and category in NOT_VISITED]
    if other:
        # stations and hotels are where a day starts or ends, not stops of a tour: a plan "for" them was 30
        # stations with visits of no minutes
        raise PlanError("not_a_sight", f"{', '.join(other)}: not something to visit on a tour; choose among "
                        f"the others (a station or hotel can be the start or end)", ids=other,
                        param="interests")
    if not out:
        return dict.fromkeys(SIGHTS, 0.5)
    return out


class Planner:
    """One request, resolved once; ``run`` plans all days for one variant of the visitor's wishes."""

    def __init__(self, store: Store, request: PlanRequest, today: date, travel: TravelTimeSource | None,
                 crowds: CrowdForecast | None, settings: PlanSettings, now: datetime | None = None) -> None:
        self.store, self.request, self.settings = store, request, settings
        self.lang = request.language
        self.dates = resolve_dates(request, today)
        self.start_min = parse_time(request.start_time, "start_time")
        self.end_min = parse_time(request.end_time, "end_time")
        if self.end_min <= self.start_min:
            raise PlanError("end_before_start", f"end_time {request.end_time} is not after start_time "
                            f"{request.start_time}", param="end_time")
        self.day_start = {d: self.start_min for d in self.dates}  # when each day's tour may leave the start
        if now is not None and self.dates[0] == now.date():
            self.day_start[self.dates[0]] = self._from_now(now)
        self.interests = normalise_interests(request.interests)
        self.travel = travel or travel_source(request.mode)
        self.crowds: CrowdForecast = crowds or NoForecast()
        self.no_forecast = False  # a candidate had no visitor forecast
        self.some_forecast = False  # … and one had
        self._resolve_places()
        self._collect_candidates()

    def _from_now(self, now: datetime) -> int:
        """A plan for today leaves from now, not from a start_time already gone (its visits were hours past)."""
        current = now.hour * 60 + now.minute
        if current <= self.start_min:
            return self.start_min
        begin = -(-current // 5) * 5  # the next five minutes
        if begin + MIN_DAY_MINUTES > self.end_min:
            raise PlanError("day_over", f"it is {hhmm(current)} already: too little time is left today before "
                            f"{self.request.end_time}; plan from tomorrow or choose a later end_time",
                            param="date" if self.request.date else "end_time")
        return begin

    # -- resolving the request ---------------------------------------------------------------------------------
    def _resolve_places(self) -> None:
        req = self.request
        wanted = [v for v in (req.start, req.end) if isinstance(v, str)] + list(req.must_see) + list(req.avoid)
        found: dict[str, dict[str, Any]] = {}
        unknown: list[str] = []
        if isinstance(req.start, str) and not req.start.strip():
            raise PlanError("missing_start", "start: choose a station or place to start from", param="start")
        for ref in dict.fromkeys(wanted):
            entity = self.store.get_entity(ref.strip()) if ref.strip() else None
            if entity is None or entity.get("kind") != "place":
                unknown.append(ref)
            else:
                found[ref] = entity
        if unknown:
            raise PlanError("unknown_place", f"unknown place ids: {', '.join(unknown)}", ids=unknown)
        self.start = self._anchor(req.start, found, "point_label", "start")
        self.end = self.start if req.end is None else self._anchor(req.end, found, "end_point_label", "end")
        self.must_see = list(dict.fromkeys(found[ref]["id"] for ref in req.must_see))
        self.must_refs = {found[ref]["id"]: ref for ref in req.must_see}
        self.avoid = frozenset(found[ref]["id"] for ref in req.avoid)
        self.must_entities = {found[ref]["id"]: found[ref] for ref in req.must_see}

    def _anchor(self, value: str | LatLon, found: dict[str, dict[str, Any]], label: str, param: str) -> Anchor:
        if isinstance(value, LatLon):
            return Anchor(None, say(label, self.lang), value.lat, value.lon)
        entity = found[value]
        geo = entity.get("geo") or {}
        if geo.get("lat") is None or geo.get("lon") is None:
            raise PlanError("no_location", f"{value} has no coordinates to start or end at", ids=[value], param=param)
        names = entity.get("name") or {}
        name = names.get(self.lang) or names.get("de") or next(iter(names.values()), entity["id"])
        return Anchor(entity["id"], str(name), float(geo["lat"]), float(geo["lon"]))

    def _collect_candidates(self) -> None:
        req = self.request
        self.unplaced: dict[str, str] = {}
        categories = [c for c, w in self.interests.items() if w > 0]
        entities = search_places(self.store, (self.start.lat, self.start.lon), req.search_radius_km * 1000.0,
                                 categories, req.wheelchair) if categories else []
        self.candidates: dict[str, Candidate] = {}
        for entity in entities:
            if entity["id"] in self.avoid or entity["id"] in self.must_entities:
                continue
            cand = make_candidate(entity, self.interests, req.visit_minutes, must_see=False)
            if cand is not None and cand.weight > 0:
                self.candidates[cand.id] = cand
        for pid, entity in self.must_entities.items():
            if pid in self.avoid:
                self.unplaced[pid] = say("avoided", self.lang)
                continue
            if req.wheelchair and entity.get("wheelchair") not in ("yes", "limited"):
                self.unplaced[pid] = say("not_wheelchair", self.lang)
                continue
            cand = make_candidate(entity, self.interests, req.visit_minutes, must_see=True)
            if cand is None:
                self.unplaced[pid] = say("no_location", self.lang)
                continue
            self.candidates[pid] = cand
        if not self.candidates:
            raise PlanError("no_places_in_radius", "no place matching your interests within "
                            f"{req.search_radius_km:g} km of the start"
                            + (" that is wheelchair accessible" if req.wheelchair else ""),
                            param="radius_km")
        for cand in self.candidates.values():
            cand.windows = {d: window_for(cand, d, self.day_start[d], self.end_min) for d in self.dates}
        if not any(w.status == "open" for c in self.candidates.values() for w in c.windows.values()):
            when = ", ".join(d.isoformat() for d in self.dates)
            raise PlanError("nothing_open", f"no place matching your wishes is open on {when} between "
                            f"{req.start_time} and {req.end_time}", param="date")

    # -- planning ----------------------------------------------------------------------------------------------
    def profit(self, cand: Candidate, variant: Variant, day: date, window: Window) -> float:
        categories = cand.entity.get("categories") or []
        weight = max((variant.interests.get(c, 0.0) for c in categories), default=0.0)
        value = INTEREST_PROFIT * weight + (MUST_SEE_BONUS if cand.must_see else 0.0)
        if self.request.avoid_crowds:
            crowding = self.crowds.crowding(cand.id, day, window.opens, window.closes)
            if crowding is None:
                self.no_forecast = True
            else:
                self.some_forecast = True
                value *= 1.0 - CROWD_PENALTY * min(max(crowding, 0.0), 1.0)
        return value

    def run(self, variant: Variant, time_limit: float,
            iterations: int | None) -> tuple[list[DayOutcome], list[Unplaced]]:
        placed: set[str] = set()
        outcomes: list[DayOutcome] = []
        for k, day in enumerate(self.dates):
            seed = self.request.seed + variant.seed_offset + k
            outcome = self._plan_day(day, variant, placed, time_limit, iterations, seed)
            placed.update(outcome.placed)
            outcomes.append(outcome)
        unplaced = [Unplaced(id=self.must_refs.get(pid, pid), reason=reason)
                    for pid, reason in self.unplaced.items()]
        for pid in self.must_see:
            if pid in placed or pid in self.unplaced:
                continue
            reasons = [o.misses[pid] for o in outcomes if pid in o.misses]
            unplaced.append(Unplaced(id=self.must_refs.get(pid, pid), reason=self._miss_text(pid, reasons)))
        return outcomes, unplaced

    def _miss_text(self, pid: str, keys: list[str]) -> str:
        cand = self.candidates[pid]
        for key in ("did_not_fit", "not_reachable"):
            if key in keys:
                return say(key, self.lang)
        closed = [d for d in self.dates if cand.windows[d].status == "closed"]
        if closed and len(closed) == len(self.dates):
            dates = ", ".join(fmt_date(d.isoformat(), self.lang) for d in closed)
            text = say("closed_on", self.lang, date=dates)
            hours = cand.entity.get("opening_hours")
            return f"{text} ({hours})" if hours else text
        dates = ", ".join(fmt_date(d.isoformat(), self.lang) for d in self.dates)
        return say("closed_in_window", self.lang, date=dates, start=hhmm(self.start_min), end=hhmm(self.end_min))

    def _pool(self, day: date, variant: Variant, placed: set[str]) -> list[tuple[Candidate, Window, float]]:
        pool = []
        for cand in self.candidates.values():
            window = cand.windows[day]
            if cand.id in placed or cand.id in variant.avoid or window.status != "open":
                continue
            value = self.profit(cand, variant, day, window)
            if value > 0:
                pool.append((cand, window, value))
        limit = self.settings.max_candidates
        if len(pool) <= limit:
            return pool
        points = [(self.start.lat, self.start.lon)] + [(c.lat, c.lon) for c, _, _ in pool]
        away = self.travel.matrix(points)[0, 1:]
        ranked = sorted(range(len(pool)), key=lambda i: (not pool[i][0].must_see,
                                                          -pool[i][2] / (pool[i][0].visit + 2 * away[i] + 10)))
        return [pool[i] for i in sorted(ranked[:limit])]

    def _plan_day(self, day: date, variant: Variant, placed: set[str], time_limit: float, iterations: int | None,
                  seed: int) -> DayOutcome:
        pool = self._pool(day, variant, placed)
        anchors = [self.start] if self.end == self.start else [self.start, self.end]
        first = len(anchors)
        points = [(a.lat, a.lon) for a in anchors] + [(c.lat, c.lon) for c, _, _ in pool]
        minutes, km, modes = legs_of(self.travel, points)
        travel = round_minutes(np.asarray(minutes, dtype=np.float64))
        direct = float(travel[0, first - 1])
        start_min = self.day_start[day]
        if direct > self.end_min - start_min:
            # not even the way from start to end fits the day: no plan, and a worded answer (the checker would
            # have found the empty route late and it surfaced as a 500)
            raise PlanError("end_not_reachable", f"the way from the start to the end alone takes about "
                            f"{round(direct)} minutes, more than the {self.end_min - start_min} minutes between "
                            f"{self.request.start_time} and {self.request.end_time}; allow more time, travel by "
                            "public transport or choose a nearer end", param="end")
        n = len(points)
        profit = np.zeros(n)
        service = np.zeros(n)
        opens = np.full(n, float(start_min))
        closes = np.full(n, float(self.end_min))
        for i, (cand, window, value) in enumerate(pool, start=first):
            profit[i], service[i] = value, cand.visit
            opens[i], closes[i] = window.opens, window.closes - cand.visit  # the visit ends before closing
        problem = OrienteeringProblem(profit, service, opens, closes, travel, start=0, end=first - 1,
                                      max_time=float(self.end_min - start_min))
        route: tuple[int, ...] = ()
        if pool:
            solution = solve(problem, tours=1, time_limit=time_limit, seed=seed, max_iterations=iterations)
            broken = violations(problem, solution.routes)
            if broken:
                raise InfeasiblePlanError("; ".join(broken))
            route = solution.routes[0]
        outcome = self._day_plan(day, problem, route, pool, km, modes)
        visited = set(route)
        for i, (cand, _, _) in enumerate(pool, start=first):
            if cand.must_see and i not in visited:
                outcome.misses[cand.id] = "did_not_fit" if self._reachable(problem, i) else "not_reachable"
        return outcome

    @staticmethod
    def _reachable(problem: OrienteeringProblem, i: int) -> bool:
        return not violations(problem, [[i]])

    def _day_plan(self, day: date, problem: OrienteeringProblem, route: Sequence[int],
                  pool: list[tuple[Candidate, Window, float]], km: Any, modes: list[list[str]]) -> DayOutcome:
        first = 1 if problem.end == 0 else 2
        visits = schedule(problem, route)
        nodes = [v.node for v in visits]
        # Leave the start as late as the first visit allows: nobody wants to wait outside a museum.
        depart = float(problem.open[0])
        if route:
            depart = max(depart, visits[1].begin - float(problem.travel[0, nodes[1]]))
        stops: list[Stop] = []
        for visit in visits[1:-1]:
            cand, window, _ = pool[visit.node - first]
            arrival = depart + float(problem.travel[0, visit.node]) if visit is visits[1] else visit.arrival
            stops.append(self._stop(cand, window, day, arrival, visit.begin))
        legs = []
        ids = [self.start.id or "start", *(s.id for s in stops), self.end.id or "end"]
        for k in range(len(nodes) - 1):
            a, b = nodes[k], nodes[k + 1]
            legs.append(Leg.model_validate({"from": ids[k], "to": ids[k + 1], "minutes": int(problem.travel[a, b]),
                                            "mode": modes[a][b], "km": round(float(km[a][b]), 1)}))
        score = float(sum(problem.profit[i] for i in route))
        holiday = holiday_name(day, "NW", self.lang)  # the planner's hours are NRW's (plan_candidates)
        notes = ([say("holiday", self.lang, name=holiday)] if holiday else []) + \
            ([] if stops else [say("day_empty", self.lang)])
        day_plan = DayPlan(date=day.isoformat(), start=self._endpoint(self.start, depart),
                           end=self._endpoint(self.end, visits[-1].arrival), stops=stops, legs=legs,
                           score=round(score, 2), notes=notes)
        return DayOutcome(day=day_plan, placed=[s.id for s in stops])

    def _endpoint(self, anchor: Anchor, minute: float) -> Endpoint:
        return Endpoint(id=anchor.id, name=anchor.name, lat=anchor.lat, lon=anchor.lon, time=hhmm(minute))

    def _stop(self, cand: Candidate, window: Window, day: date, arrival: float, begin: float) -> Stop:
        lang = self.lang
        why: list[str] = []
        if cand.must_see:
            why.append(say("must_see", lang))
        categories = cand.entity.get("categories") or []
        liked = max(categories, key=lambda c: self.interests.get(c, 0.0), default=None)
        if liked and self.interests.get(liked, 0.0) > 0:
            why.append(say("interest", lang, category=category_name(liked, lang)))
        wait = max(0, round(begin - arrival))
        if window.hours == "known":
            if wait:
                why.append(say("open_from", lang, time=hhmm(begin)))
            closes = self._closes(cand, day, begin, window)
            why.append(say("open_until", lang, time=hhmm(closes - 24 * 60 if closes > 24 * 60 else closes)))
        elif window.hours == "always":
            why.append(say("always_open", lang))
        elif window.hours == "outdoor":
            why.append(say("outdoor_no_hours", lang))
        else:
            why.append(say("hours_unknown" if window.hours == "assumed" else "hours_unreadable", lang))
        wheelchair = cand.entity.get("wheelchair")
        if wheelchair in ("yes", "limited"):
            why.append(say(f"wheelchair_{wheelchair}", lang))
        if self.request.avoid_crowds:
            crowding = self.crowds.crowding(cand.id, day, int(begin), int(begin + cand.visit))
            if crowding is not None and crowding < 0.3:
                why.append(say("crowds_low", lang))
        return Stop(id=cand.id, name=cand.name(lang), category=liked or (categories[0] if categories else None),
                    lat=cand.lat, lon=cand.lon, arrival=hhmm(arrival), start=hhmm(begin),
                    end=hhmm(begin + cand.visit), departure=hhmm(begin + cand.visit), wait_minutes=wait,
                    visit_minutes=cand.visit, wheelchair=wheelchair, opening_hours=cand.entity.get("opening_hours"),
                    why=why)

    @staticmethod
    def _closes(cand: Candidate, day: date, begin: float, window: Window) -> int:
        """When the place really closes after ``begin`` that day, in minutes after the day's midnight (the window
        may be cut at the plan's end): past midnight for a bar open 18:00-02:00, whose open stretch the hours
        engine ends at each midnight. A stretch still open the next morning (24/7) is said to close at 24:00."""
        if cand.hours is None:
            return window.closes
        day_start, horizon = local_dt(day, 0), local_dt(day, NIGHT_ENDS)
        closes: datetime | None = None
        # a minute past the horizon tells a night that ends at 06:00 from one that goes on (24/7)
        for a, b, state, _ in cand.hours.intervals(local_dt(day, int(begin)), horizon + timedelta(minutes=1),
                                                   include_closed=False):
            if state != "open" or (closes is None and a > local_dt(day, int(begin))) \
                    or (closes is not None and a > closes):
                break
            closes = b
        if closes is None:
            return window.closes
        return 24 * 60 if closes > horizon else int((closes - day_start).total_seconds() // 60)

    # -- variants ----------------------------------------------------------------------------------------------
    def variants(self, main: list[DayOutcome]) -> list[Variant]:
        out: list[Variant] = []
        ranked = sorted(self.interests.items(), key=lambda kv: -kv[1])
        liked = [c for c, w in ranked if w > 0]
        if len(liked) >= 2 and len(set(self.interests.values())) > 1:
            second = liked[1]
            boosted = {**self.interests, second: 1.0, liked[0]: self.interests[liked[0]] * 0.5}
            out.append(Variant(say("alt_second", self.lang, category=category_name(second, self.lang)), boosted))
        out.append(Variant(say("alt_seed", self.lang), self.interests, seed_offset=1000))
        stops = [s for o in main for s in o.day.stops if s.id not in self.must_entities]
        if stops:
            best = max(stops, key=lambda s: (self.interests.get(s.category or "", 0.0), s.visit_minutes))
            out.append(Variant(say("alt_without", self.lang, name=best.name), self.interests,
                               avoid=frozenset({best.id})))
        return out


def _signature(days: list[DayOutcome]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(o.placed) for o in days)


def _assemble(planner: Planner, label: str, outcomes: list[DayOutcome], unplaced: list[Unplaced]) -> Plan:
    notes: list[str] = []
    if planner.request.mode == "transit" and getattr(planner.travel, "mode", None) == "transit":
        notes.append(say("transit_estimate", planner.lang))
    if planner.request.avoid_crowds and planner.no_forecast:
        # "not taken into account" only when it was not: with forecasts for some places their crowds counted
        notes.append(say("some_forecast" if planner.some_forecast else "no_forecast", planner.lang))
    plan = Plan(language=planner.lang, mode=planner.request.mode, label=label, days=[o.day for o in outcomes],
                unplaced_must_see=unplaced, notes=notes)
    plan.geojson = plan_geojson(plan)
    return plan


def make_plan(store: Store, request: PlanRequest, *, clock: Clock = utc_now,
              travel: TravelTimeSource | None = None, crowds: CrowdForecast | None = None,
              settings: PlanSettings | None = None) -> Plan:
    """Plan the visitor's days; raises :class:`PlanError` (with a reason code) when no plan can answer.

    ``clock`` gives today (in Europe/Berlin): the default date, and the first day a plan may start on.
    """
    cfg = settings or PlanSettings()
    now = clock().astimezone(BERLIN)
    planner = Planner(store, request, now.date(), travel, crowds, cfg, now)
    main_variant = Variant(say("main_label", planner.lang), planner.interests)
    outcomes, unplaced = planner.run(main_variant, request.time_limit, cfg.max_iterations)
    if not any(o.placed for o in outcomes):
        raise PlanError("nothing_fits", "no place can be visited and left in time between "
                        f"{request.start_time} and {request.end_time}; allow more time or a larger radius",
                        param="end_time")
    plan = _assemble(planner, main_variant.label, outcomes, unplaced)
    seen = {_signature(outcomes)}
    for variant in planner.variants(outcomes):
        if len(plan.alternatives) >= cfg.alternatives:
            break
        alt_days, alt_unplaced = planner.run(variant, request.time_limit * cfg.alternative_time_share,
                                             cfg.alternative_iterations)
        signature = _signature(alt_days)
        if signature in seen or not any(o.placed for o in alt_days):
            continue
        seen.add(signature)
        plan.alternatives.append(_assemble(planner, variant.label, alt_days, alt_unplaced))
    return plan
