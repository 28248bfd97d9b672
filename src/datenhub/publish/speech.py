"""A place in a few spoken sentences, for voice and AI assistants: what and where it is, whether it is open and
until when, how busy it is, the nearest station and step-free access. Written for the ear (no abbreviations, no
symbols) from the views the place page shows, so an assistant says what a visitor would read there; the licence
and attribution travel beside the text, since an assistant that quotes the record must credit it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

from datenhub.clock import BERLIN
from datenhub.hours.filter import live_state
from datenhub.hours.names import DAY_NAMES, MONTH_NAMES
from datenhub.store import Store

LANGUAGES = ("de", "en")
_SAY: dict[str, dict[str, str]] = {
    "where": {"de": "{name} in {town}.", "en": "{name} in {town}."},
    "station_where": {"de": "Bahnhof {name} in {town}.", "en": "{name} station in {town}."},
    "station": {"de": "Bahnhof {name}.", "en": "{name} station."},
    "open_until": {"de": "Jetzt geöffnet, bis {until}.", "en": "Open now, until {until}."},
    "open_always": {"de": "Durchgehend geöffnet.", "en": "Open around the clock."},
    "open": {"de": "Jetzt geöffnet.", "en": "Open now."},
    "closed_until": {"de": "Jetzt geschlossen; öffnet {opens}.", "en": "Closed now; opens {opens}."},
    "closed": {"de": "Jetzt geschlossen.", "en": "Closed now."},
    "hours_unsure": {"de": "Ob gerade geöffnet ist, steht nicht fest; bitte vorher nachfragen.",
                     "en": "Whether it is open now is not certain; please check before you go."},
    "no_hours": {"de": "Öffnungszeiten sind nicht hinterlegt.", "en": "No opening hours are on record."},
    "hours_as_given": {"de": "Öffnungszeiten laut Anbieter: {text}.", "en": "Opening hours as given: {text}."},
    "comment": {"de": "Hinweis: {text}.", "en": "Note: {text}."},
    "visitors": {"de": "Gerade {label}, etwa {percent} Prozent der Kapazität.",
                 "en": "Right now {label}, about {percent} percent of capacity."},
    "parking": {"de": "Parkplatz gerade zu etwa {percent} Prozent belegt, {label}.",
                "en": "Parking about {percent} percent taken right now, {label}."},
    "simulated": {"de": " Die Werte sind simuliert.", "en": " These figures are simulated."},
    "nearest": {"de": "Nächster Bahnhof: {name}, {distance} entfernt.",
                "en": "Nearest station: {name}, {distance} away."},
    "metres": {"de": "{n} Meter", "en": "{n} metres"},
    "km": {"de": "{n} Kilometer", "en": "{n} kilometres"},
    "one_km": {"de": "1 Kilometer", "en": "1 kilometre"},
    "wheelchair_yes": {"de": "Rollstuhlgerecht.", "en": "Wheelchair accessible."},
    "wheelchair_limited": {"de": "Eingeschränkt rollstuhlgerecht.", "en": "Partly wheelchair accessible."},
    "wheelchair_no": {"de": "Nicht rollstuhlgerecht.", "en": "Not wheelchair accessible."},
    # when it opens: today, tomorrow, a weekday this week, else its date (a weekday weeks away reads as this week's)
    "at_today": {"de": "heute um {time}", "en": "today at {time}"},
    "at_tomorrow": {"de": "morgen um {time}", "en": "tomorrow at {time}"},
    "at_weekday": {"de": "am {day} um {time}", "en": "on {day} at {time}"},
    "at_date": {"de": "am {date} um {time}", "en": "on {date} at {time}"},
    "until_today": {"de": "{time}", "en": "{time}"},
    "until_tomorrow": {"de": "morgen {time}", "en": "tomorrow {time}"},
    "until_weekday": {"de": "{day} {time}", "en": "{day} {time}"},
    "until_date": {"de": "zum {date}, {time}", "en": "{date}, {time}"},
    "time": {"de": "{time} Uhr", "en": "{time}"},
    "midnight": {"de": "Mitternacht", "en": "midnight"},
}
# crowd words for the ear, by the status code (live.status): "frei" is what a sign says, not how people talk
_CROWD = {"frei": {"de": "wenig los", "en": "quiet"}, "mäßig": {"de": "mäßig besucht", "en": "moderately busy"},
          "voll": {"de": "sehr voll", "en": "very busy"}}
_PARKING = {"frei": {"de": "viele Plätze frei", "en": "plenty of spaces"},
            "mäßig": {"de": "noch Plätze frei", "en": "some spaces left"},
            "voll": {"de": "kaum Plätze frei", "en": "hardly any spaces left"}}


def say(key: str, lang: str, **values: Any) -> str:
    return _SAY[key][lang].format(**values)


def place_speech(store: Store, entity: dict[str, Any], now: datetime, lang: str,
                 include_closed: bool = False) -> dict[str, Any]:
    """{id, lang, text, ssml, sentences, licence, attribution, occupancy_sources} of a place as `entity` (the
    reader's view) holds it. The occupancy figure is the sensors' data, under their own licences: they are named
    beside the place's (`occupancy_sources`, "source (licence)") whenever a sentence speaks of it."""
    from datenhub.live.web import occupancy_summary

    geo, municipality = entity.get("geo") or {}, entity.get("municipality") or {}
    state = live_state(entity.get("opening_hours"), now, geo.get("lat"), geo.get("lon"), municipality.get("ags"))
    summary = occupancy_summary(store, entity["id"], now, include_closed)
    busy = _busy(summary, str(state["state"]) if state else None, lang)
    said = (_what(entity, lang), *_hours(entity.get("opening_hours"), state, now, lang), busy, _station(entity, lang),
            _access(entity, lang))
    sentences = [s for s in said if s]
    ssml = f'<speak xml:lang="{_LOCALE[lang]}">' + "".join(f"<s>{escape(s)}</s>" for s in sentences) + "</speak>"
    return {"id": entity["id"], "lang": lang, "text": " ".join(sentences), "ssml": ssml, "sentences": sentences,
            "licence": entity.get("licence"), "attribution": entity.get("attribution"),
            "occupancy_sources": list(summary.get("sources") or []) if busy and summary else []}


_LOCALE = {"de": "de-DE", "en": "en-GB"}


def _text(value: Any, lang: str) -> str | None:
    if isinstance(value, dict):
        return value.get(lang) or value.get("de") or next(iter(value.values()), None)
    return value if isinstance(value, str) else None


def _what(entity: dict[str, Any], lang: str) -> str:
    name = _spoken(_text(entity.get("name"), lang) or entity["id"], lang)
    town = str((entity.get("municipality") or {}).get("name") or "")
    here = bool(town) and town.lower() not in name.lower()  # "Moers in Moers" says nothing twice
    if entity.get("type") == "TrainStation" and "bahnhof" not in name.lower() and "station" not in name.lower():
        return say("station_where", lang, name=name, town=town) if here else say("station", lang, name=name)
    return say("where", lang, name=name, town=town) if here else f"{name}."


# abbreviations of names as a voice would misread them ("Essen Hbf", "Hamm (Westf)"), in the words people say
_SPOKEN = {"de": {"Hbf": "Hauptbahnhof", "Hbf.": "Hauptbahnhof", "Bhf": "Bahnhof", "Bhf.": "Bahnhof",
                  "Bf": "Bahnhof", "Bf.": "Bahnhof", "St.": "Sankt", "Str.": "Straße", "Westf": "Westfalen",
                  "Rheinl": "Rheinland", "Kr": "Kreis", "+": "und", "&": "und"},
           "en": {"Hbf": "Central Station", "Hbf.": "Central Station", "Bhf": "Station", "Bhf.": "Station",
                  "Bf": "Station", "Bf.": "Station", "St.": "Saint", "Str.": "Street", "Westf": "Westphalia",
                  "Rheinl": "Rhineland", "Kr": "district", "+": "and", "&": "and"}}
_PAIRS = {"a d": "an der", "a.d.": "an der", "i W": "in Westfalen"}


def _spoken(name: str, lang: str) -> str:
    text = name.replace("(", " ").replace(")", " ").replace("/", " ")
    for short, long in _PAIRS.items():
        text = re.sub(rf"(?<!\w){re.escape(short)}(?!\w)", long, text)
    return " ".join(_SPOKEN[lang].get(word, word) for word in text.split())


def _moment(at: datetime, now: datetime, lang: str, until: bool) -> str:
    """When a switch happens, for the ear: "heute um 18:00 Uhr", "morgen 02:00 Uhr", "am Freitag um 10:00 Uhr", a
    date from a week on; a switch at midnight is the midnight that ends the day before ("bis Mitternacht")."""
    local, today = at.astimezone(BERLIN), now.astimezone(BERLIN).date()
    day, time = local.date(), say("time", lang, time=local.strftime("%H:%M"))
    if local.hour == 0 and local.minute == 0:
        day, time = day - timedelta(days=1), say("midnight", lang)
    days = (day - today).days
    form = "until" if until else "at"
    if days <= 0:
        return say(f"{form}_today", lang, time=time)
    if days == 1:
        return say(f"{form}_tomorrow", lang, time=time)
    if days < 7:
        return say(f"{form}_weekday", lang, day=DAY_NAMES[lang][day.weekday()], time=time)
    month = MONTH_NAMES[lang][day.month - 1]
    date = f"{day.day}. {month}" if lang == "de" else f"{day.day} {month}"
    if day.year != today.year:
        date += f" {day.year}"
    return say(f"{form}_date", lang, date=date, time=time)


def _hours(value: Any, state: dict[str, Any] | None, now: datetime, lang: str) -> list[str]:
    """The hours said from the place's live state (hours.filter.live_state of its `opening_hours` value)."""
    if state is None:
        # hours a source wrote in words ("nach telefonischer Absprache") are said as written
        return [say("hours_as_given", lang, text=value.strip().rstrip("."))] if isinstance(value, str) and \
            value.strip() else [say("no_hours", lang)]
    switch = datetime.fromisoformat(str(state["next_switch"])) if state.get("next_switch") else None
    if state["state"] == "open":
        said = say("open_until", lang, until=_moment(switch, now, lang, True)) if switch else say("open_always", lang)
    elif state["state"] == "closed":
        said = say("closed_until", lang, opens=_moment(switch, now, lang, False)) if switch else say("closed", lang)
    else:
        said = say("hours_unsure", lang)
    comment = state.get("comment")
    return [said, say("comment", lang, text=str(comment).rstrip("."))] if comment else [said]


def _busy(summary: dict[str, Any] | None, open_state: str | None, lang: str) -> str | None:
    """Only while the place is open: a closed venue's counter says nothing about a visit (as on its page). A car
    park's sensors speak of the car park, not of the visitors."""
    if open_state == "closed" or not summary or summary.get("percent") is None or summary.get("stale"):
        return None
    code = summary.get("status")
    if code not in _CROWD:
        return None
    parking = all(line.get("kind") == "parking" for line in summary.get("sensors") or [])
    words = (_PARKING if parking else _CROWD)[code][lang]
    text = say("parking" if parking else "visitors", lang, label=words, percent=summary["percent"])
    return text + say("simulated", lang) if summary.get("simulated") else text


def _distance(metres: float, lang: str) -> str:
    if metres < 950:
        return say("metres", lang, n=max(50, round(metres / 50.0) * 50))
    km = round(metres / 1000, 1)
    if km == 1:
        return say("one_km", lang)
    text = f"{km:.0f}" if km == int(km) else f"{km:.1f}"
    return say("km", lang, n=text.replace(".", ",") if lang == "de" else text)


def _station(entity: dict[str, Any], lang: str) -> str | None:
    stations = entity.get("nearest_stations") or []
    if not stations or entity.get("type") == "TrainStation":  # a station is how one gets there
        return None
    first = stations[0]
    return say("nearest", lang, name=_spoken(first["name"], lang), distance=_distance(float(first["distance_m"]), lang))


def _access(entity: dict[str, Any], lang: str) -> str | None:
    value = entity.get("wheelchair")
    return say(f"wheelchair_{value}", lang) if value in ("yes", "limited", "no") else None

