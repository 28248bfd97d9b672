from __future__ import annotations

import pytest

from datenhub.planner import OptwFormatError, parse_optw, read_optw
from tests.planner.conftest import SMALL_OPTW


def test_parse_optw_small_instance_reads_vertices_and_budget() -> None:
    inst = parse_optw(SMALL_OPTW, "small.txt")
    p = inst.problem
    assert p.size == 5
    assert p.max_time == 100
    assert p.deadline == 100
    assert p.profit.tolist() == [0.0, 10.0, 20.0, 15.0, 5.0]
    assert p.open.tolist() == [0.0, 0.0, 10.0, 0.0, 30.0]
    assert p.close.tolist() == [100.0, 50.0, 60.0, 100.0, 90.0]
    assert p.travel[0, 1] == 5.0
    assert p.travel[0, 4] == 9.0
    assert inst.tours_to_visit_all == 2


def test_parse_optw_solomon_distances_truncate_to_one_decimal() -> None:
    p = parse_optw(SMALL_OPTW, "small.txt").problem
    # |(3,4)-(0,9)| = sqrt(34) = 5.8309...
    assert p.travel[1, 4] == 5.8


def test_parse_optw_cordeau_distances_keep_two_decimals() -> None:
    p = parse_optw(SMALL_OPTW, "pr01.txt").problem
    assert p.travel[1, 4] == 5.83


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (SMALL_OPTW.replace("2 2 4 1", "2 2 4"), 1, "header"),
        (SMALL_OPTW.replace("2 2 4 1", "2 2 x 1"), 1, "'x' is not a number"),
        (SMALL_OPTW.replace(" 2 6.0 8.0", " 7 6.0 8.0"), 5, "expected vertex 2"),
        (SMALL_OPTW.replace("1 1 1 10 60", "1 1 1 10"), 5, "a=1"),
        (SMALL_OPTW.replace("1 1 1 0 50", "1 1 1 0 abc"), 4, "'abc'"),
        (SMALL_OPTW.replace("1 1 1 0 50", "1 1 1 60 50"), 4, "closes"),
        (SMALL_OPTW.replace("2 2 4 1", "2 2 5 1"), 7, "announces 6 vertices"),
        ("1 2\n", 1, "expected a header"),
    ],
)
def test_parse_optw_malformed_names_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(OptwFormatError) as err:
        parse_optw(text, "bad.txt")
    assert err.value.line == line
    assert f"bad.txt, line {line}:" in str(err.value)
    assert words in str(err.value)


def test_read_optw_missing_file_is_a_format_error(tmp_path) -> None:
    with pytest.raises(OptwFormatError, match="cannot read file"):
        read_optw(tmp_path / "nope.txt")


def test_read_optw_shared_instances_match_published_optimum(optw_data) -> None:
    from datenhub.planner import violations

    p = read_optw(optw_data / "instances" / "c_r_rc_100_100" / "c101.txt").problem
    route = [57, 63, 62, 74, 93, 97, 12, 2, 21, 75]  # optimal route of optima_m1.csv
    assert violations(p, [route]) == []
    assert p.profit[route].sum() == 320
