"""Iterated local search for the (team) orienteering problem with time windows.

Each iteration ruins part of the current tours (a run of visits, random visits, or visits close
in space and time), refills them by randomised greedy insertion, and improves the result by
profitable replacements. After a while without progress the search restarts, alternately from
the best tours and from a fresh randomised construction. The search path depends only on the
seed; the time limit decides how far along it the search gets, and ``max_iterations`` makes a
run reproducible to the last digit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from datenhub.planner.moves import RUINS, fill, replace, tighten
from datenhub.planner.problem import OrienteeringProblem, Solution
from datenhub.planner.tours import Instance, Tours


@dataclass(frozen=True)
class SearchSettings:
    """Knobs of the search; defaults tuned on the Righini-Salani instances (benchmarks/bench_optw.py)."""

    min_ruin: float = 0.1  # share of visits a ruin removes, drawn in [min_ruin, max_ruin]
    max_ruin: float = 0.4
    max_noise: float = 3.0  # greedy ratios are scaled by a factor drawn in [1, 1 + noise]
    accept_worse: float = 0.02  # a trial up to this share worse than the current one may replace it
    restart_after: int = 100  # iterations without progress of the current run before a restart
    fresh_share: float = 0.5  # share of restarts from a fresh construction instead of the best
    # Measured not to pay on the benchmark (fewer iterations outweigh the gain); math.inf = never.
    replace_within: float = math.inf  # swap in more profitable nodes on trials this close to the best
    tighten_within: float = math.inf  # reorder tours (2-opt, relocation) of trials this close to the best
    random_first: float = 0.5  # chance that a refill starts with a random feasible insertion
    powers: tuple[float, ...] = (2.0,)  # greedy ratio profit^power/shift, power drawn per iteration


def improve(tours: Tours, rng: np.random.Generator, noise: float, replace_moves: bool = True) -> None:
    """Fill, then swap in more profitable nodes and fill again while that pays."""
    fill(tours, rng, noise)
    if replace_moves:
        while replace(tours):
            fill(tours, rng, 0.0)


def _better(a: Tours, b: Tours) -> bool:
    if a.score != b.score:
        return a.score > b.score
    return a.duration() < b.duration() - 1e-9


def solve(
    problem: OrienteeringProblem,
    tours: int = 1,
    time_limit: float = 1.0,
    seed: int = 0,
    max_iterations: int | None = None,
    settings: SearchSettings | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Solution:
    """Best tours found within ``time_limit`` seconds (and ``max_iterations``, if given)."""
    if tours < 1:
        raise ValueError("tours must be at least 1")
    cfg = settings or SearchSettings()
    started = clock()
    inst = Instance(problem)
    rng = np.random.default_rng(seed)
    empty: list[list[int]] = [[] for _ in range(tours)]
    current = Tours(inst, empty)
    improve(current, rng, 0.0)
    best = current.copy()
    iterations = stale = 0
    limit = math.inf if max_iterations is None else max_iterations
    run_best = best
    while iterations < limit and clock() - started < time_limit and inst.candidates.size:
        iterations += 1
        trial = current.copy()
        strength = cfg.min_ruin + (cfg.max_ruin - cfg.min_ruin) * rng.random()
        RUINS[int(rng.integers(len(RUINS)))](trial, rng, strength)
        power = cfg.powers[int(rng.integers(len(cfg.powers)))]
        fill(trial, rng, cfg.max_noise * rng.random(), power, rng.random() < cfg.random_first)
        if trial.score >= best.score * cfg.tighten_within and tighten(trial):
            fill(trial, rng, 0.0)
        if trial.score >= best.score * cfg.replace_within:
            improve(trial, rng, 0.0)
        if _better(trial, run_best):
            run_best = trial.copy()
            stale = 0
            if _better(trial, best):
                best = run_best
        else:
            stale += 1
        if trial.score >= current.score * (1.0 - cfg.accept_worse * rng.random()):
            current = trial
        if stale >= cfg.restart_after:
            stale = 0
            if rng.random() < cfg.fresh_share:
                current = Tours(inst, empty)
                fill(current, rng, cfg.max_noise)
            else:
                current = best.copy()
            run_best = current.copy()
    routes = tuple(tuple(r) for r in best.visits())
    return Solution(routes, best.score, clock() - started, iterations)
