"""Conformance with the reference engine opening_hours.js on its own exported test suite (needs ../shared)."""

from __future__ import annotations

import json
from pathlib import Path

import oh_cases as cases
import pytest

from datenhub.hours import OpeningHours, OpeningHoursError

pytestmark = pytest.mark.skipif(
    not cases.available(), reason=f"reference test cases not found at {cases.SHARED} (only in the DatenHub workspace)"
)

KNOWN_FILE = Path(__file__).with_name("known_differences.json")


def _known() -> dict[str, str]:
    data = json.loads(KNOWN_FILE.read_text("utf-8"))
    return {entry["id"]: entry["reason"] for entry in data["differences"]}


def test_conformance_intervals_in_scope_agree_at_least_99_percent() -> None:
    known = _known()
    scored = [(cid, case) for cid, case in cases.interval_cases() if not cases.scope(case)]
    differing = {cid for cid, case in scored if cases.differs(case)}
    unexpected = sorted(differing - set(known))
    assert not unexpected, f"cases differ that known_differences.json does not list: {unexpected}"
    now_passing = sorted(cid for cid in known if cid not in differing)
    assert not now_passing, f"listed as known differences but agree now (remove them): {now_passing}"
    agreement = 1 - len(differing) / len(scored)
    assert agreement >= 0.99, f"only {agreement:.2%} of {len(scored)} cases agree"


def test_conformance_out_of_scope_cases_have_a_reason() -> None:
    reasons = {cases.scope(case) for _, case in cases.interval_cases()}
    assert reasons <= {
        "",
        "needs school holidays of a state we ship no data for",
        "the reference suite does not assert it (not implemented yet)",
        "the reference suite does not assert it (check for week stable not implemented)",
    }


def test_conformance_must_fail_values_rejected_at_least_95_percent() -> None:
    selected = cases.fail_cases()
    rejected = 0
    for _, case in selected:
        try:
            OpeningHours.parse(case["value"], **cases.fail_options(case))
        except OpeningHoursError:
            rejected += 1
    assert rejected / len(selected) >= 0.95, f"{rejected}/{len(selected)} rejected"


def test_conformance_must_warn_values_parse() -> None:
    for case in cases.load()["should_warn"]:
        OpeningHours.parse(case["value"], **cases.options(case))


def test_conformance_prettified_values_parse_back_to_the_same_intervals() -> None:
    checked = 0
    for _, case in cases.interval_cases():
        if cases.scope(case):
            continue
        opts = cases.options(case)
        try:
            oh = OpeningHours.parse(case["value"], **opts)
        except OpeningHoursError:
            continue
        pretty = OpeningHours.parse(oh.prettify(), **opts)
        again = dict(case, value=pretty.value)
        assert cases.actual_intervals(again) == cases.actual_intervals(case), (case["value"], pretty.value)
        checked += 1
    assert checked > 500


def test_conformance_prettify_value_cases_are_stable() -> None:
    parsed = 0
    for case in cases.load()["prettify_value"]:
        try:
            oh = OpeningHours.parse(case["value"])
        except OpeningHoursError:
            continue  # e.g. "…,:15:00-18:00", which the reference engine only tolerates for prettifying
        parsed += 1
        assert OpeningHours.parse(oh.prettify()).prettify() == oh.prettify()
    assert parsed >= 20
