"""Helpers to run the reference engine's exported test cases (/work/shared/data/opening_hours) against ours."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from datenhub.hours import OpeningHours, OpeningHoursError
from datenhub.hours.holidays_ import school_holiday_states
from datenhub.hours.tokenizer import tokenize

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared" / "data" / "opening_hours"
CASES_FILE = SHARED / "opening_hours_js_cases.en.json"

# German state names as Nominatim writes them -> ISO 3166-2:DE suffix.
STATE_CODES = {
    "Baden-Württemberg": "BW",
    "Bayern": "BY",
    "Berlin": "BE",
    "Brandenburg": "BB",
    "Bremen": "HB",
    "Hamburg": "HH",
    "Hessen": "HE",
    "Mecklenburg-Vorpommern": "MV",
    "Niedersachsen": "NI",
    "Nordrhein-Westfalen": "NW",
    "Rheinland-Pfalz": "RP",
    "Saarland": "SL",
    "Sachsen": "SN",
    "Sachsen-Anhalt": "ST",
    "Schleswig-Holstein": "SH",
    "Thüringen": "TH",
}


def available() -> bool:
    return CASES_FILE.is_file()


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    return json.loads(CASES_FILE.read_text("utf-8"))


def _nominatim(case: dict[str, Any]) -> dict[str, Any]:
    nom = case.get("nominatim")
    return nom if isinstance(nom, dict) else {}


def country(case: dict[str, Any]) -> str | None:
    return (_nominatim(case).get("address") or {}).get("country_code")


def german_or_none(case: dict[str, Any]) -> bool:
    return country(case) in (None, "de")


def case_id(case: dict[str, Any], index: int) -> str:
    return f"{index:03d}:{case['value']}"


def options(case: dict[str, Any]) -> dict[str, Any]:
    nom = _nominatim(case)
    address = nom.get("address") or {}
    mode_conf: dict[str, Any] = case["oh_mode"] if isinstance(case.get("oh_mode"), dict) else {}
    mode = mode_conf.get("mode")
    key = mode_conf.get("tag_key") or "opening_hours"
    state = STATE_CODES.get(address.get("state", "")) if address.get("country_code") == "de" else None
    lat = float(nom["lat"]) if "lat" in nom else None
    lon = float(nom["lon"]) if "lon" in nom else None
    return {"lat": lat, "lon": lon, "state": state, "mode": mode, "key": key}


def _fmt(text: str) -> str:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").strftime("%Y-%m-%d %H:%M")  # noqa: DTZ007 - wall-clock times as the suite writes them


def expected_intervals(case: dict[str, Any]) -> list[tuple[str, str, bool, str | None]]:
    return [(_fmt(e["from"]), _fmt(e["to"]), bool(e["unknown"]), e["comment"]) for e in case["expected_intervals"]]


def actual_intervals(case: dict[str, Any]) -> list[tuple[str, str, bool, str | None]] | str:
    try:
        oh = OpeningHours.parse(case["value"], **options(case))
    except OpeningHoursError as exc:
        return f"error: {exc}"
    start = datetime.strptime(case["from"], "%Y-%m-%d %H:%M")  # noqa: DTZ007 - wall-clock times as the suite writes them
    end = datetime.strptime(case["to"], "%Y-%m-%d %H:%M") if case["to"][-5:-3] != "31" else _safe_end(case["to"])  # noqa: DTZ007 - wall-clock times as the suite writes them
    out = []
    for a, b, st in oh.local_intervals(start, end):
        if st.state == "closed":
            continue
        out.append((a.strftime("%Y-%m-%d %H:%M"), b.strftime("%Y-%m-%d %H:%M"), st.state == "unknown", st.comment))
    return out


def _safe_end(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M")  # noqa: DTZ007 - wall-clock times as the suite writes them
    except ValueError:  # "2016-11-31": JavaScript's Date rolls over to the next month
        day_part, clock = text.split(" ")
        y, m, _ = (int(x) for x in day_part.split("-"))
        h, mi = (int(x) for x in clock.split(":"))
        return datetime(y + (m == 12), m % 12 + 1, 1, h, mi)  # noqa: DTZ001 - wall-clock times as the suite writes them


def uses_school_holidays(value: str) -> bool:
    try:
        tokens, _ = tokenize(value)
    except OpeningHoursError:
        return False
    return any(tok.kind == "hol" and tok.value == "SH" for tok in tokens)


def scope(case: dict[str, Any]) -> str:
    """Why a case is outside the conformance score, or "" when it counts."""
    if not german_or_none(case):
        return "holidays of another country"
    reason = case.get("ignored_reason")
    if reason and reason != "prettifyValue":
        return f"the reference suite does not assert it ({reason})"
    if uses_school_holidays(case["value"]) and options(case)["state"] not in school_holiday_states():
        return "needs school holidays of a state we ship no data for"
    return ""


def interval_cases() -> list[tuple[str, dict[str, Any]]]:
    """Interval cases with German or no holidays, each with its scope ("" = counts for the score)."""
    out = []
    for i, case in enumerate(load()["interval_tests"]):
        if german_or_none(case):
            out.append((case_id(case, i), case))
    return out


def differs(case: dict[str, Any]) -> bool:
    return actual_intervals(case) != expected_intervals(case)


_OPTION_ONLY = ("warnings_severity", "map_value")


def fail_cases() -> list[tuple[str, dict[str, Any]]]:
    """Must-fail cases about the value (plus mode/key), leaving out checks of options we do not have."""
    out = []
    for i, case in enumerate(load()["should_fail"]):
        mode_conf = case.get("oh_mode")
        if not isinstance(mode_conf, dict) or not isinstance(case.get("nominatim", {}), dict | None):
            continue
        if any(k in mode_conf for k in _OPTION_ONLY):
            continue
        out.append((case_id(case, i), case))
    return out


def fail_options(case: dict[str, Any]) -> dict[str, Any]:
    opts = options(case)
    mode_conf = case["oh_mode"]
    opts["mode"] = mode_conf.get("mode")
    opts["key"] = mode_conf.get("tag_key", "opening_hours")
    return opts
