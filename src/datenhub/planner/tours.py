"""The solver's working state: mutable tours with cached slack, and vectorised insertion.

Each tour keeps, per position, the service start ``begin`` and the ``slack`` (wait + maxShift in
Vansteenwegen et al.'s ILS): how far the arrival at that position may move later without
breaking a window further on. Checking one insertion is then O(1); numpy checks all candidate
nodes at all positions of all tours in one go.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

from datenhub.planner.problem import OrienteeringProblem
from datenhub.planner.schedule import EPSILON

IntArray = NDArray[np.int64]


class Instance:
    """Problem data in the shapes the search reads fastest (lists for scalars, arrays for numpy)."""

    def __init__(self, problem: OrienteeringProblem) -> None:
        self.problem = problem
        self.start = problem.start
        self.end = problem.end
        close = problem.close.copy()
        close[problem.end] = problem.deadline
        self.profit = problem.profit
        self.service = problem.service
        self.open = problem.open
        self.close = close
        self.travel = problem.travel
        self.profit_l: list[float] = problem.profit.tolist()
        self.service_l: list[float] = problem.service.tolist()
        self.open_l: list[float] = problem.open.tolist()
        self.close_l: list[float] = close.tolist()
        self.travel_l: list[list[float]] = problem.travel.tolist()
        self.candidates = self._reachable_customers()

    def _reachable_customers(self) -> IntArray:
        """Customers with positive profit that a tour visiting only them could serve."""
        s, e = self.start, self.end
        nodes = np.array(self.problem.customers, dtype=np.int64)
        if nodes.size == 0:
            return nodes
        arrival = self.open[s] + self.service[s] + self.travel[s, nodes]
        begin = np.maximum(arrival, self.open[nodes])
        back = begin + self.service[nodes] + self.travel[nodes, e]
        ok = (
            (self.profit[nodes] > 0)
            & (begin <= self.close[nodes] + EPSILON)
            & (np.maximum(back, self.open[e]) <= self.close[e] + EPSILON)
        )
        return nodes[ok]


class Tours:
    """m tours from start to end; ``routes[r]`` includes both depots."""

    def __init__(self, inst: Instance, routes: list[list[int]]) -> None:
        self.inst = inst
        self.routes = [[inst.start, *r, inst.end] for r in routes]
        self.begin: list[list[float]] = [[] for _ in routes]
        self.slack: list[list[float]] = [[] for _ in routes]
        self.visited = np.zeros(inst.profit.shape[0], dtype=bool)
        for r in range(len(self.routes)):
            self.refresh(r)
        self.score = sum(inst.profit_l[i] for r in routes for i in r)

    def copy(self) -> Tours:
        new = Tours.__new__(Tours)
        new.inst = self.inst
        new.routes = [list(r) for r in self.routes]
        new.begin = [list(b) for b in self.begin]
        new.slack = [list(s) for s in self.slack]
        new.visited = self.visited.copy()
        new.score = self.score
        return new

    def visits(self) -> list[list[int]]:
        return [r[1:-1] for r in self.routes]

    def duration(self) -> float:
        """Sum of the tours' arrival times at the end: the tie-breaker among equal scores."""
        return sum(b[-1] for b in self.begin)

    def refresh(self, r: int) -> bool:
        """Recompute begin and slack of tour r; False if a window is broken."""
        self.begin[r], self.slack[r], ok = timing(self.inst, self.routes[r])
        for node in self.routes[r][1:-1]:
            self.visited[node] = True
        return ok

    def insert(self, r: int, pos: int, node: int) -> None:
        """Put node before position pos of tour r."""
        self.routes[r].insert(pos, node)
        self.score += self.inst.profit_l[node]
        self.refresh(r)

    def remove(self, r: int, positions: list[int]) -> None:
        route = self.routes[r]
        for pos in sorted(positions, reverse=True):
            node = route.pop(pos)
            self.visited[node] = False
            self.score -= self.inst.profit_l[node]
        self.refresh(r)

    def unvisited(self) -> IntArray:
        cands = self.inst.candidates
        return cands[~self.visited[cands]]

    def gaps(self, only: int | None = None) -> Gaps:
        """Insertion slots of all tours (or only tour ``only``)."""
        parts = [
            route_gaps(self.inst, r, self.routes[r], self.begin[r], self.slack[r])
            for r in (range(len(self.routes)) if only is None else (only,))
        ]
        return Gaps.join(parts)


class Gaps:
    """Insertion slots: tour, position, prev and next node, departure from prev, old arrival, slack."""

    __slots__ = ("dep", "nxt", "old", "pos", "prev", "slack", "tour")

    def __init__(
        self,
        tour: Sequence[int],
        pos: Iterable[int],
        prev: Sequence[int],
        nxt: Sequence[int],
        dep: Sequence[float],
        slack: Sequence[float],
        travel: NDArray[np.float64],
    ) -> None:
        self.tour = np.asarray(tour, dtype=np.int64)
        self.pos = np.asarray(pos, dtype=np.int64)
        self.prev = np.asarray(prev, dtype=np.int64)
        self.nxt = np.asarray(nxt, dtype=np.int64)
        self.dep = np.asarray(dep, dtype=np.float64)
        self.slack = np.asarray(slack, dtype=np.float64)
        self.old = self.dep + travel[self.prev, self.nxt]

    @staticmethod
    def join(parts: list[Gaps]) -> Gaps:
        if len(parts) == 1:
            return parts[0]
        g = Gaps.__new__(Gaps)
        for name in Gaps.__slots__:
            setattr(g, name, np.concatenate([getattr(p, name) for p in parts]))
        return g


def route_gaps(inst: Instance, r: int, route: list[int], begin: list[float], slack: list[float]) -> Gaps:
    service = inst.service_l
    prev = route[:-1]
    return Gaps(
        [r] * len(prev),
        list(range(1, len(route))),
        prev,
        route[1:],
        [b + service[p] for b, p in zip(begin, prev, strict=False)],
        slack[1:],
        inst.travel,
    )


def timing(inst: Instance, route: list[int]) -> tuple[list[float], list[float], bool]:
    """Service start and slack at each position of a route (depots included), and feasibility."""
    travel, service, open_, close = inst.travel_l, inst.service_l, inst.open_l, inst.close_l
    t = open_[route[0]]
    begin = [t]
    waits = [0.0]
    ok = True
    prev = route[0]
    for node in route[1:]:
        arrival = t + service[prev] + travel[prev][node]
        t = arrival if arrival > open_[node] else open_[node]
        if t > close[node] + EPSILON:
            ok = False
        begin.append(t)
        waits.append(t - arrival)
        prev = node
    slack = [0.0] * len(route)
    nxt = float("inf")
    for k in range(len(route) - 1, 0, -1):
        room = close[route[k]] - begin[k]
        nxt = waits[k] + (room if room < nxt else nxt)
        slack[k] = nxt
    return begin, slack, ok


def insertion_shift(inst: Instance, gaps: Gaps, cands: IntArray) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Shift (extra time) of inserting each candidate in each slot, and whether it is feasible.

    Both results have shape (slots, candidates).
    """
    prev, nxt, dep, old, slack = gaps.prev, gaps.nxt, gaps.dep, gaps.old, gaps.slack
    travel = inst.travel
    arrival = dep[:, None] + travel[prev[:, None], cands]
    ok = arrival <= inst.close[cands] + EPSILON
    begin = np.maximum(arrival, inst.open[cands])
    shift = begin + inst.service[cands] + travel[cands, nxt[:, None]] - old[:, None]
    ok &= shift <= slack[:, None] + EPSILON
    return shift, ok


def finish_time(inst: Instance, route: list[int]) -> float:
    """Arrival at the end of a route, or infinity if a window is broken."""
    travel, service, open_, close = inst.travel_l, inst.service_l, inst.open_l, inst.close_l
    t = open_[route[0]]
    prev = route[0]
    for node in route[1:]:
        t += service[prev] + travel[prev][node]
        if t < open_[node]:
            t = open_[node]
        elif t > close[node] + EPSILON:
            return float("inf")
        prev = node
    return t
