"""Bad page parameters worded for visitors in the page's language.

The store's QueryError carries an English detail meant for API clients; pages show only what is worded here.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from datenhub.store import QueryError
from datenhub.web.i18n import translator

# the label a visitor knows the parameter by (the form's own labels where there is a field)
FIELD_KEYS = {"q": "search_label", "category": "category", "municipality": "municipality", "open_now": "open_now",
              "wheelchair": "wheelchair", "from": "field_from", "to": "field_to", "limit": "field_limit",
              "sort": "field_sort", "radius": "field_radius", "lat": "field_lat", "lon": "field_lon",
              "rotate": "field_rotate", "refresh": "field_refresh"}
MAX_SHOWN = 60  # a pasted essay as a value is cut, not repeated in full


def query_error_text(exc: QueryError, value: str | None, lang: str) -> str:
    """One sentence in `lang` for a rejected parameter; `value` is what the visitor sent (None if nothing)."""
    t = translator(lang)
    shown = (value or "").strip()
    shown = shown if len(shown) <= MAX_SHOWN else shown[:MAX_SHOWN] + "…"
    if "times with different values" in exc.detail:  # deps.single_values: not the value, its repetition
        key = FIELD_KEYS.get(exc.param)
        return t("err_repeated", field=t(key) if key else exc.param)
    if exc.param == "cursor":
        return t("err_cursor")
    if exc.param == "q":
        return t("err_q") if "500 characters" in exc.detail else t("err_q_words")
    if exc.param == "place" and not shown:
        return t("err_screen_where")
    if exc.param in ("municipality", "category") and shown:
        return t(f"err_{exc.param}", value=shown)
    key = FIELD_KEYS.get(exc.param)
    field = t(key) if key else exc.param
    return t("err_value", value=shown, field=field) if shown else t("err_no_value", field=field)


def page_error(request: Request, exc: QueryError, lang: str) -> dict[str, Any]:
    """What a page's error box needs: the parameter (for forms and tests) and the worded message."""
    return {"param": exc.param, "message": query_error_text(exc, request.query_params.get(exc.param), lang)}
