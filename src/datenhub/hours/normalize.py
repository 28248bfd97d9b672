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
_FILLER = {"uhr", "von", "an", "am", "ab", "jeweils", "geöffnet", "geoeffnet", "offen", "den", "und", "sowie", "h",
           "öffnungszeiten", "oeffnungszeiten", "durchgehend", "ganzjährig", "ganzjaehrig", "nur", "bis"}
_EXCEPT = {"außer", "ausser"}  # "täglich außer montags", "Mo-Fr außer an Feiertagen"
_BREAK = {"pause", "mittagspause"}  # "9-17 Uhr (Pause 12-13 Uhr)": the times after it are not open
_TOKEN = re.compile(r"\d{1,2}(?:[:.]\d{2})?|[a-zäöüß]+\.?|[-/,;&]")


def _time(text: str) -> str:
    hours, _, minutes = text.replace(".", ":").partition(":")
    return f"{int(hours):02d}:{minutes or '00'}"


def _day_numbers(days: list[str]) -> list[int]:
    out: list[int] = []
    for part in ",".join(days).split(","):
        first, _, last = part.partition("-")
        if first in _NAMES:
            a = _NAMES.index(first)
            b = _NAMES.index(last) if last in _NAMES else a
            out += [d % 7 for d in range(a, b + 1 if b >= a else b + 8)]
    return out


def _day_ranges(numbers: list[int]) -> str:
    """Weekday numbers as OSM day ranges: [1, 2, 3, 4, 5, 6] → Tu-Su."""
    runs: list[list[int]] = []
    for day in sorted(set(numbers)):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(_NAMES[r[0]] if len(r) == 1 else f"{_NAMES[r[0]]}-{_NAMES[r[-1]]}" for r in runs)


def _minus_breaks(times: list[str], breaks: list[str]) -> list[str]:
    """Open ranges without the breaks inside them: 09:00-17:00 minus 12:00-13:00 → 09:00-12:00, 13:00-17:00."""
    out = []
    for span in times:
        if "-" not in span:  # an open end ("10:00+") has no inside to cut
            out.append(span)
            continue
        start, _, end = span.partition("-")
        for pause in sorted(breaks):
            p_start, _, p_end = pause.partition("-")
            if start < p_start < p_end < end:
                out.append(f"{start}-{p_start}")
                start = p_end
        out.append(f"{start}-{end}")
    return out


def _clause(text: str, notes: list[str]) -> tuple[list[str], int, int]:
    """One clause -> (rules, recognised tokens, all tokens). A clause with a word or number it cannot place gives
    no rule: "in den Schulferien auch Mo" read without its condition would say every Monday."""
    tokens = _TOKEN.findall(text.lower().replace("–", "-").replace("—", "-"))
    days: list[str] = []
    excluded: list[str] = []
    times: list[str] = []
    breaks: list[str] = []
    closed = holiday_off = excepting = pausing = False
    unknown: list[str] = []
    known = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i].rstrip(".")
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        before = tokens[i - 1] if i else ""
        if tok in _DAYS:
            known += 1
            if nxt in ("-", "bis") and i + 2 < len(tokens) and tokens[i + 2].rstrip(".") in _DAYS:
                (excluded if excepting else days).append(
                    f"{_NAMES[_DAYS[tok]]}-{_NAMES[_DAYS[tokens[i + 2].rstrip('.')]]}")
                known += 2
                i += 3
                continue
            (excluded if excepting else days).append(_NAMES[_DAYS[tok]])
        elif tok in _GROUPS:
            (excluded if excepting else days).append(_GROUPS[tok])
            known += 1
        elif _HOLIDAY.match(tok):
            if excepting:
                holiday_off = True
            else:
                days.append("PH")
            known += 1
        elif tok[0].isdigit():
            if nxt in ("-", "bis") and i + 2 < len(tokens) and tokens[i + 2][0].isdigit():
                (breaks if pausing else times).append(f"{_time(tok)}-{_time(tokens[i + 2])}")
                known += 3
                i += 3
                continue
            if before == "ab" and not pausing and int(tok.replace(".", ":").partition(":")[0]) < 24:
                times.append(f"{_time(tok)}+")  # "ab 10 Uhr": open from ten, the end unknown
                known += 1
            else:  # a date ("24.12.") or a lone end: the clause means something else than its days alone
                unknown.append(tok)
        elif tok in _EXCEPT:
            excepting = True
            known += 1
        elif tok in _BREAK:
            pausing = True
            known += 1
        elif tok in _CLOSED:
            closed = True
            known += 1
        elif tok in _FILLER or tok in ("/", "&", ",", "-"):
            known += 1
        else:
            unknown.append(tok)
        i += 1
    if unknown:
        notes.append(f"{text.strip()!r} not read: {', '.join(repr(w) for w in unknown)} not understood")
        return [], 0, len(tokens)
    if excluded:  # "täglich außer montags"; "außer montags" alone: every other day
        kept = [d for d in (_day_numbers(days) if days else range(7)) if d not in _day_numbers(excluded)]
        if not kept:
            notes.append(f"{text.strip()!r} not read: no day is left after the exception")
            return [], 0, len(tokens)
        days = [_day_ranges(kept)] + (["PH"] if "PH" in days else [])
    rules: list[str] = []
    if days or times:
        rule = " ".join(part for part in (",".join(days), ",".join(_minus_breaks(times, breaks))) if part)
        rules.append(rule + " off" if closed else rule)
    elif closed:
        notes.append(f"{text.strip()!r}: closed on days or dates not understood")
        known -= 1
    if holiday_off:
        rules.append("PH off")
    return rules, known, len(tokens)


# "immer geöffnet", "jederzeit frei zugänglich": how the Route Industriekultur and town sites describe slag heaps,
# parks and estates, as the whole text. Only with "immer"/"jederzeit"/"ständig": "durchgehend geöffnet" also
# means "no lunch break", and "frei zugänglich" "no entrance fee".
_ALWAYS = re.compile(r"(?i)(?:ganzjährig\s+)?(?:immer|jederzeit|ständig|stets)\s+(?:frei\s+|öffentlich\s+)?"
                     r"(?:geöffnet|offen|zugänglich|begehbar)")


def normalize_german(text: str) -> tuple[str | None, float, list[str]]:
    """Best-effort conversion of German opening-hours prose to an ``opening_hours`` value."""
    notes: list[str] = []
    if _ALWAYS.fullmatch(text.strip().rstrip(".!").strip()):
        return "24/7", 1.0, notes
    # "rund um die Uhr", "24 Stunden": the whole day, as a range the clause reader knows
    text = re.sub(r"(?i)rund\s+um\s+die\s+uhr|24\s*stunden(?:\s+geöffnet)?", "0-24 Uhr", text)
    if "sonn- und feiertag" in text.lower():
        text = re.sub(r"(?i)sonn-\s*und\s*feiertag(?:e|en|s)?", "So, Feiertage", text)
    open_rules: list[str] = []
    closed_rules: list[str] = []
    known = total = 0
    for clause in re.split(r"[;,\n]", text):
        if not clause.strip():
            continue
        rules, k, n = _clause(clause, notes)
        known += k
        total += n
        for rule in rules:
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
