from __future__ import annotations

import itertools

import numpy as np
import pytest

from datenhub.planner import OrienteeringProblem, read_optw, solve, violations
from tests.planner.conftest import random_problem


def best_single_route(p: OrienteeringProblem, nodes: list[int]) -> float:
    """Highest profit of one feasible route over ``nodes`` (depth-first, pruned on windows)."""
    best = 0.0

    def extend(route: list[int], t: float, here: int, profit: float) -> None:
        nonlocal best
        back = t + p.service[here] + p.travel[here, p.end]
        if max(back, p.open[p.end]) <= p.deadline + 1e-7:
            best = max(best, profit)
        for v in nodes:
            if v in route:
                continue
            begin = max(t + p.service[here] + p.travel[here, v], p.open[v])
            if begin <= p.close[v] + 1e-7:
                extend([*route, v], begin, v, profit + p.profit[v])

    extend([], float(p.open[p.start]), p.start, 0.0)
    return best


def brute_force(p: OrienteeringProblem, tours: int) -> float:
    customers = p.customers
    if tours == 1:
        return best_single_route(p, customers)
    best = 0.0
    for labels in itertools.product(range(tours + 1), repeat=len(customers)):
        groups = [[c for c, lab in zip(customers, labels, strict=True) if lab == r] for r in range(tours)]
        total = sum(p.profit[g].sum() for g in groups)
        if total <= best:
            continue
        if all(best_single_route(p, g) == p.profit[g].sum() for g in groups):
            best = total
    return best


@pytest.mark.parametrize("seed", range(8))
def test_solve_single_tour_matches_brute_force(seed: int) -> None:
    p = random_problem(seed, customers=8)
    solution = solve(p, tours=1, time_limit=30, seed=seed, max_iterations=300)
    assert violations(p, solution.routes) == []
    assert solution.score == pytest.approx(brute_force(p, 1))


@pytest.mark.parametrize("seed", range(3))
def test_solve_two_tours_matches_brute_force(seed: int) -> None:
    p = random_problem(100 + seed, customers=6)
    solution = solve(p, tours=2, time_limit=30, seed=seed, max_iterations=300)
    assert violations(p, solution.routes) == []
    assert len(solution.routes) == 2
    assert solution.score == pytest.approx(brute_force(p, 2))


@pytest.mark.parametrize("seed", range(3))
def test_solve_hotel_to_station_matches_brute_force(seed: int) -> None:
    p = random_problem(200 + seed, customers=8, start=0, end=1)
    solution = solve(p, tours=1, time_limit=30, seed=seed, max_iterations=300)
    assert violations(p, solution.routes) == []
    assert all(1 not in r and 0 not in r for r in solution.routes)
    assert solution.score == pytest.approx(brute_force(p, 1))


def test_solve_same_seed_same_solution() -> None:
    p = random_problem(7, customers=30)
    a = solve(p, tours=2, time_limit=30, seed=3, max_iterations=150)
    b = solve(p, tours=2, time_limit=30, seed=3, max_iterations=150)
    assert a.routes == b.routes
    assert a.iterations == b.iterations == 150


def test_solve_respects_the_time_limit() -> None:
    p = random_problem(8, customers=60)
    solution = solve(p, tours=2, time_limit=0.3, seed=0)
    assert solution.seconds < 1.0
    assert violations(p, solution.routes) == []


def test_solve_nothing_reachable_gives_empty_tours() -> None:
    p = OrienteeringProblem.from_windows(
        profit=[0, 9], service=[0, 0], windows=[(0, 5), (0, 100)], travel=np.array([[0, 4], [4, 0]])
    )
    solution = solve(p, tours=2, time_limit=1, seed=0)
    assert solution.score == 0
    assert solution.routes == ((), ())


def test_solve_accepts_list_travel_matrix_and_rejects_bad_shapes() -> None:
    p = OrienteeringProblem.from_windows(
        profit=[0, 3, 4],
        service=[0, 1, 1],
        windows=[(0, 20), (0, 20), (0, 20)],
        travel=[[0, 2, 2], [2, 0, 3], [2, 3, 0]],
    )
    assert solve(p, time_limit=1, seed=0, max_iterations=20).score == 7
    with pytest.raises(ValueError, match="travel"):
        OrienteeringProblem.from_windows([0, 1], [0, 0], [(0, 1), (0, 1)], [[0, 1]])
    with pytest.raises(ValueError, match="tours"):
        solve(p, tours=0)


def test_solve_shared_instance_near_optimum(optw_data) -> None:
    p = read_optw(optw_data / "instances" / "c_r_rc_100_100" / "c101.txt").problem
    solution = solve(p, tours=1, time_limit=1.0, seed=0)
    assert violations(p, solution.routes) == []
    assert solution.score >= 0.95 * 320
