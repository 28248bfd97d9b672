"""Differential test: our engine vs the npm package opening_hours under node, at random (seeded) moments."""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

import oh_cases as cases
import oh_oracle as oracle
import pytest

from datenhub.hours import OpeningHours, OpeningHoursError

BERLIN = ZoneInfo("Europe/Berlin")
ESSEN = (51.4556, 7.0116)
TIMES_PER_VALUE = 25


def _values() -> list[str]:
    data = cases.load()
    seen: dict[str, None] = {}
    for group in ("interval_tests", "should_warn", "prettify_value", "comp_matching_rule"):
        for case in data[group]:
            if isinstance(case.get("value"), str) and cases.german_or_none(case):
                seen.setdefault(case["value"], None)
    return list(seen)


@pytest.fixture(scope="module")
def oracle_ready() -> None:
    if not cases.available():
        pytest.skip(f"reference values not found at {cases.SHARED}")
    reason = oracle.why_unavailable()
    if reason:
        pytest.skip(reason)


def test_oracle_state_agrees_at_random_moments(oracle_ready: None) -> None:
    rng = random.Random(20260604)
    start = datetime(2024, 1, 1, tzinfo=BERLIN).timestamp()
    end = datetime(2027, 12, 31, tzinfo=BERLIN).timestamp()
    times = sorted(int(rng.uniform(start, end)) // 60 * 60 for _ in range(TIMES_PER_VALUE))
    values = _values()
    answers = oracle.run(values, [t * 1000 for t in times], ESSEN[0], ESSEN[1], "Nordrhein-Westfalen")
    compared = agreed = 0
    mismatches: list[str] = []
    for value, rows in zip(values, answers, strict=True):
        if rows is None:
            continue  # the oracle rejects it
        try:
            oh = OpeningHours.parse(value, lat=ESSEN[0], lon=ESSEN[1], state="NW")
        except OpeningHoursError as exc:
            mismatches.append(f"{value!r}: we reject it ({exc})")
            compared += 1
            continue
        for t, row in zip(times, rows, strict=True):
            if row is None:
                continue
            is_open, unknown, comment = row
            expected = ("open" if is_open else "unknown" if unknown else "closed", comment)
            got = oh.state_at(datetime.fromtimestamp(t, BERLIN))
            compared += 1
            if (got.state, got.comment) == expected:
                agreed += 1
            elif len(mismatches) < 40:
                mismatches.append(f"{value!r} at {datetime.fromtimestamp(t, BERLIN)}: {expected} != {got}")
    assert compared > 5000
    rate = agreed / compared
    print(f"oracle agreement {rate:.2%} over {compared} checks")
    print("\n".join(mismatches))
    assert rate >= 0.97, f"agreement {rate:.2%}; first mismatches:\n" + "\n".join(mismatches)
