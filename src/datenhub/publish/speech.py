"""A place in a few spoken sentences, for voice and AI assistants: what and where it is, whether it is open and
until when, how busy it is, the nearest station and step-free access. Written for the ear (no abbreviations, no
symbols) from the views the place page shows, so an assistant says what a visitor would read there; the licence
and attribution travel beside the text, since an assistant that quotes the record must credit it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from datenhub.clock import BERLIN
from datenhub.hours.filter import live_state
from datenhub.store import Store

LANGUAGES = ("de", "en")
_DAYS = {"de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
         "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}
_SAY: dict[str, dict[str, str]] = {
    "where": {"de": "{name} in {town}.", "en": "{name} in {town}."},
    "open_until": {"de": "Jetzt geöffnet, bis {when} {time} Uhr.", "en": "Open now, until {when} {time}."},
    "open_always": {"de": "Durchgehend geöffnet.", "en": "Open around the clock."},
    "open": {"de": "Jetzt geöffnet.", "en": "Open now."},
    "closed_until": {"de": "Jetzt geschlossen; öffnet {when} um {time} Uhr.",
                     "en": "Closed now; opens {when} at {time}."},
    "closed": {"de": "Jetzt geschlossen.", "en": "Closed now."},
    "hours_unsure": {"de": "Ob gerade geöffnet ist, steht nicht fest; bitte vorher nachfragen.",
                     "en": "Whether it is open now is not certain; please check before you go."},
    "no_hours": {"de": "Öffnungszeiten sind nicht hinterlegt.", "en": "No opening hours are on record."},
    "busy": {"de": "Besucherandrang gerade: {label}, etwa {percent} Prozent.",
             "en": "Visitors right now: {label}, about {percent} percent."},
    "simulated": {"de": " Die Werte sind simuliert.", "en": " These figures are simulated."},
    "station": {"de": "Nächster Bahnhof: {name}, {distance} entfernt.",
                "en": "Nearest station: {name}, {distance} away."},
    "metres": {"de": "{n} Meter", "en": "{n} metres"},
    "km": {"de": "{n} Kilometer", "en": "{n} kilometres"},
    "wheelchair_yes": {"de": "Rollstuhlgerecht.", "en": "Wheelchair accessible."},
    "wheelchair_limited": {"de": "Eingeschränkt rollstuhlgerecht.", "en": "Partly wheelchair accessible."},
    "wheelchair_no": {"de": "Nicht rollstuhlgerecht.", "en": "Not wheelchair accessible."},
    "today": {"de": "heute", "en": "today"},
    "tomorrow": {"de": "morgen", "en": "tomorrow"},
    "on_day": {"de": "am {day}", "en": "on {day}"},
}


def say(key: str, lang: str, **values: Any) -> str:
    return _SAY[key][lang].format(**values)


def place_speech(store: Store, entity: dict[str, Any], now: datetime, lang: str,
                 include_closed: bool = False) -> dict[str, Any]:
    """{id, lang, text, ssml, sentences, licence, attribution} of a place as `entity` (the reader's view) holds it."""
    sentences = [s for s in (_what(entity, lang), _hours(entity, now, lang),
                             _busy(store, entity, now, lang, include_closed), _station(entity, lang),
                             _access(entity, lang)) if s]
    ssml = "<speak>" + "".join(f"<s>{escape(s)}</s>" for s in sentences) + "</speak>"
    return {"id": entity["id"], "lang": lang, "text": " ".join(sentences), "ssml": ssml, "sentences": sentences,
            "licence": entity.get("licence"), "attribution": entity.get("attribution")}


def _text(value: Any, lang: str) -> str | None:
    if isinstance(value, dict):
        return value.get(lang) or value.get("de") or next(iter(value.values()), None)
    return value if isinstance(value, str) else None


def _what(entity: dict[str, Any], lang: str) -> str:
    name = _spoken(_text(entity.get("name"), lang) or entity["id"], lang)
    town = (entity.get("municipality") or {}).get("name")
    return say("where", lang, name=name, town=town) if town else f"{name}."


# abbreviations of names as a voice would misread them ("Essen Hbf"), in the words people say
_SPOKEN = {"de": {"Hbf": "Hauptbahnhof", "Bhf": "Bahnhof", "Bf": "Bahnhof", "St.": "Sankt"},
           "en": {"Hbf": "Central Station", "Bhf": "Station", "Bf": "Station", "St.": "Sankt"}}


def _spoken(name: str, lang: str) -> str:
    return " ".join(_SPOKEN[lang].get(word, word) for word in name.split())


def _when(at: datetime, now: datetime, lang: str) -> str:
    days = (at.astimezone(BERLIN).date() - now.astimezone(BERLIN).date()).days
    if days == 0:
        return say("today", lang)
    if days == 1:
        return say("tomorrow", lang)
    return say("on_day", lang, day=_DAYS[lang][at.astimezone(BERLIN).weekday()])


def _hours(entity: dict[str, Any], now: datetime, lang: str) -> str:
    geo, municipality = entity.get("geo") or {}, entity.get("municipality") or {}
    state = live_state(entity.get("opening_hours"), now, geo.get("lat"), geo.get("lon"), municipality.get("ags"))
    if state is None:
        return say("no_hours", lang)
    switch = datetime.fromisoformat(str(state["next_switch"])) if state.get("next_switch") else None
    time = switch.astimezone(BERLIN).strftime("%H:%M") if switch else ""
    if state["state"] == "open":
        if switch is None:
            return say("open_always", lang)
        # "until today 18:00" says nothing "until 18:00" does not; a night's end names its day
        when = "" if _is_today(switch, now) else _when(switch, now, lang)
        return " ".join(say("open_until", lang, when=when, time=time).split())
    if state["state"] == "closed":
        return say("closed_until", lang, when=_when(switch, now, lang), time=time) if switch else say("closed", lang)
    return say("hours_unsure", lang)


def _is_today(at: datetime, now: datetime) -> bool:
    return at.astimezone(BERLIN).date() == now.astimezone(BERLIN).date()


def _busy(store: Store, entity: dict[str, Any], now: datetime, lang: str, include_closed: bool) -> str | None:
    """Only while the place is open: a closed venue's counter says nothing about a visit (as on its page)."""
    from datenhub.live.web import occupancy_summary

    geo, municipality = entity.get("geo") or {}, entity.get("municipality") or {}
    state = live_state(entity.get("opening_hours"), now, geo.get("lat"), geo.get("lon"), municipality.get("ags"))
    if state is not None and state["state"] == "closed":
        return None
    summary = occupancy_summary(store, entity["id"], now, include_closed)
    if not summary or summary.get("percent") is None or not summary.get("label") or summary.get("stale"):
        return None
    label = summary["label"].get(lang) or summary["label"]["de"]
    text = say("busy", lang, label=label, percent=summary["percent"])
    return text + say("simulated", lang) if summary.get("simulated") else text


def _distance(metres: float, lang: str) -> str:
    if metres < 1000:
        return say("metres", lang, n=max(50, round(metres / 50.0) * 50))
    km = f"{metres / 1000:.1f}"
    return say("km", lang, n=km.replace(".", ",") if lang == "de" else km)


def _station(entity: dict[str, Any], lang: str) -> str | None:
    stations = entity.get("nearest_stations") or []
    if not stations or entity.get("type") == "TrainStation":  # a station is how one gets there
        return None
    first = stations[0]
    return say("station", lang, name=_spoken(first["name"], lang), distance=_distance(float(first["distance_m"]), lang))


def _access(entity: dict[str, Any], lang: str) -> str | None:
    value = entity.get("wheelchair")
    return say(f"wheelchair_{value}", lang) if value in ("yes", "limited", "no") else None

