"""The visitor's stay planner page: a form whose state lives in the query string, and the plan rendered server-side.

``GET /plan`` shows the form; ``GET /plan?…&submit=1`` plans and renders the itinerary and its map, so every
plan is a shareable, printable link. German first, ``?lang=en`` for English.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from pydantic import ValidationError

from datenhub.api.deps import get_clock
from datenhub.clock import BERLIN
from datenhub.live.crowds import OccupancyCrowds
from datenhub.model.categories import CATEGORIES, normalise_category
from datenhub.planner.plan import NOT_VISITED, PlanError, make_plan
from datenhub.planner.plan_candidates import SIGHTS, best_place
from datenhub.planner.plan_model import Plan, PlanRequest
from datenhub.planner.plan_text import fmt_date
from datenhub.store import Query, Store
from datenhub.web.common import context, render

router = APIRouter(include_in_schema=False)

WEIGHTS = (("1", "sehr", "a lot"), ("0.5", "etwas", "some"), ("0.25", "ein wenig", "a little"))
MODES = (("transit", "Bus und Bahn", "Public transport"), ("walk", "zu Fuß", "On foot"), ("bike", "Fahrrad", "Bike"))
FORM_KEYS = ("start", "end", "date", "days", "start_time", "end_time", "mode", "radius_km", "must_see", "avoid",
             "wheelchair", "avoid_crowds")
WORDS: dict[str, tuple[str, str]] = {
    "title": ("Aufenthalt planen", "Plan your stay"),
    "not_found": ("Nicht gefunden", "Not found"),
    "concerns": ("Betrifft", "Concerns"),
    "error_code": ("Fehlercode", "Error code"),
    "intro": ("Sagen Sie uns, was Sie interessiert – wir planen Orte, die dann geöffnet sind, und bringen Sie "
              "rechtzeitig zurück.", "Tell us what interests you – we plan places that are open when you get there "
              "and get you back in time."),
    "start": ("Start (Bahnhof oder Ort)", "Start (station or place)"),
    "start_hint": ("Namen eingeben oder wählen (z. B. Essen Hbf) oder eine Kennung wie db-stations:8000098",
                   "Type or pick a name (e.g. Essen Hbf) or enter an id such as db-stations:8000098"),
    "end": ("Ziel (leer: zurück zum Start)", "End (empty: back to the start)"),
    "date": ("Datum", "Date"), "days": ("Tage", "Days"), "from": ("Von", "From"), "to": ("Zurück bis", "Back by"),
    "interests": ("Interessen", "Interests"), "weight": ("Gewicht", "Weight"), "mode": ("Unterwegs", "Travel"),
    "radius": ("Umkreis (km)", "Radius (km)"),
    "radius_auto": ("je nach Weg: 5, 15 oder 30", "by travel: 5, 15 or 30"),
    "must_see": ("Unbedingt sehen (Kennungen, mit Komma)", "Must see (ids, comma-separated)"),
    "wheelchair": ("Nur rollstuhlgerechte Orte", "Wheelchair accessible places only"),
    "avoid_crowds": ("Andrang meiden", "Avoid crowds"),
    "submit": ("Plan erstellen", "Make a plan"), "plan": ("Ihr Plan", "Your plan"),
    "arrive": ("Ankunft", "Arrival"), "visit": ("Besuch", "Visit"), "leave": ("Abfahrt", "Departure"),
    "unplaced": ("Nicht eingeplant", "Not placed"), "alternatives": ("Andere Vorschläge", "Other suggestions"),
    "share": ("Link zu diesem Plan", "Link to this plan"), "print": ("Drucken", "Print"),
    "error": ("Kein Plan möglich", "No plan possible"), "map": ("Karte des Plans", "Map of the plan"),
    "day": ("Tag", "Day"), "walk": ("zu Fuß", "on foot"), "bike": ("mit dem Rad", "by bike"),
    "transit": ("mit Bus und Bahn", "by public transport"),
    # the map's one-letter start and end markers: Start/Ziel, Start/End
    "start_mark": ("S", "S"), "end_mark": ("Z", "E"),
}


def _store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def word(key: str, lang: str) -> str:
    de, en = WORDS[key]
    return en if lang == "en" else de


def km_text(value: float, lang: str) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "de" else text


def form_state(request: Request) -> dict[str, Any]:
    """The form as the query string gives it, with defaults for a first visit."""
    qp = request.query_params
    now = get_clock(request)().astimezone(BERLIN)
    # after the default day's end (18:00) a first visit plans tomorrow, not a day that is over
    day = now.date() + timedelta(days=1) if now.hour >= 18 else now.date()
    state: dict[str, Any] = {"start": "", "end": "", "date": day.isoformat(), "today": now.date().isoformat(),
                             "days": "1", "start_time": "10:00",
                             "end_time": "18:00", "mode": "transit", "radius_km": "", "must_see": "", "avoid": "",
                             "wheelchair": False, "avoid_crowds": False}
    for key in FORM_KEYS:
        if key in ("wheelchair", "avoid_crowds"):
            state[key] = qp.get(key, "").lower() in ("1", "true", "on", "yes")
        elif qp.get(key) is not None:
            state[key] = qp.get(key, "").strip()
    # every interest under its category's name (halde, museum or "Industrial heritage" tick Panorama, Museum,
    # Industriekultur, and the share link carries that); one the hub does not know stays as given, for the planner
    # to name (unknown_category) instead of this page planning over all categories without a word
    interests: dict[str, str] = {}
    for given in qp.getlist("interest"):
        if not given.strip():
            continue
        category = interest_category(given)
        weight = qp.get(f"w_{given}") or qp.get(f"w_{category}") or "1"
        interests.setdefault(category, weight)
    state["interests"] = interests
    return state


_LABELS = {label.casefold(): name for name, labels in CATEGORIES.items()
           for key, label in labels.items() if key != "type"}


def interest_category(given: str) -> str:
    """The category an interest names: by its name, another word for it or its English or Dutch label."""
    return normalise_category(given) or _LABELS.get(given.strip().casefold()) or given.strip()


# What went wrong, for the visitor in their language; the planner's own detail (English) stays below it.
REASONS: dict[str, tuple[str, str]] = {
    "bad_time": ("Eine Uhrzeit ist ungültig (Format SS:MM).", "A time is not valid (format HH:MM)."),
    "bad_date": ("Das Datum ist ungültig.", "The date is not valid."),
    "past_date": ("Der {date} liegt in der Vergangenheit. Bitte wählen Sie heute ({today}) oder einen späteren Tag.",
                  "{date} is in the past. Please choose today ({today}) or a later day."),
    "day_over": ("Für heute bleibt bis zum Ende Ihres Zeitfensters zu wenig Zeit. Bitte planen Sie ab morgen oder "
                 "wählen Sie ein späteres „Zurück bis“.",
                 "Too little time is left today before your end time. Please plan from tomorrow or choose a later "
                 "“Back by”."),
    "too_many_days": ("Ein Plan umfasst höchstens sieben Tage.", "A plan covers at most seven days."),
    "bad_weight": ("Das Gewicht für „{interest}“ ist ungültig: erlaubt sind Werte von 0 bis 1.",
                   "The weight for “{interest}” is not valid: it must lie between 0 and 1."),
    "unknown_category": ("Ein Interesse ist unbekannt.", "An interest is unknown."),
    "not_a_sight": ("Bahnhöfe und Unterkünfte sind Start oder Ziel, keine Besuche unterwegs.",
                    "Stations and places to stay are a start or an end, not visits on the way."),
    "end_before_start": ("„Zurück bis“ muss nach „Von“ liegen.", "“Back by” must be after “From”."),
    "missing_start": ("Bitte wählen Sie einen Start: einen Bahnhof oder Ort.",
                      "Please choose a start: a station or place."),
    "unknown_place": ("Diesen Ort kennen wir nicht. Bitte wählen Sie einen Namen aus der Liste.",
                      "We do not know this place. Please pick a name from the list."),
    "no_location": ("Dieser Ort hat keine Koordinaten.", "This place has no coordinates."),
    "no_places_in_radius": ("Im gewählten Umkreis gibt es keinen passenden Ort. Vergrößern Sie den Umkreis.",
                            "There is no matching place within the radius. Try a larger radius."),
    "nothing_open": ("Zu dieser Zeit hat kein passender Ort geöffnet. Wählen Sie eine andere Zeit oder einen "
                     "anderen Tag.", "No matching place is open at that time. Try another time or day."),
    "nothing_fits": ("In dieser Zeit lässt sich kein Ort besuchen und rechtzeitig verlassen.",
                     "No place can be visited and left in time within these hours."),
    "end_not_reachable": ("Schon der Weg vom Start zum Ziel dauert länger als die gewählte Zeit. Planen Sie mehr "
                          "Zeit ein, fahren Sie mit Bus und Bahn oder wählen Sie ein näheres Ziel.",
                          "The way from the start to the end alone takes longer than the time chosen. Allow more "
                          "time, travel by public transport or choose a nearer end."),
    "invalid_request": ("Eine Angabe ist ungültig.", "A value is not valid."),
}


def reason_text(error: PlanError, lang: str, **values: str) -> str:
    """The reason in the page's language; ``values`` fill its blanks (past_date: ``date`` and ``today``,
    bad_weight: ``interest``)."""
    de, en = REASONS.get(error.reason, ("Kein Plan möglich.", "No plan possible."))
    text = en if lang == "en" else de
    return text.format(**values) if values else text


def category_label(name: str, lang: str) -> str:
    """A category by its name in the page's language (Verkehr is Transport in English); anything else as given."""
    return CATEGORIES[name].get(lang, name) if name in CATEGORIES and lang != "de" else name


def error_ids(error: PlanError, lang: str) -> list[str]:
    """The ids or interests an error names, categories in the page's language."""
    return [category_label(i, lang) for i in error.ids]


def _reason_values(state: dict[str, Any], lang: str, error: PlanError | None = None) -> dict[str, str]:
    """The dates (and interests) a reason may name, as the page writes dates (06.06.2026 in German)."""
    given = state["date"] or state["today"]
    try:
        shown = fmt_date(given, lang)
    except ValueError:
        shown = given  # not a date: bad_date says so, past_date never comes with it
    interest = ", ".join(error_ids(error, lang)) if error is not None else ""
    return {"date": shown, "today": fmt_date(state["today"], lang), "interest": interest}


def _ids(value: str) -> list[str]:
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]


def resolve_names(state: dict[str, Any], choices: list[tuple[str, str]],
                  search: Callable[[str], str | None] | None = None) -> dict[str, Any]:
    """A start, end, must-see or avoid typed as a name (as the suggestions show it, or the name alone, in any case)
    stands for that place's id; else, with `search`, the best place the site's search finds for it ("Zollverein",
    "Essen Hauptbahnhof"); anything else is left for the planner to judge."""
    by_name: dict[str, str] = {}
    for entity_id, label in choices:
        by_name.setdefault(label.casefold(), entity_id)
        by_name.setdefault(label.rsplit(" (", 1)[0].casefold(), entity_id)  # without "(Municipality)"

    def one(value: str) -> str:
        known = by_name.get(value.strip().casefold())
        if known is None and search is not None and value.strip() and ":" not in value:  # ids have a colon
            known = search(value.strip())
        return known or value

    resolved = {**state, "start": one(state["start"]), "end": one(state["end"]) if state["end"] else ""}
    for key in ("must_see", "avoid"):
        resolved[key] = ", ".join(one(v) for v in _ids(state[key]))
    return resolved


def plan_request(state: dict[str, Any], lang: str) -> PlanRequest:
    interests: dict[str, Any] = {}
    for category, weight in state["interests"].items():
        try:
            interests[category] = float(weight)
        except ValueError:
            raise PlanError("bad_weight", f"weight of {category}: expected a number, got {weight!r}",
                            ids=[category], param=f"w_{category}") from None
        if not 0.0 <= interests[category] <= 1.0:  # the planner's reason, not the request model's invalid_request
            raise PlanError("bad_weight", f"weight of {category}: must lie between 0 and 1, got {weight!r}",
                            ids=[category], param=f"w_{category}")
    fields: dict[str, Any] = {
        "start": state["start"], "end": state["end"] or None, "date": state["date"] or None,
        "start_time": state["start_time"], "end_time": state["end_time"], "mode": state["mode"],
        "interests": interests, "must_see": _ids(state["must_see"]), "avoid": _ids(state["avoid"]),
        "wheelchair": state["wheelchair"], "avoid_crowds": state["avoid_crowds"], "language": lang,
        "days": state["days"] or 1, "radius_km": state["radius_km"] or None,  # none: by the way of travelling
    }
    try:
        return PlanRequest.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"][:1])
        raise PlanError("invalid_request", f"{where}: {first['msg']}", param=where) from None


def start_choices(store: Store, lang: str) -> list[tuple[str, str]]:
    """Stations and sights for the start field's suggestions: (id, label)."""
    choices: list[tuple[str, str]] = []
    for categories in (("Verkehr",), tuple(SIGHTS)):
        page = store.search(Query(kind="place", categories=categories, sort="name", limit=1000))
        for entity in page.items:
            names = entity.get("name") or {}
            label = names.get(lang) or names.get("de") or entity["id"]
            muni = (entity.get("municipality") or {}).get("name")
            choices.append((entity["id"], f"{label} ({muni})" if muni else str(label)))
    return choices


def plan_data(plan: Plan) -> Markup:
    """The plan's GeoJSON for the map script, safe inside <script>."""
    body = json.dumps(plan.geojson, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(body.replace("&", "\\u0026"))


def share_query(state: dict[str, Any], lang: str) -> str:
    pairs: list[tuple[str, str]] = [(k, str(state[k])) for k in FORM_KEYS
                                    if k not in ("wheelchair", "avoid_crowds") and state[k]]
    pairs += [(k, "1") for k in ("wheelchair", "avoid_crowds") if state[k]]
    for category, weight in state["interests"].items():
        pairs += [("interest", category), (f"w_{category}", weight)]
    if lang != "de":
        pairs.append(("lang", lang))
    pairs.append(("submit", "1"))
    return urlencode(pairs)


@router.get("/plan", response_class=HTMLResponse)
def plan_page(request: Request) -> HTMLResponse:
    ctx = context(request, "/plan")
    lang = ctx["lang"]
    store = _store(request)
    state = form_state(request)
    plan: Plan | None = None
    error: PlanError | None = None
    submitted = request.query_params.get("submit") in ("1", "true")
    choices = start_choices(store, lang)
    if submitted:
        try:
            named = resolve_names(state, choices, lambda text: best_place(store, text))
            plan = make_plan(store, plan_request(named, lang), clock=get_clock(request),
                             crowds=OccupancyCrowds(store, get_clock(request)))
        except PlanError as exc:
            error = exc
    categories = [(c, c if lang == "de" else CATEGORIES[c].get("en", c)) for c in CATEGORIES if c not in NOT_VISITED]
    ctx.update(title=word("title", lang), w=lambda key: word(key, lang), km=lambda v: km_text(v, lang),
               state=state, plan=plan, error=error,
               reason=lambda e: reason_text(e, lang, **_reason_values(state, lang, e)),
               error_ids=lambda e: error_ids(e, lang),
               categories=categories, weights=WEIGHTS, modes=MODES, choices=choices,
               share_url=f"/plan?{share_query(state, lang)}" if submitted else None,
               plan_data=plan_data(plan) if plan else None)
    headers = {"X-Robots-Tag": "noindex"} if submitted else None
    return render("plan.html", ctx, status_code=422 if error else 200, headers=headers)
