"""`datenhub plan`: plan a visitor's stay from the command line (a shell over datenhub.planner.plan)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from datenhub.cli.common import DbOption, console, fail, store_at
from datenhub.clock import utc_now
from datenhub.live.crowds import OccupancyCrowds
from datenhub.planner.plan import PlanError, make_plan
from datenhub.planner.plan_candidates import best_place
from datenhub.planner.plan_model import Plan, PlanRequest
from datenhub.store import Store


def parse_interests(values: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for value in values:
        name, sep, weight = value.partition("=")
        if not name.strip():
            raise fail(f"--interest expects CATEGORY or CATEGORY=WEIGHT, got {value!r}")
        try:
            out[name.strip()] = float(weight) if sep else 1.0
        except ValueError:
            raise fail(f"--interest weight must be a number between 0 and 1, got {value!r}") from None
    return out


def _request(**fields: object) -> PlanRequest:
    try:
        return PlanRequest.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise fail(f"{where}: {first['msg']}") from None


def _by_name(store: Store, request: PlanRequest) -> PlanRequest:
    """Places given as words ("Essen Hbf", "Zollverein") as the search's best place for them, as the web form
    takes them; an id the hub knows stays as it is."""
    def resolve(ref: object) -> object:
        if not isinstance(ref, str) or store.get_entity(ref, include_closed=True) is not None:
            return ref
        return best_place(store, ref) or ref  # nothing found: the planner names it (unknown_place)

    return request.model_copy(update={"start": resolve(request.start), "end": resolve(request.end),
                                      "must_see": [resolve(r) for r in request.must_see],
                                      "avoid": [resolve(r) for r in request.avoid]})


def print_plan(plan: Plan) -> None:
    de = plan.language == "de"
    for day in plan.days:
        table = Table(title=f"{plan.label} · {day.date}", title_justify="left")
        for head in (("Zeit", "Time"), ("Ort", "Place"), ("Kategorie", "Category"), ("Warum", "Why")):
            table.add_column(head[0] if de else head[1])
        table.add_row(day.start.time, day.start.name, "", "Start")
        legs = iter(day.legs)
        for stop in day.stops:
            leg = next(legs)
            table.add_row("", f"[dim]↓ {leg.minutes} min {leg.mode}, {leg.km:.1f} km[/]", "", "")
            table.add_row(f"{stop.start}–{stop.end}", f"{escape(stop.name)} [dim]({stop.id})[/]", stop.category or "",
                          "; ".join(stop.why))
        last = next(legs, None)
        if last is not None:
            table.add_row("", f"[dim]↓ {last.minutes} min {last.mode}, {last.km:.1f} km[/]", "", "")
        table.add_row(day.end.time, day.end.name, "", "Ziel" if de else "End")
        console.print(table)
        for note in day.notes:
            console.print(f"  {note}")
    for item in plan.unplaced_must_see:
        console.print(f"[yellow]{'Nicht eingeplant' if de else 'Not placed'}:[/] {item.id} – {item.reason}")
    for note in plan.notes:
        console.print(f"[dim]{note}[/]")
    for alt in plan.alternatives:
        names = " → ".join(s.name for d in alt.days for s in d.stops)
        console.print(f"[bold]{alt.label}:[/] {names}")


def command(
    start: Annotated[str, typer.Option("--start", help="Place id, station record id (db-stations:8000098) or name.")],
    date: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default: today).")] = None,
    time_from: Annotated[str, typer.Option("--from", help="Start time HH:MM.")] = "10:00",
    time_to: Annotated[str, typer.Option("--to", help="Back at the end by HH:MM.")] = "18:00",
    interest: Annotated[list[str] | None, typer.Option(
        "--interest", help="CATEGORY=WEIGHT (0..1), repeatable; none: every sight category.")] = None,
    mode: Annotated[str, typer.Option("--mode", help="walk, bike or transit.")] = "transit",
    wheelchair: Annotated[bool, typer.Option("--wheelchair", help="Only wheelchair accessible places.")] = False,
    must_see: Annotated[list[str] | None, typer.Option("--must-see", help="Place id to include, repeatable.")] = None,
    avoid: Annotated[list[str] | None, typer.Option("--avoid", help="Place id to leave out, repeatable.")] = None,
    end: Annotated[str | None, typer.Option("--end", help="Where the day ends (default: start).")] = None,
    days: Annotated[int, typer.Option("--days", help="Consecutive days (at most 7).")] = 1,
    radius_km: Annotated[float | None, typer.Option(
        "--radius-km", help="Search radius around the start (default by --mode: walk 5, bike 15, transit 30).")] = None,
    avoid_crowds: Annotated[bool, typer.Option("--avoid-crowds", help="Prefer quiet times (needs a forecast).")
                            ] = False,
    lang: Annotated[str, typer.Option("--lang", help="de or en.")] = "de",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the search.")] = 0,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    db: str | None = DbOption,
) -> None:
    """Plan a stay: the best stops for your interests, open when you get there, back in time."""
    if fmt not in ("table", "json"):
        raise fail(f"--format must be table or json, got {fmt!r}")
    if mode not in ("walk", "bike", "transit"):
        raise fail(f"--mode must be walk, bike or transit, got {mode!r}")
    if lang not in ("de", "en"):
        raise fail(f"--lang must be de or en, got {lang!r}")
    request = _request(start=start, end=end, date=date, days=days, start_time=time_from, end_time=time_to,
                       interests=parse_interests(interest or []), must_see=must_see or [], avoid=avoid or [],
                       mode=mode, radius_km=radius_km, wheelchair=wheelchair, avoid_crowds=avoid_crowds,
                       language=lang, seed=seed)
    with store_at(db) as store:
        request = _by_name(store, request)
        try:
            # the clock by name, so a test can fix today: a plan may not start before it
            plan = make_plan(store, request, clock=utc_now, crowds=OccupancyCrowds(store, utc_now))
        except PlanError as exc:
            # an id the hub does not know is 1, as everywhere (docs/cli.md); an impossible request is usage, 2
            raise fail(f"{exc.detail} ({exc.reason})", 1 if exc.reason == "unknown_place" else 2) from None
    if fmt == "json":
        typer.echo(json.dumps(plan.to_json(), ensure_ascii=False, indent=2))
    else:
        print_plan(plan)
