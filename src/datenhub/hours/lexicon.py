"""Error-tolerance vocabulary: words people write instead of the canonical opening_hours tokens.

Each entry maps a case-insensitive pattern to canonical opening_hours text; the tokenizer replaces the match
and records a warning, as the reference engine opening_hours.js does.
"""

from __future__ import annotations

import re

WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_WEEKDAY_WORDS: dict[str, tuple[str, ...]] = {
    "Mo": (
        "monday",
        "montags?",
        "mon",
        "lundi",
        "lunes",
        "lunedì",
        "lunedi",
        "понедельник",
        "пн",
        "ორშაბათი",
        "วันจันทร์",
        "月曜日",
        "الاثنين",
    ),
    "Tu": (
        "tuesday",
        "dienstags?",
        "tues?",
        "di",
        "mardi",
        "martes",
        "martedì",
        "martedi",
        "вторник",
        "вт",
        "სამშაბათი",
        "วันอังคาร",
        "火曜日",
        "الثلاثاء",
    ),
    "We": (
        "wednesday",
        "mittwochs?",
        "wed",
        "mi",
        "mercredi",
        "miércoles",
        "miercoles",
        "mercoledì",
        "mercoledi",
        "среда",
        "ср",
        "ოთხშაბათი",
        "วันพุธ",
        "水曜日",
        "الأربعاء",
    ),
    "Th": (
        "thursday",
        "donnerstags?",
        "thu",
        "thur",
        "thurs",
        "do",
        "jeudi",
        "jueves",
        "giovedì",
        "giovedi",
        "четверг",
        "чт",
        "ხუთშაბათი",
        "วันพฤหัสบดี",
        "木曜日",
        "الخميس",
    ),
    "Fr": (
        "friday",
        "freitags?",
        "fri",
        "f",
        "vendredi",
        "viernes",
        "venerdì",
        "venerdi",
        "пятница",
        "пт",
        "პარასკევი",
        "วันศุกร์",
        "金曜日",
        "الجمعة",
    ),
    "Sa": (
        "saturday",
        "samstags?",
        "sonnabends?",
        "sat",
        "samedi",
        "sábado",
        "sabado",
        "sabato",
        "суббота",
        "сб",
        "შაბათი",
        "วันเสาร์",
        "土曜日",
        "السبت",
    ),
    "Su": (
        "sunday",
        "sonntags?",
        "sun",
        "so",
        "dimanche",
        "domingo",
        "domenica",
        "воскресенье",
        "вс",
        "კვირა",
        "วันอาทิตย์",
        "日曜日",
        "الأحد",
    ),
}

_MONTH_WORDS: dict[str, tuple[str, ...]] = {
    "Jan": ("january", "januar", "janvier", "enero", "gennaio", "jän", "jänner"),
    "Feb": ("february", "februar", "février", "fevrier", "febrero", "febbraio"),
    "Mar": ("march", "märz", "maerz", "mars", "marzo", "mär"),
    "Apr": ("april", "avril", "abril", "aprile"),
    "May": ("mai", "mayo", "maggio"),
    "Jun": ("june", "juni", "juin", "junio", "giugno"),
    "Jul": ("july", "juli", "juillet", "julio", "luglio"),
    "Aug": ("august", "août", "aout", "agosto"),
    "Sep": ("sept", "september", "septembre", "septiembre", "settembre"),
    "Oct": ("october", "oktober", "okt", "octobre", "octubre", "ottobre"),
    "Nov": ("november", "novembre", "noviembre"),
    "Dec": ("december", "dezember", "dez", "décembre", "decembre", "diciembre", "dicembre"),
}

# Multi-word phrases first: the tokenizer tries them in this order.
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"opening_hours\s*=\s*", ""),
    (r"öffnungszeit(?:en)?\s*:?", ""),
    (r"(?:one\s+)?day\s+after\s+(?:public\s+)?holidays?", "PH +1 day"),
    (r"(?:one\s+)?day\s+before\s+(?:public\s+)?holidays?", "PH -1 day"),
    (r"24\s*hours\s+7\s+days\s+a\s+week", "24/7"),
    (r"7\s*days\s*(?:a|/|per)\s*week", "Mo-Su"),
    (r"7j/7", "Mo-Su"),
    (r"7/7", "Mo-Su"),
    (r"24\s*hours", "24/7"),
    (r"24\s*x\s*7", "24/7"),
    (r"rund\s+um\s+die\s+uhr", "24/7"),
    (r"always\s+closed", "closed"),
    (r"always\s+open", "24/7"),
    (r"all\s+days?\b(?!\s*[-0-9])", "Mo-Su"),
    (r"every\s*day", "Mo-Su"),
    (r"all\s+day", "24/7"),
    (r"(?:sonn|sonntags?)\s*-?\s*(?:und|/)\s*(?:an\s+)?feiertag(?:en|e|s)?", "Su,PH"),
    (r"on\s+work\s*days?", "Mo-Fr"),
    (r"work\s*days?", "Mo-Fr"),
    (r"school\s*holidays?", "SH"),
    (r"public\s+holidays?", "PH"),
    (r"open[\s-]?end", "+"),
    (r"nach[\s_]vereinbarung", '"Nach Vereinbarung"'),
    (r"on[\s_]appointment|by[\s_]appointment", '"on appointment"'),
    (r"sur[\s_]rendez[\s_-]vous", '"Sur rendez-vous"'),
    (r"und\s+(?:nur|an)", ","),
    (r"and\s+on", ","),
    (r"a\.m\.|a\.m|am\b", "am"),
)

_SIMPLE: dict[str, tuple[str, ...]] = {
    "Mo-Su": ("daily", "everyday", "täglich", "taeglich", "tägl\\.?", "tous\\s+les\\s+jours"),
    "Sa,Su": ("weekends?", "wochenende"),
    "Mo-Sa": ("werktags?", "werktäglich"),
    "24/7": ("nonstop", "non-stop", "always", "anytime", "durchgehend"),
    "off": ("geschlossen", "geschl\\.?", "ruhetag", "fermé", "ferme", "cerrado", "chiuso", "оff", "closed"),
    "open": ("geöffnet", "geoeffnet", "offen", "ouvert", "abierto", "aperto"),
    "PH": ("holidays?", "feiertags?", "feiertage?n?", "jours?\\s+fériés?"),
    "SH": ("schoolholidays?", "schulferien", "ferien"),
    "sunrise-sunset": ("daylight",),
    "00:00": ("midnight", "mitternacht"),
    "+": ("late",),
    "-": ("to", "till?", "until", "through", "bis", "до", "ate", "até", "a", "á", "à", "as", "ás", "às"),
    ",": ("and", "und", "et", "y"),
    "": ("uhr", "h"),
}


def _build() -> list[tuple[re.Pattern[str], str]]:
    table: list[tuple[re.Pattern[str], str]] = []
    for pattern, repl in _PHRASES:
        table.append((re.compile(pattern, re.IGNORECASE), repl))
    words: list[tuple[str, str]] = []
    for canon, alts in _WEEKDAY_WORDS.items():
        words += [(alt, canon) for alt in alts]
    for canon, alts in _MONTH_WORDS.items():
        words += [(alt, canon) for alt in alts]
    for canon, alts in _SIMPLE.items():
        words += [(alt, canon) for alt in alts]
    # Longest alternatives first so "montags" wins over "mon".
    words.sort(key=lambda item: -len(item[0]))
    for alt, canon in words:
        table.append((re.compile(rf"(?:{alt})\.?(?![^\W\d_])", re.IGNORECASE), canon))
    return table


CORRECTIONS: list[tuple[re.Pattern[str], str]] = _build()

# Characters that stand for a dash between two times or days.
DASH_CHARS = "→‐‑‒–−—ー=~～"

# Alternative quotation marks accepted for comments, opening -> closing (with a warning).
QUOTE_PAIRS: dict[str, tuple[str, ...]] = {
    "„": ("“", '"'),
    "“": ("”",),
    "«": ("»",),
    "「": ("」",),
    "『": ("』",),
    "‚": ("‘",),
    "‘": ("‘",),
    "’": ("’",),
    "'": ("'",),
}

# Superscript/subscript digits and look-alikes, mapped one character to one character.
CHAR_MAP = str.maketrans(
    "⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉°：",
    "01234567890123456789" + "0:",
)
