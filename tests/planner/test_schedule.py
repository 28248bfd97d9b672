from __future__ import annotations

from datenhub.planner import OrienteeringProblem, is_feasible, parse_optw, schedule, violations
from tests.planner.conftest import SMALL_OPTW


def small() -> OrienteeringProblem:
    return parse_optw(SMALL_OPTW, "small.txt").problem


def test_schedule_waits_for_the_window_to_open() -> None:
    visits = schedule(small(), [1, 2])
    assert [v.node for v in visits] == [0, 1, 2, 0]
    assert visits[1].begin == 5.0  # travel 5
    assert visits[2].arrival == 12.0  # 5 + service 2 + travel 5
    assert visits[2].begin == 12.0
    assert visits[3].begin == 24.0  # 12 + 2 + 10


def test_violations_feasible_route_is_clean() -> None:
    assert violations(small(), [[1, 2], [3]]) == []
    assert is_feasible(small(), [[4]])


def test_violations_late_service_is_named() -> None:
    p = small()
    p.close[2] = 11.0
    found = violations(p, [[1, 2]])
    assert len(found) == 1
    assert "node 2 served at 12.00" in found[0]


def test_violations_deadline_and_duplicates_are_named() -> None:
    p = OrienteeringProblem.from_windows(
        profit=[0, 1, 1],
        service=[0, 0, 0],
        windows=[(0, 10), (0, 10), (0, 10)],
        travel=[[0, 6, 1], [6, 0, 1], [1, 1, 0]],
        max_time=10,
    )
    assert any("deadline" in v for v in violations(p, [[1]]))
    assert any("visited twice" in v for v in violations(p, [[2], [2]]))
    assert any("start/end" in v for v in violations(p, [[0, 2]]))
    assert any("does not exist" in v for v in violations(p, [[7]]))


def test_schedule_separate_start_and_end_nodes() -> None:
    p = OrienteeringProblem.from_windows(
        profit=[0, 5, 0],
        service=[1, 2, 0],
        windows=[(8, 8), (0, 20), (0, 30)],
        travel=[[0, 3, 9], [3, 0, 4], [9, 4, 0]],
        start=0,
        end=2,
        max_time=10,
    )
    visits = schedule(p, [1])
    assert [v.begin for v in visits] == [8.0, 12.0, 18.0]
    assert p.deadline == 18.0
    assert violations(p, [[1]]) == []
