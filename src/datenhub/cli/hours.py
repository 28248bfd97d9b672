"""``datenhub hours``: evaluate opening_hours values from JSON lines, or explain one value to a person."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from datenhub.clock import BERLIN, utc_now
from datenhub.hours import OpeningHours, OpeningHoursError, describe

app = typer.Typer(help="Parse and evaluate OSM opening_hours values (Europe/Berlin local time).", no_args_is_help=True)

_WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


def evaluate_line(line: str) -> dict[str, Any]:
    """One JSON-lines request -> one response object (never raises for bad input)."""
    try:
        request = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"error": f"invalid JSON: {exc.msg}"}
    if not isinstance(request, dict) or not isinstance(request.get("value"), str):
        return {"error": "each line needs a JSON object with a string 'value'"}
    try:
        at = datetime.fromisoformat(str(request.get("at", "")))
    except ValueError:
        return {"error": "'at' must be an ISO 8601 date-time with offset"}
    if at.tzinfo is None:
        return {"error": "'at' must carry a UTC offset, e.g. 2026-06-04T12:00:00+02:00"}
    try:
        oh = OpeningHours.parse(
            request["value"], lat=request.get("lat"), lon=request.get("lon"), state=request.get("state", "NW")
        )
        state = oh.state_at(at)
        change = oh.next_change(at)
    except OpeningHoursError as exc:
        return {"error": str(exc)}
    except (TypeError, ValueError) as exc:
        return {"error": str(exc)}
    return {
        "state": state.state,
        "comment": state.comment,
        "next_change": change.isoformat() if change is not None else None,
    }


@app.command("eval")
def eval_command(
    jsonl: bool = typer.Option(False, "--jsonl", help="Read JSON lines from stdin, write one JSON line each."),
) -> None:
    """Evaluate requests {"value", "at", "lat"?, "lon"?, "state"?} read as JSON lines from stdin."""
    if not jsonl:
        typer.echo("use --jsonl and pipe JSON lines into stdin", err=True)
        raise typer.Exit(2)
    for line in sys.stdin:
        if not line.strip():
            continue
        typer.echo(json.dumps(evaluate_line(line), ensure_ascii=False))


@app.command("explain")
def explain_command(
    value: str = typer.Argument(..., help="An opening_hours value, e.g. 'Mo-Fr 10:00-18:00; PH off'."),
    at: str = typer.Option("", help="ISO 8601 moment with offset (default: now)."),
    state: str = typer.Option("NW", help="German state for public and school holidays."),
    lat: float = typer.Option(None, help="Latitude for sunrise/sunset."),
    lon: float = typer.Option(None, help="Longitude for sunrise/sunset."),
    lang: str = typer.Option("de", help="Language of the description and warnings (de or en)."),
) -> None:
    """Show the coming week, the current state and warnings for one value."""
    console = Console()
    try:
        moment = datetime.fromisoformat(at) if at else utc_now()
        if moment.tzinfo is None:
            raise typer.BadParameter("--at needs a UTC offset")
        oh = OpeningHours.parse(value, lat=lat, lon=lon, state=state)
    except OpeningHoursError as exc:
        console.print(f"[red]Ungültig / invalid:[/red] {exc.message}")
        console.print(f"  {value}\n  {' ' * exc.position}^")
        raise typer.Exit(1) from exc
    local_day: date = moment.astimezone(BERLIN).date()
    table = Table(title=f"{oh.prettify()}")
    table.add_column("Tag")
    table.add_column("Datum")
    table.add_column("Zeiten")
    for day, ranges in oh.weekly_table(local_day):
        text = ", ".join(
            f"{a}–{'24:00' if b == '00:00' else b}" + ("" if st == "open" else f" ({st})") + (f" „{c}“" if c else "")
            for a, b, st, c in ranges
        )
        table.add_row(_WEEKDAYS[day.weekday()], day.isoformat(), text or "geschlossen")
    console.print(table)
    console.print(describe(oh, moment, lang))
    change = oh.next_change(moment)
    if change is not None:
        console.print(f"next change: {change.isoformat()}")
    for warning in oh.warnings(lang):
        console.print(f"[yellow]![/yellow] {warning}")


__all__ = ["app", "evaluate_line"]
