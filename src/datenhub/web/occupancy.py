"""The occupancy line of place pages and the info screen, worded: no figure while the place is closed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from datenhub.store import Store
from datenhub.web.hours import closes_at
from datenhub.web.i18n import translator


def occupancy_view(store: Store, entity: dict[str, Any], now: datetime, lang: str) -> dict[str, Any] | None:
    """None when the place has no sensors. `label` is the line's headline, `percent` None when no figure is
    shown, `note` a sentence why, `line` all of it in one text. A closed venue's counter (the demo's simulated
    ones above all) says nothing about a visit, and "frei 0 %" reads like an invitation: closed places show
    "closed now" and no figure."""
    from datenhub.live.web import occupancy_summary

    summary = occupancy_summary(store, entity["id"], now)
    if summary is None:
        return None
    t = translator(lang)
    view = {"status": summary["status"], "label": None, "percent": summary["percent"],
            "updated": summary["updated"], "simulated": bool(summary.get("simulated")), "closed": False,
            "note": None}
    if closes_at(entity, now)[0] == "closed":
        view |= {"status": "closed", "label": t("closed"), "percent": None, "updated": None, "closed": True,
                 "note": t("occupancy_closed")}
    elif summary["percent"] is None or summary["label"] is None:  # no fresh reading: no status to show
        view |= {"status": None, "percent": None, "note": t("occupancy_no_figure")}
    else:
        view["label"] = summary["label"].get(lang) or summary["label"]["de"]
    view["line"] = _line(view, lang)
    return view


def _line(view: dict[str, Any], lang: str) -> str:
    """The whole line as one text, for the screen's script, which only places words."""
    if view["percent"] is None:
        return " · ".join(x for x in (view["label"], view["note"]) if x)
    simulated = f" ({translator(lang)('simulated')})" if view["simulated"] else ""
    return f"{view['label']} · {view['percent']} %{simulated}"
