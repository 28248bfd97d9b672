"""Hints about common mistakes, in German or English, in the reference engine's "value <--- (hint)" style."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .core import OpeningHours

_GERMAN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), r)
    for p, r in (
        (r"^comments should be written in plain double quotes", 'Kommentare gehören in gerade Anführungszeichen "..."'),
        (r"^use ',' instead of '&'$", "Verwende ',' statt '&'"),
        (r"^use '-' instead of (.+)$", r"Verwende '-' statt \1"),
        (r"^minutes should have two digits$", "Minuten sollten zweistellig geschrieben werden"),
        (r"^use 24-hour times instead of am/pm$", "Verwende 24-Stunden-Zeiten statt am/pm"),
        (r"^use ':' between hours and minutes$", "Trenne Stunden und Minuten mit ':'"),
        (r"^write (.+) as (.+)$", r"Schreibe \1 als \2"),
        (r"^separate (.+) with spaces$", r"Trenne \1 mit Leerzeichen"),
        (r"^(.+) was read as (.+)$", r"\1 wurde als \2 gelesen"),
        (r"^(.+) was ignored$", r"\1 wurde ignoriert"),
        (r"^empty rule: remove the extra ';'$", "Leere Regel: überzähliges ';' entfernen"),
        (r"^the value ends with (.+)$", r"Der Wert endet mit \1"),
        (r"^missing ';' between two rules$", "Zwischen zwei Regeln fehlt ein ';'"),
        (r"^more than one state keyword in a rule$", "Mehr als ein Zustand (open/closed/unknown) in einer Regel"),
        (r"^more than one comment in a rule$", "Mehr als ein Kommentar in einer Regel"),
        (r"^separate weekdays with ','$", "Trenne Wochentage mit ','"),
        (r"^an offset of 0 days has no effect$", "Ein Versatz von 0 Tagen hat keine Wirkung"),
        (r"^'/1' has no effect$", "'/1' hat keine Wirkung"),
        (r"^time without minutes; write e.g. 10:00$", "Uhrzeit ohne Minuten; schreibe z. B. 10:00"),
        (
            r"^write times with ':' between hours and minutes$",
            "Schreibe Uhrzeiten mit ':' zwischen Stunden und Minuten",
        ),
        (
            r"^rules (\d+) and (\d+) only have times: the second replaces the first; join them with ','$",
            r"Regeln \1 und \2 bestehen nur aus Uhrzeiten: die zweite ersetzt die erste; verbinde sie mit ','",
        ),
        (
            r"^rule (\d+) (.+) is overridden by the rules after it$",
            r"Regel \1 \2 wird von den folgenden Regeln überschrieben",
        ),
        (
            r"^no public holidays \(PH\) given.*$",
            "Keine Angabe zu Feiertagen (PH); z. B. 'PH off' ergänzen, wenn an Feiertagen geschlossen",
        ),
        (
            r"^school holidays are only known for (\d+)–(\d+)$",
            r"Schulferien sind nur für \1–\2 hinterlegt",
        ),
    )
]


def translate(message: str, lang: str) -> str:
    if lang != "de":
        return message
    for pattern, repl in _GERMAN:
        if pattern.search(message):
            return pattern.sub(repl, message)
    return message


def _semantic(oh: OpeningHours) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    rules = oh.rules
    for i in range(1, len(rules)):
        prev, cur = rules[i - 1], rules[i]
        if (
            cur.separator == ";"
            and not prev.groups
            and not cur.groups
            and prev.times
            and cur.times
            and cur.meaning
            and not prev.has_247
        ):
            out.append(
                (cur.pos, f"rules {i} and {i + 1} only have times: the second replaces the first; join them with ','")
            )
    for i, rule in enumerate(rules[:-1]):
        if rule.has_247 and not rule.groups and any(r.separator == ";" and r.meaning for r in rules[i + 1 :]):
            out.append((rule.pos, f"rule {i + 1} '24/7' is overridden by the rules after it"))
    uses_ph = any(getattr(item, "kind", None) == "PH" for r in rules for g in r.groups for item in g.items)
    has_weekdays = any(g.kind == "weekday" for r in rules for g in r.groups)
    if has_weekdays and not uses_ph and not any(r.has_247 for r in rules):
        out.append((len(oh.value), "no public holidays (PH) given; add e.g. 'PH off' if closed on holidays"))
    return out


def collect_warnings(oh: OpeningHours, lang: str = "de") -> list[str]:
    """All hints for a compiled value, each as ``"<value up to the spot> <--- (hint)"``."""
    if lang not in ("de", "en"):
        raise ValueError("lang must be 'de' or 'en'")
    found = sorted([*oh.notes, *_semantic(oh)], key=lambda item: item[0])
    seen: set[tuple[int, str]] = set()
    out: list[str] = []
    for pos, message in found:
        if (pos, message) in seen:
            continue
        seen.add((pos, message))
        out.append(f"{oh.value[:pos]} <--- ({translate(message, lang)})")
    return out
