"""The stay planner's explanations in German (first) and English."""

from __future__ import annotations

from datenhub.model.categories import CATEGORIES

TEXTS: dict[str, dict[str, str]] = {
    "interest": {"de": "passt zu Ihrem Interesse {category}", "en": "matches your interest {category}"},
    "must_see": {"de": "auf Ihrer Wunschliste", "en": "on your must-see list"},
    "open_until": {"de": "geöffnet bis {time}", "en": "open until {time}"},
    "open_from": {"de": "öffnet um {time}", "en": "opens at {time}"},
    "always_open": {"de": "frei zugänglich", "en": "freely accessible"},
    "outdoor_no_hours": {"de": "im Freien, keine Öffnungszeiten angegeben",
                         "en": "outdoors, no opening hours given"},
    "hours_unknown": {"de": "Öffnungszeiten unbekannt – wir nehmen 10:00–18:00 an, bitte vorher prüfen",
                      "en": "opening hours unknown – we assume 10:00–18:00, please check before you go"},
    "hours_unreadable": {"de": "Öffnungszeiten nicht lesbar – wir nehmen 10:00–18:00 an, bitte vorher prüfen",
                         "en": "opening hours unreadable – we assume 10:00–18:00, please check before you go"},
    "wheelchair_yes": {"de": "rollstuhlgerecht", "en": "wheelchair accessible"},
    "wheelchair_limited": {"de": "eingeschränkt rollstuhlgerecht", "en": "partly wheelchair accessible"},
    "wait": {"de": "{minutes} min Wartezeit bis zur Öffnung", "en": "{minutes} min wait until it opens"},
    "some_forecast": {"de": "Besucherprognosen gibt es nur für einige Orte – nur bei ihnen wurde Andrang "
                            "berücksichtigt.",
                      "en": "Visitor forecasts exist for some places only – crowds were taken into account there."},
    "no_forecast": {"de": "Keine Besucherprognose verfügbar – Andrang wurde nicht berücksichtigt.",
                    "en": "No visitor forecast available – crowds were not taken into account."},
    "crowds_low": {"de": "zu dieser Zeit wenig Andrang erwartet", "en": "few visitors expected at that time"},
    "transit_estimate": {"de": "Fahrzeiten mit Bus und Bahn sind geschätzt (Luftlinie, ohne Fahrplan).",
                         "en": "Public transport times are estimates (straight line, no timetable)."},
    "holiday": {"de": "{name} ist ein Feiertag in NRW: es gelten die Feiertagsöffnungszeiten der Orte.",
                "en": "{name} is a public holiday in NRW: the places' holiday opening hours apply."},
    "day_empty": {"de": "An diesem Tag passt kein weiterer Ort in den Plan.",
                  "en": "No further place fits into this day."},
    # reasons a must-see could not be placed
    "closed_on": {"de": "am {date} geschlossen", "en": "closed on {date}"},
    "closed_in_window": {"de": "am {date} zwischen {start} und {end} nicht lange genug geöffnet",
                         "en": "not open long enough between {start} and {end} on {date}"},
    "not_wheelchair": {"de": "nicht als rollstuhlgerecht erfasst", "en": "not recorded as wheelchair accessible"},
    "no_location": {"de": "ohne Koordinaten", "en": "has no coordinates"},
    "not_reachable": {"de": "in der verfügbaren Zeit nicht erreichbar",
                      "en": "cannot be reached in the time available"},
    "did_not_fit": {"de": "passt nicht mehr in den Tagesplan", "en": "does not fit into the day any more"},
    "avoided": {"de": "steht auch auf Ihrer Vermeiden-Liste", "en": "is also on your avoid list"},
    "start_label": {"de": "Start", "en": "Start"},
    "end_label": {"de": "Ziel", "en": "End"},
    "point_label": {"de": "Ihr Startpunkt", "en": "Your starting point"},
    "end_point_label": {"de": "Ihr Ziel", "en": "Your end point"},
    "alt_seed": {"de": "Variante: andere Reihenfolge und Auswahl", "en": "Variant: another order and selection"},
    "alt_second": {"de": "Variante: mehr {category}", "en": "Variant: more {category}"},
    "alt_without": {"de": "Variante: ohne {name}", "en": "Variant: without {name}"},
    "main_label": {"de": "Vorschlag", "en": "Suggestion"},
}


def say(key: str, lang: str, **values: object) -> str:
    text = TEXTS[key].get(lang) or TEXTS[key]["de"]
    return text.format(**values) if values else text


def category_name(category: str, lang: str) -> str:
    return category if lang == "de" else CATEGORIES.get(category, {}).get("en", category)


def fmt_date(value: str, lang: str) -> str:
    """2026-06-06 as 06.06.2026 (de) or 2026-06-06 (en)."""
    if lang != "de":
        return value
    year, month, day = value.split("-")
    return f"{day}.{month}.{year}"
