"""One-line human descriptions of the current state, e.g. "Heute 10:00–18:00 geöffnet, schließt in 2 Std."."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from .core import DEFAULT_HORIZON_DAYS, OpeningHours, _require_aware
from .names import DAY_NAMES, DAY_SHORT, MONTH_NAMES
from .solar import BERLIN

_WEEKDAY_PLURAL = {
    "de": ("Montags", "Dienstags", "Mittwochs", "Donnerstags", "Freitags", "Samstags", "Sonntags"),
    "en": ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"),
}
_WEEKDAY_SHORT = DAY_SHORT
_WEEKDAY = DAY_NAMES["en"]
_MONTH = MONTH_NAMES["en"]
_TEXT = {
    "de": {
        "today": "Heute",
        "open": "geöffnet",
        "unknown": "Öffnungszeit unsicher",
        "closes": "schließt in {d}",
        "opens": "öffnet in {d}",
        "closed_today": "Heute geschlossen",
        "rest_day": "{days} Ruhetag",
        "opens_at": "öffnet {when}",
        "at": "{day} um {time}",
        "today_at": "heute um {time}",
        "tomorrow": "morgen",
        "always": "Durchgehend geöffnet",
        "never": "Geschlossen",
    },
    "en": {
        "today": "Today",
        "open": "open",
        "unknown": "opening uncertain",
        "closes": "closes in {d}",
        "opens": "opens in {d}",
        "closed_today": "Closed today",
        "rest_day": "Closed on {days}",
        "opens_at": "opens {when}",
        "at": "{day} at {time}",
        "today_at": "today at {time}",
        "tomorrow": "tomorrow",
        "always": "Open 24/7",
        "never": "Closed",
    },
}


def _duration(minutes: int, lang: str) -> str:
    hours, mins = divmod(max(minutes, 1), 60)
    h_unit, m_unit = ("Std.", "Min.") if lang == "de" else ("h", "min")
    if hours and mins:
        return f"{hours} {h_unit} {mins} {m_unit}"
    if hours:
        return f"{hours} {h_unit}"
    return f"{mins} {m_unit}"


def _ranges(oh: OpeningHours, d: date) -> list[tuple[str, str, str]]:
    ((_, ranges),) = oh.weekly_table(d)[:1]
    return [(a, "24:00" if b == "00:00" else b, state) for a, b, state, _ in ranges]


def _weekday_always_closed(oh: OpeningHours, d: date) -> bool:
    """The weekday is a rest day: closed today and the next four weeks on it, while other days are open (out of
    season every day is closed: "Dienstags Ruhetag" in November misled for a place open Tuesdays from April)."""
    if _ranges(oh, d) or any(_ranges(oh, d + timedelta(weeks=k)) for k in range(1, 5)):
        return False
    return any(_ranges(oh, d + timedelta(days=k)) for k in range(1, 28) if k % 7)


def describe(oh: OpeningHours, at: datetime, lang: str = "de") -> str:
    """Describe the state at ``at`` for people, in German ("de") or English ("en")."""
    _require_aware(at, "at")
    if lang not in _TEXT:
        raise ValueError("lang must be 'de' or 'en'")
    return describe_with_change(oh, at, oh.next_change(at), lang)


def describe_with_change(oh: OpeningHours, at: datetime, change: datetime | None, lang: str = "de") -> str:
    """``describe`` for a caller that has ``change = oh.next_change(at)`` already (the live state)."""
    _require_aware(at, "at")
    if lang not in _TEXT:
        raise ValueError("lang must be 'de' or 'en'")
    text = _TEXT[lang]
    local = at.astimezone(BERLIN)
    today = local.date()
    state = oh.state_at(at)
    if state.state in ("open", "closed"):
        # "closes in"/"opens in" count to the moment it closes or opens, not to a change of the comment alone
        change = next_switch(oh, at, state.state, change)
    ranges = _ranges(oh, today)
    if change is None:
        base = text["always"] if state.state == "open" else text["never"]
        return f"{base} ({state.comment})" if state.comment else base
    until = -(-int((change - at).total_seconds()) // 60)
    comment = f" ({state.comment})" if state.comment else ""
    if ranges:
        spans = ", ".join(f"{a}–{b}" for a, b, _ in ranges)
        word = text["open"] if all(s == "open" for _, _, s in ranges) else text["unknown"]
        sentence = f"{text['today']} {spans} {word}"
        if state.state == "open":
            return f"{sentence}, {text['closes'].format(d=_duration(until, lang))}{comment}"
        if state.state == "closed" and change.date() == today:
            return f"{sentence}, {text['opens'].format(d=_duration(until, lang))}{comment}"
        if state.state == "closed":  # today's hours are over: say when it opens, not only that it was open
            opens = change.astimezone(BERLIN)
            when = text["opens_at"].format(when=when_words(opens, today, lang))
            return f"{sentence}, {when}{comment}"
        return f"{sentence}{comment}"
    if _weekday_always_closed(oh, today):
        return text["rest_day"].format(days=_WEEKDAY_PLURAL[lang][today.weekday()]) + comment
    nxt = _next_opening(oh, at)
    if nxt is None:
        return text["closed_today"] + comment
    when = text["opens_at"].format(when=when_words(nxt, today, lang))
    return f"{text['closed_today']}{comment}, {when}"


def when_words(at: datetime, today: date, lang: str = "de") -> str:
    """A moment as a sentence names it, one way per language: "morgen um 10:00", "Do 26.11. um 11:00";
    "tomorrow at 10:00", "Thursday 26 November at 11:00" (the year too when it is another)."""
    local = at.astimezone(BERLIN)
    text, time = _TEXT[lang], local.strftime("%H:%M")
    if local.date() == today:
        return text["today_at"].format(time=time)
    return text["at"].format(day=_day_word(local, today, lang), time=time)


def _day_word(at: datetime, today: date, lang: str) -> str:
    if at.date() == today + timedelta(days=1):
        return _TEXT[lang]["tomorrow"]
    other_year = at.year != today.year
    if lang == "en":
        return f"{_WEEKDAY[at.weekday()]} {at.day} {_MONTH[at.month - 1]}" + (f" {at.year}" if other_year else "")
    return f"{_WEEKDAY_SHORT[lang][at.weekday()]} {at.day:02d}.{at.month:02d}." + (f"{at.year}" if other_year else "")


def next_switch(oh: OpeningHours, at: datetime, state: str, change: datetime | None) -> datetime | None:
    """The first change from ``change`` (the next change after ``at``) on, within the engine's horizon after
    ``at``, to a state other than ``state``: open/closed/unknown, whatever the comments say."""
    end = at + timedelta(days=DEFAULT_HORIZON_DAYS)
    t = change
    while t is not None and t <= end:
        if oh.state_at(t).state != state:
            return t
        t = oh.next_change(t)
    return None


def _next_opening(oh: OpeningHours, at: datetime) -> datetime | None:
    t = at
    for _ in range(50):
        nxt = oh.next_change(t, max_days=31)
        if nxt is None:
            return None
        if oh.state_at(nxt).state != "closed":
            return nxt.astimezone(BERLIN)
        t = nxt
    return None
