"""Turn German free-text opening hours ("Mo–Fr 10–18 Uhr, Sa/So 11 bis 17 Uhr") into an OSM value.

``normalize_german(text)`` returns ``(value or None, confidence 0..1, notes)``; the value always parses.
"""

from __future__ import annotations

import re

from .core import OpeningHours
from .errors import OpeningHoursError

_DAYS = {
    "mo": 0,
    "montag": 0,
    "montags": 0,
    "di": 1,
    "dienstag": 1,
    "dienstags": 1,
    "mi": 2,
    "mittwoch": 2,
    "mittwochs": 2,
    "do": 3,
    "donnerstag": 3,
    "donnerstags": 3,
    "fr": 4,
    "freitag": 4,
    "freitags": 4,
    "sa": 5,
    "samstag": 5,
    "samstags": 5,
    "sonnabend": 5,
    "sonnabends": 5,
    "so": 6,
    "sonntag": 6,
    "sonntags": 6,
}
_NAMES = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_GROUPS = {"täglich": "Mo-Su", "taeglich": "Mo-Su", "werktags": "Mo-Sa", "wochenende": "Sa,Su", "wochenends": "Sa,Su"}
_HOLIDAY = re.compile(r"^(?:sonn-?\s*und\s*)?feiertag(?:e|en|s)?$")
_CLOSED = {"geschlossen", "ruhetag", "zu", "geschl"}
_FILLER = {"uhr", "von", "an", "am", "ab", "jeweils", "geöffnet", "geoeffnet", "offen", "den", "und", "sowie", "h"}
_TOKEN = re.compile(r"\d{1,2}(?:[:.]\d{2})?|[a-zäöüß]+\.?|[-/,;&]")


def _time(text: str) -> str:
    hours, _, minutes = text.replace(".", ":").partition(":")
    return f"{int(hours):02d}:{minutes or '00'}"


def _clause(text: str, notes: list[str]) -> tuple[str | None, int, int]:
    """One clause -> (rule, recognised tokens, all tokens)."""
    tokens = _TOKEN.findall(text.lower().replace("–", "-").replace("—", "-"))
    days: list[str] = []
    times: list[str] = []
    closed = False
    known = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i].rstrip(".")
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok in _DAYS:
            known += 1
            if nxt in ("-", "bis") and i + 2 < len(tokens) and tokens[i + 2].rstrip(".") in _DAYS:
                days.append(f"{_NAMES[_DAYS[tok]]}-{_NAMES[_DAYS[tokens[i + 2].rstrip('.')]]}")
                known += 2
                i += 3
                continue
            days.append(_NAMES[_DAYS[tok]])
        elif tok in _GROUPS:
            days.append(_GROUPS[tok])
            known += 1
        elif _HOLIDAY.match(tok):
            days.append("PH")
            known += 1
        elif tok[0].isdigit():
            if nxt in ("-", "bis") and i + 2 < len(tokens) and tokens[i + 2][0].isdigit():
                times.append(f"{_time(tok)}-{_time(tokens[i + 2])}")
                known += 3
                i += 3
                continue
            # not counted as understood: a date ("24.12.") or a lone time, and the clause around it is lost
            notes.append(f"{tok!r} without an end was ignored")
        elif tok in _CLOSED:
            closed = True
            known += 1
        elif tok in _FILLER or tok in ("/", "&", ",", "-", "bis"):
            known += 1
        else:
            notes.append(f"word {tok!r} not understood")
        i += 1
    if not days and not times:
        if closed:
            notes.append(f"{text.strip()!r}: closed on days or dates not understood")
            known -= 1
        return None, known, len(tokens)
    rule = " ".join(part for part in (",".join(days), ",".join(times)) if part)
    if closed:
        rule += " off"
    return rule, known, len(tokens)


def normalize_german(text: str) -> tuple[str | None, float, list[str]]:
    """Best-effort conversion of German opening-hours prose to an ``opening_hours`` value."""
    notes: list[str] = []
    if "sonn- und feiertag" in text.lower():
        text = re.sub(r"(?i)sonn-\s*und\s*feiertag(?:e|en|s)?", "So, Feiertage", text)
    open_rules: list[str] = []
    closed_rules: list[str] = []
    known = total = 0
    for clause in re.split(r"[;,\n]", text):
        if not clause.strip():
            continue
        rule, k, n = _clause(clause, notes)
        known += k
        total += n
        if rule is None:
            continue
        (closed_rules if rule.endswith(" off") else open_rules).append(rule)
    open_rules = _merge_times_without_days(_merge_days_without_times(open_rules))
    if not open_rules and not closed_rules:
        return None, 0.0, [*notes, "no days or times found"]
    value = "; ".join(open_rules + closed_rules)
    try:
        OpeningHours.parse(value)
    except OpeningHoursError as exc:
        return None, 0.0, [*notes, f"result {value!r} does not parse: {exc}"]
    confidence = known / total if total else 0.0
    return value, round(confidence, 2), notes


def _merge_times_without_days(rules: list[str]) -> list[str]:
    """ "Mo-Fr 9-12 Uhr; 14-18 Uhr": times without days go on with the days before them. As a rule of their own
    they would mean every day (Saturday and Sunday 14-18 as well)."""
    out: list[str] = []
    for rule in rules:
        if out and re.fullmatch(r"[\d:,\-]+", rule) and " " in out[-1]:
            out[-1] += "," + rule
        else:
            out.append(rule)
    return out


def _merge_days_without_times(rules: list[str]) -> list[str]:
    """ "Sa/So 11 bis 17 Uhr" splits on '/' into "Sa" and "So 11:00-17:00": give the bare days the next times."""
    out: list[str] = []
    pending: list[str] = []
    for rule in rules:
        if re.fullmatch(r"[A-Za-z,\-]+", rule):
            pending.append(rule)
            continue
        if pending:
            days, _, times = rule.partition(" ")
            rule = ",".join([*pending, days]) + (f" {times}" if times else "")
            pending = []
        out.append(rule)
    return out + pending
