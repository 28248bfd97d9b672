"""`datenhub planner`: solve orienteering instances from the command line."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from datenhub.planner import OptwFormatError, read_optw, solve

app = typer.Typer(help="Plan tours: orienteering with time windows (OPTW / TOPTW).", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Plan tours: orienteering with time windows (OPTW / TOPTW)."""


@app.command("solve-optw")
def solve_optw(
    file: Annotated[Path, typer.Argument(help="Instance in the KU Leuven (T)OPTW format.")],
    tours: Annotated[int, typer.Option("--tours", "-m", min=1, help="Number of tours (m).")] = 1,
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.0, help="Seconds to search.")] = 1.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random search.")] = 0,
) -> None:
    """Solve an OPTW/TOPTW instance and print {"score", "routes", "seconds"} as JSON."""
    started = time.perf_counter()
    try:
        instance = read_optw(file)
    except OptwFormatError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    solution = solve(instance.problem, tours=tours, time_limit=time_limit, seed=seed)
    result = solution.to_dict()
    result["seconds"] = round(time.perf_counter() - started, 3)  # wall time, reading included
    typer.echo(json.dumps(result))
