"""Split an opening_hours value into tokens, correcting common mistakes (with a warning for each)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

from .errors import OpeningHoursError
from .lexicon import CHAR_MAP, CORRECTIONS, DASH_CHARS, MONTHS, QUOTE_PAIRS, WEEKDAYS

MAX_LENGTH = 100_000


@dataclass(slots=True)
class Token:
    """One token: ``kind`` names its class, ``value`` its meaning, ``pos`` its offset in the original value."""

    kind: str
    value: object
    pos: int
    text: str = ""

    @property
    def number(self) -> int:
        """The value of a token the tokenizer gave a number (num, wday, month)."""
        return self.value if isinstance(self.value, int) else int(str(self.value))

    @property
    def clock(self) -> tuple[int, int]:
        """Hours and minutes of a time token."""
        return cast("tuple[int, int]", self.value)  # what the tokenizer stores for "time" tokens


_CANON: dict[str, tuple[str, object]] = {}
for _i, _w in enumerate(WEEKDAYS):
    _CANON[_w] = ("wday", _i)
for _i, _m in enumerate(MONTHS):
    _CANON[_m] = ("month", _i + 1)
_CANON.update(
    {
        "PH": ("hol", "PH"),
        "SH": ("hol", "SH"),
        "easter": ("easter", "easter"),
        "week": ("week", "week"),
        "open": ("state", "open"),
        "closed": ("state", "closed"),
        "off": ("state", "closed"),
        "unknown": ("state", "unknown"),
        "sunrise": ("timevar", "sunrise"),
        "sunset": ("timevar", "sunset"),
        "dawn": ("timevar", "dawn"),
        "dusk": ("timevar", "dusk"),
        "day": ("day", "day"),
        "days": ("day", "day"),
    }
)
_PHRASE_STARTERS = {"open", "day", "days"}
_CANON_LOWER = {k.lower(): v for k, v in _CANON.items()}
_CAMEL = re.compile(r"[A-Z]{2}(?![a-z])|[A-Z][a-z]")
_WORD = re.compile(r"[^\W\d_]+")
_TIME = re.compile(r"(\d{1,2})(?::|\.(?=\d)|h(?=\d))(\d{1,2})(?!\d)")
_NUM = re.compile(r"\d+")
_AMPM = re.compile(r"\s*([ap])\.?\s?m\.?(?![^\W\d_])", re.IGNORECASE)
_DIGIT_PHRASES = re.compile(r"24\s*hours|24\s*x\s*7|7\s*days|7j/7|7/7", re.IGNORECASE)
_COMBINED = re.compile("|".join(f"({p.pattern})" for p, _ in CORRECTIONS), re.IGNORECASE)
_PUNCT = {"-": "-", ",": ",", ":": ":", "+": "+", "/": "/", "[": "[", "]": "]", "(": "(", ")": ")", "&": ","}


def tokenize(value: str) -> tuple[list[Token], list[tuple[int, str]]]:
    """Return the tokens of ``value`` and the corrections made as ``(position, message)`` pairs."""
    if len(value) > MAX_LENGTH:
        raise OpeningHoursError(f"value longer than {MAX_LENGTH} characters", MAX_LENGTH)
    tokens: list[Token] = []
    notes: list[tuple[int, str]] = []
    _scan(value.translate(CHAR_MAP), 0, tokens, notes, value, depth=0)
    return tokens, notes


def _scan(s: str, base: int, out: list[Token], notes: list[tuple[int, str]], orig: str, depth: int) -> None:
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        pos = base + i
        if c.isspace():
            i += 1
            continue
        if c == '"':
            end = s.find('"', i + 1)
            if end < 0:
                raise OpeningHoursError("unterminated comment, a closing '\"' is missing", pos)
            out.append(Token("comment", s[i + 1 : end], pos))
            i = end + 1
            continue
        if c in QUOTE_PAIRS:
            end = _find_any(s, i + 1, QUOTE_PAIRS[c])
            if end < 0:
                raise OpeningHoursError(f'unbalanced quotation mark {c!r}; comments use "..."', pos)
            out.append(Token("comment", s[i + 1 : end], pos))
            notes.append((pos, 'comments should be written in plain double quotes "..."'))
            i = end + 1
            continue
        if c == "|":
            if s.startswith("||", i):
                out.append(Token("||", "||", pos))
                i += 2
                continue
            raise OpeningHoursError("a single '|' is not allowed; the fallback separator is '||'", pos)
        if c == ";":
            out.append(Token(";", ";", pos))
            i += 1
            continue
        if c.isdecimal():  # what the patterns' \d reads: "፩" (Ethiopic one) is a digit, but no decimal one
            if s.startswith("24/7", i):
                out.append(Token("24/7", "24/7", pos))
                i += 4
                continue
            m = _DIGIT_PHRASES.match(s, i)
            if m and depth == 0:
                cm = _COMBINED.match(s, i)
                if cm:
                    i = _apply_correction(s, i, cm, base, out, notes, orig, depth)
                    continue
            i = _scan_number(s, i, base, out, notes)
            continue
        if c == ".":
            prev = s[i - 1] if i > 0 else " "
            if prev.isalnum():
                i += 1  # abbreviation dot ("Mon.", "24.") – ignored
                continue
            raise OpeningHoursError("unexpected '.'", pos)
        if c in _PUNCT:
            if c == "&":
                notes.append((pos, "use ',' instead of '&'"))
            out.append(Token(_PUNCT[c], _PUNCT[c], pos))
            i += 1
            continue
        if c in DASH_CHARS:
            notes.append((pos, f"use '-' instead of {c!r}"))
            out.append(Token("-", "-", pos))
            i += 1
            continue
        if c.isalpha() or not c.isascii():
            i = _scan_word(s, i, base, out, notes, orig, depth)
            continue
        raise OpeningHoursError(f"unexpected character {c!r}", pos)


def _find_any(s: str, start: int, closers: tuple[str, ...]) -> int:
    found = [s.find(cl, start) for cl in closers]
    found = [f for f in found if f >= 0]
    return min(found) if found else -1


def _scan_number(s: str, i: int, base: int, out: list[Token], notes: list[tuple[int, str]]) -> int:
    pos = base + i
    m = _TIME.match(s, i)
    if m:
        h, mi = int(m.group(1)), int(m.group(2))
        if len(m.group(2)) == 1:
            notes.append((pos, "minutes should have two digits"))
        j = m.end()
        am = _AMPM.match(s, j)
        if am:
            h = _ampm(h, am.group(1).lower(), pos)
            notes.append((pos, "use 24-hour times instead of am/pm"))
            j = am.end()
        if s[i + len(m.group(1))] != ":":
            notes.append((pos, "use ':' between hours and minutes"))
        out.append(Token("time", (h, mi), pos, s[i:j]))
        return j
    m = _NUM.match(s, i)
    assert m is not None
    text = m.group(0)
    j = m.end()
    am = _AMPM.match(s, j)
    if am and len(text) <= 2:
        h = _ampm(int(text), am.group(1).lower(), pos)
        notes.append((pos, "use 24-hour times instead of am/pm"))
        out.append(Token("time", (h, 0), pos, s[i : am.end()]))
        return am.end()
    if len(text) > 6:
        raise OpeningHoursError(f"number {text!r} is too long", pos)
    out.append(Token("num", int(text), pos, text))
    return j


def _ampm(hour: int, half: str, pos: int) -> int:
    if not 1 <= hour <= 12:
        raise OpeningHoursError(f"hour {hour} is not valid with am/pm", pos)
    if half == "a":
        return 0 if hour == 12 else hour
    return 12 if hour == 12 else hour + 12


def _scan_word(s: str, i: int, base: int, out: list[Token], notes: list[tuple[int, str]], orig: str, depth: int) -> int:
    pos = base + i
    wm = _WORD.match(s, i)
    word = wm.group(0) if wm else s[i]
    canon = _CANON.get(word)
    if canon is not None and word in _PHRASE_STARTERS and depth < 2:
        cm = _COMBINED.match(s, i)
        if cm and cm.end() > i + len(word):
            return _apply_correction(s, i, cm, base, out, notes, orig, depth)
    if canon is not None:
        out.append(Token(canon[0], canon[1], pos, word))
        return i + len(word)
    if depth < 2:
        cm = _COMBINED.match(s, i)
        if cm:
            return _apply_correction(s, i, cm, base, out, notes, orig, depth)
    low = _CANON_LOWER.get(word.lower())
    if low is not None:
        notes.append((pos, f"write {word!r} as {_canonical_text(low)!r}"))
        out.append(Token(low[0], low[1], pos, word))
        return i + len(word)
    parts = _CAMEL.findall(word)
    if parts and "".join(parts) == word and all(p in _CANON for p in parts):
        offset = 0
        for p in parts:
            kind, value = _CANON[p]
            out.append(Token(kind, value, pos + offset, p))
            offset += len(p)
        notes.append((pos, f"separate {word!r} with spaces"))
        return i + len(word)
    raise OpeningHoursError(f"unknown word {orig[pos : pos + len(word)]!r}", pos)


def _apply_correction(
    s: str,
    i: int,
    cm: re.Match[str],
    base: int,
    out: list[Token],
    notes: list[tuple[int, str]],
    orig: str,
    depth: int,
) -> int:
    repl = CORRECTIONS[(cm.lastindex or 1) - 1][1]
    pos = base + i
    matched = cm.group(0)
    notes.append((pos, f"{matched.strip()!r} was read as {repl!r}" if repl else f"{matched!r} was ignored"))
    if repl:
        sub: list[Token] = []
        _scan(repl, 0, sub, [], repl, depth + 1)
        for tok in sub:
            tok.pos = pos
            tok.text = matched
        out.extend(sub)
    return cm.end()


def _canonical_text(canon: tuple[str, object]) -> str:
    for key, value in _CANON.items():
        if value == canon:
            return key
    return str(canon[1])
