"""Moves of the iterated local search: greedy insertion, profitable replacement, and ruin."""

from __future__ import annotations

import numpy as np

from datenhub.planner.tours import Tours, finish_time, insertion_shift, route_gaps, timing

# Below this shift an insertion costs (almost) no time; keeps the ratio finite.
MIN_SHIFT = 1e-3


def fill(
    tours: Tours, rng: np.random.Generator, noise: float = 0.0, power: float = 2.0, random_first: bool = False
) -> int:
    """Insert unvisited nodes greedily by profit^power/shift until none fits.

    ``power`` 2 is Vansteenwegen's ratio; ``noise`` randomises the ratio by up to that fraction;
    ``random_first`` makes the first insertion a uniformly random feasible one, so that nodes the
    ratio never favours still get their turn. Returns the number of nodes inserted.
    """
    inst = tours.inst
    inserted = 0
    while True:
        cands = tours.unvisited()
        if cands.size == 0:
            return inserted
        gaps = tours.gaps()
        shift, ok = insertion_shift(inst, gaps, cands)
        if not ok.any():
            return inserted
        ratio = inst.profit[cands] ** power / np.maximum(shift, MIN_SHIFT)
        if noise > 0:
            ratio *= 1.0 + noise * rng.random(ratio.shape)
        ratio[~ok] = -np.inf
        if random_first and inserted == 0:
            ratio[ok] = rng.random(int(ok.sum()))
        slot, col = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
        tours.insert(int(gaps.tour[slot]), int(gaps.pos[slot]), int(cands[col]))
        inserted += 1


def replace(tours: Tours) -> bool:
    """Apply the best swap of one visited node for a more profitable unvisited one, if any."""
    inst = tours.inst
    cands = tours.unvisited()
    if cands.size == 0:
        return False
    cand_profit = inst.profit[cands]
    best_gain, best_shift, best = 0.0, np.inf, None
    for r, route in enumerate(tours.routes):
        for k in range(1, len(route) - 1):
            out = route[k]
            better = cand_profit > inst.profit_l[out] + best_gain - 1e-9
            if not better.any():
                continue
            sub = cands[better]
            reduced = route[:k] + route[k + 1 :]
            begin, slack, _ = timing(inst, reduced)
            gaps = route_gaps(inst, r, reduced, begin, slack)
            shift, ok = insertion_shift(inst, gaps, sub)
            if not ok.any():
                continue
            gain = np.where(ok, inst.profit[sub] - inst.profit_l[out], -np.inf)
            top = gain.max()
            slot, col = np.unravel_index(int(np.argmax(np.where(gain >= top, -shift, -np.inf))), gain.shape)
            tie = abs(top - best_gain) <= 1e-9 and shift[slot, col] < best_shift
            if top > 1e-9 and (top > best_gain + 1e-9 or tie):
                best_gain, best_shift = float(top), float(shift[slot, col])
                best = (r, k, int(gaps.pos[slot]), int(sub[col]))
    if best is None:
        return False
    r, k, pos, node = best
    tours.remove(r, [k])
    tours.insert(r, pos, node)
    return True


def tighten(tours: Tours) -> bool:
    """Reorder each tour by 2-opt and relocation while that brings it home earlier."""
    inst = tours.inst
    changed = False
    for r in range(len(tours.routes)):
        route = tours.routes[r]
        best = finish_time(inst, route)
        improved = True
        while improved:
            improved = False
            last = len(route) - 1
            for i in range(1, last):
                for j in range(i + 1, last):
                    for cand in (
                        route[:i] + route[i : j + 1][::-1] + route[j + 1 :],
                        [*route[:i], *route[i + 1 : j + 1], route[i], *route[j + 1 :]],
                        [*route[:i], route[j], *route[i:j], *route[j + 1 :]],
                    ):
                        t = finish_time(inst, cand)
                        if t < best - 1e-9:
                            best, route, improved = t, cand, True
                            break
                    if improved:
                        break
                if improved:
                    break
        if route is not tours.routes[r]:
            tours.routes[r] = route
            tours.refresh(r)
            changed = True
    return changed


def ruin_segment(tours: Tours, rng: np.random.Generator, strength: float) -> None:
    """Remove a run of consecutive visits from each tour (the ILS shake of Vansteenwegen et al.)."""
    for r, route in enumerate(tours.routes):
        inner = len(route) - 2
        if inner == 0:
            continue
        length = 1 + int(rng.integers(0, max(1, int(strength * inner))))
        first = 1 + int(rng.integers(0, inner))
        tours.remove(r, list(range(first, min(first + length, inner + 1))))


def ruin_random(tours: Tours, rng: np.random.Generator, strength: float) -> None:
    """Remove a random share of all visits."""
    for r, route in enumerate(tours.routes):
        inner = len(route) - 2
        if inner:
            drop = rng.random(inner) < strength
            tours.remove(r, [int(k) + 1 for k in np.flatnonzero(drop)])


def ruin_related(tours: Tours, rng: np.random.Generator, strength: float) -> None:
    """Remove a visited node and the visits nearest to it in space and time."""
    inst = tours.inst
    placed = [(r, k, node) for r, route in enumerate(tours.routes) for k, node in enumerate(route[1:-1], 1)]
    if not placed:
        return
    _, _, seed_node = placed[int(rng.integers(len(placed)))]
    begin = {node: tours.begin[r][k] for r, k, node in placed}
    nodes = np.array([node for _, _, node in placed])
    times = np.array([begin[node] for node in nodes])
    closeness = inst.travel[seed_node, nodes] + np.abs(times - begin[seed_node]) * 0.5
    count = max(1, round(strength * len(placed)))
    drop = set(nodes[np.argsort(closeness)[:count]].tolist())
    for r, route in enumerate(tours.routes):
        tours.remove(r, [k for k in range(1, len(route) - 1) if route[k] in drop])


RUINS = (ruin_segment, ruin_random, ruin_related)
