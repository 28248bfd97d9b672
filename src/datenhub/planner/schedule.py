"""Service start times of a route and a feasibility checker that names every violation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from datenhub.planner.problem import OrienteeringProblem

# Float sums of truncated distances drift by ~1e-13; a window is met within this tolerance.
EPSILON = 1e-7


@dataclass(frozen=True)
class Visit:
    node: int
    arrival: float
    begin: float


def schedule(problem: OrienteeringProblem, route: Sequence[int]) -> list[Visit]:
    """Earliest service start of each node of ``route`` (start and end included in the result)."""
    nodes = [problem.start, *route, problem.end]
    travel = problem.travel
    t = float(problem.open[problem.start])
    visits = [Visit(problem.start, t, t)]
    for prev, node in pairwise(nodes):
        arrival = visits[-1].begin + float(problem.service[prev]) + float(travel[prev, node])
        visits.append(Visit(node, arrival, max(arrival, float(problem.open[node]))))
    return visits


def violations(problem: OrienteeringProblem, routes: Sequence[Sequence[int]]) -> list[str]:
    """Every broken rule of a solution, in words; an empty list means feasible."""
    found: list[str] = []
    seen: set[int] = set()
    for r, route in enumerate(routes):
        for node in route:
            if not 0 <= node < problem.size:
                found.append(f"route {r}: node {node} does not exist")
                return found
            if node in (problem.start, problem.end):
                found.append(f"route {r}: start/end node {node} listed as a visit")
            if node in seen:
                found.append(f"route {r}: node {node} visited twice")
            seen.add(node)
        visits = schedule(problem, route)
        for visit in visits[1:-1]:
            if visit.begin > problem.close[visit.node] + EPSILON:
                found.append(
                    f"route {r}: node {visit.node} served at {visit.begin:.2f} "
                    f"after its window closes at {problem.close[visit.node]:.2f}"
                )
        if visits[-1].begin > problem.deadline + EPSILON:
            found.append(
                f"route {r}: reaches end node {problem.end} at {visits[-1].begin:.2f}, "
                f"after the deadline {problem.deadline:.2f}"
            )
    return found


def is_feasible(problem: OrienteeringProblem, routes: Sequence[Sequence[int]]) -> bool:
    return not violations(problem, routes)


def total_profit(problem: OrienteeringProblem, routes: Sequence[Sequence[int]]) -> float:
    return float(sum(problem.profit[i] for route in routes for i in route))
