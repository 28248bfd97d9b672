"""The visitor site's words in German (first) and English; `?lang=en` switches."""

from __future__ import annotations

from fastapi import Request

LANGS = ("de", "en")

STRINGS: dict[str, dict[str, str]] = {
    "site_title": {"de": "DatenHub Ruhr", "en": "DatenHub Ruhr"},
    "tagline": {"de": "Orte, Öffnungszeiten und Termine in der Metropole Ruhr",
                "en": "Places, opening hours and events in the Ruhr Metropolis"},
    "skip": {"de": "Zum Inhalt springen", "en": "Skip to content"},
    "nav_places": {"de": "Orte", "en": "Places"},
    "nav_events": {"de": "Termine", "en": "Events"},
    "nav_plan": {"de": "Tagesplaner", "en": "Plan a day"},
    "nav_api": {"de": "API", "en": "API"},
    "switch_lang": {"de": "English", "en": "Deutsch"},
    "search": {"de": "Suche", "en": "Search"},
    "search_label": {"de": "Suchbegriff", "en": "Search term"},
    "search_placeholder": {"de": "z. B. Zeche, Museum, Gasometer", "en": "e.g. colliery, museum, gasometer"},
    "category": {"de": "Kategorie", "en": "Category"},
    "all": {"de": "Alle", "en": "All"},
    "municipality": {"de": "Stadt / Gemeinde", "en": "Town / municipality"},
    "open_now": {"de": "Jetzt geöffnet", "en": "Open now"},
    "wheelchair": {"de": "Rollstuhlgerecht", "en": "Wheelchair accessible"},
    "filter": {"de": "Filter anwenden", "en": "Apply filters"},
    "reset": {"de": "Zurücksetzen", "en": "Reset"},
    "results": {"de": "Ergebnisse", "en": "Results"},
    "n_results": {"de": "{n} Orte gefunden", "en": "{n} places found"},
    "one_result": {"de": "1 Ort gefunden", "en": "1 place found"},
    "n_results_more": {"de": "Die ersten {n} Orte", "en": "The first {n} places"},
    # a page after the first: how many in all is not known there, only that these follow
    "n_results_next": {"de": "{n} weitere Orte", "en": "{n} more places"},
    "one_result_next": {"de": "1 weiterer Ort", "en": "1 more place"},
    "more": {"de": "Weitere Ergebnisse", "en": "More results"},
    "corrected": {"de": "Nichts gefunden für „{q}“. Ergebnisse für „{fixed}“:",
                  "en": "Nothing found for “{q}”. Results for “{fixed}”:"},
    "no_results": {"de": "Keine Orte gefunden. Versuchen Sie weniger Filter.",
                   "en": "No places found. Try fewer filters."},
    "map": {"de": "Karte", "en": "Map"},
    "map_label": {"de": "Karte der gefundenen Orte in der Metropole Ruhr",
                  "en": "Map of the places found in the Ruhr Metropolis"},
    "map_noscript": {"de": "Die Karte braucht JavaScript; die Liste funktioniert auch ohne.",
                     "en": "The map needs JavaScript; the list works without it."},
    "bad_query": {"de": "Die Suche konnte nicht ausgeführt werden", "en": "The search could not be run"},
    "open": {"de": "jetzt geöffnet", "en": "open now"},
    "closed": {"de": "jetzt geschlossen", "en": "closed now"},
    "unknown": {"de": "Öffnungszeiten unbekannt", "en": "opening hours unknown"},
    "next_change_open": {"de": "öffnet {when}", "en": "opens {when}"},
    "next_change_close": {"de": "schließt {when}", "en": "closes {when}"},
    "opening_hours": {"de": "Öffnungszeiten", "en": "Opening hours"},
    "day": {"de": "Tag", "en": "Day"},
    "hours": {"de": "Zeiten", "en": "Hours"},
    "closed_day": {"de": "geschlossen", "en": "closed"},
    "today": {"de": "heute", "en": "today"},
    "address": {"de": "Adresse", "en": "Address"},
    "stations": {"de": "Nächste Bahnhöfe", "en": "Nearest stations"},
    "links": {"de": "Links", "en": "Links"},
    "website": {"de": "Website", "en": "Website"},
    "licence": {"de": "Lizenz und Quelle", "en": "Licence and source"},
    "photo": {"de": "Foto", "en": "Photo"},
    "occupancy": {"de": "Auslastung", "en": "Occupancy"},
    "occupancy_soon": {"de": "Auslastungsdaten folgen.", "en": "Occupancy data coming soon."},
    "departures": {"de": "Nächste Abfahrten", "en": "Next departures"},
    "departures_soon": {"de": "Abfahrtsdaten folgen.", "en": "Departure data coming soon."},
    "not_found": {"de": "Seite nicht gefunden", "en": "Page not found"},
    "not_found_text": {"de": "Diesen Ort oder Termin gibt es bei uns nicht (mehr). Vielleicht hilft die Suche?",
                       "en": "We do not have (or no longer have) this place or event. Perhaps the search helps?"},
    "back_home": {"de": "Zur Startseite", "en": "Back to the home page"},
    "events": {"de": "Termine", "en": "Events"},
    "no_events": {"de": "Keine Termine gefunden.", "en": "No events found."},
    "when": {"de": "Wann", "en": "When"},
    "where": {"de": "Wo", "en": "Where"},
    "organizer": {"de": "Veranstalter", "en": "Organiser"},
    "all_day": {"de": "ganztägig", "en": "all day"},
    # schema.org's eventStatus other than EventScheduled, as the pages say it
    "status_EventCancelled": {"de": "abgesagt", "en": "cancelled"},
    "status_EventPostponed": {"de": "verschoben", "en": "postponed"},
    "status_EventRescheduled": {"de": "neuer Termin", "en": "rescheduled"},
    "status_EventMovedOnline": {"de": "online", "en": "moved online"},
    "venue": {"de": "Veranstaltungsort", "en": "Venue"},
    "wheelchair_yes": {"de": "rollstuhlgerecht", "en": "wheelchair accessible"},
    "wheelchair_limited": {"de": "teilweise rollstuhlgerecht", "en": "partly wheelchair accessible"},
    "wheelchair_no": {"de": "nicht rollstuhlgerecht", "en": "not wheelchair accessible"},
    "screen_open": {"de": "Jetzt geöffnet in der Nähe", "en": "Open now nearby"},
    "screen_events": {"de": "Heute", "en": "Today"},
    "screen_until": {"de": "bis {time}", "en": "until {time}"},
    "screen_always": {"de": "rund um die Uhr", "en": "24/7"},
    "screen_none_open": {"de": "In der Nähe ist gerade nichts geöffnet.", "en": "Nothing nearby is open right now."},
    "screen_no_events": {"de": "Heute keine Termine in der Nähe.", "en": "No events nearby today."},
    "data_attribution": {"de": "Daten", "en": "Data"},
    "map_attribution": {"de": "Grenzen © GeoBasis-DE / BKG 2021 (Daten verändert)",
                        "en": "Boundaries © GeoBasis-DE / BKG 2021 (data modified)"},
    # bad search input, worded per parameter (web.errors); the API's English details never reach a page
    "err_value": {"de": "„{value}“ ist keine gültige Angabe für „{field}“.",
                  "en": "“{value}” is not a valid value for “{field}”."},
    "err_no_value": {"de": "Die Angabe für „{field}“ ist ungültig.", "en": "The value for “{field}” is not valid."},
    "err_municipality": {"de": "Die Stadt oder Gemeinde „{value}“ kennen wir nicht. Bitte wählen Sie eine aus "
                               "der Liste.",
                         "en": "We do not know the town or municipality “{value}”. Please choose one from the list."},
    "err_category": {"de": "Die Kategorie „{value}“ gibt es nicht. Bitte wählen Sie eine aus der Liste.",
                     "en": "There is no category “{value}”. Please choose one from the list."},
    "err_cursor": {"de": "Der Link zu weiteren Ergebnissen passt nicht (mehr) zu dieser Suche. Bitte starten Sie "
                         "die Suche neu.",
                   "en": "The link to more results does not (or no longer) fit this search. Please start the "
                         "search again."},
    "err_q": {"de": "Der Suchbegriff ist zu lang (höchstens 500 Zeichen).",
              "en": "The search term is too long (at most 500 characters)."},
    "err_screen_where": {"de": "Bitte geben Sie einen Ort (place=ID) oder Koordinaten (lat= und lon=) an.",
                         "en": "Please give a place (place=ID) or coordinates (lat= and lon=)."},
    "field_from": {"de": "von", "en": "from"},
    "field_to": {"de": "bis", "en": "to"},
    "field_limit": {"de": "Anzahl", "en": "number of results"},
    "field_sort": {"de": "Sortierung", "en": "sort order"},
    "field_radius": {"de": "Umkreis (radius)", "en": "radius"},
    "field_lat": {"de": "Breite (lat)", "en": "latitude (lat)"},
    "field_lon": {"de": "Länge (lon)", "en": "longitude (lon)"},
    "field_rotate": {"de": "Blättern (rotate)", "en": "page turn (rotate)"},
    "field_refresh": {"de": "Aktualisierung (refresh)", "en": "refresh"},
    "place_not_found": {"de": "Ort nicht gefunden: Die Kennung „{id}“ gibt es bei DatenHub Ruhr nicht (mehr).",
                        "en": "Place not found: DatenHub Ruhr has no place with the id “{id}” (any more)."},
    "occupancy_closed": {"de": "Solange geschlossen, zeigen wir keine Auslastung.",
                         "en": "No occupancy figure while closed."},
    "occupancy_no_figure": {"de": "Gerade keine aktuelle Angabe.", "en": "No current figure right now."},
    "simulated": {"de": "simuliert", "en": "simulated"},
    "screen_nearby": {"de": "In der Nähe", "en": "Nearby"},
    "screen_name": {"de": "Infobildschirm", "en": "Information screen"},
    "data_title": {"de": "Daten, Quellen und Lizenzen", "en": "Data, sources and licences"},
    "data_intro": {"de": "Woher die Orte und Termine kommen, unter welcher Lizenz sie stehen und wie Sie sie "
                         "weiterverwenden können.",
                   "en": "Where the places and events come from, under which licence, and how you can reuse them."},
    "data_sources": {"de": "Quellen", "en": "Sources"},
    "data_source": {"de": "Quelle", "en": "Source"},
    "data_records": {"de": "Datensätze", "en": "Records"},
    "data_last_import": {"de": "Letzter Import", "en": "Last import"},
    "data_sensors": {"de": "{n} Belegungssensoren", "en": "{n} occupancy sensors"},
    "data_no_sources": {"de": "Noch keine Quellen importiert.", "en": "No sources imported yet."},
    "data_reuse": {"de": "Weiterverwenden", "en": "Reuse"},
    "data_api_docs": {"de": "API-Dokumentation (für Entwickler)", "en": "API documentation (for developers)"},
    "data_machine": {"de": "Maschinenlesbar", "en": "Machine-readable"},
    "data_sources_json": {"de": "Quellenliste", "en": "List of sources"},
    "data_licence": {"de": "Lizenz", "en": "Licence"},
    "data_catalog": {"de": "DCAT-AP.de-Katalog", "en": "DCAT-AP.de catalogue"},
    "data_export": {"de": "Gesamtexport (offene Daten)", "en": "Full export (open data)"},
    "data_base_map": {"de": "Kartengrundlage", "en": "Base map"},
}

DAY_NAMES = {"de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
             "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}


def choose_lang(request: Request) -> str:
    """German unless the URL asks for English: pages must be linkable per language (hreflang)."""
    lang = request.query_params.get("lang", "de")
    return lang if lang in LANGS else "de"


def translator(lang: str):  # type: ignore[no-untyped-def]
    def t(key: str, **values: object) -> str:
        text = STRINGS[key].get(lang) or STRINGS[key]["de"]
        return text.format(**values) if values else text

    return t
